// Per-event impact, computed from the run's windows (contiguous, windowMs apart).
//
// For an event [start, end] with settle time S:
//   baseline   windows lying wholly inside [start - baselineMs, start) that overlap no other
//              event's [start, end + S); rateBefore = their errors / their outcomes.
//   during     windows overlapping [start, end + S) (at least the window holding start):
//              peakDuring = the highest windowed error rate; statuses and sessionsLost are summed here.
//   recovery   "clean" = a window with outcomes whose error rate ≤ rateBefore + tolerance.
//              The search starts at the window holding `end`, or after the last non-clean window
//              of the during range if that is later; the first run of N consecutive clean windows
//              (empty windows neither count nor break the run) marks recovery at its first window:
//              recoveryMs = max(0, thatWindow.start - end). null when the data ends first.
//   attributed errors from the window holding start up to (not including) the recovery window;
//              if never recovered, up to the next event's start or the end of the run.
import type { EventImpact, RunEvent, WindowCounts } from "./types.ts";
import { addRecord, toRecord, type CountMap } from "./counts.ts";
import { errorRate, isEmptyWindow, windowErrorRate, windowErrors, windowOutcomes } from "./error-rate.ts";

export interface ImpactOptions {
  /** Time after an event's end still counted as "during". Default 10 s. */
  settleMs?: number;
  /** Baseline length before the event. Default 30 s. */
  baselineMs?: number;
  /** Consecutive clean windows that mean "recovered". Default 3. */
  recoveryWindows?: number;
  /** Absolute error-rate margin above the baseline still counted as clean. Default 0.01 (1 point). */
  recoveryTolerance?: number;
}

export const IMPACT_DEFAULTS: Required<ImpactOptions> = {
  settleMs: 10_000,
  baselineMs: 30_000,
  recoveryWindows: 3,
  recoveryTolerance: 0.01,
};

export interface TimeRange {
  start: number;
  end: number;
}

/** [start, end + settle) of every event: the time the run is "disturbed". */
export function eventRanges(events: readonly RunEvent[], settleMs: number): TimeRange[] {
  return events.map((e) => ({ start: e.start, end: Math.max(e.end + settleMs, e.start + 1) }));
}

/** For each window, whether it overlaps any range (windows windowMs apart, sorted). */
export function windowsInRanges(windows: readonly WindowCounts[], windowMs: number, ranges: readonly TimeRange[]): boolean[] {
  const inside = new Array<boolean>(windows.length).fill(false);
  if (!windows.length) return inside;
  const first = windows[0].start;
  for (const r of ranges) {
    for (let p = Math.max(0, Math.floor((r.start - first) / windowMs)); p < windows.length && windows[p].start < r.end; p++) {
      if (windows[p].start + windowMs > r.start) inside[p] = true;
    }
  }
  return inside;
}

export function computeEventImpacts(
  windows: readonly WindowCounts[],
  windowMs: number,
  events: readonly RunEvent[],
  options: ImpactOptions = {},
): EventImpact[] {
  const opts = { ...IMPACT_DEFAULTS, ...options };
  const ranges = eventRanges(events, opts.settleMs);
  const first = windows.length ? windows[0].start : 0;
  const grid: Grid = { windows, windowMs, pos: (t) => Math.floor((t - first) / windowMs), cover: new Uint32Array(windows.length) };
  // cover[p] = how many event ranges overlap window p (so "another event" is cover > own).
  for (const r of ranges) {
    for (let p = Math.max(0, grid.pos(r.start)); p < windows.length && windows[p].start < r.end; p++) grid.cover[p]++;
  }
  const starts = events.map((e) => e.start).sort((a, b) => a - b);
  return events.map((event, i) => impactOf(grid, event, ranges[i], nextAfter(starts, event.start), opts));
}

interface Grid {
  windows: readonly WindowCounts[];
  windowMs: number;
  pos: (t: number) => number;
  cover: Uint32Array;
}

/** The first value in sorted `xs` greater than x, or Infinity. */
function nextAfter(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo < xs.length ? xs[lo] : Infinity;
}

function impactOf(grid: Grid, event: RunEvent, range: TimeRange, nextStart: number, opts: Required<ImpactOptions>): EventImpact {
  const { windows, windowMs, pos } = grid;
  const ownCover = (p: number) => (windows[p].start < range.end && windows[p].start + windowMs > range.start ? 1 : 0);

  // Baseline.
  let bErrors = 0;
  let bOutcomes = 0;
  for (let p = Math.max(0, pos(event.start - opts.baselineMs)); p < windows.length; p++) {
    const w = windows[p];
    if (w.start + windowMs > event.start) break;
    if (w.start < event.start - opts.baselineMs) continue;
    if (grid.cover[p] - ownCover(p) > 0) continue;
    bErrors += windowErrors(w);
    bOutcomes += windowOutcomes(w);
  }
  const rateBefore = errorRate(bErrors, bOutcomes);
  const limit = rateBefore + opts.recoveryTolerance;
  const isClean = (w: WindowCounts) => windowOutcomes(w) > 0 && windowErrorRate(w) <= limit;

  // During.
  let peakDuring = 0;
  let sessionsLost = 0;
  let statuses: CountMap | null = null;
  let lastDirty = -1;
  const startPos = Math.max(0, pos(event.start));
  for (let p = startPos; p < windows.length && windows[p].start < range.end; p++) {
    const w = windows[p];
    if (w.start + windowMs <= event.start) continue;
    if (!isEmptyWindow(w)) peakDuring = Math.max(peakDuring, windowErrorRate(w));
    sessionsLost += w.sessionsLost;
    statuses = addRecord(statuses, w.statuses);
    if (!isEmptyWindow(w) && !isClean(w)) lastDirty = p;
  }

  // Recovery.
  let recoveryPos = -1;
  let streakStart = -1;
  let streak = 0;
  for (let p = Math.max(0, pos(event.end), lastDirty + 1); p < windows.length; p++) {
    const w = windows[p];
    if (isEmptyWindow(w)) continue;
    if (!isClean(w)) {
      streak = 0;
      continue;
    }
    if (streak === 0) streakStart = p;
    if (++streak >= opts.recoveryWindows) {
      recoveryPos = streakStart;
      break;
    }
  }
  const recoveryMs = recoveryPos >= 0 ? Math.max(0, windows[recoveryPos].start - event.end) : null;

  // Attribution.
  let errorsAttributed = 0;
  const stopPos = recoveryPos >= 0 ? recoveryPos : nextStart === Infinity ? windows.length : Math.min(windows.length, Math.max(0, pos(nextStart)));
  for (let p = startPos; p < stopPos; p++) errorsAttributed += windowErrors(windows[p]);

  return { event, rateBefore, peakDuring, errorsAttributed, recoveryMs, sessionsLost, statuses: toRecord(statuses) };
}
