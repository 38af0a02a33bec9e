// Golden files: the Markdown, JUnit and JSON renderings of the three fixed AnalysedRun fixtures
// must match test/fixtures/reports/golden/ byte for byte. After an intended change, refresh
// them with: UPDATE_GOLDEN=1 npx vitest run test/unit/reports-golden.test.ts (and read the diff).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AnalysedRun } from "../../harness/analysis/types.ts";
import { renderJsonSummary } from "../../reports/json.ts";
import { renderJunit } from "../../reports/junit.ts";
import { renderMarkdown } from "../../reports/markdown.ts";

const FIXTURES = join(import.meta.dirname, "../fixtures/reports");
const GOLDEN = join(FIXTURES, "golden");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

function loadFixture(name: string): AnalysedRun {
  return JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), "utf8")) as AnalysedRun;
}

const RENDERERS: Array<[string, string, (run: AnalysedRun) => string]> = [
  ["markdown", "md", renderMarkdown],
  ["junit", "xml", renderJunit],
  ["json", "json", renderJsonSummary],
];

describe.each(["run-pass-sticky", "run-fail-rr", "run-partial"])("golden renderings of %s", (name) => {
  it.each(RENDERERS)("%s matches the golden file", (_kind, ext, render) => {
    const actual = render(loadFixture(name));
    const file = join(GOLDEN, `${name}.${ext}`);
    if (UPDATE) writeFileSync(file, actual);
    if (!existsSync(file)) throw new Error(`missing golden file ${file}; create it with UPDATE_GOLDEN=1`);
    expect(actual).toBe(readFileSync(file, "utf8"));
  });

  it.each(RENDERERS)("%s is pure: the same output twice, the run left untouched", (_kind, _ext, render) => {
    const run = loadFixture(name);
    const frozen = JSON.parse(JSON.stringify(run)) as AnalysedRun;
    const first = render(run);
    expect(run).toEqual(frozen); // renderers are pure: they do not modify the run
    expect(render(run)).toBe(first);
  });
});
