// Fires the disruption timeline against a running stack while k6 runs.
// Time comes from an injectable clock so tests run in fake time.
import type { RunEvent } from "../analysis/types.ts";
import type { StackControl } from "../stack/types.ts";
import { scheduleOffsets, type TimelineEntry } from "./spec.ts";

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        signal?.removeEventListener("abort", done);
        clearTimeout(timer);
        resolve();
      }
      signal?.addEventListener("abort", done, { once: true });
    }),
};

/** Runs one entry against the stack; returns the action's own description. */
export async function fireAction(control: StackControl, entry: TimelineEntry): Promise<string> {
  const target = entry.target;
  const asInstance = target && /^app\d+$/.test(target) ? target : undefined;
  const asPid = target?.startsWith("pid:") ? Number(target.slice(4)) : undefined;
  switch (entry.action) {
    case "recycle":
      return control.recycle(target === "all" || !target ? undefined : { instance: asInstance, pid: asPid });
    case "kill": {
      if (asInstance || asPid) return control.kill({ instance: asInstance, pid: asPid });
      const [first] = await control.workers();
      if (!first) throw new Error("no worker to kill");
      return control.kill({ pid: first.pid, instance: first.instance });
    }
    case "scale":
      return control.scale(Number(target));
    case "redis-stop":
      return control.redisStop();
    case "redis-start":
      return control.redisStart();
    case "proxy-reload":
      return control.proxyReload();
    case "backend-down":
      return control.backendDown(asInstance);
    case "backend-up":
      return control.backendUp(asInstance);
    case "stale-upstream":
      return control.staleUpstream();
  }
}

export interface TimelineRun {
  /** Resolves when every scheduled event fired or the run was aborted. */
  done: Promise<RunEvent[]>;
  /** Events fired so far (including one in progress, with end = start). */
  fired(): RunEvent[];
  /** The next scheduled event, for the progress line. */
  next(): { source: string; inMs: number } | null;
}

export function startTimeline(opts: {
  entries: TimelineEntry[];
  durationMs: number;
  control: StackControl;
  startedAt: number;
  signal: AbortSignal;
  clock?: Clock;
  onEvent?: (event: RunEvent) => void;
}): TimelineRun {
  const clock = opts.clock ?? realClock;
  const schedule = scheduleOffsets(opts.entries, opts.durationMs);
  const fired: RunEvent[] = [];
  let cursor = 0;

  const done = (async () => {
    for (; cursor < schedule.length; cursor++) {
      const { entry, atMs } = schedule[cursor];
      const wait = opts.startedAt + atMs - clock.now();
      if (wait > 0) await clock.sleep(wait, opts.signal);
      // Once interrupted, no further events fire.
      if (opts.signal.aborted) break;
      const event: RunEvent = { name: entry.action, target: entry.target, start: clock.now(), end: clock.now(), ok: true };
      fired.push(event);
      try {
        event.detail = await fireAction(opts.control, entry);
      } catch (err) {
        event.ok = false;
        event.detail = `failed: ${(err as Error).message}`;
      }
      event.end = clock.now();
      opts.onEvent?.(event);
    }
    return fired;
  })();

  return {
    done,
    fired: () => fired,
    next: () => {
      const item = schedule[cursor];
      if (!item) return null;
      return { source: item.entry.source, inMs: Math.max(0, opts.startedAt + item.atMs - clock.now()) };
    },
  };
}
