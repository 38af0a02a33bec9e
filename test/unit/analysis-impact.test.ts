// computeEventImpacts on hand-built windows: the edge cases the fixture run does not reach.
import { describe, expect, it } from "vitest";
import { computeEventImpacts } from "../../harness/analysis/impact.ts";
import { errorRate, isStandaloneFailure, windowErrors } from "../../harness/analysis/error-rate.ts";
import type { RunEvent, WindowCounts } from "../../harness/analysis/types.ts";

const W = 1000;

/** One window per entry: [requests, errors] (errors as 400s); null = an empty window. */
function windows(spec: Array<[number, number] | null>): WindowCounts[] {
  return spec.map((s, i) => {
    const [requests, errors] = s ?? [0, 0];
    const statuses: Record<string, number> = {};
    if (requests - errors) statuses["200"] = requests - errors;
    if (errors) statuses["400"] = errors;
    return { start: i * W, requests, statuses, failures: {}, sessionsOpened: 0, sessionsLost: 0, reconnects: 0, keepalive: {}, errors, wsDials: 0 };
  });
}

const ev = (start: number, end = start, name = "recycle"): RunEvent => ({ name, start, end, ok: true });

describe("computeEventImpacts", () => {
  it("does not call it recovered before a burst that starts late within the settle time", () => {
    // Event at 10 s; the errors only start at 14 s (clients poll again later) and last 2 windows.
    const ws = windows([...Array(10).fill([10, 0]), [10, 0], [10, 0], [10, 0], [10, 0], [10, 4], [10, 2], ...Array(10).fill([10, 0])]);
    const [impact] = computeEventImpacts(ws, W, [ev(10_000)], { settleMs: 10_000 });
    expect(impact.peakDuring).toBe(0.4);
    expect(impact.recoveryMs).toBe(6000); // window 16 starts the clean run
    expect(impact.errorsAttributed).toBe(6);
  });

  it("recovers at once when nothing went wrong", () => {
    const ws = windows(Array(20).fill([10, 0]));
    const [impact] = computeEventImpacts(ws, W, [ev(5_500, 6_200)]);
    expect(impact).toMatchObject({ rateBefore: 0, peakDuring: 0, recoveryMs: 0, errorsAttributed: 0 });
  });

  it("empty windows neither count towards recovery nor break it", () => {
    const ws = windows([...Array(5).fill([10, 0]), [10, 5], null, [4, 0], null, null, [2, 0], null, [3, 0], null]);
    const [impact] = computeEventImpacts(ws, W, [ev(5_000)], { settleMs: 0, recoveryWindows: 3 });
    expect(impact.recoveryMs).toBe(2000); // windows 7, 10, 12 are clean: recovery starts at 7
    const [strict] = computeEventImpacts(ws, W, [ev(5_000)], { settleMs: 0, recoveryWindows: 4 });
    expect(strict.recoveryMs).toBeNull();
  });

  it("recovery is relative to the baseline: a run that always fails 50 % recovers to 50 %", () => {
    const ws = windows([...Array(30).fill([10, 5]), [10, 10], [10, 10], ...Array(5).fill([10, 5])]);
    const [impact] = computeEventImpacts(ws, W, [ev(30_000, 31_000)], { settleMs: 0 });
    expect(impact.rateBefore).toBe(0.5);
    expect(impact.peakDuring).toBe(1);
    expect(impact.recoveryMs).toBe(1000);
    expect(impact.errorsAttributed).toBe(20);
  });

  it("leaves other events' windows out of the baseline", () => {
    // A first event at 2 s made windows 2..3 fail; the second at 8 s has a clean baseline.
    const ws = windows([[10, 0], [10, 0], [10, 8], [10, 8], [10, 0], [10, 0], [10, 0], [10, 0], [10, 3], ...Array(6).fill([10, 0])]);
    const impacts = computeEventImpacts(ws, W, [ev(2_000, 2_000, "a"), ev(8_000, 8_000, "b")], { settleMs: 2_000, baselineMs: 30_000 });
    expect(impacts[1].rateBefore).toBe(0); // windows 0,1,4..7 only
    expect(impacts[0].rateBefore).toBe(0); // windows 0,1
    expect(impacts[0].recoveryMs).toBe(2000);
  });

  it("without data before it, an event's baseline is 0; without data after it, recovery is null", () => {
    const ws = windows([[10, 5], [10, 0], [10, 0], [10, 0]]);
    const [first] = computeEventImpacts(ws, W, [ev(0)], { settleMs: 0 });
    expect(first).toMatchObject({ rateBefore: 0, peakDuring: 0.5, recoveryMs: 1000 });
    const [late] = computeEventImpacts(ws, W, [ev(10_000)]);
    expect(late).toMatchObject({ peakDuring: 0, recoveryMs: null, errorsAttributed: 0 });
    expect(computeEventImpacts([], W, [ev(0)])[0].recoveryMs).toBeNull();
  });

  it("when never recovered, attributes errors up to the next event", () => {
    const ws = windows([[10, 0], [10, 0], [10, 9], [10, 9], [10, 9], [10, 9], [10, 9], [10, 9]]);
    const impacts = computeEventImpacts(ws, W, [ev(2_000, 2_000, "a"), ev(5_000, 5_000, "b")], { settleMs: 0 });
    expect(impacts[0].recoveryMs).toBeNull();
    expect(impacts[0].errorsAttributed).toBe(27); // windows 2,3,4
    expect(impacts[1].errorsAttributed).toBe(27); // windows 5,6,7
  });
});

describe("what counts as an error", () => {
  it("HTTP-status failure kinds on polling mirror a failed request; others stand alone", () => {
    expect(isStandaloneFailure("session_unknown", "polling")).toBe(false);
    expect(isStandaloneFailure("bad_gateway", "http")).toBe(false);
    expect(isStandaloneFailure("network", "polling")).toBe(false);
    expect(isStandaloneFailure("session_unknown", "websocket")).toBe(true);
    expect(isStandaloneFailure("ws_close_1006", "websocket")).toBe(true);
    expect(isStandaloneFailure("ping_timeout", "polling")).toBe(true);
    expect(isStandaloneFailure("server_close", "polling")).toBe(true);
    expect(isStandaloneFailure("protocol_error", undefined)).toBe(true);
  });

  it("rates are capped at 1 and 0 without outcomes", () => {
    expect(errorRate(3, 0)).toBe(1);
    expect(errorRate(0, 0)).toBe(0);
    expect(errorRate(5, 2)).toBe(1);
    expect(errorRate(1, 4)).toBe(0.25);
  });

  it("windows saved without an errors field fall back to failed statuses", () => {
    expect(windowErrors({ start: 0, requests: 5, statuses: { "200": 2, "0": 1, "502": 2 }, failures: {}, sessionsOpened: 0, sessionsLost: 0, reconnects: 0, keepalive: {} })).toBe(3);
  });
});
