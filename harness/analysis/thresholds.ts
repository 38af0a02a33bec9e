// Pass/fail thresholds over an analysed run.
// A spec is a small object of comparison strings, e.g.
//   { sessionUnknownRate: "<0.1%", badGatewayRateOutsideEvents: "<0.1%", connectSuccess: ">99%",
//     httpP95Ms: "<500", ackP99Ms: "<1000" }
// Rates take a percentage ("<0.1%") or a fraction 0..1 ("<0.001"); latencies take ms ("<500",
// "<500ms", "<2s"); counts take a whole number. Unknown keys and malformed values are UserErrors.
// A threshold with nothing to measure (no requests, no events, no proxy log) passes as "n/a".
import { UserError } from "../errors.ts";
import type { AnalysedRates, AnalysedRun, Percentiles, ThresholdResult } from "./types.ts";
import { computeRates } from "./rates.ts";

type Unit = "rate" | "ms" | "count";

/** What each threshold key measures. */
const KEYS = {
  errorRate: { unit: "rate", name: "error_rate", scope: "all requests and websocket dials" },
  errorRateOutsideEvents: { unit: "rate", name: "error_rate_outside_events", scope: "outside event windows (start..end+settle)" },
  sessionUnknownRate: { unit: "rate", name: "session_unknown_rate", scope: "sid-bearing requests (poll, post, upgrade)" },
  badRequestRate: { unit: "rate", name: "bad_request_rate", scope: "HTTP requests" },
  badGatewayRate: { unit: "rate", name: "bad_gateway_rate", scope: "HTTP requests" },
  badGatewayRateOutsideEvents: { unit: "rate", name: "bad_gateway_rate_outside_events", scope: "HTTP requests outside event windows (start..end+settle)" },
  unavailableRate: { unit: "rate", name: "unavailable_rate", scope: "HTTP requests" },
  gatewayTimeoutRate: { unit: "rate", name: "gateway_timeout_rate", scope: "HTTP requests" },
  networkErrorRate: { unit: "rate", name: "network_error_rate", scope: "HTTP requests" },
  sessionUnknownRateOutsideEvents: { unit: "rate", name: "session_unknown_rate_outside_events", scope: "sid-bearing requests outside event windows (start..end+settle)" },
  connectSuccess: { unit: "rate", name: "connect_success", scope: "connection attempts" },
  connectSuccessOutsideEvents: { unit: "rate", name: "connect_success_outside_events", scope: "connection attempts outside event windows (start..end+settle)" },
  sessionsLostRate: { unit: "rate", name: "sessions_lost_rate", scope: "sessions opened" },
  httpP95Ms: { unit: "ms", name: "http_p95_ms", scope: "HTTP requests except long-poll GETs" },
  httpP99Ms: { unit: "ms", name: "http_p99_ms", scope: "HTTP requests except long-poll GETs" },
  connectP95Ms: { unit: "ms", name: "connect_p95_ms", scope: "handshake to namespace CONNECT" },
  ackP99Ms: { unit: "ms", name: "ack_p99_ms", scope: "emit-with-ack round trips" },
  keepaliveP95Ms: { unit: "ms", name: "keepalive_p95_ms", scope: "keepalive ticks" },
  maxRecoveryMs: { unit: "ms", name: "max_recovery_ms", scope: "worst event recovery (never recovered fails)" },
  reconciliationMismatches: { unit: "count", name: "reconciliation_mismatches", scope: "k6 vs proxy access log, per window and status" },
} as const satisfies Record<string, { unit: Unit; name: string; scope: string }>;

export type ThresholdKey = keyof typeof KEYS;

/** Threshold spec: each key optional, each value a comparison string such as "<0.1%". */
export type ThresholdSpec = Partial<Record<ThresholdKey, string>>;

export const THRESHOLD_KEYS = Object.keys(KEYS) as ThresholdKey[];

export type Comparator = "<" | "<=" | ">" | ">=" | "==";

export interface ThresholdExpression {
  op: Comparator;
  /** Fraction for rates, ms for latencies, a count for counts. */
  value: number;
  /** As written, trimmed. */
  text: string;
}

const EXPR = /^(<=|>=|==|<|>)\s*(\d+(?:\.\d+)?|\.\d+)\s*(%|ms|s)?$/;

const SHAPES: Record<Unit, string> = {
  rate: 'a comparison with a percentage or a fraction, like "<0.1%" or "<=0.001"',
  ms: 'a comparison in milliseconds (or seconds with "s"), like "<500" or "<2s"',
  count: 'a comparison with a whole number, like "<=0"',
};

/** Parses one threshold value; throws a UserError naming the key, the value and the expected shape. */
export function parseThresholdExpression(key: string, raw: unknown): ThresholdExpression {
  const def = (KEYS as Record<string, { unit: Unit }>)[key];
  if (!def) throw new UserError(`Unknown threshold "${key}"; use one of: ${THRESHOLD_KEYS.join(", ")}.`);
  const shape = SHAPES[def.unit];
  const bad = (why = "") => new UserError(`Threshold ${key}: ${JSON.stringify(raw)} is not valid${why ? ` (${why})` : ""}; write ${shape}.`);
  if (typeof raw !== "string") throw bad();
  const text = raw.trim();
  const m = EXPR.exec(text);
  if (!m) throw bad();
  const op = m[1] as Comparator;
  let value = Number(m[2]);
  const suffix = m[3];
  if (def.unit === "rate") {
    if (suffix === "%") {
      if (value > 100) throw bad("more than 100 %");
      value /= 100;
    } else if (suffix) throw bad(`a rate has no "${suffix}"`);
    else if (value > 1) throw bad("a fraction above 1; did you mean a percentage?");
  } else if (def.unit === "ms") {
    if (suffix === "%") throw bad("a latency is not a percentage");
    if (suffix === "s") value *= 1000;
  } else {
    if (suffix) throw bad(`a count has no "${suffix}"`);
    if (!Number.isInteger(value)) throw bad("not a whole number");
  }
  return { op, value, text };
}

