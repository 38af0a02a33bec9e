// Report sections that explain what happened: the timeline (chart slots and the event list),
// per-event impact, the transport/op breakdown, latency, keepalive health and the
// reconciliation against the proxy log.
import { errorStatusCount } from "../../harness/analysis/error-rate.ts";
import type { AnalysedRun, Percentiles, ReconciliationRow } from "../../harness/analysis/types.ts";
import { eventDuration, eventLabel, eventsByStart } from "../events.ts";
import { formatCount, formatMs, formatOffset, formatShare } from "../format.ts";
import { errorStatuses, sortedEntries } from "../rates.ts";
import type { ChartData } from "./chart-data.ts";
import { HEALTH_COLORS, windowHealth } from "./chart-data.ts";
import { escapeHtml } from "./escape.ts";
import { countsCell, htmlTable, type Row } from "./table.ts";
import { totalsSection } from "./sections-run.ts";

/** Longest reconciliation listing in the page; the full table is in analysed.json. */
const MAX_RECONCILIATION_ROWS = 500;

export function timelineSection(run: AnalysedRun, data: ChartData): string {
  const slots = data.charts
    .map((c) => `<figure class="chart" id="chart-${c.id}" data-chart="${c.id}"><figcaption>${escapeHtml(c.title)}</figcaption><div class="plot"></div></figure>`)
    .join("\n");
  const band = data.keepalive
    ? `<figure class="chart band" id="chart-keepalive" data-chart="keepalive"><figcaption>Keepalive health per window (worst tick in the window)
<span class="legend-inline">${(["healthy", "degraded", "critical", "none"] as const)
        .map((s) => `<span><i style="background:${HEALTH_COLORS[s]}"></i>${s === "none" ? "no ticks" : s}</span>`)
        .join("")}</span></figcaption><div class="plot"></div></figure>`
    : "";
  const events = eventsByStart(run.events);
  const list = events.length
    ? `<ol class="event-list">${events
        .map((e) => {
          const ev = e.event;
          const took = ev.end > ev.start ? ` for ${formatMs(ev.end - ev.start)}` : "";
          const failed = ev.ok ? "" : ' <span class="pill fail">action failed</span>';
          const detail = ev.detail ? ` <span class="muted">— ${escapeHtml(ev.detail)}</span>` : "";
          return `<li class="event-item" data-start="${ev.start}"><b>${escapeHtml(eventLabel(ev))}</b> at ${formatOffset(ev.start - run.startedAt)}${took}${failed}${detail}</li>`;
        })
        .join("")}</ol>`
    : '<p class="muted">No events fired during this run.</p>';
  const noWindows = data.x.length === 0 ? '<p class="muted">No windows were recorded, so there is nothing to plot.</p>' : "";
  return `<section id="timeline"><h2>Timeline</h2>
<p class="muted">Windows of ${formatMs(run.windowMs)}; x axis is time since the start (m:ss). Numbered lines mark events; shaded areas span their duration. Status rates are shares of the window's requests; "all errors" also counts websocket failures, over requests + websocket dials. Hover to read values; drag to zoom, double-click to reset.</p>
${noWindows}${slots}
${band}
<h3>Events</h3>${list}</section>`;
}

export function eventImpactSection(run: AnalysedRun): string {
  if (run.events.length === 0) return "";
  const rows: Row[] = eventsByStart(run.events).map((e, i) => ({
    className: e.recoveryMs === null || !e.event.ok ? "bad" : "",
    cells: [
      String(i + 1),
      `<b>${escapeHtml(eventLabel(e.event))}</b>${e.event.ok ? "" : ' <span class="pill fail">action failed</span>'}`,
      formatOffset(e.event.start - run.startedAt),
      eventDuration(e.event),
      formatShare(e.rateBefore),
      `<b>${formatShare(e.peakDuring)}</b>`,
      formatCount(e.errorsAttributed),
      e.recoveryMs === null ? '<span class="pill fail">not recovered</span>' : formatMs(e.recoveryMs),
      formatCount(e.sessionsLost),
      countsCell(errorStatuses(e.statuses), formatCount),
    ],
  }));
  return `<section id="events"><h2>Event impact</h2>${htmlTable(
    [
      { label: "#", numeric: true },
      { label: "event" },
      { label: "at", numeric: true },
      { label: "took", numeric: true },
      { label: "error rate before", numeric: true, title: "share of failed requests in the baseline before the event" },
      { label: "peak", numeric: true, title: "highest windowed error rate from start to end + settle" },
      { label: "errors attributed", numeric: true },
      { label: "recovery", numeric: true, title: "from the end of the event until the error rate returned to baseline" },
      { label: "sessions lost", numeric: true },
      { label: "failed statuses" },
    ],
    rows,
  )}</section>`;
}

