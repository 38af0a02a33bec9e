// Reconciliation: does k6's count of HTTP answers agree with the proxy's access log?
//
// Compared, per window and per status class ("2xx", "3xx", then each 4xx/5xx code on its own):
//   k6     http_reqs by status, plus websocket dials (ws_sessions) the proxy did NOT upgrade
//          (status tag present and not 101: a refused handshake is an ordinary HTTP answer)
//   proxy  every access-log line except 101s
// Not compared (counted apart in `excluded`):
//   101    a websocket upgrade: k6 stamps it when the dial starts, the proxy logs it when the
//          tunnel closes (minutes later), so the two never fall in the same window
//   k6 "0" no answer reached k6 (refused, reset, client timeout) — the proxy may have logged 499,
//          something else, or nothing
//   499    nginx's "client closed the request": the other side of k6's "0"
// A row is a mismatch when |k6 − proxy| > max(absolute, relative × max(k6, proxy)).
import type { ReconciliationRow } from "./types.ts";
import { inc, type CountMap } from "./counts.ts";

export interface ReconcileTolerance {
  /** Default 2 requests. */
  absolute: number;
  /** Default 0.02 (2 %). */
  relative: number;
}

export const DEFAULT_TOLERANCE: ReconcileTolerance = { absolute: 2, relative: 0.02 };

/** Status class compared, or null for statuses left out of the comparison. */
export function statusClass(status: string | number): string | null {
  const n = typeof status === "number" ? status : Number(status);
  if (!Number.isInteger(n) || n <= 0 || n === 101 || n === 499) return null;
  if (n >= 200 && n < 300) return "2xx";
  if (n >= 300 && n < 400) return "3xx";
  if (n < 200) return "1xx";
  return String(n);
}

export interface ReconcileWindow {
  windowStart: number;
  /** Status class → count. */
  k6: ReadonlyMap<string, number>;
  proxy: ReadonlyMap<string, number>;
}

export interface Reconciliation {
  rows: ReconciliationRow[];
  mismatches: number;
  proxyTotal: number;
  k6Total: number;
  /** Per status class over the whole run. */
  byStatus: Record<string, { k6: number; proxy: number }>;
  /** What was left out of the comparison, per side and status. */
  excluded: { k6: Record<string, number>; proxy: Record<string, number> };
  /** Proxy lines where the proxy tried more than one upstream (nginx retry). */
  retried: number;
  /** Rows dropped (all of them matching) to keep the output within maxRows. */
  rowsOmitted: number;
}

export function isMismatch(k6: number, proxy: number, tol: ReconcileTolerance = DEFAULT_TOLERANCE): boolean {
  return Math.abs(k6 - proxy) > Math.max(tol.absolute, tol.relative * Math.max(k6, proxy));
}

/**
 * Compares per-window counts already grouped by status class. Rows with both sides at zero are
 * left out; past maxRows only mismatching rows are kept (rowsOmitted says how many went).
 */
export function reconcileWindows(
  windows: readonly ReconcileWindow[],
  tol: ReconcileTolerance = DEFAULT_TOLERANCE,
  maxRows = 20_000,
): Omit<Reconciliation, "excluded" | "retried"> {
  const rows: ReconciliationRow[] = [];
  const byStatus: Record<string, { k6: number; proxy: number }> = {};
  let mismatches = 0;
  let k6Total = 0;
  let proxyTotal = 0;
  for (const w of windows) {
    const classes = new Set([...w.k6.keys(), ...w.proxy.keys()]);
    for (const status of [...classes].sort((a, b) => a.localeCompare(b, "en", { numeric: true }))) {
      const k6 = w.k6.get(status) ?? 0;
      const proxy = w.proxy.get(status) ?? 0;
      if (k6 === 0 && proxy === 0) continue;
      const mismatch = isMismatch(k6, proxy, tol);
      if (mismatch) mismatches++;
      rows.push({ windowStart: w.windowStart, status, k6, proxy, mismatch });
      k6Total += k6;
      proxyTotal += proxy;
      const b = (byStatus[status] ??= { k6: 0, proxy: 0 });
      b.k6 += k6;
      b.proxy += proxy;
    }
  }
  let kept = rows;
  if (rows.length > maxRows) kept = rows.filter((r) => r.mismatch).slice(0, maxRows);
  return { rows: kept, mismatches, k6Total, proxyTotal, byStatus: sortedStatus(byStatus), rowsOmitted: rows.length - kept.length };
}

function sortedStatus(b: Record<string, { k6: number; proxy: number }>): Record<string, { k6: number; proxy: number }> {
  return Object.fromEntries(Object.entries(b).sort(([x], [y]) => x.localeCompare(y, "en", { numeric: true })));
}

/** Adds one status to class counts, or to `excluded` when it is not compared. */
export function countStatus(classes: CountMap, excluded: CountMap, status: string | number, n = 1): void {
  const c = statusClass(status);
  if (c === null) inc(excluded, String(status), n);
  else inc(classes, c, n);
}
