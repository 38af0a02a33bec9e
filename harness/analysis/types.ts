// Data shapes between the stages of a run: what the analysis consumes (samples, events,
// access-log lines) and what it produces (AnalysedRun), which every report renders.

/** One k6 Point, as parsed from k6's JSON output stream. */
export interface Sample {
  metric: string;
  /** Epoch milliseconds. */
  time: number;
  value: number;
  tags: Record<string, string>;
}

/** A disruption fired during the run, with when it started and ended (epoch ms). */
export interface RunEvent {
  name: string; // recycle | kill | scale | redis-stop | ... | max-requests-recycle (detected)
  target?: string;
  start: number;
  end: number;
  detail?: string;
  /** false when the action itself failed; the error text is in detail. */
  ok: boolean;
}

/** One line of the proxy access log, normalised. */
export interface AccessLogEntry {
  time: number;
  status: number;
  upstream?: string;
  requestTime?: number;
  uri?: string;
}

export interface Percentiles {
  count: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

/** Counts inside one time window (e.g. 1 s or 5 s). */
export interface WindowCounts {
  start: number; // epoch ms
  requests: number;
  /** HTTP status → count (k6 http_reqs), "0" for network errors. */
  statuses: Record<string, number>;
  /** failure kind → count (sio_failures). */
  failures: Record<string, number>;
  sessionsOpened: number;
  sessionsLost: number;
  reconnects: number;
  /** keepalive health → count. */
  keepalive: Record<string, number>;
}

export interface BreakdownRow {
  key: string; // e.g. "polling/poll"
  requests: number;
  statuses: Record<string, number>;
  failures: Record<string, number>;
  latency: Percentiles;
}

export interface EventImpact {
  event: RunEvent;
  /** Error rate (share of requests that failed, 0..1) in the baseline before the event. */
  rateBefore: number;
  /** Highest windowed error rate from start to end+settle. */
  peakDuring: number;
  /** Failures counted between start and the return to baseline. */
  errorsAttributed: number;
  /** ms from event end until the windowed error rate returned to baseline; null if never. */
  recoveryMs: number | null;
  sessionsLost: number;
  statuses: Record<string, number>;
}

export interface ReconciliationRow {
  windowStart: number;
  status: string;
  k6: number;
  proxy: number;
  /** true when the difference exceeds the tolerance. */
  mismatch: boolean;
}

export interface ThresholdResult {
  name: string; // e.g. "session_unknown_rate"
  expression: string; // e.g. "< 0.1%"
  measured: number;
  display: string; // e.g. "12.5 %"
  pass: boolean;
  /** Which requests it looks at, e.g. "outside event windows". */
  scope?: string;
}

export interface AnalysedRun {
  schemaVersion: 1;
  runId: string;
  profile: string;
  startedAt: number;
  endedAt: number;
  /** true when the run was interrupted (Ctrl-C) or k6 failed: the report is partial. */
  partial: boolean;
  command: string;
  topology: unknown; // the Topology, or a description of a user target
  target: string;
  windowMs: number;
  windows: WindowCounts[];
  totals: {
    requests: number;
    statuses: Record<string, number>;
    failures: Record<string, number>;
    wsCloses: Record<string, number>;
    sessionsOpened: number;
    sessionsLost: number;
    reconnects: number;
    upgrades: number;
    keepalive: Record<string, number>;
  };
  breakdown: BreakdownRow[];
  latency: { http: Percentiles; connect: Percentiles; ackRtt: Percentiles; keepalive: Percentiles };
  events: EventImpact[];
  reconciliation: { rows: ReconciliationRow[]; mismatches: number; proxyTotal: number; k6Total: number } | null;
  thresholds: ThresholdResult[];
  verdict: "pass" | "fail" | "error";
  notes: string[];
}
