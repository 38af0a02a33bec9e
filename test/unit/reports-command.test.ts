// writeReports and the `rtsoak report` / `rtsoak compare` handlers on real folders in a temp dir.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, copyFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { AnalysedRun } from "../../harness/analysis/types.ts";
import { UserError } from "../../harness/errors.ts";
import { compareCommand, reportCommand } from "../../harness/commands/report.ts";
import { writeReports } from "../../reports/write.ts";

const FIXTURES = join(import.meta.dirname, "../fixtures/reports");
const tmp = mkdtempSync(join(tmpdir(), "rtsoak-reports-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const fixture = (name: string) => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), "utf8")) as AnalysedRun;

/** A run folder holding only analysed.json, as a run that wrote it and then lost its reports. */
function runFolder(name: string, fixtureName = name): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(FIXTURES, `${fixtureName}.json`), join(dir, "analysed.json"));
  return dir;
}

async function userErrorOf(p: Promise<unknown>): Promise<UserError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserError);
  const message = (err as UserError).message;
  expect(message).not.toContain("\n"); // one sentence, no stack trace
  expect(message).toMatch(/\.$/);
  return err as UserError;
}

describe("writeReports", () => {
  it("writes the four reports and analysed.json, leaving no temporary files", async () => {
    const dir = join(tmp, "written");
    const run = fixture("run-fail-rr");
    const paths = await writeReports(run, dir);
    expect(paths).toEqual({
      html: join(dir, "report.html"),
      markdown: join(dir, "summary.md"),
      junit: join(dir, "junit.xml"),
      json: join(dir, "summary.json"),
    });
    expect(readdirSync(dir).sort()).toEqual(["analysed.json", "junit.xml", "report.html", "summary.json", "summary.md"]);
    expect(JSON.parse(readFileSync(join(dir, "analysed.json"), "utf8"))).toEqual(run);
    expect(readFileSync(paths.junit, "utf8")).toContain('<property name="runId" value="20250314-100000-gate-nginx-rr-2x2"/>');
  });
});

describe("reportCommand", () => {
  it("re-renders every report from analysed.json and returns the HTML path", async () => {
    const dir = runFolder("rerender", "run-pass-sticky");
    const html = await reportCommand(dir);
    expect(html).toBe(join(dir, "report.html"));
    expect(readFileSync(html, "utf8")).toContain('data-verdict="pass">PASS</div>');
    expect(readdirSync(dir).sort()).toEqual(["analysed.json", "junit.xml", "report.html", "summary.json", "summary.md"]);
    const golden = readFileSync(join(FIXTURES, "golden/run-pass-sticky.md"), "utf8");
    expect(readFileSync(join(dir, "summary.md"), "utf8")).toBe(golden);
  });

  it("accepts the analysed.json file itself", async () => {
    const dir = runFolder("byfile", "run-partial");
    expect(await reportCommand(join(dir, "analysed.json"))).toBe(join(dir, "report.html"));
  });

  it("explains a missing folder, a folder without analysed.json, broken JSON and a wrong shape", async () => {
    expect((await userErrorOf(reportCommand(join(tmp, "nope")))).message).toMatch(/^There is no run folder at .*nope; pass the folder/);

    const empty = join(tmp, "empty");
    mkdirSync(empty);
    expect((await userErrorOf(reportCommand(empty))).message).toMatch(/empty holds no analysed\.json; pass a folder written by `rtsoak run`/);

    const broken = join(tmp, "broken");
    mkdirSync(broken);
    writeFileSync(join(broken, "analysed.json"), '{"schemaVersion": 1, "runId": "x"');
    expect((await userErrorOf(reportCommand(broken))).message).toMatch(/analysed\.json is not valid JSON \(/);

    const wrong = join(tmp, "wrong");
    mkdirSync(wrong);
    const run = fixture("run-fail-rr") as unknown as Record<string, unknown>;
    writeFileSync(join(wrong, "analysed.json"), JSON.stringify({ ...run, windows: "many" }));
    expect((await userErrorOf(reportCommand(wrong))).message).toMatch(/is not an rtsoak analysed run \(windows should be a list but is "many"\)/);

    writeFileSync(join(wrong, "analysed.json"), JSON.stringify({ ...run, schemaVersion: 2 }));
    expect((await userErrorOf(reportCommand(wrong))).message).toMatch(/schemaVersion is 2, and this rtsoak reads version 1/);
  });
});

describe("compareCommand", () => {
  it("reports regressions between two run folders, as text or Markdown", async () => {
    const a = runFolder("cmp-a", "run-pass-sticky");
    const b = runFolder("cmp-b", "run-fail-rr");
    const text = await compareCommand(a, b, { format: "text" });
    expect(text.regressions).toBeGreaterThan(5);
    expect(text.text).toContain("rtsoak compare");
    const md = await compareCommand(a, b, { format: "markdown" });
    expect(md.regressions).toBe(text.regressions);
    expect(md.text).toMatch(/^## rtsoak compare: \d+ regressions/);
    expect((await compareCommand(a, a, { format: "text" })).regressions).toBe(0);
  });

  it("names the run that cannot be read", async () => {
    const a = runFolder("cmp-ok", "run-pass-sticky");
    expect((await userErrorOf(compareCommand(a, join(tmp, "missing-b"), { format: "text" }))).message).toContain("missing-b");
    expect((await userErrorOf(compareCommand(a, a, { format: "html" as "text" }))).message).toMatch(/use --format text or --format markdown/);
  });
});
