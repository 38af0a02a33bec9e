// RunAggregator: the streaming consumer of a run. Push k6 JSON lines (or parsed samples) while
// k6 runs, optionally proxy access-log lines, then finish() with the events to get an AnalysedRun.
// Nothing per sample is kept: counts go into fixed-size windows (window-grid.ts, bounded by
// maxWindows), latencies into quantile sketches (sketch.ts), tag-keyed counts are capped
// (counts.ts). Memory is flat however long the run is.
import { FAILURE, METRIC, OP } from "../../scenarios/lib/metrics.ts";
import type { AccessLogEntry, AnalysedRun, BreakdownRow, RunEvent, Sample, WindowCounts } from "./types.ts";
import { K6JsonParser, type K6ParserStats } from "./k6-json.ts";
import { QuantileSketch } from "./sketch.ts";
import { WindowGrid } from "./window-grid.ts";
import { addRecord, inc, mergeInto, OTHER_KEY, toRecord, total, type CountMap } from "./counts.ts";
import { errorRate, isErrorStatus, isStandaloneFailure } from "./error-rate.ts";
import { SID_BEARING_OPS } from "./rates.ts";
import { computeEventImpacts, IMPACT_DEFAULTS, type ImpactOptions } from "./impact.ts";
import { parseAccessLogLine, wasRetried } from "./access-log.ts";
import { countStatus, DEFAULT_TOLERANCE, reconcileWindows, type ReconcileTolerance, type ReconcileWindow } from "./reconcile.ts";
import { computeRates } from "./rates.ts";
import { evaluateThresholds, verdictOf, type ThresholdSpec } from "./thresholds.ts";

/** k6 built-in metric names the analysis reads. */
export const K6_METRIC = {
  httpReqs: "http_reqs",
  httpReqDuration: "http_req_duration",
  wsSessions: "ws_sessions",
  wsConnecting: "ws_connecting",
} as const;

export const WANTED_METRICS: readonly string[] = [
  K6_METRIC.httpReqs,
  K6_METRIC.httpReqDuration,
  K6_METRIC.wsSessions,
  K6_METRIC.wsConnecting,
  METRIC.failures,
  METRIC.sessionsOpened,
  METRIC.sessionsLost,
  METRIC.reconnects,
  METRIC.connectTime,
  METRIC.ackRtt,
  METRIC.wsCloses,
  METRIC.upgrades,
  METRIC.keepaliveHealth,
  METRIC.keepaliveDuration,
];

export interface AggregatorOptions extends ImpactOptions {
  runId?: string;
  profile?: string;
  command?: string;
  topology?: unknown;
  target?: string;
  /** Epoch ms the run started; defaults to the first sample's time. */
  startedAt?: number;
  /** Window size. Default 1000 ms (use 10 000 for soaks). */
  windowMs?: number;
  /** Most windows kept; past it windows double in size. Default 10 000 (27 h of 10 s windows). */
  maxWindows?: number;
  /** Samples older than startedAt − lateSlackMs are dropped (clock junk). Default 60 s. */
  lateSlackMs?: number;
  /** Most distinct transport/op rows in the breakdown (the rest fold into "other"). Default 32. */
  maxBreakdownKeys?: number;
  reconcileTolerance?: ReconcileTolerance;
  /** Sketch relative accuracy. Default 0.01. */
  relativeAccuracy?: number;
}

export interface FinishInput {
  /** Timeline events plus detected ones (detectRecyclesFromLogs). */
  events?: readonly RunEvent[];
  endedAt?: number;
  partial?: boolean;
  thresholds?: ThresholdSpec;
  notes?: readonly string[];
}

/** Compact state for a one-line progress display. */
export interface LiveSnapshot {
  /** From startedAt (or the first sample) to the latest sample. */
  elapsedMs: number;
  requests: number;
  /** HTTP requests per second in the last complete window. */
  rps: number;
  /** Shares of all HTTP requests so far. */
  rate400: number;
  rate502: number;
  /** errors / outcomes so far, and in the last complete window. */
  errorRate: number;
  errorRateLastWindow: number;
  sessionsOpened: number;
  sessionsLost: number;
  reconnects: number;
  /** Opened − lost: sessions the client still holds (approximately; clean closes are not lost). */
  sessionsActive: number;
  wsDials: number;
  windowMs: number;
}

