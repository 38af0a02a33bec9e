// Run-wide rates, each a numerator over a denominator (value 0 when there was nothing to count):
//
//   errorRate                  errors / outcomes over the whole run (error-rate.ts defines both)
//   errorRateOutsideEvents     the same over windows that overlap no event's [start, end + settle)
//   badRequestRate             HTTP 400 / HTTP requests            (k6 http_reqs)
//   badGatewayRate             HTTP 502 / HTTP requests
//   badGatewayRateOutsideEvents HTTP 502 / HTTP requests, windows outside every event range only
//   unavailableRate            HTTP 503 / HTTP requests
//   gatewayTimeoutRate         HTTP 504 / HTTP requests
//   networkErrorRate           status "0" (no answer) / HTTP requests
//   sessionUnknownRate         session_unknown failures / sid-bearing requests: HTTP requests and
//                              websocket dials whose op is poll, post or upgrade
//   sessionUnknownRateOutsideEvents  the same, windows outside every event range only
//   connectSuccess             sessions opened / (sessions opened + failed connection attempts);
//                              a failed attempt = a failure tagged op=handshake (polling handshake),
//                              a connect_error (namespace refused), or a websocket-first dial
//                              (ws_sessions, op=websocket) answered with anything but 101
//   connectSuccessOutsideEvents the same, windows outside every event range only
//   sessionsLostRate           sessions lost / sessions opened
//
// "Outside events" works at window granularity: a window touching an event range is inside.
import type { AnalysedRates, AnalysedRun, RateMeasure } from "./types.ts";
import { FAILURE, OP } from "../../scenarios/lib/metrics.ts";
import { eventRanges, IMPACT_DEFAULTS, windowsInRanges } from "./impact.ts";
import { windowErrors, windowOutcomes } from "./error-rate.ts";

export function measure(numerator: number, denominator: number): RateMeasure {
  return { value: denominator > 0 ? numerator / denominator : 0, numerator, denominator };
}

export const SID_BEARING_OPS: ReadonlySet<string> = new Set([OP.poll, OP.post, OP.upgrade]);

/** The `op` part of a breakdown key ("transport/op"). */
export function opOf(key: string): string {
  const slash = key.indexOf("/");
  return slash >= 0 ? key.slice(slash + 1) : key;
}

type RateInput = Pick<AnalysedRun, "windows" | "windowMs" | "events" | "breakdown" | "totals" | "settings">;

export function computeRates(run: RateInput, settleMs = run.settings?.settleMs ?? IMPACT_DEFAULTS.settleMs): AnalysedRates {
  const inside = windowsInRanges(
    run.windows,
    run.windowMs,
    eventRanges(
      run.events.map((e) => e.event),
      settleMs,
    ),
  );
  let errors = 0;
  let outcomes = 0;
  let outErrors = 0;
  let outOutcomes = 0;
  let outRequests = 0;
  let out502 = 0;
  let outSessionUnknown = 0;
  let outSidRequests = 0;
  let outOpened = 0;
  let outConnectFailures = 0;
  run.windows.forEach((w, p) => {
    const e = windowErrors(w);
    const o = windowOutcomes(w);
    errors += e;
    outcomes += o;
    if (!inside[p]) {
      outErrors += e;
      outOutcomes += o;
      outRequests += w.requests;
      out502 += w.statuses["502"] ?? 0;
      outSessionUnknown += w.failures[FAILURE.sessionUnknown] ?? 0;
      outSidRequests += w.sidRequests ?? 0;
      outOpened += w.sessionsOpened;
      outConnectFailures += w.connectFailures ?? 0;
    }
  });

  let sidBearing = 0;
  let connectFailures = 0;
  for (const row of run.breakdown) {
    const op = opOf(row.key);
    if (SID_BEARING_OPS.has(op)) sidBearing += row.requests;
    if (op === OP.handshake) for (const k in row.failures) connectFailures += row.failures[k];
    else connectFailures += row.failures[FAILURE.connectError] ?? 0;
    if (row.key === `websocket/${OP.websocket}`) connectFailures += row.requests - (row.statuses["101"] ?? 0);
  }

  const t = run.totals;
  const status = (s: string) => measure(t.statuses[s] ?? 0, t.requests);
  return {
    errorRate: measure(errors, outcomes),
    errorRateOutsideEvents: measure(outErrors, outOutcomes),
    badRequestRate: status("400"),
    badGatewayRate: status("502"),
    badGatewayRateOutsideEvents: measure(out502, outRequests),
    unavailableRate: status("503"),
    gatewayTimeoutRate: status("504"),
    networkErrorRate: status("0"),
    sessionUnknownRate: measure(t.failures[FAILURE.sessionUnknown] ?? 0, sidBearing),
    sessionUnknownRateOutsideEvents: measure(outSessionUnknown, outSidRequests),
    connectSuccess: measure(t.sessionsOpened, t.sessionsOpened + connectFailures),
    connectSuccessOutsideEvents: measure(outOpened, outOpened + outConnectFailures),
    sessionsLostRate: measure(t.sessionsLost, t.sessionsOpened),
  };
}
