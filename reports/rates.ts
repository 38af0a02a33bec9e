// Rates every report derives from an AnalysedRun's counts, defined once: what counts as a
// failed request, and the run-wide shares of the statuses rtsoak is about.
import type { AnalysedRun } from "../harness/analysis/types.ts";

/** A status that counts as a failed request: network errors ("0") and every 4xx/5xx. */
export function isErrorStatus(status: string): boolean {
  const n = Number(status);
  return status === "0" || (Number.isFinite(n) && n >= 400);
}

export function errorCount(statuses: Record<string, number>): number {
  let n = 0;
  for (const [status, count] of Object.entries(statuses)) if (isErrorStatus(status)) n += count;
  return n;
}

/** Shares 0..1 of all requests (sessionLoss: of sessions opened). */
export interface RunRates {
  errorRate: number;
  status400: number;
  status502: number;
  status503: number;
  status504: number;
  network: number;
  sessionUnknown: number;
  sessionLoss: number;
}

export const RATE_LABELS: Record<keyof RunRates, string> = {
  errorRate: "failed requests (0, 4xx, 5xx)",
  status400: "HTTP 400",
  status502: "HTTP 502",
  status503: "HTTP 503",
  status504: "HTTP 504",
  network: "network errors",
  sessionUnknown: "session_unknown",
  sessionLoss: "sessions lost / opened",
};

function share(part: number | undefined, whole: number): number {
  return whole > 0 ? (part ?? 0) / whole : 0;
}

export function runRates(run: AnalysedRun): RunRates {
  const t = run.totals;
  return {
    errorRate: share(errorCount(t.statuses), t.requests),
    status400: share(t.statuses["400"], t.requests),
    status502: share(t.statuses["502"], t.requests),
    status503: share(t.statuses["503"], t.requests),
    status504: share(t.statuses["504"], t.requests),
    network: share(t.statuses["0"], t.requests),
    sessionUnknown: share(t.failures["session_unknown"], t.requests),
    sessionLoss: share(t.sessionsLost, t.sessionsOpened),
  };
}

/** Entries sorted by count (desc), then key, for stable "top statuses" lists. */
export function sortedEntries(counts: Record<string, number>): Array<[string, number]> {
  return Object.entries(counts).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** Error statuses only, most frequent first: "400×8,115 502×177". */
export function errorStatuses(statuses: Record<string, number>): Array<[string, number]> {
  return sortedEntries(statuses).filter(([s, n]) => isErrorStatus(s) && n > 0);
}