/** Sizes of every growing structure, for memory checks. */
export interface AggregatorStats extends K6ParserStats {
  samples: number;
  dropped: number;
  windows: number;
  proxyWindows: number;
  windowMs: number;
  breakdownKeys: number;
  sketchBuckets: number;
  proxyLines: number;
  proxyUnparsed: number;
  proxyOutsideRun: number;
}

/** One window while the run goes on; maps are created on first use (most stay empty). */
interface WindowAcc {
  requests: number;
  wsDials: number;
  errors: number;
  statuses: CountMap | null;
  failures: CountMap | null;
  keepalive: CountMap | null;
  sessionsOpened: number;
  sessionsLost: number;
  reconnects: number;
  /** Websocket dial answers (ws_sessions status tag; "0" when none). */
  wsStatuses: CountMap | null;
  /** HTTP requests that carry a sid (poll, post, upgrade): the session_unknown denominator. */
  sidRequests: number;
  /** Failed connection attempts, counted the way rates.ts counts them for connectSuccess. */
  connectFailures: number;
}

function newWindow(): WindowAcc {
  return { requests: 0, wsDials: 0, errors: 0, statuses: null, failures: null, keepalive: null, sessionsOpened: 0, sessionsLost: 0, reconnects: 0, wsStatuses: null, sidRequests: 0, connectFailures: 0 };
}

function mergeWindow(a: WindowAcc, b: WindowAcc): void {
  a.requests += b.requests;
  a.wsDials += b.wsDials;
  a.errors += b.errors;
  a.sessionsOpened += b.sessionsOpened;
  a.sessionsLost += b.sessionsLost;
  a.reconnects += b.reconnects;
  a.sidRequests += b.sidRequests;
  a.connectFailures += b.connectFailures;
  a.statuses = mergeInto(a.statuses, b.statuses);
  a.failures = mergeInto(a.failures, b.failures);
  a.keepalive = mergeInto(a.keepalive, b.keepalive);
  a.wsStatuses = mergeInto(a.wsStatuses, b.wsStatuses);
}

interface RowAcc {
  requests: number;
  statuses: CountMap | null;
  failures: CountMap | null;
  latency: QuantileSketch;
}

export class RunAggregator {
  private readonly opts: AggregatorOptions;
  private readonly parser = new K6JsonParser(WANTED_METRICS);
  private readonly grid: WindowGrid<WindowAcc>;
  private readonly proxyGrid: WindowGrid<CountMap>;
  private readonly rows = new Map<string, RowAcc>();
  private readonly http: QuantileSketch;
  private readonly connect: QuantileSketch;
  private readonly ackRtt: QuantileSketch;
  private readonly keepalive: QuantileSketch;
  private wsCloses: CountMap | null = null;
  private readonly proxyExcluded: CountMap = new Map();
  private upgrades = 0;
  private origin: number | undefined;
  private firstTime = Infinity;
  private lastTime = -Infinity;
  private samples = 0;
  private dropped = 0;
  private proxyLines = 0;
  private proxyUnparsed = 0;
  private proxyOutsideRun = 0;
  private proxyRetried = 0;
  private proxySeen = false;
  private live = { requests: 0, s400: 0, s502: 0, errors: 0, outcomes: 0, opened: 0, lost: 0, reconnects: 0, wsDials: 0 };

