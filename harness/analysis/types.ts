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
  /** Epoch ms when the request ended (nginx $msec; HAProxy %[date(0,ms)] at log time). */
  time: number;
  status: number;
  /** As logged: one address, or several ("a, b") when nginx retried. */
  upstream?: string;
  /** Milliseconds. */
  requestTime?: number;
  uri?: string;
  args?: string;
  /** Every upstream tried, in order (more than one: the proxy retried). */
  upstreams?: string[];
  upstreamStatuses?: number[];
  /** A websocket attempt (status 101, or transport=websocket in the query). */
  websocket?: boolean;
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
  /** Failed requests + failures without an HTTP request behind them (see analysis/error-rate.ts). */
  errors?: number;
  /** Websocket dials (k6 ws_sessions), the other kind of outcome next to requests. */
  wsDials?: number;
  /** Requests and dials that carry a sid (poll, post, upgrade). */
  sidRequests?: number;
  /** Failed connection attempts (handshake failures, connect_error, websocket-first dials without 101). */
  connectFailures?: number;
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

/** A share with what it was computed from; value is 0 when denominator is 0 (no data). */
export interface RateMeasure {
  value: number;
  numerator: number;
  denominator: number;
}

/** Run-wide rates the analysis defines (harness/analysis/rates.ts documents each). */
export interface AnalysedRates {
  errorRate: RateMeasure;
  errorRateOutsideEvents: RateMeasure;
  badRequestRate: RateMeasure;
  badGatewayRate: RateMeasure;
  badGatewayRateOutsideEvents: RateMeasure;
  unavailableRate: RateMeasure;
  gatewayTimeoutRate: RateMeasure;
  networkErrorRate: RateMeasure;
  sessionUnknownRate: RateMeasure;
  sessionUnknownRateOutsideEvents: RateMeasure;
  connectSuccess: RateMeasure;
  connectSuccessOutsideEvents: RateMeasure;
  sessionsLostRate: RateMeasure;
}

/** The knobs the analysis ran with (so a saved run can be re-evaluated the same way). */
export interface AnalysisSettings {
  /** Window size asked for; windowMs is larger when the windows were widened to stay bounded. */
  requestedWindowMs: number;
  maxWindows: number;
  settleMs: number;
  baselineMs: number;
  recoveryWindows: number;
  recoveryTolerance: number;
  reconcileTolerance: { absolute: number; relative: number };
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
    /** Websocket dials (k6 ws_sessions). */
    wsDials?: number;
  };
  breakdown: BreakdownRow[];
  latency: { http: Percentiles; connect: Percentiles; ackRtt: Percentiles; keepalive: Percentiles };
  events: EventImpact[];
  reconciliation: {
    rows: ReconciliationRow[];
    mismatches: number;
    proxyTotal: number;
    k6Total: number;
    /** Per status class over the whole run. */
    byStatus?: Record<string, { k6: number; proxy: number }>;
    /** Statuses left out of the comparison (101, k6 "0", proxy 499), per side. */
    excluded?: { k6: Record<string, number>; proxy: Record<string, number> };
    /** Proxy lines where nginx tried more than one upstream. */
    retried?: number;
    /** Matching rows dropped to keep the list bounded (mismatches are always kept). */
    rowsOmitted?: number;
  } | null;
  thresholds: ThresholdResult[];
  verdict: "pass" | "fail" | "error";
  notes: string[];
  rates?: AnalysedRates;
  settings?: AnalysisSettings;
}
