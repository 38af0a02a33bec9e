// The disruption timeline as users write it, parsed into typed entries.
//   "30s:recycle"              one event at an offset from the start of the load
//   "45s:backend-down app2"    with a target (instance id, pid, or a count for scale)
//   "every 60s:recycle"        periodic, for soaks
//   "every 5m from 2m:kill"    periodic with a first offset
import { UserError } from "../errors.ts";
import { parseDuration } from "../config/duration.ts";

export const EVENT_ACTIONS = [
  "recycle",
  "kill",
  "scale",
  "redis-stop",
  "redis-start",
  "proxy-reload",
  "backend-down",
  "backend-up",
  "stale-upstream",
] as const;
export type EventAction = (typeof EVENT_ACTIONS)[number];

export interface TimelineEntry {
  action: EventAction;
  /** Instance id ("app2"), a worker pid ("pid:1234"), or the instance count for scale. */
  target?: string;
  atMs: number;
  /** Set for periodic entries. */
  everyMs?: number;
  /** The text the user wrote, for messages and reports. */
  source: string;
}

/** Object form accepted in config files. */
export interface TimelineObject {
  at?: string;
  every?: string;
  from?: string;
  action: string;
  target?: string | number;
}

function parseAction(text: string, source: string): EventAction {
  if ((EVENT_ACTIONS as readonly string[]).includes(text)) return text as EventAction;
  throw new UserError(`event "${source}" has an unknown action "${text}"; use one of: ${EVENT_ACTIONS.join(", ")}.`);
}

function checkTarget(action: EventAction, target: string | undefined, source: string): void {
  if (action === "scale" && !(target && /^\d+$/.test(target) && Number(target) >= 1)) {
    throw new UserError(`event "${source}" needs the new instance count, like "60s:scale 4".`);
  }
  if (action === "kill" && target === undefined) return; // kills one worker of the first instance
  if (target !== undefined && action !== "scale" && !/^(app\d+|pid:\d+|all)$/.test(target)) {
    throw new UserError(`event "${source}" has target "${target}"; write an instance id like app2, a worker as pid:1234, or all.`);
  }
}

export function parseEventSpec(spec: string | TimelineObject): TimelineEntry {
  if (typeof spec !== "string") return parseEventObject(spec);
  const source = spec.trim();
  const colon = source.indexOf(":");
  if (colon <= 0) {
    throw new UserError(`event "${spec}" is not of the form <offset>:<action> [target] or every <interval>:<action>, e.g. 30s:recycle.`);
  }
  const when = source.slice(0, colon).trim();
  const [actionText, target, ...extra] = source.slice(colon + 1).trim().split(/\s+/);
  if (extra.length) throw new UserError(`event "${spec}" has more than one target; give one target per event.`);
  const action = parseAction(actionText, source);
  checkTarget(action, target, source);
  const every = /^every\s+(\S+)(?:\s+from\s+(\S+))?$/.exec(when);
  if (every) {
    const everyMs = parseDuration(every[1], `interval in event "${spec}"`);
    if (everyMs < 1000) throw new UserError(`event "${spec}" repeats more often than once a second; use an interval of 1s or more.`);
    const atMs = every[2] ? parseDuration(every[2], `offset in event "${spec}"`) : everyMs;
    return { action, target, atMs, everyMs, source };
  }
  return { action, target, atMs: parseDuration(when, `offset in event "${spec}"`), source };
}

function parseEventObject(obj: TimelineObject): TimelineEntry {
  if (!obj || typeof obj !== "object" || typeof obj.action !== "string") {
    throw new UserError(`an event entry must be a string like "30s:recycle" or an object like { at: "30s", action: "recycle" }.`);
  }
  const target = obj.target === undefined ? "" : ` ${obj.target}`;
  if (obj.every) return parseEventSpec(`every ${obj.every}${obj.from ? ` from ${obj.from}` : ""}:${obj.action}${target}`);
  if (obj.at) return parseEventSpec(`${obj.at}:${obj.action}${target}`);
  throw new UserError(`event { action: "${obj.action}" } needs "at" (an offset like 30s) or "every" (an interval).`);
}

/** Expands entries into concrete firing offsets within the run's duration, sorted. */
export function scheduleOffsets(entries: TimelineEntry[], durationMs: number): Array<{ entry: TimelineEntry; atMs: number }> {
  const out: Array<{ entry: TimelineEntry; atMs: number }> = [];
  for (const entry of entries) {
    if (entry.atMs >= durationMs) {
      throw new UserError(`event "${entry.source}" is at ${entry.atMs / 1000}s, after the load ends at ${durationMs / 1000}s; move it earlier or lengthen --duration.`);
    }
    if (entry.everyMs) {
      for (let t = entry.atMs; t < durationMs; t += entry.everyMs) out.push({ entry, atMs: t });
    } else {
      out.push({ entry, atMs: entry.atMs });
    }
  }
  return out.sort((a, b) => a.atMs - b.atMs);
}
