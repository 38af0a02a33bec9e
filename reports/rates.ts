// The run-wide rates every report prints, defined once. When the analysis provides
// AnalysedRun.rates (harness/analysis/rates.ts defines each numerator and denominator) those
// are used as they are; runs saved without them fall back to plain shares of requests.
// A failed request is what the analysis calls one (harness/analysis/error-rate.ts).
import { errorStatusCount, isErrorStatus } from "../harness/analysis/error-rate.ts";
import type { AnalysedRun } from "../harness/analysis/types.ts";

/** Shares 0..1 (see RATE_LABELS); null when the run does not carry that measure. */
export interface RunRates {
  errorRate: number;
  errorRateOutsideEvents: number | null;
  status400: number;
  status502: number;
  status503: number;
  status504: number;
  network: number;
  sessionUnknown: number;
  sessionLoss: number;
  connectSuccess: number | null;
}

export const RATE_LABELS: Record<keyof RunRates, string> = {
  errorRate: "error rate",
  errorRateOutsideEvents: "error rate outside events",
  status400: "HTTP 400",
  status502: "HTTP 502",
  status503: "HTTP 503",
  status504: "HTTP 504",
  network: "network errors",
  sessionUnknown: "session_unknown",
  sessionLoss: "sessions lost / opened",
  connectSuccess: "connect success",
};

function share(part: number | undefined, whole: number): number {
  return whole > 0 ? (part ?? 0) / whole : 0;
}

export function runRates(run: AnalysedRun): RunRates {
  const r = run.rates;
  if (r) {
    return {
      errorRate: r.errorRate.value,
      errorRateOutsideEvents: r.errorRateOutsideEvents.value,
      status400: r.badRequestRate.value,
      status502: r.badGatewayRate.value,
      status503: r.unavailableRate.value,
      status504: r.gatewayTimeoutRate.value,
      network: r.networkErrorRate.value,
      sessionUnknown: r.sessionUnknownRate.value,
      sessionLoss: r.sessionsLostRate.value,
      connectSuccess: r.connectSuccess.value,
    };
  }
  const t = run.totals;
  return {
    errorRate: share(errorStatusCount(t.statuses), t.requests),
    errorRateOutsideEvents: null,
    status400: share(t.statuses["400"], t.requests),
    status502: share(t.statuses["502"], t.requests),
    status503: share(t.statuses["503"], t.requests),
    status504: share(t.statuses["504"], t.requests),
    network: share(t.statuses["0"], t.requests),
    sessionUnknown: share(t.failures["session_unknown"], t.requests),
    sessionLoss: share(t.sessionsLost, t.sessionsOpened),
    connectSuccess: null,
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

/** Errors over outcomes, as the analysis counts them when it says so, else failed requests over requests. */
export function runErrors(run: AnalysedRun): { errors: number; outcomes: number } {
  if (run.rates) return { errors: run.rates.errorRate.numerator, outcomes: run.rates.errorRate.denominator };
  return { errors: errorStatusCount(run.totals.statuses), outcomes: run.totals.requests };
}
