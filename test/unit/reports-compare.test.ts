// The text and Markdown renderings of a comparison. What counts as a regression is
// compareRuns' business (harness/analysis/compare.ts, tested in analysis-compare.test.ts);
// here: labels, values, deltas, the run headings, caveats and the closing verdict.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compareRuns, type ComparisonRow, type RunRegressions } from "../../harness/analysis/compare.ts";
import type { AnalysedRun } from "../../harness/analysis/types.ts";
import { renderComparisonMarkdown, renderComparisonText } from "../../reports/compare.ts";

const fixture = (name: string) =>
  JSON.parse(readFileSync(join(import.meta.dirname, "../fixtures/reports", `${name}.json`), "utf8")) as AnalysedRun;

const pass = fixture("run-pass-sticky");
const fail = fixture("run-fail-rr");

function result(rows: ComparisonRow[]): RunRegressions {
  return { rows, regressions: rows.filter((r) => r.change === "regressed") };
}

/** The text table's line for a metric, split on the column gaps. */
function textRow(text: string, metric: string): string[] {
  const line = text.split("\n").find((l) => l.startsWith(`${metric}  `));
  if (!line) throw new Error(`no row for ${metric}`);
  return line.split(/\s{2,}/);
}

describe("renderComparisonText", () => {
  it("prints each kind of row with its unit, delta and mark", () => {
    const c = result([
      { metric: "errorRate", kind: "rate", a: 0.0013, b: 0.316, change: "regressed" },
      { metric: "connectSuccess", kind: "rate", a: 0.95, b: 0.99, change: "improved" },
      { metric: "badGatewayRateOutsideEvents", kind: "rate", a: 0, b: 0, change: "same" },
      { metric: "http p95", kind: "latency", a: 100, b: 150, change: "regressed" },
      { metric: "connect p99", kind: "latency", a: null, b: 40, change: "same" },
      { metric: "recovery recycle", kind: "latency", a: 2000, b: Infinity, change: "regressed" },
      { metric: "peak error rate recycle", kind: "rate", a: 0.05, b: 0.0501, change: "same" },
      { metric: "threshold http_502_rate", kind: "threshold", a: 1, b: 0, change: "regressed" },
    ]);
    const text = renderComparisonText(pass, pass, c);
    // rate keys read as the other reports name them; other metrics as compareRuns names them
    expect(textRow(text, "error rate")).toEqual(["error rate", "0.13 %", "31.6 %", "+31.5 pp", "WORSE"]);
    expect(textRow(text, "connect success")).toEqual(["connect success", "95.0 %", "99.0 %", "+4.0 pp", "better"]);
    expect(textRow(text, "HTTP 502 outside events")).toEqual(["HTTP 502 outside events", "0 %", "0 %", "0"]);
    expect(textRow(text, "http p95")).toEqual(["http p95", "100 ms", "150 ms", "+50 ms (+50 %)", "WORSE"]);
    expect(textRow(text, "connect p99")).toEqual(["connect p99", "n/a", "40 ms"]);
    expect(textRow(text, "recovery recycle")).toEqual(["recovery recycle", "2 s", "never", "WORSE"]);
    expect(textRow(text, "peak error rate recycle")).toEqual(["peak error rate recycle", "5.00 %", "5.01 %", "+0.010 pp"]);
    expect(textRow(text, "threshold http_502_rate")).toEqual(["threshold http_502_rate", "pass", "FAIL", "WORSE"]);
    // the A and B columns are right-aligned under the dashes
    const lines = text.split("\n");
    const dashEnds = [...lines.find((l) => l.startsWith("---"))!.matchAll(/-+/g)].map((m) => m.index + m[0].length);
    const endOf = (metric: string, cell: string) => {
      const line = lines.find((l) => l.startsWith(`${metric}  `))!;
      return line.indexOf(cell, metric.length) + cell.length;
    };
    expect([endOf("error rate", "0.13 %"), endOf("http p95", "100 ms"), endOf("connect p99", "n/a")]).toEqual([dashEnds[1], dashEnds[1], dashEnds[1]]);
    expect([endOf("error rate", "31.6 %"), endOf("recovery recycle", "never")]).toEqual([dashEnds[2], dashEnds[2]]);
    expect(text.trimEnd().split("\n").at(-1)).toBe("4 regressions: error rate, http p95, recovery recycle, threshold http_502_rate.");
  });

  it("heads the table with both runs and notes why they may not be like for like", () => {
    const same = renderComparisonText(pass, pass, result([]));
    expect(same).toContain(`  A: ${pass.runId} (gate, nginx-iphash-2x1, pass, started 2025-03-14T10:00:00Z)`);
    expect(same).not.toContain("note:");
    expect(same.trimEnd().split("\n").at(-1)).toBe("No regressions beyond the tolerance.");

    const other: AnalysedRun = { ...fail, profile: "soak", partial: true };
    const text = renderComparisonText(pass, other, result([]));
    expect(text).toContain("  note: different profiles (gate vs soak); the comparison may not be like for like");
    expect(text).toContain("  note: different topologies (nginx-iphash-2x1 vs nginx-rr-2x2);");
    expect(text).toContain(`  note: run B (${fail.runId}) is partial;`);
  });

  it("renders what compareRuns found between two real fixture runs", () => {
    const c = compareRuns(pass, fail);
    const text = renderComparisonText(pass, fail, c);
    expect(text).toMatch(/^error rate\s+0\.13 %\s+31\.6 %\s+\+31\.5 pp\s+WORSE$/m);
    expect(text).toMatch(/^recovery recycle\s+2 s\s+3\.2 s\s+\+1\.2 s \(\+60 %\)\s+WORSE$/m);
    expect(text).toMatch(/^recovery backend-down\s+n\/a\s+14\.2 s$/m);
    expect(text.trimEnd().split("\n").at(-1)).toMatch(new RegExp(`^${c.regressions.length} regressions: error rate, `));
  });
});

describe("renderComparisonMarkdown", () => {
  it("renders the same rows as a Markdown table with escaped names and no links", () => {
    const c = compareRuns(pass, fail);
    const md = renderComparisonMarkdown(pass, fail, c);
    expect(md).toContain(`## rtsoak compare: ${c.regressions.length} regressions`);
    expect(md).toContain(`- A: ${pass.runId}`);
    expect(md).toContain("- **Note:** different topologies (nginx-iphash-2x1 vs nginx-rr-2x2); the comparison may not be like for like.");
    expect(md).toContain("| error rate | 0.13 % | 31.6 % | +31.5 pp | ❌ worse |");
    expect(md).toContain("| threshold session\\_unknown\\_rate | pass | FAIL |  | ❌ worse |");
    expect(md.match(/^\| /gm)).toHaveLength(c.rows.length + 1);
    expect(md).not.toMatch(/\]\(|https?:\/\/(?!127)/);
    expect(renderComparisonMarkdown(pass, pass, compareRuns(pass, pass))).toMatch(/^## rtsoak compare: no regressions\n/);
  });
});
