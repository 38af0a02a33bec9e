// Teardown without Ryuk: a process that exits without down() removes its stack on the way out;
// one that is SIGKILLed leaves it, and composeStackDown() (rtsoak stack down --stack compose)
// removes it — but never the stack of a live owner unless asked.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, expect, it } from "vitest";
import { composeStackDown } from "../../harness/stack/compose/cleanup.ts";
import { anythingOfRtsoak, describeDocker, ensureTestImages, eventually, leftovers } from "./support.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const children: ChildProcess[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});

/** Starts hold-stack.ts and resolves with its project once the stack is up. */
function holdStack(mode: "hold" | "exit"): Promise<{ child: ChildProcess; project: string; exited: Promise<void> }> {
  const workDir = mkdtempSync(join(tmpdir(), "rtsoak-hold-"));
  const child = spawn(process.execPath, [join(ROOT, "bin/run-ts.mjs"), join(ROOT, "test/compose/fixtures/hold-stack.ts"), mode, workDir], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  const exited = new Promise<void>((r) => child.on("exit", () => r()));
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stderr!.on("data", (d) => (err += d));
    child.stdout!.on("data", (d) => {
      out += d;
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve({ child, project: (JSON.parse(line) as { project: string }).project, exited });
    });
    child.on("exit", (code) => {
      if (!out.includes("{")) reject(new Error(`hold-stack exited (${code}) before its stack was up: ${err.slice(-500)}`));
    });
  });
}

describeDocker("compose stack: cleanup on every exit path", () => {
  beforeAll(async () => {
    await ensureTestImages(["app-node", "redis"]);
  }, 600_000);

  it("a SIGKILLed owner leaves its stack; composeStackDown() removes it and nothing of rtsoak's is left", async () => {
    const { child, project, exited } = await holdStack("hold");
    expect(project).toMatch(new RegExp(`^rtsoak-${child.pid}-[0-9a-f]{6}$`));
    expect((await leftovers(project)).length).toBeGreaterThanOrEqual(3); // app, redis, network
    child.kill("SIGKILL");
    await exited;
    expect((await leftovers(project)).length).toBeGreaterThanOrEqual(3); // nothing ran on the way out

    const removed = await composeStackDown();
    expect(removed).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^container ${project}[_-]app[_-]1$`)), expect.stringMatching(new RegExp(`^network ${project}_default$`))]));
    expect(await leftovers(project)).toEqual([]);
    expect(await anythingOfRtsoak()).toEqual([]);
  });

  it("a live owner's stack is left alone; once the owner dies without cleanup it goes too", async () => {
    const { child, project, exited } = await holdStack("hold");
    const skipped: string[] = [];
    expect(await composeStackDown({ onSkip: (l) => skipped.push(l) })).toEqual([]);
    expect(skipped.join("\n")).toContain(`${project}: left running (its owner, pid ${child.pid}, is alive`);
    expect((await leftovers(project)).length).toBeGreaterThanOrEqual(3);
    child.kill("SIGTERM"); // no handler: node dies without its exit hook
    await exited;
    await composeStackDown();
    expect(await leftovers(project)).toEqual([]);
  });

  it("a process that exits without down() removes its stack on the way out", async () => {
    const { project, exited } = await holdStack("exit");
    await exited;
    expect(await eventually(async () => (await leftovers(project)).length === 0, 10_000)).toBe(true);
    expect(await anythingOfRtsoak()).toEqual([]);
  });
});
