// Assertions shared by the scenario integration tests.
import { expect } from "vitest";
import { METRIC } from "../../../scenarios/lib/metrics.ts";
import { sumBy, type K6Point } from "./k6-points.ts";
import type { K6Result } from "./k6-run.ts";

/** A few seconds, a handful of clients: 2 VUs × 3 clients, an emit every 300 ms. */
export const SHORT_RUN: Record<string, string> = {
  DURATION: "4s",
  VUS: "2",
  CLIENTS_PER_VU: "3",
  EMIT_INTERVAL: "300ms",
  START_JITTER: "200ms",
};

function explain(r: K6Result): string {
  return `exit ${r.exitCode}\n--- stderr\n${r.stderr.slice(-3000)}\n--- stdout\n${r.stdout.slice(-2000)}`;
}

/** k6 exited 0 and not a single failure of any kind was recorded. */
export function expectCleanRun(r: K6Result): void {
  expect(r.exitCode, explain(r)).toBe(0);
  expect(r.points.length, explain(r)).toBeGreaterThan(0);
  expect(sumBy(r.points, METRIC.failures, "kind"), explain(r)).toEqual({});
  expect(sumBy(r.points, METRIC.sessionsLost, "kind"), explain(r)).toEqual({});
}

/** No sample carries a URL; request names are the few stable "<transport> <op>" values. */
export function expectStableTags(points: K6Point[]): void {
  const names = new Set<string>();
  for (const p of points) {
    expect(p.tags.url).toBeUndefined();
    if (p.tags.name !== undefined) names.add(p.tags.name);
  }
  for (const n of names) expect(n).toMatch(/^(polling|websocket|http) [a-z]+$/);
}
