// The HTML report's content, read as text (the browser test in test/integration checks that it
// runs): verdict, banners, every event and threshold, reconciliation mismatches, escaping, and
// that it is self-contained (no external resource of any kind).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AnalysedRun } from "../../harness/analysis/types.ts";
import { buildChartData, windowHealth } from "../../reports/html/chart-data.ts";
import { renderHtml } from "../../reports/html/render.ts";

const fixture = (name: string) =>
  JSON.parse(readFileSync(join(import.meta.dirname, "../fixtures/reports", `${name}.json`), "utf8")) as AnalysedRun;

function count(haystack: string, needle: string | RegExp): number {
  return typeof needle === "string" ? haystack.split(needle).length - 1 : (haystack.match(needle) ?? []).length;
}

function dataIsland(html: string): unknown {
  const m = /<script type="application\/json" id="rtsoak-data">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error("no data island");
  return JSON.parse(m[1]);
}

describe("HTML report", () => {
  const failing = fixture("run-fail-rr");
  const html = renderHtml(failing);

  it("shows the verdict and which thresholds failed", () => {
    expect(html).toContain('<div class="verdict-badge" data-verdict="fail">FAIL</div>');
    expect(html).toContain("4 of 6 thresholds failed.");
    for (const t of failing.thresholds) expect(html).toContain(`<code>${t.name}</code>`);
    expect(count(html, '<tr class="fail">')).toBe(failing.thresholds.filter((t) => !t.pass).length);
    expect(html).not.toContain('class="banner partial"');
  });

  it("lists every event, in the timeline and in the impact table, numbered by start", () => {
    expect(count(html, 'class="event-item"')).toBe(failing.events.length);
    for (const label of ["recycle app1", "backend-down app2", "max-requests-recycle app2/worker-1"]) {
      expect(count(html, `<b>${label}</b>`)).toBe(2);
    }
    expect(html).toContain("&lt;refusing connections&gt; for 15 s &amp; restarted");
    expect(html).toContain("14.2 s"); // recovery of backend-down
  });

  it("highlights the reconciliation mismatches", () => {
    const rec = failing.reconciliation!;
    const mismatchTable = html.slice(html.indexOf('class="reconciliation-mismatches"'), html.indexOf("<details>", html.indexOf('class="reconciliation-mismatches"')));
    expect(count(mismatchTable, '<tr class="mismatch">')).toBe(rec.mismatches);
    expect(html).toContain(`<b>${rec.mismatches} window/status rows disagree</b>`);
    expect(html).toContain("The proxy retried 14 requests on another upstream");
  });

  it("has the latency table, the breakdown, the topology and the exact command", () => {
    for (const row of ["HTTP request", "session connect", "ack round trip", "keepalive tick"]) expect(html).toContain(row);
    for (const b of failing.breakdown) expect(html).toContain(`<code>${b.key}</code>`);
    expect(html).toContain("nginx (round-robin, not sticky)");
    expect(html).toContain(`<pre class="command"><code>rtsoak run --profile gate --topology nginx-rr-2x2 --events &#39;recycle@30s,backend-down:app2@60s+15s&#39; --seed 42</code></pre>`);
  });

  it("is self-contained: uPlot inlined, no external script, stylesheet, font, image or link", () => {
    expect(html).toContain("uPlot");
    expect(html).toContain(".uplot");
    expect(html).not.toMatch(/<(script|img|iframe|link)[^>]*\s(src|href)="(?!data:|#)/i);
    expect(html).not.toMatch(/@import|url\(\s*['"]?https?:/i);
    expect(html).not.toMatch(/<a [^>]*href="(?!#)/i);
    // every script element closes where it should: three opened, three closed
    expect(count(html, /<script[\s>]/g)).toBe(3);
    expect(count(html, /<\/script>/g)).toBe(3);
  });

  it("embeds the chart data it plots as parseable JSON", () => {
    expect(dataIsland(html)).toEqual(JSON.parse(JSON.stringify(buildChartData(failing))));
  });

  it("survives hostile text: a run id and event detail holding </script> stay inert", () => {
    const hostile: AnalysedRun = {
      ...failing,
      runId: `x</script><script>window.pwned=1</script>`,
      events: failing.events.map((e) => ({ ...e, event: { ...e.event, detail: "</script><!--<script>" } })),
    };
    const out = renderHtml(hostile);
    expect(count(out, /<\/script>/g)).toBe(3);
    expect(out).not.toContain("<script>window.pwned");
    expect((dataIsland(out) as { runId: string }).runId).toBe(hostile.runId);
  });

  it("marks a partial run with a banner and an ERROR verdict", () => {
    const partial = renderHtml(fixture("run-partial"));
    expect(partial).toContain('class="banner partial"');
    expect(partial).toContain('data-verdict="error">ERROR</div>');
    expect(partial).toContain("not recovered");
    expect(partial).toContain("Not available for this run");
  });

  it("renders the same bytes twice", () => {
    expect(renderHtml(failing)).toBe(html);
  });
});

describe("chart data", () => {
  const run = fixture("run-fail-rr");
  const data = buildChartData(run);

  it("has one x value per window, in seconds from the start, and every series as long", () => {
    expect(data.x).toHaveLength(run.windows.length);
    expect(data.x.slice(0, 3)).toEqual([0, 1, 2]);
    for (const c of data.charts) for (const s of c.series) expect(s.values).toHaveLength(run.windows.length);
    expect(data.durationS).toBe(120);
  });

  it("plots request rate per second and each status as a share of the window's requests", () => {
    const w = run.windows[60];
    const requests = data.charts.find((c) => c.id === "requests")!.series[0].values[60];
    expect(requests).toBe(w.requests);
    const errors = data.charts.find((c) => c.id === "errors")!;
    const s502 = errors.series.find((s) => s.label === "502")!.values[60]!;
    expect(s502).toBeCloseTo(w.statuses["502"] / w.requests, 5);
    expect(errors.series.map((s) => s.label)).toEqual(["all errors", "400", "502", "503", "504", "session_unknown", "network"]);
  });

  it("numbers the events by start and classifies keepalive health by the worst tick", () => {
    expect(data.events.map((e) => [e.n, e.label, e.startS])).toEqual([
      [1, "recycle app1", 30],
      [2, "backend-down app2", 60],
      [3, "max-requests-recycle app2/worker-1", 95],
    ]);
    expect(data.keepalive!.states[0]).toBe("healthy");
    expect(data.keepalive!.states[30]).toBe("critical");
    expect(windowHealth({ healthy: 9, degraded: 1 })).toBe("degraded");
    expect(windowHealth({ error: 1 })).toBe("critical");
    expect(windowHealth({})).toBe("none");
  });

  it("adds an 'other 4xx/5xx' series only when such statuses occurred", () => {
    const partial = buildChartData(fixture("run-partial"));
    const labels = partial.charts.find((c) => c.id === "errors")!.series.map((s) => s.label);
    expect(labels).toContain("other 4xx/5xx"); // the partial run has HTTP 500s
    expect(labels).not.toContain("network");
  });
});
