// `rtsoak gate` end to end on a sticky replica (nginx ip_hash) with one recycle of every worker:
// sessions are lost during the recycle (that is the event), but nothing outside the event window
// (start..end+settle) may fail, so the gate's default thresholds must pass: exit 0.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRun, startCli, tempCwd, watchProcesses, windowsByEvents, windowTrouble, type CliResult, type ProcessWatch, type RunFiles } from "./support/run-cli.ts";

let cwd: string;
let result: CliResult;
let run: RunFiles;
let watch: ProcessWatch;

beforeAll(async () => {
  cwd = tempCwd("gate-sticky");
  const runDir = join(cwd, "run");
  const cli = startCli(["gate", "--topology", "nginx-iphash-2x1", "--duration", "35s", "--event", "10s:recycle", "--clients", "10", "--out", runDir], { cwd, timeoutMs: 150_000 });
  watch = watchProcesses(cli.child.pid!, runDir);
  result = await cli.result;
  watch.stop();
  console.log(`gate nginx-iphash-2x1 35 s: exit ${result.code} after ${(result.ms / 1000).toFixed(1)} s`);
  run = readRun(runDir);
}, 180_000);

afterAll(() => {
  watch?.killSurvivors();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

describe("rtsoak gate on nginx-iphash-2x1 with a recycle (real CLI)", () => {
  it("the recycle really disrupted the run: sessions lost inside its window", () => {
    expect(run.analysed.events).toHaveLength(1);
    const [impact] = run.analysed.events;
    expect(impact.event).toMatchObject({ name: "recycle", ok: true });
    const { inside } = windowsByEvents(run.analysed);
    const lostInside = inside.reduce((n, w) => n + w.sessionsLost, 0);
    expect(lostInside, "a recycle of every worker loses the sessions it held").toBeGreaterThan(0);
    expect(impact.recoveryMs).not.toBeNull();
  });

  it("nothing fails outside the event window", () => {
    const { outside } = windowsByEvents(run.analysed);
    expect(outside.length, "the run has time outside the event window").toBeGreaterThan(8);
    const start = run.analysed.windows[0].start;
    const trouble = outside.map((w) => ({ at: `${Math.round((w.start - start) / 1000)}s`, ...windowTrouble(w) })).filter((t) => Object.keys(t).length > 1);
    expect(trouble).toEqual([]);
    const outside502 = run.summary.thresholds.find((t) => t.name === "bad_gateway_rate_outside_events")!;
    expect(outside502.pass).toBe(true);
  });

  it("the gate passes with its default thresholds: exit 0", () => {
    const failing = run.summary.thresholds.filter((t) => !t.pass).map((t) => `${t.name} ${t.expression} measured ${t.display}`);
    expect(failing, "gate thresholds that failed on an honest sticky run").toEqual([]);
    expect(run.summary.verdict).toBe("pass");
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    expect(run.junit).toMatch(/<testsuite name="rtsoak gate" tests="\d+" failures="0"/);
    expect(watch.survivors()).toEqual([]);
  });
});
