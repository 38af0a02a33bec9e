// `rtsoak report <runDir>`: re-renders every report of a saved run from its analysed.json.
// `rtsoak compare <runA> <runB>`: what got worse from run A (baseline) to run B.
// The comparison is harness/analysis/compare.ts, its renderers and the other reports live in
// reports/; these are the CLI handlers.
import { compareRuns, type CompareTolerance } from "../analysis/compare.ts";
import type { AnalysedRun } from "../analysis/types.ts";
import { UserError } from "../errors.ts";
import { renderComparisonMarkdown, renderComparisonText } from "../../reports/compare.ts";
import { readAnalysedRun } from "../../reports/load-run.ts";
import { writeReports } from "../../reports/write.ts";

/** Re-renders report.html, summary.md, junit.xml and summary.json into runDir; returns the HTML path. */
export async function reportCommand(runDir: string): Promise<string> {
  const { run, runDir: dir } = await readAnalysedRun(runDir);
  const paths = await writeReports(run, dir);
  return paths.html;
}

export interface CompareOptions {
  format: "text" | "markdown";
  tolerance?: Partial<CompareTolerance>;
}

/** Compares two saved runs (folders or analysed.json files); regressions counts metrics that got worse. */
export async function compareCommand(runA: string, runB: string, opts: CompareOptions): Promise<{ text: string; regressions: number }> {
  if (opts.format !== "text" && opts.format !== "markdown") {
    throw new UserError(`Unknown compare format "${String(opts.format)}"; use --format text or --format markdown.`);
  }
  const a: AnalysedRun = (await readAnalysedRun(runA)).run;
  const b: AnalysedRun = (await readAnalysedRun(runB)).run;
  const comparison = compareRuns(a, b, opts.tolerance);
  const text = opts.format === "markdown" ? renderComparisonMarkdown(a, b, comparison) : renderComparisonText(a, b, comparison);
  return { text, regressions: comparison.regressions.length };
}
