// Opens report.html in headless Chromium from a file:// URL, offline, and checks that it runs:
// no console or page errors, no request other than the file itself, every chart plotted with
// one point per window, one event marker per event on every chart, a live legend on hover.
// Also parses junit.xml with the browser's real XML parser. Leaves a screenshot in /tmp.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { AnalysedRun } from "../../harness/analysis/types.ts";
import { writeReports } from "../../reports/write.ts";
import { openReport, useChromium, type OpenedReport, type PageState } from "./support/browser.ts";

const FIXTURES = join(import.meta.dirname, "../fixtures/reports");
const fixture = (name: string) => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), "utf8")) as AnalysedRun;

/** What page.evaluate callbacks read from the page's window (this project compiles without the DOM lib). */
interface InPage {
  __rtsoak?: PageState;
  pwned?: number;
}

const browser = useChromium();
const tmp = mkdtempSync(join(tmpdir(), "rtsoak-html-"));
const SCREENSHOT = join(tmp, "report-screenshot.png");

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** Writes the run's reports into the temp folder and opens its report.html. */
async function open(run: AnalysedRun, name: string): Promise<OpenedReport> {
  const { html } = await writeReports(run, join(tmp, name));
  return openReport(browser(), html);
}

describe("report.html in headless Chromium", () => {
  it("plots every chart with one point per window and one marker per event, offline and without errors", async () => {
    const run = fixture("run-fail-rr");
    const { page, state, requests, problems, url } = await open(run, "fail-rr");
    try {
      expect(problems).toEqual([]);
      expect(requests).toEqual([url]);

      expect(state.events).toBe(run.events.length);
      expect(state.markers).toBe(run.events.length);
      expect(state.charts.map((c) => c.id)).toEqual(["requests", "errors", "sessions", "keepalive"]);
      for (const chart of state.charts) {
        expect(chart.points, chart.id).toBe(run.windows.length);
        expect(chart.markers, chart.id).toBe(run.events.length);
        expect(chart.values, chart.id).toBe(chart.series * run.windows.length); // no window without a value
      }
      expect(state.charts.find((c) => c.id === "errors")!.series).toBe(7); // all, 400, 502, 503, 504, session_unknown, network
      expect(state.charts.find((c) => c.id === "keepalive")!.states).toBe(run.windows.length);

      // uPlot drew real canvases, sized to the page
      const canvases = await page.locator("figure.chart canvas").evaluateAll((els) => els.map((c) => (c as unknown as { width: number }).width));
      expect(canvases).toHaveLength(4);
      for (const w of canvases) expect(w).toBeGreaterThan(600);

      // the static tables are there too
      await expect(page.locator(".verdict-badge").textContent()).resolves.toBe("FAIL");
      expect(await page.locator("tr.mismatch", { has: page.locator(".pill.fail") }).count()).toBeGreaterThanOrEqual(run.reconciliation!.mismatches);
      expect(await page.locator("li.event-item").count()).toBe(run.events.length);

      // hovering the middle of the error chart fills the legend with values
      const plot = page.locator("#chart-errors .u-over");
      await plot.scrollIntoViewIfNeeded();
      const box = (await plot.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2 - 5, box.y + box.height / 2);
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      const legendValues = () => page.locator("#chart-errors .u-legend .u-value").allInnerTexts();
      await expect.poll(legendValues, { timeout: 10_000 }).not.toContain("–");
      const values = await legendValues();
      expect(values[0]).toMatch(/^\d+:\d\d$/); // time
      expect(values[2]).toMatch(/^\d+(\.\d+)? %$/); // 400

      await page.mouse.move(0, 0);
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      expect(existsSync(SCREENSHOT)).toBe(true);

      // a narrower window resizes every chart
      await page.setViewportSize({ width: 900, height: 900 });
      await expect
        .poll(() => page.locator("figure.chart canvas").evaluateAll((els) => els.map((c) => (c as unknown as { width: number }).width)), { timeout: 10_000 })
        .toSatisfy((widths: number[]) => widths.every((w, i) => w < canvases[i]));

      // dragging over the first 20 s of one chart zooms all of them: no event is drawn there
      const req = page.locator("#chart-requests .u-over");
      await req.scrollIntoViewIfNeeded();
      const r = (await req.boundingBox())!;
      await page.mouse.move(r.x + 2, r.y + r.height / 2);
      await page.mouse.down();
      await page.mouse.move(r.x + r.width * (20 / 120), r.y + r.height / 2, { steps: 5 });
      await page.mouse.up();
      const zoomed = await page.evaluate(() => (globalThis as unknown as InPage).__rtsoak!.charts.map((c) => c.markers));
      expect(zoomed).toEqual([0, 0, 0, 0]);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("opens a partial run and a run with no windows and no events without errors", async () => {
    const partial = fixture("run-partial");
    const p = await open(partial, "partial");
    try {
      expect(p.problems).toEqual([]);
      expect(p.requests).toEqual([p.url]);
      expect(p.state.markers).toBe(partial.events.length);
      expect(p.state.charts.every((c) => c.points === partial.windows.length)).toBe(true);
      expect(await p.page.locator(".banner.partial").count()).toBe(1);
    } finally {
      await p.page.close();
    }

    const empty: AnalysedRun = { ...partial, windows: [], events: [], breakdown: [], thresholds: [], runId: "empty" };
    const e = await open(empty, "empty");
    try {
      expect(e.problems).toEqual([]);
      expect(e.state).toMatchObject({ ready: true, charts: [], markers: 0, events: 0 });
      await expect(e.page.locator("#timeline").innerText()).resolves.toContain("No windows were recorded");
    } finally {
      await e.page.close();
    }
  });

  it("keeps hostile text inert: a run id and event detail holding </script> run no script", async () => {
    const run = fixture("run-fail-rr");
    const hostile: AnalysedRun = {
      ...run,
      runId: `x</script><script>window.pwned=1</script>`,
      events: run.events.map((ev) => ({ ...ev, event: { ...ev.event, detail: `</script><img src=x onerror="window.pwned=2">` } })),
    };
    const h = await open(hostile, "hostile");
    try {
      expect(h.problems).toEqual([]);
      expect(h.requests).toEqual([h.url]);
      expect(await h.page.evaluate(() => (globalThis as unknown as InPage).pwned)).toBeUndefined();
      expect(h.state.markers).toBe(run.events.length);
      await expect(h.page.locator(".run-meta code").first().textContent()).resolves.toBe(hostile.runId);
    } finally {
      await h.page.close();
    }
  });

  it("writes junit.xml that a real XML parser accepts, with one testcase per threshold", async () => {
    const run = fixture("run-fail-rr");
    const nasty: AnalysedRun = {
      ...run,
      thresholds: [...run.thresholds, { name: `odd <name> & "quotes"`, expression: "< 1% ]]>", measured: 2, display: "2 \u0001%", pass: false }],
    };
    const dir = join(tmp, "junit");
    const { junit } = await writeReports(nasty, dir);
    const xml = readFileSync(junit, "utf8");
    const page = await browser().newPage();
    try {
      const parsed = await page.evaluate((text) => {
        // runs in the browser: DOMParser is the page's own XML parser
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const doc = new (globalThis as any).DOMParser().parseFromString(text, "application/xml");
        const err = doc.querySelector("parsererror");
        type El = { getAttribute(n: string): string | null; querySelector(s: string): El | null; textContent: string | null };
        const cases: El[] = [...doc.querySelectorAll("testcase[classname='rtsoak.thresholds']")];
        return {
          error: err ? (err as El).textContent : null,
          runId: doc.querySelector("testsuite > properties > property[name='runId']")?.getAttribute("value") as string | undefined,
          names: cases.map((c) => c.getAttribute("name")),
          failures: cases.filter((c) => c.querySelector("failure")).map((c) => c.querySelector("failure")!.getAttribute("message")),
          suiteFailures: (doc.querySelector("testsuite") as El).getAttribute("failures"),
        };
      }, xml);
      expect(parsed.error).toBeNull();
      expect(parsed.runId).toBe(run.runId);
      expect(parsed.names).toEqual(nasty.thresholds.map((t) => t.name));
      expect(parsed.suiteFailures).toBe(String(nasty.thresholds.filter((t) => !t.pass).length));
      expect(parsed.failures).toContain(`measured 2 %, expected odd <name> & "quotes" < 1% ]]>`);
    } finally {
      await page.close();
    }
  });
});
