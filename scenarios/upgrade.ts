// Scenario "upgrade": Socket.IO clients like browsers: polling handshake, then the
// polling→websocket upgrade (2probe / 3probe / 5); a failed upgrade stays on polling.
// Environment variables: see scenarios/README.md.
import { loadSioConfig } from "./lib/config.ts";
import { buildOptions } from "./lib/options.ts";
import { runSioIteration } from "./lib/sio-run.ts";

const cfg = loadSioConfig(__ENV);

export const options = buildOptions({ upgrade: cfg });

export default async function (): Promise<void> {
  await runSioIteration(cfg, "upgrade");
}