  constructor(opts: AggregatorOptions = {}) {
    this.opts = opts;
    const windowMs = opts.windowMs ?? 1000;
    const maxWindows = opts.maxWindows ?? 10_000;
    this.grid = new WindowGrid(windowMs, maxWindows, { create: newWindow, merge: mergeWindow });
    // Proxy windows follow the k6 windows' size; their span is limited to the k6 span + slack.
    this.proxyGrid = new WindowGrid<CountMap>(windowMs, Number.MAX_SAFE_INTEGER, { create: () => new Map(), merge: (a, b) => void mergeInto(a, b) });
    this.origin = opts.startedAt;
    const sk = () => new QuantileSketch({ relativeAccuracy: opts.relativeAccuracy });
    this.http = sk();
    this.connect = sk();
    this.ackRtt = sk();
    this.keepalive = sk();
  }

  /** One line of k6's JSON output. */
  addLine(line: string): void {
    const s = this.parser.parse(line);
    if (s) this.add(s);
  }

  /** Samples taken so far (k6 points the analysis reads). */
  sampleCount(): number {
    return this.samples;
  }

  /** One k6 sample. */
  add(s: Sample): void {
    if (this.origin === undefined) this.origin = s.time;
    if (s.time < this.origin - (this.opts.lateSlackMs ?? 60_000)) {
      this.dropped++;
      return;
    }
    this.samples++;
    if (s.time < this.firstTime) this.firstTime = s.time;
    if (s.time > this.lastTime) this.lastTime = s.time;
    const tags = s.tags;
    const v = s.value;
    switch (s.metric) {
      case K6_METRIC.httpReqs: {
        const w = this.grid.at(s.time);
        const status = tags.status || "0";
        w.requests += v;
        w.statuses = inc(w.statuses, status, v);
        if (SID_BEARING_OPS.has(tags.op)) w.sidRequests += v;
        this.live.requests += v;
        this.live.outcomes += v;
        if (isErrorStatus(status)) {
          w.errors += v;
          this.live.errors += v;
        }
        if (status === "400") this.live.s400 += v;
        else if (status === "502") this.live.s502 += v;
        const row = this.row(tags, "http");
        row.requests += v;
        row.statuses = inc(row.statuses, status, v);
        return;
      }
      case K6_METRIC.httpReqDuration:
        this.row(tags, "http").latency.add(v);
        if (tags.op !== OP.poll) this.http.add(v);
        return;
      case K6_METRIC.wsSessions: {
        const w = this.grid.at(s.time);
        const status = tags.status || "0";
        w.wsDials += v;
        w.wsStatuses = inc(w.wsStatuses, status, v);
        if (tags.op === OP.websocket && status !== "101") w.connectFailures += v;
        if (SID_BEARING_OPS.has(tags.op)) w.sidRequests += v;
        this.live.wsDials += v;
        this.live.outcomes += v;
        const row = this.row(tags, "websocket");
        row.requests += v;
        row.statuses = inc(row.statuses, status, v);
        return;
      }
      case K6_METRIC.wsConnecting:
        this.row(tags, "websocket").latency.add(v);
        return;
      case METRIC.failures: {
        const w = this.grid.at(s.time);
        const kind = tags.kind || "unknown";
        w.failures = inc(w.failures, kind, v);
        if (tags.op === OP.handshake || kind === FAILURE.connectError) w.connectFailures += v;
        if (isStandaloneFailure(kind, tags.transport)) {
          w.errors += v;
          this.live.errors += v;
        }
        const row = this.row(tags, "http");
        row.failures = inc(row.failures, kind, v);
        return;
      }
      case METRIC.sessionsOpened:
        this.grid.at(s.time).sessionsOpened += v;
        this.live.opened += v;
        return;
      case METRIC.sessionsLost:
        this.grid.at(s.time).sessionsLost += v;
        this.live.lost += v;
        return;
      case METRIC.reconnects:
        this.grid.at(s.time).reconnects += v;
        this.live.reconnects += v;
        return;
      case METRIC.keepaliveHealth: {
        const w = this.grid.at(s.time);
        w.keepalive = inc(w.keepalive, tags.health || "unknown", v);
        return;
      }
      case METRIC.connectTime:
        this.connect.add(v);
        return;
      case METRIC.ackRtt:
        this.ackRtt.add(v);
        return;
      case METRIC.keepaliveDuration:
        this.keepalive.add(v);
        return;
      case METRIC.wsCloses:
        this.wsCloses = inc(this.wsCloses, tags.code || "none", v);
        return;
      case METRIC.upgrades:
        this.upgrades += v;
        return;
    }
  }

