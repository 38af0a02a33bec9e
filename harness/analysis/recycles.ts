// Worker recycles nobody scheduled: the app's own max-requests limit restarting a worker.
// They come from app logs, not from the timeline, and become `max-requests-recycle` events:
//   Node reference app: a JSON line {"event":"worker_recycle","reason":"max_requests",…}
//   gunicorn (stderr):  [2026-01-02 15:04:05 +0000] [4242] [INFO] Autorestarting worker after current request.
// A recycle is an instant (start = end); the impact analysis adds its settle time after it.
import type { RunEvent } from "./types.ts";
import { parseLogTime } from "./access-log.ts";

export const RECYCLE_EVENT = "max-requests-recycle";

/** A log line, optionally with the time and source the log collector saw it at. */
export type LogLine = string | { text: string; time?: number; source?: string };

const GUNICORN_RECYCLE = "Autorestarting worker after current request.";
/** gunicorn's default: "[%Y-%m-%d %H:%M:%S %z] [pid] [LEVEL] message". */
const GUNICORN_PREFIX = /^\[(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:[.,](\d+))? ([+-]\d{2}):?(\d{2})\] \[(\d+)\]/;

function gunicornTime(m: RegExpExecArray): number {
  const frac = m[3] ? `.${m[3].slice(0, 3)}` : "";
  return Date.parse(`${m[1]}T${m[2]}${frac}${m[4]}:${m[5]}`);
}

function fromJson(text: string): { time: number; target?: string } | null {
  const brace = text.indexOf("{");
  if (brace < 0 || !text.includes("worker_recycle")) return null;
  let rec: Record<string, unknown>;
  try {
    const v: unknown = JSON.parse(text.slice(brace));
    if (v === null || typeof v !== "object") return null;
    rec = v as Record<string, unknown>;
  } catch {
    return null;
  }
  if (rec.event !== "worker_recycle" || rec.reason !== "max_requests") return null;
  const rawTime = rec.time ?? rec.ts ?? rec.timestamp ?? rec.t;
  const time = rawTime === undefined ? Number.NaN : parseLogTime(rawTime);
  const pid = rec.pid ?? rec.worker;
  const target = typeof rec.instance === "string" ? rec.instance : pid !== undefined ? `pid:${String(pid)}` : undefined;
  return { time, target };
}

/**
 * `max-requests-recycle` events found in app log lines, in time order. Lines with no time of
 * their own use the time given with them; lines with neither are skipped.
 */
export function detectRecyclesFromLogs(lines: Iterable<LogLine>): RunEvent[] {
  const events: RunEvent[] = [];
  for (const line of lines) {
    const text = typeof line === "string" ? line : line.text;
    const given = typeof line === "string" ? undefined : line;
    let found: { time: number; target?: string; detail: string } | null = null;
    if (text.includes(GUNICORN_RECYCLE)) {
      const m = GUNICORN_PREFIX.exec(text);
      found = {
        time: m ? gunicornTime(m) : Number.NaN,
        target: m ? `pid:${m[6]}` : undefined,
        detail: `gunicorn: ${GUNICORN_RECYCLE}`,
      };
    } else {
      const j = fromJson(text);
      if (j) found = { ...j, detail: "app: worker_recycle (max_requests)" };
    }
    if (!found) continue;
    // The collector's own timestamp is finer than gunicorn's whole seconds: prefer it.
    const time = given?.time ?? found.time;
    if (!Number.isFinite(time)) continue;
    const target = given?.source && found.target ? `${given.source} ${found.target}` : (given?.source ?? found.target);
    const ev: RunEvent = { name: RECYCLE_EVENT, start: time, end: time, ok: true, detail: found.detail };
    if (target) ev.target = target;
    events.push(ev);
  }
  return events.sort((a, b) => a.start - b.start);
}
