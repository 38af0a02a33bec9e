import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RunAggregator } from "../../harness/analysis/aggregator.ts";
import { compareRuns, judge } from "../../harness/analysis/compare.ts";
import { detectRecyclesFromLogs } from "../../harness/analysis/recycles.ts";
import type { AnalysedRun } from "../../harness/analysis/types.ts";
import { FIXTURE_DIR, REDIS_STOP, T0 } from "../fixtures/analysis/recycle-burst.ts";

function fixtureRun(): AnalysedRun {
  const agg = new RunAggregator({ startedAt: T0 });
  for (const line of readFileSync(join(FIXTURE_DIR, "recycle-burst.k6.ndjson"), "utf8").split("\n")) agg.addLine(line);
  const events = [REDIS_STOP, ...detectRecyclesFromLogs(readFileSync(join(FIXTURE_DIR, "recycle-burst.gunicorn.log"), "utf8").split("\n"))];
  return agg.finish({ events, thresholds: { httpP95Ms: "<500", sessionUnknownRate: "<10%" } });
}

describe("compareRuns", () => {
  it("finds nothing between a run and itself", () => {
    const a = fixtureRun();
    const { rows, regressions } = compareRuns(a, structuredClone(a));
    expect(regressions).toEqual([]);
    expect(rows.every((r) => r.change === "same")).toBe(true);
    expect(rows.map((r) => r.metric)).toContain("recovery max-requests-recycle");
    expect(rows.map((r) => r.metric)).toContain("sessionUnknownRate");
    // No keepalive latency in either run: no rows for it.
    expect(rows.some((r) => r.metric.startsWith("keepalive"))).toBe(false);
  });

  it("lists what got worse beyond the tolerance, and only that", () => {
    const a = fixtureRun();
    const b = structuredClone(a);
    b.rates!.sessionUnknownRate.value = a.rates!.sessionUnknownRate.value * 2; // worse
    b.rates!.badGatewayRate.value = a.rates!.badGatewayRate.value * 1.05; // within 10 %
    b.rates!.connectSuccess.value = 0.9; // lower is worse
    b.rates!.errorRate.value = a.rates!.errorRate.value / 2; // better
    b.latency.http.p95 = a.latency.http.p95 + 100;
    b.events.find((e) => e.event.name === "max-requests-recycle")!.recoveryMs = null;
    b.thresholds[1].pass = false;
    const { rows, regressions } = compareRuns(a, b);
    expect(regressions.map((r) => r.metric)).toEqual(["sessionUnknownRate", "connectSuccess", "http p95", "recovery max-requests-recycle", "threshold session_unknown_rate"]);
    expect(regressions.find((r) => r.metric === "recovery max-requests-recycle")).toEqual({ metric: "recovery max-requests-recycle", kind: "latency", a: 4000, b: Infinity, change: "regressed" });
    expect(rows.find((r) => r.metric === "errorRate")!.change).toBe("improved");
    expect(rows.find((r) => r.metric === "badGatewayRate")!.change).toBe("same");
    // the other way round, what regressed improved
    const back = compareRuns(b, a);
    expect(back.rows.filter((r) => r.change === "improved").map((r) => r.metric)).toEqual(expect.arrayContaining(regressions.map((r) => r.metric)));
    expect(back.regressions.map((r) => r.metric)).toEqual(["errorRate"]);
  });

  it("takes a partial tolerance over the defaults", () => {
    const a = fixtureRun();
    const b = structuredClone(a);
    b.latency.http.p50 = a.latency.http.p50 + 4; // under the 5 ms floor
    expect(compareRuns(a, b).regressions).toEqual([]);
    expect(compareRuns(a, b, { latencyAbsoluteMs: 1 }).regressions.map((r) => r.metric)).toEqual(["http p50"]);
  });

  it("an event only one run had is listed but is not a regression", () => {
    const a = fixtureRun();
    const b = structuredClone(a);
    b.events = b.events.filter((e) => e.event.name !== "redis-stop");
    const { rows, regressions } = compareRuns(a, b);
    expect(rows.find((r) => r.metric === "recovery redis-stop")).toMatchObject({ a: 500, b: null, change: "same" });
    expect(regressions).toEqual([]);
  });

  it("works on runs saved without rates (computes them)", () => {
    const a = fixtureRun();
    const b = structuredClone(a);
    delete a.rates;
    delete b.rates;
    b.windows[5].statuses = { "200": 5, "502": 5 };
    b.windows[5].errors = 5;
    b.totals.statuses["502"] += 4;
    const { regressions } = compareRuns(a, b);
    expect(regressions.map((r) => r.metric)).toEqual(["errorRate", "errorRateOutsideEvents", "badGatewayRate", "badGatewayRateOutsideEvents"]);
  });

  it("judge: tolerance, direction, never-recovered", () => {
    expect(judge(0.01, 0.0105, 0.001, 0.1)).toBe("same");
    expect(judge(0.01, 0.012, 0.001, 0.1)).toBe("regressed");
    expect(judge(0.99, 0.989, 0.001, 0.1, true)).toBe("same"); // 1 % → 1.1 % failing
    expect(judge(0.99, 0.95, 0.001, 0.1, true)).toBe("regressed"); // 1 % → 5 % failing
    expect(judge(0.95, 0.99, 0.001, 0.1, true)).toBe("improved");
    expect(judge(1000, Infinity, 1000, 0.2)).toBe("regressed");
    expect(judge(Infinity, 1000, 1000, 0.2)).toBe("improved");
    expect(judge(Infinity, Infinity, 1000, 0.2)).toBe("same");
    expect(judge(null, 5, 1, 0.1)).toBe("same");
  });
});
