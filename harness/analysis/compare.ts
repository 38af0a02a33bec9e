// compareRuns(a, b): what got worse from run A (before, e.g. last night) to run B (after).
// Compared: the analysis' rates (rates.ts; lower is better except connectSuccess), latency
// percentiles, per event name the slowest recovery and the highest peak error rate, and
// thresholds that flipped. A value is worse when it moves the wrong way by more than
// max(absolute, relative × A). A measure missing on either side (no requests, no such event)
// is listed with null and never counts as a regression. Pure; reports render the result.
import type { AnalysedRates, AnalysedRun, Percentiles } from "./types.ts";
import { computeRates } from "./rates.ts";

export interface CompareTolerance {
  rateAbsolute: number;
  rateRelative: number;
  latencyAbsoluteMs: number;
  latencyRelative: number;
  /** Recovery times move in whole windows: a smaller change is noise. Default 1000 ms. */
  recoveryAbsoluteMs: number;
}

export const DEFAULT_COMPARE_TOLERANCE: CompareTolerance = {
  rateAbsolute: 0.001,
  rateRelative: 0.1,
  latencyAbsoluteMs: 5,
  latencyRelative: 0.2,
  recoveryAbsoluteMs: 1000,
};

export type Change = "regressed" | "improved" | "same";

export interface ComparisonRow {
  /** e.g. "sessionUnknownRate", "http p95", "recovery max-requests-recycle", "threshold http_p95_ms". */
  metric: string;
  kind: "rate" | "latency" | "threshold";
  /** null: not measured in that run. Rates are 0..1, latencies ms (Infinity = never recovered), thresholds 1 pass / 0 fail. */
  a: number | null;
  b: number | null;
  change: Change;
}

export interface RunRegressions {
  rows: ComparisonRow[];
  /** The rows that got worse. */
  regressions: ComparisonRow[];
}

const RATE_KEYS: ReadonlyArray<keyof AnalysedRates> = [
  "errorRate",
  "errorRateOutsideEvents",
  "sessionUnknownRate",
  "sessionUnknownRateOutsideEvents",
  "badRequestRate",
  "badGatewayRate",
  "badGatewayRateOutsideEvents",
  "unavailableRate",
  "gatewayTimeoutRate",
  "networkErrorRate",
  "connectSuccess",
  "connectSuccessOutsideEvents",
  "sessionsLostRate",
];

const HIGHER_IS_BETTER: ReadonlySet<keyof AnalysedRates> = new Set(["connectSuccess", "connectSuccessOutsideEvents"]);

/**
 * Whether b is worse than a beyond max(absolute, relative × a). For a higher-is-better share
 * (connect success) the failure share 1 − x is judged instead, so 99 % → 95 % (1 % → 5 % failing)
 * is a regression even though it is a small relative drop.
 */
export function judge(a: number | null, b: number | null, absolute: number, relative: number, higherIsBetter = false): Change {
  if (a === null || b === null) return "same";
  if (higherIsBetter) return judge(1 - a, 1 - b, absolute, relative);
  if (a === b) return "same";
  if (a === Infinity || b === Infinity) return b === Infinity ? "regressed" : "improved";
  const worse = b - a;
  const allowed = Math.max(absolute, relative * Math.abs(a));
  if (worse > allowed) return "regressed";
  if (-worse > allowed) return "improved";
  return "same";
}

function latencyRows(name: string, pa: Percentiles, pb: Percentiles, keys: ReadonlyArray<"p50" | "p95" | "p99">, tol: CompareTolerance): ComparisonRow[] {
  if (pa.count === 0 && pb.count === 0) return [];
  return keys.map((k) => {
    const a = pa.count ? pa[k] : null;
    const b = pb.count ? pb[k] : null;
    return { metric: `${name} ${k}`, kind: "latency" as const, a, b, change: judge(a, b, tol.latencyAbsoluteMs, tol.latencyRelative) };
  });
}

/** Per event name: slowest recovery (Infinity when one never recovered) and highest peak. */
function eventStats(run: AnalysedRun): Map<string, { recovery: number; peak: number }> {
  const out = new Map<string, { recovery: number; peak: number }>();
  for (const e of run.events) {
    const s = out.get(e.event.name) ?? { recovery: 0, peak: 0 };
    s.recovery = Math.max(s.recovery, e.recoveryMs ?? Infinity);
    s.peak = Math.max(s.peak, e.peakDuring);
    out.set(e.event.name, s);
  }
  return out;
}

export function compareRuns(a: AnalysedRun, b: AnalysedRun, tolerance: Partial<CompareTolerance> = {}): RunRegressions {
  const tol = { ...DEFAULT_COMPARE_TOLERANCE, ...tolerance };
  const rows: ComparisonRow[] = [];

  const ra = a.rates ?? computeRates(a);
  const rb = b.rates ?? computeRates(b);
  for (const key of RATE_KEYS) {
    // Runs stored by an older rtsoak may lack newer rates: treat them as not measured.
    const va = ra[key]?.denominator > 0 ? ra[key].value : null;
    const vb = rb[key]?.denominator > 0 ? rb[key].value : null;
    if (va === null && vb === null) continue;
    rows.push({ metric: key, kind: "rate", a: va, b: vb, change: judge(va, vb, tol.rateAbsolute, tol.rateRelative, HIGHER_IS_BETTER.has(key)) });
  }

  rows.push(
    ...latencyRows("http", a.latency.http, b.latency.http, ["p50", "p95", "p99"], tol),
    ...latencyRows("connect", a.latency.connect, b.latency.connect, ["p95", "p99"], tol),
    ...latencyRows("ack rtt", a.latency.ackRtt, b.latency.ackRtt, ["p95", "p99"], tol),
    ...latencyRows("keepalive", a.latency.keepalive, b.latency.keepalive, ["p95", "p99"], tol),
  );

  const ea = eventStats(a);
  const eb = eventStats(b);
  for (const name of [...new Set([...ea.keys(), ...eb.keys()])].sort()) {
    const sa = ea.get(name) ?? null;
    const sb = eb.get(name) ?? null;
    rows.push({
      metric: `recovery ${name}`,
      kind: "latency",
      a: sa?.recovery ?? null,
      b: sb?.recovery ?? null,
      change: judge(sa?.recovery ?? null, sb?.recovery ?? null, tol.recoveryAbsoluteMs, tol.latencyRelative),
    });
    rows.push({
      metric: `peak error rate ${name}`,
      kind: "rate",
      a: sa?.peak ?? null,
      b: sb?.peak ?? null,
      change: judge(sa?.peak ?? null, sb?.peak ?? null, tol.rateAbsolute, tol.rateRelative),
    });
  }

  const before = new Map(a.thresholds.map((t) => [t.name, t.pass]));
  for (const t of b.thresholds) {
    const was = before.get(t.name);
    if (was === undefined) continue;
    rows.push({ metric: `threshold ${t.name}`, kind: "threshold", a: was ? 1 : 0, b: t.pass ? 1 : 0, change: was && !t.pass ? "regressed" : !was && t.pass ? "improved" : "same" });
  }

  return { rows, regressions: rows.filter((r) => r.change === "regressed") };
}
