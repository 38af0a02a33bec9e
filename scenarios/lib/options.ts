// k6 `options` for rtsoak scenarios, built from the parsed configuration. Each k6
// scenario is named after the rtsoak client kind (polling, websocket, upgrade, keepalive,
// match), so k6's own `scenario` tag carries it on every sample. `url` is not a system tag
// (it would carry sids and cache-busters); SYSTEM_TAGS in metrics.ts is the list.

import type { Options, Scenario } from "k6/options";
import { SYSTEM_TAGS } from "./metrics.ts";

export interface ScenarioPlan {
  vus: number;
  durationMs: number;
  gracefulStopMs: number;
  /** Exported function this scenario runs (default: "default"). */
  exec?: string;
}

/** Options with one constant-vus k6 scenario per plan; plans with 0 VUs are left out. */
export function buildOptions(plans: Record<string, ScenarioPlan>): Options {
  const scenarios: Record<string, Scenario> = {};
  for (const name of Object.keys(plans)) {
    const p = plans[name];
    if (p.vus <= 0) continue;
    scenarios[name] = {
      executor: "constant-vus",
      vus: p.vus,
      duration: `${p.durationMs}ms`,
      gracefulStop: `${p.gracefulStopMs}ms`,
      exec: p.exec ?? "default",
    };
  }
  return {
    scenarios,
    systemTags: [...SYSTEM_TAGS],
    // Summary only for humans; the harness reads the JSON sample stream.
    summaryTrendStats: ["avg", "min", "med", "p(95)", "p(99)", "max"],
  };
}
