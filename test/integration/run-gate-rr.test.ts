// `rtsoak gate` end to end on a round-robin (not sticky) replica with one recycle: the real CLI,
// real k6, nginx, Node apps and Redis. The gate must fail on session_unknown_rate (exit 1), every
// report must say so with the measured value, k6's counts must reconcile with nginx's access log,
// and the report.html of this very run must work in headless Chromium.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openReport, useChromium } from "./support/browser.ts";
import { proxyAccessLog, runForFile } from "./support/run-cli.ts";

const run = runForFile("gate-rr", ["gate", "--topology", "nginx-rr-2x1", "--duration", "35s", "--event", "12s:recycle", "--clients", "10"], {
  label: "gate nginx-rr-2x1 35 s",
  timeoutMs: 150_000,
});

const escapeRe = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The gate's session_unknown threshold (whole run, or outside events should the profile scope it so). */
function sessionUnknownThreshold() {
  const t = run.summary.thresholds.find((x) => /^session_unknown_rate(_outside_events)?$/.test(x.name));
  if (!t) throw new Error(`no session_unknown threshold in ${run.summary.thresholds.map((x) => x.name).join(", ")}`);
  return t;
}

describe("rtsoak gate on nginx-rr-2x1 with a recycle (real CLI)", () => {
  it("exits 1 and junit.xml names session_unknown_rate with the measured value", () => {
    expect(run.result.code, run.result.stderr.slice(-3000)).toBe(1);
    expect(run.result.stderr).toMatch(/✗ session_unknown_rate(_outside_events)? <0\.1% \(measured [\d.]+ % \(\d+ of \d+\)\)/);
    expect(run.watch.survivors()).toEqual([]);

    const t = sessionUnknownThreshold();
    expect(t.pass).toBe(false);
    expect(t.measured).toBeGreaterThan(0.001);
    const failure = new RegExp(`<testcase classname="rtsoak\\.thresholds" name="${t.name}"[^>]*>\\s*<failure message="([^"]*)"`).exec(run.junit);
    expect(failure, run.junit).not.toBeNull();
    expect(failure![1]).toMatch(new RegExp(`^measured ${escapeRe(t.display)}, expected ${t.name} &lt;0\\.1% \\(`));
    expect(run.junit).toContain(`raw value ${t.measured}`);
    expect(run.junit).toMatch(/<testsuite name="rtsoak gate" tests="\d+" failures="[1-9]\d*"/);
    // "(n of d)": n is the number of session_unknown failures the run counted (outside events: some of them)
    const n = Number(/\((\d+) of \d+\)/.exec(t.display)?.[1]);
    if (t.name === "session_unknown_rate") expect(n).toBe(run.summary.totals.failures.session_unknown);
    else expect(n).toBeLessThanOrEqual(run.summary.totals.failures.session_unknown);
    expect(n).toBeGreaterThan(0);
  });

  it("summary.json and report.html show the 400 / session_unknown rate", () => {
    const s = run.summary;
    expect(s.verdict).toBe("fail");
    expect(s.partial).toBe(false);
    expect(s.totals.failures.session_unknown).toBeGreaterThan(0);
    expect(s.totals.statuses["400"]).toBeGreaterThan(0);
    expect(s.rates.sessionUnknown).toBeGreaterThan(0.05); // round robin over 2 backends: about half of the sid-bearing requests
    expect(s.rates.status400).toBeGreaterThan(0);
    expect(s.events).toHaveLength(1);

    const tile = /<dt>session_unknown<\/dt><dd>([\d.]+) %<\/dd>/.exec(run.html);
    expect(tile, "session_unknown tile in report.html").not.toBeNull();
    expect(Number(tile![1])).toBeCloseTo(s.rates.sessionUnknown * 100, 0);
    const t = sessionUnknownThreshold();
    expect(run.html).toMatch(new RegExp(`<tr class="fail"><td><span class="pill fail">FAIL</span></td><td><code>${t.name}</code></td><td><code>&lt;0\\.1%</code></td><td class="num"><b>${escapeRe(t.display)}</b>`));
    expect(run.html).toMatch(/<span class="chip">session_unknown <b>×\d+<\/b><\/span>/);
  });

  it("the recycle is recorded: an event with its timing, and session loss in the windows after it", () => {
    const [impact] = run.analysed.events;
    expect(impact.event).toMatchObject({ name: "recycle", ok: true });
    expect(impact.event.detail).toMatch(/recycled app1: workers \d+ → \d+ .*app2: workers \d+ → \d+/);
    const loadStart = run.analysed.windows[0].start;
    const offset = impact.event.start - loadStart;
    expect(offset).toBeGreaterThan(10_000);
    expect(offset).toBeLessThan(15_000);
  });

  it("k6's counts reconcile with the nginx access log", () => {
    const r = run.analysed.reconciliation!;
    expect(r).not.toBeNull();
    expect(r.mismatches).toBe(0);
    expect(r.rows.filter((x) => x.mismatch)).toEqual([]);
    expect(r.k6Total).toBeGreaterThan(100);
    // The only requests nginx saw that k6 did not send: the stack's readiness probe (GET /healthz),
    // logged a moment before the load starts.
    const probes = proxyAccessLog(run.dir).filter((l) => l.uri === "/healthz").length;
    expect(probes).toBeGreaterThanOrEqual(1);
    expect(r.proxyTotal - r.k6Total).toBeGreaterThanOrEqual(0);
    expect(r.proxyTotal - r.k6Total).toBeLessThanOrEqual(probes);
    // per status class: 400 and 502 match exactly, 2xx differs by at most the probes
    for (const [status, c] of Object.entries(r.byStatus!)) {
      if (status === "2xx") expect(c.proxy - c.k6).toBeLessThanOrEqual(probes);
      else expect(c.proxy, `status ${status}`).toBe(c.k6);
    }
    expect(r.byStatus!["400"].proxy).toBeGreaterThan(0);
    // The access log itself agrees with the run's 400 count (the analysis read it, not made it up)
    const log400 = proxyAccessLog(run.dir).filter((l) => l.status === 400).length;
    expect(log400).toBe(r.byStatus!["400"].proxy);
  });
});

describe("report.html of that run in headless Chromium", () => {
  const browser = useChromium();

  it("runs without console errors, plots data points and one marker per event", async () => {
    const t0 = Date.now();
    const { page, url, state, requests, problems } = await openReport(browser(), join(run.dir, "report.html"));
    try {
      const a = run.analysed;
      expect(problems).toEqual([]);
      expect(requests).toEqual([url]);
      expect(a.windows.length).toBeGreaterThan(25);
      expect(state.events).toBe(a.events.length);
      expect(state.markers).toBe(a.events.length);
      expect(state.charts.length).toBeGreaterThanOrEqual(3);
      for (const chart of state.charts) {
        expect(chart.points, chart.id).toBe(a.windows.length);
        expect(chart.values, chart.id).toBeGreaterThan(0);
        expect(chart.markers, chart.id).toBe(a.events.length);
      }
      const canvases = await page.locator("figure.chart canvas").count();
      expect(canvases).toBe(state.charts.length);
      await expect(page.locator(".verdict-badge").textContent()).resolves.toBe("FAIL");
      expect(await page.locator("li.event-item").count()).toBe(a.events.length);
      console.log(`report.html of the run in Chromium: ${state.charts.length} charts × ${a.windows.length} windows, ${state.markers} markers, ${Date.now() - t0} ms`);
    } finally {
      await page.close();
    }
  });
});
