// The Markdown summary: short enough for a CI job summary or a PR comment, link-free,
// a pure function of the analysed run.
import type { AnalysedRun, EventImpact, Percentiles, ThresholdResult } from "../harness/analysis/types.ts";
import { eventDuration, eventLabel, topImpacts } from "./events.ts";
import { formatCount, formatInstant, formatMs, formatOffset, formatShare } from "./format.ts";
import { runErrors, runRates, sortedEntries } from "./rates.ts";
import { describeTopology } from "./topology.ts";

const VERDICT = { pass: "✅ PASS", fail: "❌ FAIL", error: "⚠️ ERROR" } as const;
const TOP_EVENTS = 5;

/** URLs and www. names, which GitHub would turn into links even in plain text. */
const LINKISH = /\b(?:[a-z][a-z0-9+.-]*:\/\/|www\.)[^\s<>`|]*[^\s<>`|.,;:)]/gi;

/** Escapes text for a Markdown paragraph or table cell: no HTML, no emphasis, no links (URLs become code). */
export function mdText(s: string): string {
  const escape = (t: string) => t.replace(/[\\`*_[\]|<>#]/g, (c) => (c === "<" ? "&lt;" : c === ">" ? "&gt;" : `\\${c}`));
  let out = "";
  let last = 0;
  for (const m of s.matchAll(LINKISH)) {
    out += escape(s.slice(last, m.index)) + mdCode(m[0]);
    last = m.index! + m[0].length;
  }
  return (out + escape(s.slice(last))).replace(/\r?\n/g, " ");
}

/** An inline code span that survives backticks inside and pipes in table cells. */
export function mdCode(s: string): string {
  const body = s.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((m) => m.length));
  const fence = "`".repeat(longest + 1);
  const pad = body.startsWith("`") || body.endsWith("`") ? " " : "";
  return `${fence}${pad}${body}${pad}${fence}`;
}

function table(head: string[], rows: string[][]): string[] {
  return [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)];
}

function countList(counts: Record<string, number>): string {
  const entries = sortedEntries(counts).filter(([, n]) => n > 0);
  return entries.length ? entries.map(([k, n]) => `${mdText(k)} ×${formatCount(n)}`).join(" · ") : "none";
}

function p95(p: Percentiles): string {
  return p.count > 0 ? formatMs(p.p95) : "no samples";
}

function thresholdSection(thresholds: ThresholdResult[]): string[] {
  if (thresholds.length === 0) return ["### Thresholds", "", "No thresholds were evaluated."];
  const failed = thresholds.filter((t) => !t.pass).length;
  const title = failed ? `### Thresholds: ${failed} of ${thresholds.length} failed` : `### Thresholds: all ${thresholds.length} passed`;
  const rows = thresholds.map((t) => [
    t.pass ? "✅" : "❌",
    mdCode(t.name),
    mdCode(t.expression),
    t.pass ? mdText(t.display) : `**${mdText(t.display)}**`,
    mdText(t.scope ?? ""),
  ]);
  return [title, "", ...table(["", "Threshold", "Expected", "Measured", "Scope"], rows)];
}

function eventSection(run: AnalysedRun): string[] {
  if (run.events.length === 0) return [];
  const top = topImpacts(run.events, TOP_EVENTS);
  const title = run.events.length > top.length ? `### Event impact (top ${top.length} of ${run.events.length} by errors)` : "### Event impact";
  const rows = top.map((e: EventImpact) => [
    mdText(eventLabel(e.event)) + (e.event.ok ? "" : " (action failed)"),
    formatOffset(e.event.start - run.startedAt),
    eventDuration(e.event),
    `${formatShare(e.rateBefore)} → ${formatShare(e.peakDuring)}`,
    formatCount(e.errorsAttributed),
    e.recoveryMs === null ? "**not recovered**" : formatMs(e.recoveryMs),
    formatCount(e.sessionsLost),
  ]);
  return ["", title, "", ...table(["Event", "At", "Took", "Error rate before → peak", "Errors", "Recovery", "Sessions lost"], rows)];
}

function totalsSection(run: AnalysedRun): string[] {
  const t = run.totals;
  const { errors } = runErrors(run);
  const rates = runRates(run);
  const dials = t.wsDials ? ` + ${formatCount(t.wsDials)} websocket dials` : "";
  const outside = rates.errorRateOutsideEvents === null ? "" : `, ${formatShare(rates.errorRateOutsideEvents)} outside events`;
  const lines = [
    "",
    "### Totals",
    "",
    `- Requests: ${formatCount(t.requests)}${dials}; errors ${formatCount(errors)} (error rate ${formatShare(rates.errorRate)}${outside})`,
    `- Statuses: ${countList(t.statuses)}`,
    `- Failures: ${countList(t.failures)}`,
    `- Sessions: ${formatCount(t.sessionsOpened)} opened, ${formatCount(t.sessionsLost)} lost, ${formatCount(t.reconnects)} reconnects, ${formatCount(t.upgrades)} upgrades`,
    `- WebSocket closes: ${countList(t.wsCloses)}`,
    `- Keepalive ticks: ${countList(t.keepalive)}`,
    `- Latency p95: http ${p95(run.latency.http)}, connect ${p95(run.latency.connect)}, ack ${p95(run.latency.ackRtt)}, keepalive ${p95(run.latency.keepalive)}`,
  ];
  const rec = run.reconciliation;
  if (rec) {
    const verdict = rec.mismatches ? `**${formatCount(rec.mismatches)} mismatched window/status rows**` : "no mismatches";
    lines.push(`- Reconciliation with the proxy log: k6 ${formatCount(rec.k6Total)} vs proxy ${formatCount(rec.proxyTotal)} requests, ${verdict}`);
  } else {
    lines.push("- Reconciliation with the proxy log: not available");
  }
  return lines;
}

export function renderMarkdown(run: AnalysedRun): string {
  const topo = describeTopology(run.topology, run.target);
  const lines: string[] = [
    `## ${VERDICT[run.verdict]} · rtsoak ${mdText(run.profile)} · ${mdText(topo.name)}`,
    "",
  ];
  if (run.partial) {
    lines.push("> **Partial run:** it was interrupted or k6 failed, so these numbers cover only part of the planned run.", "");
  }
  lines.push(
    `Run ${mdCode(run.runId)} · started ${formatInstant(run.startedAt)} · ${formatMs(run.endedAt - run.startedAt)} · target ${mdCode(run.target)}`,
    "",
    `Topology: ${mdText(topo.line)}`,
    "",
    ...thresholdSection(run.thresholds),
    ...eventSection(run),
    ...totalsSection(run),
  );
  if (run.notes.length) lines.push("", "### Notes", "", ...run.notes.map((n) => `- ${mdText(n)}`));
  const fence = run.command.includes("```") ? "~~~~" : "```";
  lines.push("", "<details><summary>Reproduce</summary>", "", `${fence}sh`, run.command, fence, "", "</details>", "");
  return lines.join("\n");
}
