// Scenario "keepalive": GET /api/v1/keepalive/ every KEEPALIVE_INTERVAL per VU, reading
// serverHealth.status. One iteration = one tick, then a wait until the next one is due.
// Environment variables: see scenarios/README.md.
import exec from "k6/execution";
import { loadKeepaliveConfig } from "./lib/config.ts";
import { keepaliveTick } from "./lib/keepalive.ts";
import { now, sleepFor } from "./lib/k6-adapters.ts";
import { buildOptions } from "./lib/options.ts";

const cfg = loadKeepaliveConfig(__ENV);

export const options = buildOptions({ keepalive: cfg });

export default async function (): Promise<void> {
  const started = now();
  await keepaliveTick(cfg, exec.scenario.name);
  const end = exec.scenario.startTime + cfg.durationMs;
  const wait = Math.min(started + cfg.intervalMs, end) - now();
  if (wait > 0) await sleepFor(wait).promise;
}
