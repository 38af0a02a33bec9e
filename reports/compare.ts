// Compares two analysed runs (A = before/baseline, B = after/candidate): rates and latency
// percentiles that got worse beyond a tolerance, event recovery, and thresholds that flipped
// from pass to fail. Pure; rendering as plain text or Markdown is below.
import type { AnalysedRun, Percentiles } from "../harness/analysis/types.ts";
import { formatInstant, formatMs, formatShare } from "./format.ts";
import { mdText } from "./markdown.ts";
import { RATE_LABELS, runRates, type RunRates } from "./rates.ts";
import { describeTopology } from "./topology.ts";

export interface CompareTolerance {
  /** A rate is worse when it grows by more than max(rateAbsolute, rateRelative × A). */
  rateAbsolute: number;
  rateRelative: number;
  /** A latency (or recovery time) is worse when it grows by more than max(latencyAbsoluteMs, latencyRelative × A). */
  latencyAbsoluteMs: number;
  latencyRelative: number;
}

export const DEFAULT_COMPARE_TOLERANCE: CompareTolerance = {
  rateAbsolute: 0.001,
  rateRelative: 0.1,
  latencyAbsoluteMs: 5,
  latencyRelative: 0.2,
};

export type Change = "regressed" | "improved" | "same";

export interface ComparisonRow {
  metric: string;
  kind: "rate" | "latency" | "threshold";
  /** null: not measured in that run. For thresholds: 1 pass, 0 fail. */
  a: number | null;
  b: number | null;
  change: Change;
}

export interface RunComparison {
  a: { runId: string; profile: string; verdict: string; startedAt: number; topology: string };
  b: { runId: string; profile: string; verdict: string; startedAt: number; topology: string };
  rows: ComparisonRow[];
  regressions: number;
  /** Reasons the two runs may not be comparable (different profile, topology, partial run). */
  caveats: string[];
}

/** Rates where a higher value is better. */
const HIGHER_IS_BETTER: ReadonlySet<keyof RunRates> = new Set(["connectSuccess"]);

function judge(a: number | null, b: number | null, absolute: number, relative: number, higherIsBetter = false): Change {
  if (a === null || b === null) return "same";
  const worse = higherIsBetter ? a - b : b - a;
  const allowed = Math.max(absolute, relative * Math.abs(a));
  if (worse > allowed) return "regressed";
  if (-worse > allowed) return "improved";
  return "same";
}

function latencyRows(name: string, pa: Percentiles, pb: Percentiles, keys: Array<keyof Percentiles>, tol: CompareTolerance): ComparisonRow[] {
  if (pa.count === 0 || pb.count === 0) return [];
  return keys.map((k) => ({
    metric: `${name} ${k}`,
    kind: "latency" as const,
    a: pa[k],
    b: pb[k],
    change: judge(pa[k], pb[k], tol.latencyAbsoluteMs, tol.latencyRelative),
  }));
}

/** Slowest recovery among the events (Infinity when one never recovered); null without events. */
function worstRecovery(run: AnalysedRun): number | null {
  if (run.events.length === 0) return null;
  return Math.max(...run.events.map((e) => (e.recoveryMs === null ? Infinity : e.recoveryMs)));
}

function side(run: AnalysedRun): RunComparison["a"] {
  return { runId: run.runId, profile: run.profile, verdict: run.verdict, startedAt: run.startedAt, topology: describeTopology(run.topology, run.target).name };
}

