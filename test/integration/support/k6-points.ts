// Reads k6's `--out json` file (NDJSON: Metric envelopes, then Points) and answers
// "how many / which samples of metric M carry tags T".

import { readFileSync } from "node:fs";

export interface K6Point {
  metric: string;
  time: string;
  value: number;
  tags: Record<string, string>;
}

export function readPoints(file: string): K6Point[] {
  const points: K6Point[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line) continue;
    const env = JSON.parse(line) as { type: string; metric: string; data: { time: string; value: number; tags?: Record<string, string> } };
    if (env.type !== "Point") continue;
    points.push({ metric: env.metric, time: env.data.time, value: env.data.value, tags: env.data.tags ?? {} });
  }
  return points;
}

export type TagFilter = Record<string, string | ((v: string | undefined) => boolean)>;

function matches(p: K6Point, filter: TagFilter): boolean {
  for (const [k, want] of Object.entries(filter)) {
    const have = p.tags[k];
    if (typeof want === "function" ? !want(have) : have !== want) return false;
  }
  return true;
}

export function samples(points: K6Point[], metric: string, filter: TagFilter = {}): K6Point[] {
  return points.filter((p) => p.metric === metric && matches(p, filter));
}

/** Sum of values (counters) or number of samples (trends: use samples().length). */
export function sum(points: K6Point[], metric: string, filter: TagFilter = {}): number {
  return samples(points, metric, filter).reduce((a, p) => a + p.value, 0);
}

/** Counter sums grouped by one tag's value. */
export function sumBy(points: K6Point[], metric: string, tag: string, filter: TagFilter = {}): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of samples(points, metric, filter)) {
    const key = p.tags[tag] ?? "";
    out[key] = (out[key] ?? 0) + p.value;
  }
  return out;
}
