// The HTML report: one self-contained file that opens offline. Tables are static HTML (readable
// without scripts); the charts are drawn by uPlot and page.js, both inlined, from a JSON data
// island. Pure given its assets: same run + same assets -> same bytes.
import type { AnalysedRun } from "../../harness/analysis/types.ts";
import { describeTopology } from "../topology.ts";
import { loadHtmlAssets, type HtmlAssets } from "./assets.ts";
import { buildChartData } from "./chart-data.ts";
import { escapeHtml, inlineJson, inlineScript, inlineStyle } from "./escape.ts";
import {
  breakdownSection,
  eventImpactSection,
  keepaliveSection,
  latencySection,
  reconciliationSection,
  timelineSection,
} from "./sections-detail.ts";
import { headerSection, notesSection, thresholdsSection, topologySection } from "./sections-run.ts";

const NAV: Array<[string, string]> = [
  ["thresholds", "Thresholds"],
  ["timeline", "Timeline"],
  ["events", "Event impact"],
  ["breakdown", "Transports"],
  ["latency", "Latency"],
  ["keepalive", "Keepalive"],
  ["reconciliation", "Reconciliation"],
  ["topology", "Topology"],
];

export function renderHtml(run: AnalysedRun, assets: HtmlAssets = loadHtmlAssets()): string {
  const data = buildChartData(run);
  const topo = describeTopology(run.topology, run.target);
  const title = `rtsoak ${run.verdict.toUpperCase()} · ${run.profile} · ${topo.name} · ${run.runId}`;
  const sections = [
    thresholdsSection(run),
    timelineSection(run, data),
    eventImpactSection(run),
    breakdownSection(run),
    latencySection(run),
    keepaliveSection(run),
    reconciliationSection(run),
    topologySection(run),
  ];
  const nav = NAV.filter(([id]) => sections.some((s) => s.startsWith(`<section id="${id}"`)))
    .map(([id, label]) => `<a href="#${id}">${label}</a>`)
    .join("");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="rtsoak">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<style>${inlineStyle(assets.uplotCss)}</style>
<style>${inlineStyle(assets.pageCss)}</style>
</head>
<body>
<main>
${headerSection(run)}
<nav class="toc">${nav}</nav>
${notesSection(run)}
${sections.join("\n")}
<footer class="muted">rtsoak report · schema ${data.schema} · run ${escapeHtml(run.runId)} · self-contained, opens offline</footer>
</main>
<script type="application/json" id="rtsoak-data">${inlineJson(data)}</script>
<script>${inlineScript(assets.uplotJs)}</script>
<script>${inlineScript(assets.pageJs)}</script>
</body>
</html>
`;
}