export function compareRuns(a: AnalysedRun, b: AnalysedRun, tol: CompareTolerance = DEFAULT_COMPARE_TOLERANCE): RunComparison {
  const rows: ComparisonRow[] = [];
  const ra = runRates(a);
  const rb = runRates(b);
  for (const key of Object.keys(RATE_LABELS) as Array<keyof RunRates>) {
    if (ra[key] === null && rb[key] === null) continue;
    rows.push({
      metric: RATE_LABELS[key],
      kind: "rate",
      a: ra[key],
      b: rb[key],
      change: judge(ra[key], rb[key], tol.rateAbsolute, tol.rateRelative, HIGHER_IS_BETTER.has(key)),
    });
  }
  const peakA = a.events.length ? Math.max(...a.events.map((e) => e.peakDuring)) : null;
  const peakB = b.events.length ? Math.max(...b.events.map((e) => e.peakDuring)) : null;
  if (peakA !== null || peakB !== null) {
    rows.push({ metric: "peak error rate during events", kind: "rate", a: peakA, b: peakB, change: judge(peakA, peakB, tol.rateAbsolute, tol.rateRelative) });
  }
  rows.push(
    ...latencyRows("http", a.latency.http, b.latency.http, ["p50", "p95", "p99"], tol),
    ...latencyRows("connect", a.latency.connect, b.latency.connect, ["p50", "p95", "p99"], tol),
    ...latencyRows("ack rtt", a.latency.ackRtt, b.latency.ackRtt, ["p95", "p99"], tol),
    ...latencyRows("keepalive", a.latency.keepalive, b.latency.keepalive, ["p95", "p99"], tol),
  );
  const recA = worstRecovery(a);
  const recB = worstRecovery(b);
  if (recA !== null || recB !== null) {
    const change: Change =
      recA === Infinity || recB === Infinity
        ? recA === recB ? "same" : recB === Infinity ? "regressed" : "improved"
        : judge(recA, recB, Math.max(1000, tol.latencyAbsoluteMs), tol.latencyRelative);
    rows.push({ metric: "slowest event recovery", kind: "latency", a: recA, b: recB, change });
  }
  const thresholdsA = new Map(a.thresholds.map((t) => [t.name, t.pass]));
  for (const t of b.thresholds) {
    const before = thresholdsA.get(t.name);
    if (before === undefined) continue;
    const change: Change = before && !t.pass ? "regressed" : !before && t.pass ? "improved" : "same";
    rows.push({ metric: `threshold ${t.name}`, kind: "threshold", a: before ? 1 : 0, b: t.pass ? 1 : 0, change });
  }

  const caveats: string[] = [];
  if (a.profile !== b.profile) caveats.push(`different profiles (${a.profile} vs ${b.profile})`);
  const ta = describeTopology(a.topology, a.target).name;
  const tb = describeTopology(b.topology, b.target).name;
  if (ta !== tb) caveats.push(`different topologies (${ta} vs ${tb})`);
  if (a.partial) caveats.push(`run A (${a.runId}) is partial`);
  if (b.partial) caveats.push(`run B (${b.runId}) is partial`);
  return { a: side(a), b: side(b), rows, regressions: rows.filter((r) => r.change === "regressed").length, caveats };
}

// ---------------------------------------------------------------- rendering

function value(row: ComparisonRow, v: number | null): string {
  if (v === null) return "n/a";
  if (row.kind === "threshold") return v ? "pass" : "FAIL";
  if (row.kind === "rate") return formatShare(v);
  return v === Infinity ? "never" : formatMs(v);
}

function delta(row: ComparisonRow): string {
  if (row.a === null || row.b === null || row.kind === "threshold") return "";
  if (row.a === Infinity || row.b === Infinity) return "";
  const d = row.b - row.a;
  if (d === 0) return "0";
  if (row.kind === "rate") {
    const pp = d * 100;
    return `${pp >= 0 ? "+" : ""}${Math.abs(pp) >= 1 ? pp.toFixed(1) : pp.toFixed(3)} pp`;
  }
  const sign = d >= 0 ? "+" : "-";
  const rel = row.a > 0 ? ` (${sign}${Math.round((Math.abs(d) / row.a) * 100)} %)` : "";
  return `${sign}${formatMs(Math.abs(d))}${rel}`;
}

const MARK: Record<Change, string> = { regressed: "WORSE", improved: "better", same: "" };

function header(c: RunComparison): string[] {
  const line = (label: string, s: RunComparison["a"]) => `${label}: ${s.runId} (${s.profile}, ${s.topology}, ${s.verdict}, started ${formatInstant(s.startedAt)})`;
  return [line("A", c.a), line("B", c.b)];
}

function verdictLine(c: RunComparison): string {
  if (c.regressions === 0) return "No regressions beyond the tolerance.";
  const names = c.rows.filter((r) => r.change === "regressed").map((r) => r.metric);
  return `${c.regressions} regression${c.regressions === 1 ? "" : "s"}: ${names.join(", ")}.`;
}

export function renderComparisonText(c: RunComparison): string {
  const head = ["metric", "A", "B", "change", ""];
  const body = c.rows.map((r) => [r.metric, value(r, r.a), value(r, r.b), delta(r), MARK[r.change]]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const fmt = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 || i === 4 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join("  ")
      .trimEnd();
  const lines = [
    "rtsoak compare",
    ...header(c).map((l) => `  ${l}`),
    ...c.caveats.map((w) => `  note: ${w}; the comparison may not be like for like`),
    "",
    fmt(head),
    fmt(widths.map((w) => "-".repeat(w))),
    ...body.map(fmt),
    "",
    verdictLine(c),
    "",
  ];
  return lines.join("\n");
}

export function renderComparisonMarkdown(c: RunComparison): string {
  const icon: Record<Change, string> = { regressed: "❌ worse", improved: "✅ better", same: "" };
  const lines = [
    `## rtsoak compare: ${c.regressions === 0 ? "no regressions" : `${c.regressions} regression${c.regressions === 1 ? "" : "s"}`}`,
    "",
    ...header(c).map((l) => `- ${mdText(l)}`),
    ...c.caveats.map((w) => `- **Note:** ${mdText(w)}; the comparison may not be like for like.`),
    "",
    "| Metric | A | B | Change | |",
    "|---|---|---|---|---|",
    ...c.rows.map((r) => `| ${mdText(r.metric)} | ${value(r, r.a)} | ${value(r, r.b)} | ${delta(r)} | ${icon[r.change]} |`),
    "",
    mdText(verdictLine(c)),
    "",
  ];
  return lines.join("\n");
}