export function breakdownSection(run: AnalysedRun): string {
  const rows: Row[] = run.breakdown.map((b) => {
    const failed = errorStatusCount(b.statuses);
    const rate = b.requests ? failed / b.requests : 0;
    return {
      className: rate > 0 ? "has-errors" : "",
      cells: [
        `<code>${escapeHtml(b.key)}</code>`,
        formatCount(b.requests),
        formatCount(failed),
        formatShare(rate),
        countsCell(errorStatuses(b.statuses), formatCount),
        countsCell(sortedEntries(b.failures).filter(([, n]) => n > 0), formatCount),
        formatMs(b.latency.p50),
        formatMs(b.latency.p95),
        formatMs(b.latency.p99),
      ],
    };
  });
  const table = rows.length
    ? htmlTable(
        [
          { label: "transport/op" },
          { label: "requests", numeric: true },
          { label: "failed", numeric: true },
          { label: "error rate", numeric: true },
          { label: "failed statuses" },
          { label: "failures" },
          { label: "p50", numeric: true },
          { label: "p95", numeric: true },
          { label: "p99", numeric: true },
        ],
        rows,
      )
    : '<p class="muted">No per-transport breakdown was recorded.</p>';
  const t = run.totals;
  const closes = countsCell(sortedEntries(t.wsCloses).filter(([, n]) => n > 0), formatCount);
  return `<section id="breakdown"><h2>Transports and operations</h2>${totalsSection(run)}${table}
<p>All statuses: ${countsCell(sortedEntries(t.statuses).filter(([, n]) => n > 0), formatCount)}</p>
<p>WebSocket closes by code: ${closes}</p></section>`;
}

export function latencySection(run: AnalysedRun): string {
  const named: Array<[string, string, Percentiles]> = [
    ["HTTP request", "every polling/keepalive request (k6 http_req_duration)", run.latency.http],
    ["session connect", "first handshake request to namespace CONNECT acknowledged", run.latency.connect],
    ["ack round trip", "emit with ack to the ack", run.latency.ackRtt],
    ["keepalive tick", "one keepalive tick including retries", run.latency.keepalive],
  ];
  const rows: Row[] = named.map(([label, title, p]) => ({
    cells:
      p.count > 0
        ? [`<span title="${escapeHtml(title)}">${escapeHtml(label)}</span>`, formatCount(p.count), ...[p.p50, p.p90, p.p95, p.p99, p.max].map(formatMs)]
        : [escapeHtml(label), "0", ...Array(5).fill('<span class="muted">no samples</span>')],
  }));
  return `<section id="latency"><h2>Latency</h2>${htmlTable(
    [{ label: "measure" }, { label: "samples", numeric: true }, ...["p50", "p90", "p95", "p99", "max"].map((label) => ({ label, numeric: true }))],
    rows,
  )}<p class="muted">Long-poll GETs stay open up to the ping interval by design, so HTTP p95/p99 near that interval are normal.</p></section>`;
}

export function keepaliveSection(run: AnalysedRun): string {
  const k = run.totals.keepalive;
  const ticks = Object.values(k).reduce((a, b) => a + b, 0);
  if (ticks === 0) return "";
  const states = { healthy: 0, degraded: 0, critical: 0, none: 0 };
  for (const w of run.windows) states[windowHealth(w.keepalive)]++;
  const tickRows: Row[] = sortedEntries(k).map(([state, n]) => ({ className: `health-${state}`, cells: [escapeHtml(state), formatCount(n), formatShare(n / ticks)] }));
  const windowRows: Row[] = (["healthy", "degraded", "critical", "none"] as const).map((s) => ({
    className: `health-${s}`,
    cells: [s === "none" ? "no ticks" : s, formatCount(states[s])],
  }));
  return `<section id="keepalive"><h2>Keepalive health</h2><div class="two-col">
${htmlTable([{ label: "ticks by health" }, { label: "ticks", numeric: true }, { label: "share", numeric: true }], tickRows)}
${htmlTable([{ label: "windows by worst tick" }, { label: "windows", numeric: true }], windowRows)}</div></section>`;
}

type Reconciliation = NonNullable<AnalysedRun["reconciliation"]>;

function signed(n: number): string {
  return `${n > 0 ? "+" : ""}${formatCount(n)}`;
}

