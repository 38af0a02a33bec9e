// `rtsoak gate` end to end on a sticky replica (nginx ip_hash) with one recycle of every worker:
// sessions are lost during the recycle (that is the event), but nothing outside the event window
// (start..end+settle) may fail, so the gate's default thresholds must pass: exit 0.
import { describe, expect, it } from "vitest";
import { runForFile, windowsByEvents, windowTrouble } from "./support/run-cli.ts";

const run = runForFile("gate-sticky", ["gate", "--topology", "nginx-iphash-2x1", "--duration", "35s", "--event", "10s:recycle", "--clients", "10"], {
  label: "gate nginx-iphash-2x1 35 s",
  timeoutMs: 150_000,
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
    expect(run.result.code, run.result.stderr.slice(-2000)).toBe(0);
    expect(run.junit).toMatch(/<testsuite name="rtsoak gate" tests="\d+" failures="0"/);
    expect(run.watch.survivors()).toEqual([]);
  });
});
