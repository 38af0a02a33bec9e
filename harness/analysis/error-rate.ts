// What the analysis calls an "error", defined once.
//
// errors   = failed HTTP requests   (k6 http_reqs with status "0" — no answer — or ≥ 400)
//          + failures with no HTTP request behind them (sio_failures samples that are not a
//            mirror of a failed http_req: every kind on transport "websocket", and on other
//            transports every kind that is not an HTTP-status kind — ws_close_*, ping_timeout,
//            server_close, protocol_error, ack_timeout, connect_error, upgrade_failed, ws_handshake…)
// outcomes = HTTP requests (http_reqs) + websocket dials (ws_sessions)
// rate     = errors / outcomes, capped at 1 (a window with errors and no outcomes is 1, an empty one 0).
//
// The HTTP-status kinds (session_unknown, bad_request, …, network) on polling/http transports
// are classifications of a failed http_req that is already counted by its status, so they are
// not counted twice.
import { FAILURE } from "../../scenarios/lib/metrics.ts";
import type { WindowCounts } from "./types.ts";

const HTTP_STATUS_KINDS: ReadonlySet<string> = new Set([
  FAILURE.network,
  FAILURE.sessionUnknown,
  FAILURE.badRequest,
  FAILURE.forbidden,
  FAILURE.badGateway,
  FAILURE.unavailable,
  FAILURE.gatewayTimeout,
  FAILURE.httpError,
]);

/** A status that counts as a failed request: "0" (no answer) and every 4xx/5xx. */
export function isErrorStatus(status: string): boolean {
  if (status === "0" || status === "") return true;
  const n = Number(status);
  return Number.isFinite(n) && n >= 400;
}

/** Failed requests among HTTP status counts (see isErrorStatus). */
export function errorStatusCount(statuses: Record<string, number>): number {
  let n = 0;
  for (const s in statuses) if (isErrorStatus(s)) n += statuses[s];
  return n;
}

/** True when a sio_failures sample is an error of its own (no failed http_req behind it). */
export function isStandaloneFailure(kind: string, transport: string | undefined): boolean {
  return transport === "websocket" || !HTTP_STATUS_KINDS.has(kind);
}

export function errorRate(errors: number, outcomes: number): number {
  if (outcomes > 0) return Math.min(1, errors / outcomes);
  return errors > 0 ? 1 : 0;
}

/** Errors in a window; falls back to statuses only for windows written without `errors`. */
export function windowErrors(w: WindowCounts): number {
  return w.errors ?? errorStatusCount(w.statuses);
}

export function windowOutcomes(w: WindowCounts): number {
  return w.requests + (w.wsDials ?? 0);
}

export function windowErrorRate(w: WindowCounts): number {
  return errorRate(windowErrors(w), windowOutcomes(w));
}

/** Nothing happened in the window: neither outcomes nor errors. */
export function isEmptyWindow(w: WindowCounts): boolean {
  return windowOutcomes(w) === 0 && windowErrors(w) === 0;
}