  private row(tags: Record<string, string>, defaultTransport: string): RowAcc {
    let key = `${tags.transport || defaultTransport}/${tags.op || tags.name || "-"}`;
    let row = this.rows.get(key);
    if (row) return row;
    if (this.rows.size >= (this.opts.maxBreakdownKeys ?? 32) - 1) {
      key = OTHER_KEY;
      row = this.rows.get(key);
      if (row) return row;
    }
    row = { requests: 0, statuses: null, failures: null, latency: new QuantileSketch({ relativeAccuracy: this.opts.relativeAccuracy }) };
    this.rows.set(key, row);
    return row;
  }

  /** One proxy access-log line (nginx or HAProxy JSON). */
  addAccessLogLine(line: string): void {
    const e = parseAccessLogLine(line);
    if (e) this.addAccessLogEntry(e);
    else if (line.trim() !== "") {
      this.proxySeen = true;
      this.proxyUnparsed++;
    }
  }

  /**
   * One proxy access-log entry. Entries outside the k6 samples' time range (± lateSlackMs) are
   * counted apart: feed the access log after, or alongside, the k6 stream.
   */
  addAccessLogEntry(e: AccessLogEntry): void {
    this.proxySeen = true;
    this.proxyLines++;
    if (wasRetried(e)) this.proxyRetried++;
    const slack = this.opts.lateSlackMs ?? 60_000;
    const lo = Math.min(this.origin ?? Infinity, this.firstTime) - slack;
    const hi = Math.max(this.origin ?? -Infinity, this.lastTime) + slack;
    if (!(e.time >= lo && e.time <= hi)) {
      this.proxyOutsideRun++;
      return;
    }
    this.proxyGrid.widenTo(this.grid.windowMs);
    countStatus(this.proxyGrid.at(e.time), this.proxyExcluded, e.status);
  }

  snapshot(): LiveSnapshot {
    const ms = this.grid.windowMs;
    const l = this.live;
    let rps = 0;
    let errorRateLastWindow = 0;
    if (this.lastTime > -Infinity) {
      const prev = this.grid.get(this.grid.indexOf(this.lastTime) - 1);
      if (prev) {
        rps = prev.requests / (ms / 1000);
        errorRateLastWindow = errorRate(prev.errors, prev.requests + prev.wsDials);
      }
    }
    const from = this.origin ?? this.firstTime;
    return {
      elapsedMs: this.lastTime > -Infinity ? Math.max(0, this.lastTime - from) : 0,
      requests: l.requests,
      rps,
      rate400: l.requests ? l.s400 / l.requests : 0,
      rate502: l.requests ? l.s502 / l.requests : 0,
      errorRate: errorRate(l.errors, l.outcomes),
      errorRateLastWindow,
      sessionsOpened: l.opened,
      sessionsLost: l.lost,
      reconnects: l.reconnects,
      sessionsActive: Math.max(0, l.opened - l.lost),
      wsDials: l.wsDials,
      windowMs: ms,
    };
  }

  stats(): AggregatorStats {
    let sketchBuckets = this.http.bucketCount + this.connect.bucketCount + this.ackRtt.bucketCount + this.keepalive.bucketCount;
    for (const r of this.rows.values()) sketchBuckets += r.latency.bucketCount;
    return {
      ...this.parser.stats,
      samples: this.samples,
      dropped: this.dropped,
      windows: this.grid.size,
      proxyWindows: this.proxyGrid.size,
      windowMs: this.grid.windowMs,
      breakdownKeys: this.rows.size,
      sketchBuckets,
      proxyLines: this.proxyLines,
      proxyUnparsed: this.proxyUnparsed,
      proxyOutsideRun: this.proxyOutsideRun,
    };
  }

