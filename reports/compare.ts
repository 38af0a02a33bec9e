// Renders the comparison of two analysed runs (A = before/baseline, B = after/candidate) as
// plain text or Markdown. The comparison itself (what got worse beyond the tolerance) is
// computed once, by compareRuns in harness/analysis/compare.ts; this file only prints it,
// with the runs' names and a note where the two runs may not be like for like.
import type { ComparisonRow, Change, RunRegressions } from "../harness/analysis/compare.ts";
import type { AnalysedRates, AnalysedRun } from "../harness/analysis/types.ts";
import { formatInstant, formatMs, formatShare } from "./format.ts";
import { mdText } from "./markdown.ts";
import { RATE_LABELS } from "./rates.ts";
import { describeTopology } from "./topology.ts";

/** How the analysis' rate keys read in a report (the labels the other reports use). */
const RATE_KEY_LABELS: Record<keyof AnalysedRates, string> = {
  errorRate: RATE_LABELS.errorRate,
  errorRateOutsideEvents: RATE_LABELS.errorRateOutsideEvents,
  badRequestRate: RATE_LABELS.status400,
  badGatewayRate: RATE_LABELS.status502,
  badGatewayRateOutsideEvents: `${RATE_LABELS.status502} outside events`,
  unavailableRate: RATE_LABELS.status503,
  gatewayTimeoutRate: RATE_LABELS.status504,
  networkErrorRate: RATE_LABELS.network,
  sessionUnknownRate: RATE_LABELS.sessionUnknown,
  sessionUnknownRateOutsideEvents: `${RATE_LABELS.sessionUnknown} outside events`,
  connectSuccess: RATE_LABELS.connectSuccess,
  connectSuccessOutsideEvents: `${RATE_LABELS.connectSuccess} outside events`,
  sessionsLostRate: RATE_LABELS.sessionLoss,
};

function label(row: ComparisonRow): string {
  return Object.hasOwn(RATE_KEY_LABELS, row.metric) ? RATE_KEY_LABELS[row.metric as keyof AnalysedRates] : row.metric;
}

/** Reasons the two runs may not be comparable (different profile, topology, partial run). */
function caveats(a: AnalysedRun, b: AnalysedRun): string[] {
  const out: string[] = [];
  if (a.profile !== b.profile) out.push(`different profiles (${a.profile} vs ${b.profile})`);
  const ta = describeTopology(a.topology, a.target).name;
  const tb = describeTopology(b.topology, b.target).name;
  if (ta !== tb) out.push(`different topologies (${ta} vs ${tb})`);
  if (a.partial) out.push(`run A (${a.runId}) is partial`);
  if (b.partial) out.push(`run B (${b.runId}) is partial`);
  return out;
}

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

function header(a: AnalysedRun, b: AnalysedRun): string[] {
  const line = (name: string, run: AnalysedRun) =>
    `${name}: ${run.runId} (${run.profile}, ${describeTopology(run.topology, run.target).name}, ${run.verdict}, started ${formatInstant(run.startedAt)})`;
  return [line("A", a), line("B", b)];
}

function regressionCount(c: RunRegressions): string {
  const n = c.regressions.length;
  return `${n} regression${n === 1 ? "" : "s"}`;
}

function verdictLine(c: RunRegressions): string {
  if (c.regressions.length === 0) return "No regressions beyond the tolerance.";
  return `${regressionCount(c)}: ${c.regressions.map(label).join(", ")}.`;
}

/** c: compareRuns(a, b) from harness/analysis/compare.ts. */
export function renderComparisonText(a: AnalysedRun, b: AnalysedRun, c: RunRegressions): string {
  const head = ["metric", "A", "B", "change", ""];
  const body = c.rows.map((r) => [label(r), value(r, r.a), value(r, r.b), delta(r), MARK[r.change]]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const fmt = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 || i === 4 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join("  ")
      .trimEnd();
  const lines = [
    "rtsoak compare",
    ...header(a, b).map((l) => `  ${l}`),
    ...caveats(a, b).map((w) => `  note: ${w}; the comparison may not be like for like`),
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

/** c: compareRuns(a, b) from harness/analysis/compare.ts. */
export function renderComparisonMarkdown(a: AnalysedRun, b: AnalysedRun, c: RunRegressions): string {
  const icon: Record<Change, string> = { regressed: "❌ worse", improved: "✅ better", same: "" };
  const lines = [
    `## rtsoak compare: ${c.regressions.length === 0 ? "no regressions" : regressionCount(c)}`,
    "",
    ...header(a, b).map((l) => `- ${mdText(l)}`),
    ...caveats(a, b).map((w) => `- **Note:** ${mdText(w)}; the comparison may not be like for like.`),
    "",
    "| Metric | A | B | Change | |",
    "|---|---|---|---|---|",
    ...c.rows.map((r) => `| ${mdText(label(r))} | ${value(r, r.a)} | ${value(r, r.b)} | ${delta(r)} | ${icon[r.change]} |`),
    "",
    mdText(verdictLine(c)),
    "",
  ];
  return lines.join("\n");
}