/** Validates a whole spec (e.g. straight from YAML); throws a UserError for the first bad entry. */
export function parseThresholdSpec(raw: unknown): ThresholdSpec {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new UserError(`Thresholds must be a map of name to comparison (e.g. sessionUnknownRate: "<0.1%"), got ${JSON.stringify(raw)}.`);
  }
  const spec: ThresholdSpec = {};
  for (const [key, value] of Object.entries(raw)) {
    parseThresholdExpression(key, value);
    spec[key as ThresholdKey] = value as string;
  }
  return spec;
}

export function compare(measured: number, e: ThresholdExpression): boolean {
  switch (e.op) {
    case "<":
      return measured < e.value;
    case "<=":
      return measured <= e.value;
    case ">":
      return measured > e.value;
    case ">=":
      return measured >= e.value;
    case "==":
      return measured === e.value;
  }
}

function pct(v: number): string {
  const p = v * 100;
  const digits = p === 0 ? 0 : p < 0.01 ? 4 : p < 1 ? 3 : p < 10 ? 2 : 1;
  return `${p.toFixed(digits)} %`;
}

interface Measured {
  value: number;
  display: string;
  /** Nothing to measure: the threshold passes as n/a. */
  none?: string;
}

function rateOf(r: AnalysedRates[keyof AnalysedRates], what: string): Measured {
  if (r.denominator === 0) return { value: 0, display: `n/a (no ${what})`, none: what };
  return { value: r.value, display: `${pct(r.value)} (${r.numerator} of ${r.denominator})` };
}

function latencyOf(p: Percentiles, q: "p95" | "p99", what: string): Measured {
  if (p.count === 0) return { value: 0, display: `n/a (no ${what})`, none: what };
  return { value: p[q], display: `${Math.round(p[q] * 10) / 10} ms (${q} of ${p.count})` };
}

function measureKey(run: AnalysedRun, rates: AnalysedRates, key: ThresholdKey): Measured {
  switch (key) {
    case "errorRate":
    case "errorRateOutsideEvents":
      return rateOf(rates[key], "requests");
    case "sessionUnknownRate":
    case "sessionUnknownRateOutsideEvents":
      return rateOf(rates[key], "sid-bearing requests");
    case "badRequestRate":
    case "badGatewayRate":
    case "badGatewayRateOutsideEvents":
    case "unavailableRate":
    case "gatewayTimeoutRate":
    case "networkErrorRate":
      return rateOf(rates[key], "HTTP requests");
    case "connectSuccess":
    case "connectSuccessOutsideEvents":
      return rateOf(rates[key], "connection attempts");
    case "sessionsLostRate":
      return rateOf(rates[key], "sessions");
    case "httpP95Ms":
      return latencyOf(run.latency.http, "p95", "HTTP requests");
    case "httpP99Ms":
      return latencyOf(run.latency.http, "p99", "HTTP requests");
    case "connectP95Ms":
      return latencyOf(run.latency.connect, "p95", "connects");
    case "ackP99Ms":
      return latencyOf(run.latency.ackRtt, "p99", "acks");
    case "keepaliveP95Ms":
      return latencyOf(run.latency.keepalive, "p95", "keepalive ticks");
    case "maxRecoveryMs": {
      if (run.events.length === 0) return { value: 0, display: "n/a (no events)", none: "events" };
      let worst = 0;
      let who = "";
      for (const e of run.events) {
        const r = e.recoveryMs ?? Infinity;
        if (r >= worst) {
          worst = r;
          who = e.event.name + (e.event.target ? ` ${e.event.target}` : "");
        }
      }
      return { value: worst, display: worst === Infinity ? `never recovered (${who})` : `${worst} ms (${who})` };
    }
    case "reconciliationMismatches":
      if (!run.reconciliation) return { value: 0, display: "n/a (no proxy access log)", none: "proxy access log" };
      return { value: run.reconciliation.mismatches, display: `${run.reconciliation.mismatches} mismatching rows` };
  }
}

/** Evaluates every threshold in the spec, in the spec's key order. */
export function evaluateThresholds(run: AnalysedRun, spec: ThresholdSpec): ThresholdResult[] {
  const rates = run.rates ?? computeRates(run);
  const results: ThresholdResult[] = [];
  for (const [key, raw] of Object.entries(spec)) {
    if (raw === undefined) continue;
    const expr = parseThresholdExpression(key, raw);
    const k = key as ThresholdKey;
    const m = measureKey(run, rates, k);
    results.push({
      name: KEYS[k].name,
      expression: expr.text,
      measured: m.value,
      display: m.display,
      pass: m.none !== undefined ? true : compare(m.value, expr),
      scope: KEYS[k].scope,
    });
  }
  return results;
}

/**
 * pass when every threshold passed; fail when one did not; error when the run measured
 * nothing at all (no requests, no websocket dials, no sessions): a gate must not pass on silence.
 */
export function verdictOf(run: Pick<AnalysedRun, "totals">, results: readonly ThresholdResult[]): AnalysedRun["verdict"] {
  const t = run.totals;
  if (t.requests === 0 && (t.wsDials ?? 0) === 0 && t.sessionsOpened === 0) return "error";
  return results.every((r) => r.pass) ? "pass" : "fail";
}
