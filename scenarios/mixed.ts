// Scenario "mixed": a production-like blend in one run, as three k6 scenarios:
//   upgrade   — clients that upgrade to websocket and emit with acks (most of CLIENTS),
//   polling   — clients that stay on polling (POLLING_SHARE of CLIENTS),
//   keepalive — KEEPALIVE_VUS keepalive tickers.
// Environment variables: see scenarios/README.md.
import exec from "k6/execution";
import { loadMixedConfig } from "./lib/config.ts";
import { keepaliveTick } from "./lib/keepalive.ts";
import { now, sleepFor } from "./lib/k6-adapters.ts";
import { buildOptions } from "./lib/options.ts";
import { runSioIteration } from "./lib/sio-run.ts";

const cfg = loadMixedConfig(__ENV);

export const options = buildOptions({
  upgrade: { ...cfg.upgrade, exec: "upgradeClients" },
  polling: { ...cfg.polling, exec: "pollingClients" },
  keepalive: { ...cfg.keepalive, exec: "keepaliveTicks" },
});

export async function upgradeClients(): Promise<void> {
  await runSioIteration(cfg.upgrade, "upgrade");
}

export async function pollingClients(): Promise<void> {
  await runSioIteration(cfg.polling, "polling");
}

export async function keepaliveTicks(): Promise<void> {
  const started = now();
  await keepaliveTick(cfg.keepalive, exec.scenario.name);
  const end = exec.scenario.startTime + cfg.keepalive.durationMs;
  const wait = Math.min(started + cfg.keepalive.intervalMs, end) - now();
  if (wait > 0) await sleepFor(wait).promise;
}
