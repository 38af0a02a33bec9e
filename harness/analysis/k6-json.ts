// k6's JSON output (`k6 run --out json=<file|fifo>`): one NDJSON envelope per line.
//   {"type":"Metric","data":{"name":"http_reqs","type":"counter",…},"metric":"http_reqs"}   once per metric
//   {"metric":"http_reqs","type":"Point","data":{"time":"2026-…Z","value":1,"tags":{…}}}    one per sample
// This is the only module that knows that shape. Point lines of metrics the caller does not
// want are skipped before JSON.parse (k6 writes ~10 built-in samples per request; we read 2).
import type { Sample } from "./types.ts";

const POINT_PREFIX = '{"metric":"';

export interface K6ParserStats {
  /** Point lines turned into samples. */
  points: number;
  /** Metric envelopes (one per metric name). */
  metrics: number;
  /** Points of metrics nobody asked for. */
  skipped: number;
  /** Lines that were not a k6 envelope (truncated last line, garbage). */
  malformed: number;
}

export class K6JsonParser {
  readonly stats: K6ParserStats = { points: 0, metrics: 0, skipped: 0, malformed: 0 };
  private readonly wanted: ReadonlySet<string> | undefined;
  private lastPrefix = "";
  private lastBase = 0;

  /** @param wanted metric names to keep; all metrics when omitted. */
  constructor(wanted?: Iterable<string>) {
    this.wanted = wanted ? new Set(wanted) : undefined;
  }

  /** The sample on a Point line, or null for anything else (counted in stats). */
  parse(line: string): Sample | null {
    if (this.wanted && line.startsWith(POINT_PREFIX)) {
      const end = line.indexOf('"', POINT_PREFIX.length);
      if (end > 0 && !this.wanted.has(line.slice(POINT_PREFIX.length, end))) {
        this.stats.skipped++;
        return null;
      }
    }
    let env: unknown;
    try {
      env = JSON.parse(line);
    } catch {
      if (line.trim() !== "") this.stats.malformed++;
      return null;
    }
    if (env === null || typeof env !== "object") {
      this.stats.malformed++;
      return null;
    }
    const e = env as { type?: unknown; metric?: unknown; data?: unknown };
    if (e.type === "Metric") {
      this.stats.metrics++;
      return null;
    }
    if (e.type !== "Point" || typeof e.metric !== "string" || e.data === null || typeof e.data !== "object") {
      this.stats.malformed++;
      return null;
    }
    if (this.wanted && !this.wanted.has(e.metric)) {
      this.stats.skipped++;
      return null;
    }
    const d = e.data as { time?: unknown; value?: unknown; tags?: unknown };
    const time = typeof d.time === "string" ? this.parseTime(d.time) : Number.NaN;
    const value = typeof d.value === "number" ? d.value : Number.NaN;
    if (!Number.isFinite(time) || !Number.isFinite(value)) {
      this.stats.malformed++;
      return null;
    }
    const tags = d.tags !== null && typeof d.tags === "object" ? (d.tags as Record<string, string>) : {};
    this.stats.points++;
    return { metric: e.metric, time, value, tags };
  }

  /**
   * Epoch ms of an RFC 3339 time as Go writes it ("2026-01-02T15:04:05.123456789Z", or with an
   * offset). Sub-millisecond digits are dropped. UTC times reuse the parsed whole second.
   */
  parseTime(s: string): number {
    const n = s.length;
    if (n >= 20 && s.charCodeAt(n - 1) === 90 /* Z */ && s.charCodeAt(10) === 84 /* T */) {
      const c19 = s.charCodeAt(19);
      if (c19 === 46 /* . */ || c19 === 90) {
        const prefix = s.slice(0, 19);
        if (prefix !== this.lastPrefix) {
          const base = Date.parse(prefix + "Z");
          if (!Number.isFinite(base)) return Number.NaN;
          this.lastPrefix = prefix;
          this.lastBase = base;
        }
        let ms = 0;
        if (c19 === 46) {
          for (let i = 20, scale = 100; i < n - 1 && scale >= 1; i++, scale /= 10) {
            const d = s.charCodeAt(i) - 48;
            if (d < 0 || d > 9) return Date.parse(s);
            ms += d * scale;
          }
        }
        return this.lastBase + ms;
      }
    }
    return Date.parse(s);
  }
}

/** One-off parse of a single line (no metric filter). */
export function parseK6Line(line: string): Sample | null {
  return new K6JsonParser().parse(line);
}
