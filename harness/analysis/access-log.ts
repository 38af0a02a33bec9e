// Proxy access-log lines (JSON, one per request) → AccessLogEntry.
// nginx:   {"time":"$time_iso8601","msec":"$msec","status":$status,"upstream":"$upstream_addr",
//           "upstream_status":"$upstream_status","request_time":$request_time,"uri":"$uri","args":"$args"}
// HAProxy: the same keys from its log-format; "time" may be epoch ms (or s) instead of ISO, and
//          "request_time_ms" may replace "request_time" (seconds). Anything before the first "{"
//          (a syslog header) is ignored.
// Times are the END of the request (nginx logs at completion; $msec is the log time), the same
// instant k6 stamps its http_reqs samples with, so both land in the same window.
import type { AccessLogEntry } from "./types.ts";

const LIST_SPLIT = /\s*,\s*|\s+:\s+/; // nginx: ", " between retries, " : " across internal redirects

function present(v: unknown): boolean {
  return v !== undefined && v !== null && v !== "" && v !== "-";
}

function num(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "string" && v.trim() !== "" && v !== "-") return Number(v);
  return Number.NaN;
}

/** Epoch ms from a number or string: ≥ 1e11 is ms, otherwise seconds (with decimals); else ISO 8601. */
export function parseLogTime(v: unknown): number {
  const n = num(v);
  if (Number.isFinite(n)) return n >= 1e11 ? n : Math.round(n * 1000);
  if (typeof v === "string") return Date.parse(v);
  return Number.NaN;
}

function list(v: unknown): string[] {
  if (!present(v)) return [];
  return String(v)
    .split(LIST_SPLIT)
    .map((s) => s.trim())
    .filter((s) => s !== "" && s !== "-");
}

/** One access-log line, or null when it is not a JSON access-log record with a time and a status. */
export function parseAccessLogLine(line: string): AccessLogEntry | null {
  const brace = line.indexOf("{");
  if (brace < 0) return null;
  let rec: Record<string, unknown>;
  try {
    const v: unknown = JSON.parse(brace === 0 ? line : line.slice(brace));
    if (v === null || typeof v !== "object" || Array.isArray(v)) return null;
    rec = v as Record<string, unknown>;
  } catch {
    return null;
  }
  const time = present(rec.msec) ? parseLogTime(rec.msec) : parseLogTime(rec.time);
  const status = num(rec.status);
  if (!Number.isFinite(time) || !Number.isInteger(status)) return null;

  const entry: AccessLogEntry = { time, status };
  if (present(rec.upstream)) {
    entry.upstream = String(rec.upstream);
    entry.upstreams = list(rec.upstream);
  }
  const upstreamStatuses = list(rec.upstream_status).map(Number).filter(Number.isFinite);
  if (upstreamStatuses.length) entry.upstreamStatuses = upstreamStatuses;
  const rtMs = num(rec.request_time_ms);
  const rtS = num(rec.request_time);
  if (Number.isFinite(rtMs)) entry.requestTime = rtMs;
  else if (Number.isFinite(rtS)) entry.requestTime = Math.round(rtS * 1000 * 1000) / 1000;
  if (present(rec.uri)) entry.uri = String(rec.uri);
  if (present(rec.args)) entry.args = String(rec.args);
  // HAProxy may log the query inside the uri instead of a separate args field.
  entry.websocket = status === 101 || /(?:^|[?&])transport=websocket(?:&|$)/.test(`${entry.args ?? ""}&${entry.uri ?? ""}`);
  return entry;
}

/** True when nginx tried more than one upstream for this request. */
export function wasRetried(e: AccessLogEntry): boolean {
  return (e.upstreams?.length ?? 0) > 1;
}