  /** The analysed run. Can be called more than once (e.g. for a partial report). */
  finish(input: FinishInput = {}): AnalysedRun {
    const o = this.opts;
    const impactOpts = { ...IMPACT_DEFAULTS, ...definedOnly(o) };
    const windowMs = this.grid.windowMs;
    this.proxyGrid.widenTo(windowMs);
    const { windows, acc } = this.windowList();
    const events = [...(input.events ?? [])].sort((a, b) => a.start - b.start);
    const startedAt = o.startedAt ?? (Number.isFinite(this.firstTime) ? this.firstTime : 0);
    const endedAt = input.endedAt ?? (Number.isFinite(this.lastTime) ? this.lastTime : startedAt);

    const totals = { requests: 0, wsDials: 0, sessionsOpened: 0, sessionsLost: 0, reconnects: 0 };
    let statuses: CountMap | null = null;
    let failures: CountMap | null = null;
    let keepalive: CountMap | null = null;
    for (const w of windows) {
      totals.requests += w.requests;
      totals.wsDials += w.wsDials ?? 0;
      totals.sessionsOpened += w.sessionsOpened;
      totals.sessionsLost += w.sessionsLost;
      totals.reconnects += w.reconnects;
      statuses = addRecord(statuses, w.statuses);
      failures = addRecord(failures, w.failures);
      keepalive = addRecord(keepalive, w.keepalive);
    }

    const breakdown: BreakdownRow[] = [...this.rows.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, r]) => ({ key, requests: r.requests, statuses: toRecord(r.statuses), failures: toRecord(r.failures), latency: r.latency.percentiles() }));

    const tolerance = o.reconcileTolerance ?? DEFAULT_TOLERANCE;
    const run: AnalysedRun = {
      schemaVersion: 1,
      runId: o.runId ?? "",
      profile: o.profile ?? "",
      startedAt,
      endedAt,
      partial: input.partial ?? false,
      command: o.command ?? "",
      topology: o.topology ?? null,
      target: o.target ?? "",
      windowMs,
      windows,
      totals: {
        requests: totals.requests,
        statuses: toRecord(statuses),
        failures: toRecord(failures),
        wsCloses: toRecord(this.wsCloses),
        sessionsOpened: totals.sessionsOpened,
        sessionsLost: totals.sessionsLost,
        reconnects: totals.reconnects,
        upgrades: this.upgrades,
        keepalive: toRecord(keepalive),
        wsDials: totals.wsDials,
      },
      breakdown,
      latency: {
        http: this.http.percentiles(),
        connect: this.connect.percentiles(),
        ackRtt: this.ackRtt.percentiles(),
        keepalive: this.keepalive.percentiles(),
      },
      events: computeEventImpacts(windows, windowMs, events, impactOpts),
      reconciliation: this.proxySeen ? this.reconcile(acc, windows, tolerance) : null,
      thresholds: [],
      verdict: "pass",
      notes: [...(input.notes ?? []), ...this.notes(windowMs)],
      settings: {
        requestedWindowMs: o.windowMs ?? 1000,
        maxWindows: this.grid.maxWindows,
        settleMs: impactOpts.settleMs,
        baselineMs: impactOpts.baselineMs,
        recoveryWindows: impactOpts.recoveryWindows,
        recoveryTolerance: impactOpts.recoveryTolerance,
        reconcileTolerance: { ...tolerance },
      },
    };
    run.rates = computeRates(run);
    run.thresholds = input.thresholds ? evaluateThresholds(run, input.thresholds) : [];
    run.verdict = verdictOf(run, run.thresholds);
    return run;
  }

  /** Contiguous windows from the first to the last k6 window, empty ones included. */
  private windowList(): { windows: WindowCounts[]; acc: Array<WindowAcc | undefined> } {
    const windows: WindowCounts[] = [];
    const acc: Array<WindowAcc | undefined> = [];
    if (this.grid.empty) return { windows, acc };
    const ms = this.grid.windowMs;
    for (let i = this.grid.firstIndex; i <= this.grid.lastIndexInUse; i++) {
      const a = this.grid.get(i);
      acc.push(a);
      const w = a ?? newWindow();
      windows.push({
        start: i * ms,
        requests: w.requests,
        statuses: toRecord(w.statuses),
        failures: toRecord(w.failures),
        sessionsOpened: w.sessionsOpened,
        sessionsLost: w.sessionsLost,
        reconnects: w.reconnects,
        keepalive: toRecord(w.keepalive),
        errors: w.errors,
        wsDials: w.wsDials,
        sidRequests: w.sidRequests,
        connectFailures: w.connectFailures,
      });
    }
    return { windows, acc };
  }

  private reconcile(acc: Array<WindowAcc | undefined>, windows: WindowCounts[], tol: ReconcileTolerance): NonNullable<AnalysedRun["reconciliation"]> {
    const k6Excluded: CountMap = new Map();
    const proxyExcluded: CountMap = new Map(this.proxyExcluded);
    const rows: ReconcileWindow[] = [];
    const firstIndex = this.grid.firstIndex;
    windows.forEach((w, p) => {
      const a = acc[p];
      const k6: CountMap = new Map();
      if (a) {
        for (const [s, n] of a.statuses ?? []) countStatus(k6, k6Excluded, s, n);
        // A dial without a status never reached an HTTP answer: like status 0. 101s are excluded.
        for (const [s, n] of a.wsStatuses ?? []) countStatus(k6, k6Excluded, s, n);
      }
      rows.push({ windowStart: w.start, k6, proxy: this.proxyGrid.get(firstIndex + p) ?? new Map() });
    });
    // Proxy lines that fell in the slack around the k6 windows are outside every row.
    let outside = 0;
    for (const [i, counts] of this.proxyGrid.entries()) {
      if (i < this.grid.firstIndex || i > this.grid.lastIndexInUse) outside += total(counts);
    }
    if (outside) inc(proxyExcluded, "outside-run", outside);
    const r = reconcileWindows(rows, tol);
    return { ...r, excluded: { k6: toRecord(k6Excluded), proxy: toRecord(proxyExcluded) }, retried: this.proxyRetried };
  }

  private notes(windowMs: number): string[] {
    const notes: string[] = [];
    const st = this.parser.stats;
    const requested = this.opts.windowMs ?? 1000;
    if (windowMs !== requested) {
      notes.push(`Windows were widened from ${requested} ms to ${windowMs} ms to keep at most ${this.grid.maxWindows} windows.`);
    }
    if (st.malformed) notes.push(`${st.malformed} line(s) of k6 output were not k6 JSON envelopes and were skipped.`);
    if (this.dropped) notes.push(`${this.dropped} sample(s) timed more than ${(this.opts.lateSlackMs ?? 60_000) / 1000} s before the run start were dropped.`);
    if (this.rows.has(OTHER_KEY)) notes.push(`More than ${this.opts.maxBreakdownKeys ?? 32} transport/op combinations: the rest are grouped as "other".`);
    if (this.proxyUnparsed) notes.push(`${this.proxyUnparsed} proxy access-log line(s) could not be parsed.`);
    if (this.proxyOutsideRun) notes.push(`${this.proxyOutsideRun} proxy access-log line(s) fell outside the run and were not reconciled.`);
    if (this.proxyRetried) notes.push(`The proxy retried ${this.proxyRetried} request(s) on another upstream: check upstream addresses before blaming the app.`);
    return notes;
  }
}

function definedOnly(o: ImpactOptions): ImpactOptions {
  const out: ImpactOptions = {};
  if (o.settleMs !== undefined) out.settleMs = o.settleMs;
  if (o.baselineMs !== undefined) out.baselineMs = o.baselineMs;
  if (o.recoveryWindows !== undefined) out.recoveryWindows = o.recoveryWindows;
  if (o.recoveryTolerance !== undefined) out.recoveryTolerance = o.recoveryTolerance;
  return out;
}
