// compareRuns: what got worse between two runs, within tolerances, and its two renderings.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AnalysedRun } from "../../harness/analysis/types.ts";
import { compareRuns, renderComparisonMarkdown, renderComparisonText } from "../../reports/compare.ts";

const fixture = (name: string) =>
  JSON.parse(readFileSync(join(import.meta.dirname, "../fixtures/reports", `${name}.json`), "utf8")) as AnalysedRun;

function withHttp(run: AnalysedRun, p99: number): AnalysedRun {
  return { ...run, latency: { ...run.latency, http: { ...run.latency.http, p99 } } };
}

describe("compareRuns", () => {
  const pass = fixture("run-pass-sticky");
  const fail = fixture("run-fail-rr");

  it("finds no regression between a run and itself", () => {
    const c = compareRuns(pass, pass);
    expect(c.regressions).toBe(0);
    expect(c.rows.every((r) => r.change === "same")).toBe(true);
    expect(c.caveats).toEqual([]);
  });

  it("flags worse rates, worse percentiles, slower recovery and thresholds that flipped to fail", () => {
    const c = compareRuns(pass, fail);
    const regressed = c.rows.filter((r) => r.change === "regressed").map((r) => r.metric);
    expect(regressed).toEqual(
      expect.arrayContaining(["error rate", "HTTP 502", "session_unknown", "connect p99", "slowest event recovery", "threshold session_unknown_rate"]),
    );
    expect(c.regressions).toBe(regressed.length);
    expect(c.caveats).toEqual(["different topologies (nginx-iphash-2x1 vs nginx-rr-2x2)"]);
    // the other way round, the same metrics improved
    const back = compareRuns(fail, pass);
    expect(back.rows.filter((r) => r.change === "improved").map((r) => r.metric)).toEqual(expect.arrayContaining(regressed));
  });

  it("treats a higher connect success as better", () => {
    const c = compareRuns(pass, fail);
    const row = c.rows.find((r) => r.metric === "connect success")!;
    expect(row.a).toBeGreaterThan(row.b!);
    expect(row.change).toBe("regressed");
  });

  it("ignores changes inside the tolerance and flags those beyond it", () => {
    const base = withHttp(pass, 100);
    expect(compareRuns(base, withHttp(pass, 119)).regressions).toBe(0); // +19 % < 20 %
    expect(compareRuns(base, withHttp(pass, 121)).rows.find((r) => r.metric === "http p99")!.change).toBe("regressed");
    const tiny = withHttp(pass, 2);
    expect(compareRuns(tiny, withHttp(pass, 6)).regressions).toBe(0); // +4 ms is under the 5 ms floor
    expect(compareRuns(tiny, withHttp(pass, 6), { rateAbsolute: 0.001, rateRelative: 0.1, latencyAbsoluteMs: 1, latencyRelative: 0.2 }).regressions).toBe(1);
  });

  it("counts an event that never recovered as a regression against one that did", () => {
    const never: AnalysedRun = { ...pass, events: pass.events.map((e) => ({ ...e, recoveryMs: null })) };
    const row = compareRuns(pass, never).rows.find((r) => r.metric === "slowest event recovery")!;
    expect(row.change).toBe("regressed");
    expect(renderComparisonText(compareRuns(pass, never))).toMatch(/slowest event recovery\s+2 s\s+never/);
  });

  it("renders text with aligned columns and a closing verdict, and Markdown as a table", () => {
    const c = compareRuns(pass, fail);
    const text = renderComparisonText(c);
    expect(text).toContain(`A: ${pass.runId}`);
    expect(text).toMatch(/^error rate\s+0\.13 %\s+31\.6 %\s+\+31\.5 pp\s+WORSE$/m);
    expect(text.trimEnd().split("\n").at(-1)).toMatch(new RegExp(`^${c.regressions} regressions: error rate, `));
    const md = renderComparisonMarkdown(c);
    expect(md).toContain(`## rtsoak compare: ${c.regressions} regressions`);
    expect(md).toContain("| error rate | 0.13 % | 31.6 % | +31.5 pp | ❌ worse |");
    expect(md).not.toMatch(/\]\(|https?:\/\/(?!127)/);
  });
});
