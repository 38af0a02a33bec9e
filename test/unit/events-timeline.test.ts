import { describe, expect, it } from "vitest";
import { parseEventSpec, scheduleOffsets } from "../../harness/events/spec.ts";
import { startTimeline, type Clock } from "../../harness/events/timeline.ts";
import type { StackControl } from "../../harness/stack/types.ts";
import { UserError } from "../../harness/errors.ts";

/** Virtual time: sleeping advances the clock instantly. */
function fakeClock(start = 1_000_000): Clock & { t: number } {
  const c = {
    t: start,
    now: () => c.t,
    sleep: async (ms: number) => {
      c.t += ms;
    },
  };
  return c;
}

/** Records calls; every action "takes" 250 ms of virtual time. */
function recordingControl(clock: { t: number }, calls: string[]): StackControl {
  const act = (name: string) => async () => {
    calls.push(name);
    clock.t += 250;
    return `${name} done`;
  };
  return {
    instances: () => ["app1", "app2"],
    workers: async () => [{ instance: "app1", pid: 4242 }],
    recycle: async (t) => act(`recycle ${JSON.stringify(t ?? null)}`)(),
    kill: async (t) => act(`kill ${JSON.stringify(t)}`)(),
    scale: async (n) => act(`scale ${n}`)(),
    redisStop: act("redis-stop"),
    redisStart: act("redis-start"),
    proxyReload: act("proxy-reload"),
    backendDown: async (i) => act(`backend-down ${i}`)(),
    backendUp: async (i) => act(`backend-up ${i}`)(),
    staleUpstream: async () => {
      throw new Error("proxy has no upstream block");
    },
  };
}

describe("event specs", () => {
  it("parses offsets, targets and periodic entries", () => {
    expect(parseEventSpec("30s:recycle")).toMatchObject({ action: "recycle", atMs: 30_000 });
    expect(parseEventSpec("1m30s:backend-down app2")).toMatchObject({ action: "backend-down", target: "app2", atMs: 90_000 });
    expect(parseEventSpec("every 60s:recycle")).toMatchObject({ everyMs: 60_000, atMs: 60_000 });
    expect(parseEventSpec("every 5m from 2m:kill pid:77")).toMatchObject({ everyMs: 300_000, atMs: 120_000, target: "pid:77" });
    expect(parseEventSpec({ at: "10s", action: "scale", target: 4 })).toMatchObject({ action: "scale", target: "4", atMs: 10_000 });
  });

  it.each([
    ["30s:explode", /unknown action "explode"/],
    ["recycle", /not of the form/],
    ["10x:recycle", /not a duration/],
    ["10s:scale", /needs the new instance count/],
    ["10s:backend-down server9", /write an instance id like app2/],
    ["every 100ms:recycle", /more often than once a second/],
  ])("rejects %s with one clear sentence", (spec, message) => {
    expect(() => parseEventSpec(spec)).toThrow(UserError);
    expect(() => parseEventSpec(spec)).toThrow(message);
  });

  it("expands periodic entries inside the duration and rejects events after the end", () => {
    const offsets = scheduleOffsets([parseEventSpec("every 20s:recycle"), parseEventSpec("30s:redis-stop")], 70_000);
    expect(offsets.map((o) => [o.atMs, o.entry.action])).toEqual([
      [20_000, "recycle"],
      [30_000, "redis-stop"],
      [40_000, "recycle"],
      [60_000, "recycle"],
    ]);
    expect(() => scheduleOffsets([parseEventSpec("90s:recycle")], 60_000)).toThrow(/after the load ends/);
  });
});

describe("timeline", () => {
  it("fires each event at its offset and records start and end", async () => {
    const clock = fakeClock();
    const calls: string[] = [];
    const ac = new AbortController();
    const run = startTimeline({
      entries: ["10s:recycle", "20s:backend-down app2", "25s:backend-up app2", "40s:stale-upstream"].map((s) => parseEventSpec(s)),
      durationMs: 60_000,
      control: recordingControl(clock, calls),
      startedAt: clock.t,
      signal: ac.signal,
      clock,
    });
    const events = await run.done;
    expect(calls).toEqual(["recycle null", "backend-down app2", "backend-up app2"]);
    expect(events.map((e) => [e.name, e.start - 1_000_000, e.end - e.start, e.ok])).toEqual([
      ["recycle", 10_000, 250, true],
      ["backend-down", 20_000, 250, true],
      ["backend-up", 25_000, 250, true],
      ["stale-upstream", 40_000, 0, false],
    ]);
    expect(events[3].detail).toMatch(/failed: proxy has no upstream block/);
    expect(run.next()).toBeNull();
  });

  it("fires nothing more once aborted", async () => {
    const clock = fakeClock();
    const calls: string[] = [];
    const ac = new AbortController();
    const control = recordingControl(clock, calls);
    const originalRedisStop = control.redisStop;
    control.redisStop = async () => {
      ac.abort();
      return originalRedisStop();
    };
    const run = startTimeline({
      entries: ["5s:redis-stop", "15s:redis-start", "every 10s:recycle"].map((s) => parseEventSpec(s)),
      durationMs: 60_000,
      control,
      startedAt: clock.t,
      signal: ac.signal,
      clock,
    });
    const events = await run.done;
    expect(events.map((e) => e.name)).toEqual(["redis-stop"]);
    expect(calls).toEqual(["redis-stop"]);
  });

  it("kills the first worker when kill has no target", async () => {
    const clock = fakeClock();
    const calls: string[] = [];
    const run = startTimeline({
      entries: [parseEventSpec("1s:kill")],
      durationMs: 5_000,
      control: recordingControl(clock, calls),
      startedAt: clock.t,
      signal: new AbortController().signal,
      clock,
    });
    await run.done;
    expect(calls).toEqual(['kill {"pid":4242,"instance":"app1"}']);
  });
});
