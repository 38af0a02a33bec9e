// Reference Socket.IO app for rtsoak. Launch contract: see README.md next to this file.
//   PORT=3000 node compose/apps/node/server.mjs
// Always a node:cluster: the primary forks WORKERS workers that share PORT.

import cluster from "node:cluster";
import { readConfig } from "./config.mjs";
import { createLogger } from "./log.mjs";

const config = readConfig();

if (cluster.isPrimary) {
  const { runPrimary } = await import("./primary.mjs");
  runPrimary(config, createLogger({ instance: config.instance, role: "primary" }));
} else {
  const { runWorker } = await import("./worker.mjs");
  runWorker(config, createLogger({ instance: config.instance, role: "worker" }));
}
