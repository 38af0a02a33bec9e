// Scenario "polling": Socket.IO clients that stay on HTTP long-polling.
// Environment variables: see scenarios/README.md.
import { loadSioConfig } from "./lib/config.ts";
import { buildOptions } from "./lib/options.ts";
import { runSioIteration } from "./lib/sio-run.ts";

const cfg = loadSioConfig(__ENV);

export const options = buildOptions({ polling: cfg });

export default async function (): Promise<void> {
  await runSioIteration(cfg, "polling");
}
