// Scenario "websocket": websocket-only Socket.IO clients (transport=websocket from the start).
// Environment variables: see scenarios/README.md.
import { loadSioConfig } from "./lib/config.ts";
import { buildOptions } from "./lib/options.ts";
import { runSioIteration } from "./lib/sio-run.ts";

const cfg = loadSioConfig(__ENV);

export const options = buildOptions({ websocket: cfg });

export default async function (): Promise<void> {
  await runSioIteration(cfg, "websocket");
}
