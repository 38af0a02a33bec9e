// Writes every report of a run into its folder: report.html, summary.md, junit.xml,
// summary.json, and analysed.json (the full AnalysedRun, so `rtsoak report` can re-render).
// Each file is written to a temporary name and renamed, so a reader never sees half a file.
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { AnalysedRun } from "../harness/analysis/types.ts";
import { renderHtml } from "./html/render.ts";
import { renderJsonSummary } from "./json.ts";
import { renderJunit } from "./junit.ts";
import { renderMarkdown } from "./markdown.ts";

export const REPORT_FILES = {
  html: "report.html",
  markdown: "summary.md",
  junit: "junit.xml",
  json: "summary.json",
  analysed: "analysed.json",
} as const;

export interface WrittenReports {
  html: string;
  markdown: string;
  junit: string;
  json: string;
}

async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, text, "utf8");
  await rename(tmp, path);
}

/** Renders every report and writes them into runDir (created if missing); returns their paths. */
export async function writeReports(run: AnalysedRun, runDir: string): Promise<WrittenReports> {
  await mkdir(runDir, { recursive: true });
  const paths = {
    html: join(runDir, REPORT_FILES.html),
    markdown: join(runDir, REPORT_FILES.markdown),
    junit: join(runDir, REPORT_FILES.junit),
    json: join(runDir, REPORT_FILES.json),
  };
  // Render everything before writing anything: a renderer bug leaves the folder as it was.
  const rendered: Array<[string, string]> = [
    [join(runDir, REPORT_FILES.analysed), JSON.stringify(run) + "\n"],
    [paths.markdown, renderMarkdown(run)],
    [paths.junit, renderJunit(run)],
    [paths.json, renderJsonSummary(run)],
    [paths.html, renderHtml(run)],
  ];
  for (const [path, text] of rendered) await writeAtomic(path, text);
  return paths;
}
