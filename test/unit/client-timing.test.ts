// The client's pure timing modules (heartbeat watchdog, ack tracking, reconnect backoff)
// driven by vitest's fake clock through the same Timers seam k6 fills with k6/timers.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Heartbeat } from "../../scenarios/lib/heartbeat.ts";
import { AckError, AckTracker } from "../../scenarios/lib/acks.ts";
import { backoffDelay, shouldRetry, type ReconnectPolicy } from "../../scenarios/lib/reconnect.ts";
import type { Timers } from "../../scenarios/lib/clock.ts";

const timers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
};

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("Heartbeat", () => {
  it("fires once when no ping comes within pingInterval + pingTimeout", () => {
    const onTimeout = vi.fn();
    const hb = new Heartbeat(timers, onTimeout);
    hb.start(1000, 500);
    vi.advanceTimersByTime(1499);
    expect(onTimeout).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onTimeout).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(10_000);
    expect(onTimeout).toHaveBeenCalledTimes(1);
    expect(hb.active).toBe(false);
  });

  it("each ping restarts the budget", () => {
    const onTimeout = vi.fn();
    const hb = new Heartbeat(timers, onTimeout);
    hb.start(1000, 500);
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(1400);
      hb.onPing();
    }
    expect(onTimeout).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1500);
    expect(onTimeout).toHaveBeenCalledTimes(1);
  });

  it("stop disarms for good, even if a ping comes later", () => {
    const onTimeout = vi.fn();
    const hb = new Heartbeat(timers, onTimeout);
    hb.start(100, 100);
    hb.stop();
    hb.onPing();
    hb.stop();
    vi.advanceTimersByTime(1000);
    expect(onTimeout).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("AckTracker", () => {
  it("gives increasing ids and resolves with the round-trip time", async () => {
    const acks = new AckTracker(timers, () => Date.now());
    const a = acks.register(5000);
    const b = acks.register(5000);
    expect([a.id, b.id]).toEqual([0, 1]);
    vi.advanceTimersByTime(42);
    expect(acks.resolve(1, ["x", 1])).toBe(true);
    await expect(b.result).resolves.toEqual({ args: ["x", 1], rttMs: 42 });
    expect(acks.size).toBe(1);
    expect(acks.resolve(1, [])).toBe(false);
    expect(acks.resolve(99, [])).toBe(false);
    acks.failAll();
    await expect(a.result).rejects.toBeInstanceOf(AckError);
  });

  it("times out, and a late ack is ignored", async () => {
    const acks = new AckTracker(timers, () => Date.now());
    const a = acks.register(100);
    const settled = a.result.catch((e: AckError) => e.reason);
    vi.advanceTimersByTime(100);
    expect(await settled).toBe("timeout");
    expect(acks.resolve(a.id, [])).toBe(false);
    expect(acks.size).toBe(0);
  });

  it("failAll rejects every pending ack as disconnected and clears the timers", async () => {
    const acks = new AckTracker(timers, () => Date.now());
    const all = [acks.register(1000), acks.register(1000)].map((p) => p.result.catch((e: AckError) => e.reason));
    acks.failAll();
    expect(await Promise.all(all)).toEqual(["disconnected", "disconnected"]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("backoffDelay", () => {
  const policy: ReconnectPolicy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 1000, jitter: 0 };

  it("doubles per attempt up to the cap without jitter", () => {
    expect([1, 2, 3, 4, 5, 6, 40].map((n) => backoffDelay(n, policy))).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it("jitter stays within ±jitter of the nominal delay and under the cap", () => {
    const jittery = { ...policy, jitter: 0.5 };
    for (let i = 0; i < 200; i++) {
      const r = i / 200;
      const d = backoffDelay(2, jittery, () => r);
      expect(d).toBeGreaterThanOrEqual(100);
      expect(d).toBeLessThanOrEqual(300);
    }
    // both directions occur
    const seen = new Set([0.05, 0.15].map((r) => Math.sign(backoffDelay(2, jittery, () => r) - 200)));
    expect(seen).toEqual(new Set([-1, 1]));
  });

  it("bounds the attempts", () => {
    expect(shouldRetry(0, policy)).toBe(true);
    expect(shouldRetry(4, policy)).toBe(true);
    expect(shouldRetry(5, policy)).toBe(false);
    expect(shouldRetry(0, { ...policy, attempts: 0 })).toBe(false);
  });
});
