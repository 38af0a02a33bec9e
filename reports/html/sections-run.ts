// Report sections about the run as a whole: header and verdict, partial-run banner, notes,
// thresholds, topology, and the command that reproduces it.
import { errorStatusCount } from "../../harness/analysis/error-rate.ts";
import type { AnalysedRun } from "../../harness/analysis/types.ts";
import { formatCount, formatInstant, formatMs, formatShare } from "../format.ts";
import { runErrors, runRates } from "../rates.ts";
import { describeTopology } from "../topology.ts";
import { escapeHtml } from "./escape.ts";
import { htmlTable } from "./table.ts";

const VERDICT_TEXT = { pass: "PASS", fail: "FAIL", error: "ERROR" } as const;

export function headerSection(run: AnalysedRun): string {
  const topo = describeTopology(run.topology, run.target);
  const rates = runRates(run);
  const failedThresholds = run.thresholds.filter((t) => !t.pass).length;
  const verdictLine =
    run.verdict === "pass"
      ? `All ${run.thresholds.length} thresholds held.`
      : run.verdict === "fail"
        ? `${failedThresholds} of ${run.thresholds.length} thresholds failed.`
        : "The run did not complete normally; see the notes.";
  const stats: Array<[string, string]> = [
    ["requests", formatCount(run.totals.requests)],
    ["error rate", formatShare(rates.errorRate)],
    ["session_unknown", formatShare(rates.sessionUnknown)],
    ["502", formatShare(rates.status502)],
    ["sessions lost", `${formatCount(run.totals.sessionsLost)} / ${formatCount(run.totals.sessionsOpened)}`],
    ["events", String(run.events.length)],
  ];
  const banner = run.partial
    ? `<div class="banner partial" role="alert"><b>Partial run.</b> It was interrupted or k6 failed before the planned end: the numbers below cover only what ran, from ${escapeHtml(formatInstant(run.startedAt))} to ${escapeHtml(formatInstant(run.endedAt))}.</div>`
    : "";
  return `<header class="run-header verdict-${run.verdict}">
  <div class="verdict-badge" data-verdict="${run.verdict}">${VERDICT_TEXT[run.verdict]}</div>
  <div class="run-title">
    <h1>rtsoak <span class="muted">·</span> ${escapeHtml(run.profile)} <span class="muted">·</span> ${escapeHtml(topo.name)}</h1>
    <p class="verdict-line">${escapeHtml(verdictLine)}</p>
    <p class="run-meta"><span>run <code>${escapeHtml(run.runId)}</code></span> <span>started ${escapeHtml(formatInstant(run.startedAt))}</span> <span>lasted ${escapeHtml(formatMs(run.endedAt - run.startedAt))}</span> <span>target <code>${escapeHtml(run.target)}</code></span></p>
    <p class="run-meta">${escapeHtml(topo.line)}</p>
  </div>
  <dl class="stats">${stats.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join("")}</dl>
</header>
${banner}`;
}

export function notesSection(run: AnalysedRun): string {
  if (run.notes.length === 0) return "";
  return `<section id="notes"><h2>Notes</h2><ul class="notes">${run.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join("")}</ul></section>`;
}

export function thresholdsSection(run: AnalysedRun): string {
  if (run.thresholds.length === 0) {
    return `<section id="thresholds"><h2>Thresholds</h2><p class="muted">No thresholds were evaluated.</p></section>`;
  }
  const rows = run.thresholds.map((t) => ({
    className: t.pass ? "pass" : "fail",
    cells: [
      `<span class="pill ${t.pass ? "pass" : "fail"}">${t.pass ? "PASS" : "FAIL"}</span>`,
      `<code>${escapeHtml(t.name)}</code>`,
      `<code>${escapeHtml(t.expression)}</code>`,
      `<b>${escapeHtml(t.display)}</b>`,
      escapeHtml(t.scope ?? ""),
    ],
  }));
  return `<section id="thresholds"><h2>Thresholds</h2>${htmlTable(
    [{ label: "result" }, { label: "threshold" }, { label: "expected" }, { label: "measured", numeric: true }, { label: "scope" }],
    rows,
    "thresholds",
  )}</section>`;
}

export function totalsSection(run: AnalysedRun): string {
  const t = run.totals;
  const { errors, outcomes } = runErrors(run);
  const items: Array<[string, string]> = [
    ["requests", `${formatCount(t.requests)} (${formatCount(errorStatusCount(t.statuses))} failed)`],
    ...(t.wsDials ? [["websocket dials", formatCount(t.wsDials)] as [string, string]] : []),
    ["errors", `${formatCount(errors)} of ${formatCount(outcomes)} outcomes`],
    ["sessions opened", formatCount(t.sessionsOpened)],
    ["sessions lost", formatCount(t.sessionsLost)],
    ["reconnects", formatCount(t.reconnects)],
    ["upgrades", formatCount(t.upgrades)],
  ];
  return `<dl class="kv">${items.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join("")}</dl>`;
}

export function topologySection(run: AnalysedRun): string {
  const topo = describeTopology(run.topology, run.target);
  const rows = topo.rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join("");
  return `<section id="topology"><h2>Topology</h2><dl class="kv">${rows}</dl>
<h3>Reproduce</h3><pre class="command"><code>${escapeHtml(run.command)}</code></pre></section>`;
}
