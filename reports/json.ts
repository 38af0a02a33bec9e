// The machine-readable run summary (schema "rtsoak.run-summary/v1", described by
// reports/schema/run-summary.v1.json). Additive changes keep v1; anything that renames or
// removes a field is v2.
import { errorStatusCount } from "../harness/analysis/error-rate.ts";
import type { AnalysedRun, BreakdownRow, EventImpact, ThresholdResult } from "../harness/analysis/types.ts";
import { formatInstant } from "./format.ts";
import { runErrors, runRates, type RunRates } from "./rates.ts";
import { describeTopology } from "./topology.ts";

export const RUN_SUMMARY_SCHEMA = "rtsoak.run-summary/v1";

export interface RunSummaryV1 {
  schema: typeof RUN_SUMMARY_SCHEMA;
  runId: string;
  profile: string;
  verdict: AnalysedRun["verdict"];
  partial: boolean;
  /** ISO 8601, UTC. */
  startedAt: string;
  endedAt: string;
  durationMs: number;
  target: string;
  command: string;
  topology: { name: string; description: string; detail: unknown };
  windowMs: number;
  /** The analysis' totals, wsDials null when not counted, and the failed requests and errors. */
  totals: Omit<AnalysedRun["totals"], "wsDials"> & {
    /** Websocket dials; null when the run did not count them. */
    wsDials: number | null;
    failedRequests: number;
    /** Failed requests plus failures with no request behind them (errorRate's numerator). */
    errors: number;
  };
  rates: RunRates;
  latency: AnalysedRun["latency"];
  thresholds: Array<Omit<ThresholdResult, "scope"> & { scope: string | null }>;
  /** The event as fired (optional fields null, instants ISO 8601) and its impact as analysed. */
  events: Array<
    {
      name: string;
      target: string | null;
      ok: boolean;
      detail: string | null;
      startedAt: string;
      offsetMs: number;
      durationMs: number;
    } & Omit<EventImpact, "event">
  >;
  /** The analysis' breakdown rows with each row's share of failed requests. */
  breakdown: Array<BreakdownRow & { errorRate: number }>;
  reconciliation: { k6Total: number; proxyTotal: number; mismatches: number } | null;
  notes: string[];
}

export function buildRunSummary(run: AnalysedRun): RunSummaryV1 {
  const topo = describeTopology(run.topology, run.target);
  return {
    schema: RUN_SUMMARY_SCHEMA,
    runId: run.runId,
    profile: run.profile,
    verdict: run.verdict,
    partial: run.partial,
    startedAt: formatInstant(run.startedAt),
    endedAt: formatInstant(run.endedAt),
    durationMs: run.endedAt - run.startedAt,
    target: run.target,
    command: run.command,
    topology: { name: topo.name, description: topo.line, detail: run.topology ?? null },
    windowMs: run.windowMs,
    totals: {
      requests: run.totals.requests,
      wsDials: run.totals.wsDials ?? null,
      failedRequests: errorStatusCount(run.totals.statuses),
      errors: runErrors(run).errors,
      statuses: run.totals.statuses,
      failures: run.totals.failures,
      wsCloses: run.totals.wsCloses,
      sessionsOpened: run.totals.sessionsOpened,
      sessionsLost: run.totals.sessionsLost,
      reconnects: run.totals.reconnects,
      upgrades: run.totals.upgrades,
      keepalive: run.totals.keepalive,
    },
    rates: roundRates(runRates(run)),
    latency: run.latency,
    thresholds: run.thresholds.map((t) => ({
      name: t.name,
      expression: t.expression,
      measured: t.measured,
      display: t.display,
      pass: t.pass,
      scope: t.scope ?? null,
    })),
    events: run.events.map((e) => ({
      name: e.event.name,
      target: e.event.target ?? null,
      ok: e.event.ok,
      detail: e.event.detail ?? null,
      startedAt: formatInstant(e.event.start),
      offsetMs: e.event.start - run.startedAt,
      durationMs: e.event.end - e.event.start,
      rateBefore: e.rateBefore,
      peakDuring: e.peakDuring,
      errorsAttributed: e.errorsAttributed,
      recoveryMs: e.recoveryMs,
      sessionsLost: e.sessionsLost,
      statuses: e.statuses,
    })),
    breakdown: run.breakdown.map((b) => ({
      key: b.key,
      requests: b.requests,
      errorRate: round6(b.requests > 0 ? errorStatusCount(b.statuses) / b.requests : 0),
      statuses: b.statuses,
      failures: b.failures,
      latency: b.latency,
    })),
    reconciliation: run.reconciliation
      ? { k6Total: run.reconciliation.k6Total, proxyTotal: run.reconciliation.proxyTotal, mismatches: run.reconciliation.mismatches }
      : null,
    notes: run.notes,
  };
}

/** Shares rounded to 6 decimals: enough for 0.0001 %, short enough to read. */
function round6(x: number): number {
  return Number(x.toFixed(6));
}

function roundRates(r: RunRates): RunRates {
  const out = { ...r };
  for (const k of Object.keys(out) as Array<keyof RunRates>) {
    const v = out[k];
    if (v !== null) (out as Record<string, number | null>)[k] = round6(v);
  }
  return out;
}

/** The summary as pretty-printed JSON text with a trailing newline. */
export function renderJsonSummary(run: AnalysedRun): string {
  return JSON.stringify(buildRunSummary(run), null, 2) + "\n";
}