/** Per-status totals: the analysis's byStatus when present (rows may be bounded), else summed rows. */
function statusTotals(rec: Reconciliation): Array<[string, { k6: number; proxy: number; mismatches: number }]> {
  const out = new Map<string, { k6: number; proxy: number; mismatches: number }>();
  for (const r of rec.rows) {
    const s = out.get(r.status) ?? { k6: 0, proxy: 0, mismatches: 0 };
    s.k6 += r.k6;
    s.proxy += r.proxy;
    if (r.mismatch) s.mismatches++;
    out.set(r.status, s);
  }
  if (rec.byStatus) {
    for (const [status, t] of Object.entries(rec.byStatus)) {
      out.set(status, { k6: t.k6, proxy: t.proxy, mismatches: out.get(status)?.mismatches ?? 0 });
    }
  }
  return [...out.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function reconciliationRows(run: AnalysedRun, rows: ReconciliationRow[]): Row[] {
  return rows.map((r) => ({
    className: r.mismatch ? "mismatch" : "",
    cells: [
      formatOffset(r.windowStart - run.startedAt),
      escapeHtml(r.status),
      formatCount(r.k6),
      formatCount(r.proxy),
      signed(r.proxy - r.k6),
      r.mismatch ? '<span class="pill fail">mismatch</span>' : "",
    ],
  }));
}

export function reconciliationSection(run: AnalysedRun): string {
  const rec = run.reconciliation;
  if (!rec) {
    return `<section id="reconciliation"><h2>Reconciliation with the proxy log</h2><p class="muted">Not available for this run (no proxy access log was read).</p></section>`;
  }
  const statusRows: Row[] = statusTotals(rec).map(([status, s]) => ({
    className: s.mismatches ? "mismatch" : "",
    cells: [escapeHtml(status), formatCount(s.k6), formatCount(s.proxy), signed(s.proxy - s.k6), formatCount(s.mismatches)],
  }));
  const columns = [{ label: "window" }, { label: "status" }, { label: "k6", numeric: true }, { label: "proxy", numeric: true }, { label: "proxy − k6", numeric: true }, { label: "" }];
  const mismatched = rec.rows.filter((r) => r.mismatch);
  const shown = rec.rows.slice(0, MAX_RECONCILIATION_ROWS);
  const notes: string[] = [];
  if (rec.rows.length > shown.length) notes.push(`Showing the first ${shown.length} of ${formatCount(rec.rows.length)} rows; analysed.json has them all.`);
  if (rec.rowsOmitted) notes.push(`${formatCount(rec.rowsOmitted)} matching rows were dropped by the analysis to keep the list bounded (mismatches are always kept).`);
  const more = notes.map((n) => `<p class="muted">${escapeHtml(n)}</p>`).join("");
  const extras: string[] = [];
  if (rec.retried) extras.push(`The proxy retried ${formatCount(rec.retried)} requests on another upstream (its log lists several upstream addresses for them).`);
  if (rec.excluded) {
    const side = (counts: Record<string, number>) => sortedEntries(counts).filter(([, n]) => n > 0).map(([k, n]) => `${k} ×${formatCount(n)}`).join(", ") || "none";
    extras.push(`Left out of the comparison: k6 ${side(rec.excluded.k6)}; proxy ${side(rec.excluded.proxy)}.`);
  }
  const extraHtml = extras.map((e) => `<p class="muted">${escapeHtml(e)}</p>`).join("");
  const summary = rec.mismatches
    ? `<p class="banner mismatch-banner"><b>${formatCount(rec.mismatches)} window/status rows disagree</b> beyond the tolerance: k6 counted ${formatCount(rec.k6Total)} requests, the proxy ${formatCount(rec.proxyTotal)}.</p>`
    : `<p>k6 counted ${formatCount(rec.k6Total)} requests, the proxy ${formatCount(rec.proxyTotal)}; every window agrees within the tolerance.</p>`;
  return `<section id="reconciliation"><h2>Reconciliation with the proxy log</h2>${summary}${extraHtml}
${htmlTable([{ label: "status" }, { label: "k6", numeric: true }, { label: "proxy", numeric: true }, { label: "proxy − k6", numeric: true }, { label: "mismatched windows", numeric: true }], statusRows, "reconciliation-status")}
${mismatched.length ? `<h3>Mismatched windows</h3>${htmlTable(columns, reconciliationRows(run, mismatched.slice(0, MAX_RECONCILIATION_ROWS)), "reconciliation-mismatches")}` : ""}
<details><summary>All ${formatCount(rec.rows.length)} window/status rows</summary>${htmlTable(columns, reconciliationRows(run, shown), "reconciliation-all")}${more}</details></section>`;
}
