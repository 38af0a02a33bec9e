// End-to-end analysis of the recycle-burst fixture (test/fixtures/analysis/recycle-burst.ts
// documents every count): windows, totals, per-event impact, rates, reconciliation, thresholds.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RunAggregator } from "../../harness/analysis/aggregator.ts";
import { K6JsonParser } from "../../harness/analysis/k6-json.ts";
import { detectRecyclesFromLogs } from "../../harness/analysis/recycles.ts";
import type { AnalysedRun, RunEvent } from "../../harness/analysis/types.ts";
import { FILES, FIXTURE_DIR, REDIS_STOP, T0 } from "../fixtures/analysis/recycle-burst.ts";

function fixture(name: keyof typeof FILES): string[] {
  return readFileSync(join(FIXTURE_DIR, name), "utf8").split("\n").filter((l) => l !== "");
}

function analyse(opts: { proxy?: string[] | null; thresholds?: Record<string, string> } = {}): AnalysedRun {
  const agg = new RunAggregator({ runId: "r1", profile: "gate", startedAt: T0, windowMs: 1000 });
  for (const line of fixture("recycle-burst.k6.ndjson")) agg.addLine(line);
  const proxy = opts.proxy === undefined ? fixture("recycle-burst.nginx.log") : opts.proxy;
  if (proxy) for (const line of proxy) agg.addAccessLogLine(line);
  const events: RunEvent[] = [REDIS_STOP, ...detectRecyclesFromLogs(fixture("recycle-burst.gunicorn.log"))];
  return agg.finish({ events, endedAt: T0 + 40_000, thresholds: opts.thresholds });
}

function exactQuantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(q * (s.length - 1))];
}

describe("recycle-burst fixture", () => {
  it("the committed fixture files equal what the generator produces", () => {
    for (const [name, make] of Object.entries(FILES)) {
      expect(readFileSync(join(FIXTURE_DIR, name), "utf8"), name).toBe(make().join("\n") + "\n");
    }
  });

  it("counts windows and totals exactly", () => {
    const run = analyse();
    expect(run.windowMs).toBe(1000);
    expect(run.windows).toHaveLength(40);
    expect(run.windows[0].start).toBe(T0);
    expect(run.windows[21]).toMatchObject({
      start: T0 + 21_000,
      requests: 10,
      wsDials: 1,
      errors: 6,
      statuses: { "200": 5, "400": 5 },
      failures: { session_unknown: 5, ws_close_1006: 1 },
      reconnects: 3,
      keepalive: { degraded: 1 },
    });
    expect(run.totals).toEqual({
      requests: 400,
      statuses: { "200": 376, "400": 17, "502": 7 },
      failures: { bad_gateway: 7, session_unknown: 17, ws_close_1006: 1 },
      wsCloses: { "1006": 1 },
      sessionsOpened: 116,
      sessionsLost: 3,
      reconnects: 3,
      upgrades: 0,
      keepalive: { degraded: 2, healthy: 38 },
      wsDials: 40,
    });
    expect(run.notes.some((n) => /1 line\(s\) of k6 output were not k6 JSON/.test(n))).toBe(true);
  });

  it("breaks requests down per transport/op", () => {
    const run = analyse();
    const rows = Object.fromEntries(run.breakdown.map((r) => [r.key, r]));
    expect(Object.keys(rows)).toEqual(["polling/handshake", "polling/poll", "polling/post", "websocket/websocket"]);
    expect(rows["polling/poll"]).toMatchObject({ requests: 160, statuses: { "200": 144, "400": 14, "502": 2 }, failures: { bad_gateway: 2, session_unknown: 14 } });
    expect(rows["polling/post"]).toMatchObject({ requests: 160, statuses: { "200": 156, "400": 3, "502": 1 } });
    expect(rows["polling/handshake"]).toMatchObject({ requests: 80, statuses: { "200": 76, "502": 4 }, failures: { bad_gateway: 4 } });
    expect(rows["websocket/websocket"]).toMatchObject({ requests: 40, statuses: { "101": 40 }, failures: { ws_close_1006: 1 } });
    expect(rows["websocket/websocket"].latency.p50).toBeCloseTo(2.5, 1);
    expect(Math.abs(rows["polling/poll"].latency.p50 - 25_020) / 25_020).toBeLessThanOrEqual(0.01);
  });

  it("latency percentiles are within 1 % of exact; http leaves long polls out", () => {
    const run = analyse();
    const parser = new K6JsonParser();
    const http: number[] = [];
    for (const line of fixture("recycle-burst.k6.ndjson")) {
      const s = parser.parse(line);
      if (s?.metric === "http_req_duration" && s.tags.op !== "poll") http.push(s.value);
    }
    expect(run.latency.http.count).toBe(240);
    for (const [q, key] of [[0.5, "p50"], [0.9, "p90"], [0.95, "p95"], [0.99, "p99"]] as const) {
      const exact = exactQuantile(http, q);
      expect(Math.abs(run.latency.http[key] - exact) / exact, key).toBeLessThanOrEqual(0.01);
    }
    expect(run.latency.http.max).toBe(Math.max(...http));
    // ack RTTs are 10..49 ms, half of them written with a +01:00 offset.
    expect(run.latency.ackRtt.count).toBe(40);
    expect(Math.abs(run.latency.ackRtt.p50 - 29) / 29).toBeLessThanOrEqual(0.01);
    expect(Math.abs(run.latency.ackRtt.p99 - 48) / 48).toBeLessThanOrEqual(0.01);
    expect(run.latency.ackRtt.max).toBe(49);
  });

  it("measures the recycle's burst of 400s: baseline, peak, recovery, attribution", () => {
    const run = analyse();
    const recycle = run.events.find((e) => e.event.name === "max-requests-recycle")!;
    expect(recycle.event).toMatchObject({ start: T0 + 20_000, end: T0 + 20_000, target: "pid:4242", ok: true });
    expect(recycle.rateBefore).toBeCloseTo(1 / 220, 12);
    expect(recycle.peakDuring).toBeCloseTo(6 / 11, 12);
    expect(recycle.recoveryMs).toBe(4000);
    expect(recycle.errorsAttributed).toBe(18);
    expect(recycle.sessionsLost).toBe(3);
    expect(recycle.statuses).toEqual({ "200": 83, "400": 17 });
  });

  it("measures the timeline event's 502s, with the other event left out of its baseline", () => {
    const run = analyse();
    const redis = run.events.find((e) => e.event.name === "redis-stop")!;
    expect(redis.rateBefore).toBeCloseTo(1 / 220, 12);
    expect(redis.peakDuring).toBeCloseTo(3 / 11, 12);
    expect(redis.recoveryMs).toBe(500);
    expect(redis.errorsAttributed).toBe(6);
    expect(redis.statuses).toEqual({ "200": 74, "502": 6 });
    // Events come out in time order.
    expect(run.events.map((e) => e.event.name)).toEqual(["max-requests-recycle", "redis-stop"]);
  });

  it("recovery is null when the data ends before the error rate settles", () => {
    const agg = new RunAggregator({ startedAt: T0 });
    for (const line of fixture("recycle-burst.k6.ndjson")) agg.addLine(line);
    const late: RunEvent = { name: "kill", start: T0 + 20_000, end: T0 + 20_000, ok: true };
    const run = agg.finish({ events: [late] });
    expect(run.events[0].recoveryMs).toBe(4000);
    const strict = new RunAggregator({ startedAt: T0, recoveryWindows: 30 });
    for (const line of fixture("recycle-burst.k6.ndjson")) strict.addLine(line);
    const r2 = strict.finish({ events: [late] });
    expect(r2.events[0].recoveryMs).toBeNull();
    // Never recovered: attributed up to the end of the run (all errors from window 20 on).
    expect(r2.events[0].errorsAttributed).toBe(24);
  });

  it("computes the run's rates, inside and outside events", () => {
    const r = analyse().rates!;
    expect(r.errorRate).toEqual({ value: 25 / 440, numerator: 25, denominator: 440 });
    expect(r.errorRateOutsideEvents).toEqual({ value: 1 / 242, numerator: 1, denominator: 242 });
    expect(r.badGatewayRate).toEqual({ value: 7 / 400, numerator: 7, denominator: 400 });
    expect(r.badGatewayRateOutsideEvents).toEqual({ value: 1 / 220, numerator: 1, denominator: 220 });
    expect(r.badRequestRate.numerator).toBe(17);
    expect(r.sessionUnknownRate).toEqual({ value: 17 / 320, numerator: 17, denominator: 320 });
    expect(r.connectSuccess).toEqual({ value: 116 / 120, numerator: 116, denominator: 120 });
    // The burst's 17 session_unknown and 4 failed connects all fall inside the events' windows.
    expect(r.sessionUnknownRateOutsideEvents).toEqual({ value: 0, numerator: 0, denominator: 176 });
    expect(r.connectSuccessOutsideEvents).toEqual({ value: 1, numerator: 66, denominator: 66 });
    expect(r.sessionsLostRate).toEqual({ value: 3 / 116, numerator: 3, denominator: 116 });
  });

  it("reconciles with the matching nginx log: no mismatch, 101/499 excluded, retry noticed", () => {
    const rec = analyse().reconciliation!;
    expect(rec.mismatches).toBe(0);
    expect(rec.k6Total).toBe(400);
    expect(rec.proxyTotal).toBe(400);
    expect(rec.byStatus).toEqual({ "2xx": { k6: 376, proxy: 376 }, "400": { k6: 17, proxy: 17 }, "502": { k6: 7, proxy: 7 } });
    expect(rec.excluded).toEqual({ k6: { "101": 40 }, proxy: { "101": 40, "499": 2 } });
    expect(rec.retried).toBe(1);
    expect(rec.rows.find((r) => r.windowStart === T0 + 21_000 && r.status === "400")).toEqual({ windowStart: T0 + 21_000, status: "400", k6: 5, proxy: 5, mismatch: false });
  });

  it("flags windows where the proxy saw a different count beyond the tolerance", () => {
    const lines = fixture("recycle-burst.nginx.log");
    const inWindow = (l: string, s: number) => {
      const msec = Number(JSON.parse(l).msec) * 1000;
      return msec >= T0 + s * 1000 && msec < T0 + (s + 1) * 1000;
    };
    let dropped21 = 0;
    let dropped22 = 0;
    const proxy = lines.filter((l) => {
      if (!l.includes('"status":400,')) return true;
      if (inWindow(l, 21) && dropped21 < 3) return (dropped21++, false); // 5 → 2: beyond max(2, 2 %)
      if (inWindow(l, 22) && dropped22 < 1) return (dropped22++, false); // 5 → 4: within tolerance
      return true;
    });
    const at30 = (T0 + 30_500) / 1000;
    for (let i = 0; i < 3; i++) proxy.push(`{"msec":"${at30.toFixed(3)}","status":503,"upstream":"-","upstream_status":"-","request_time":0.000,"uri":"/socket.io/","args":"EIO=4&transport=polling"}`);
    const rec = analyse({ proxy }).reconciliation!;
    const bad = rec.rows.filter((r) => r.mismatch);
    expect(bad).toEqual([
      { windowStart: T0 + 21_000, status: "400", k6: 5, proxy: 2, mismatch: true },
      { windowStart: T0 + 30_000, status: "503", k6: 0, proxy: 3, mismatch: true },
    ]);
    expect(rec.mismatches).toBe(2);
    expect(rec.rows.find((r) => r.windowStart === T0 + 22_000 && r.status === "400")).toMatchObject({ k6: 5, proxy: 4, mismatch: false });
  });

  it("has no reconciliation without an access log", () => {
    expect(analyse({ proxy: null }).reconciliation).toBeNull();
  });

  it("evaluates thresholds and the verdict", () => {
    const run = analyse({
      thresholds: {
        sessionUnknownRate: "<0.1%",
        badGatewayRateOutsideEvents: "<1%",
        connectSuccess: ">99%",
        httpP95Ms: "<500",
        ackP99Ms: "<1000",
        maxRecoveryMs: "<=5s",
        reconciliationMismatches: "==0",
      },
    });
    const byName = Object.fromEntries(run.thresholds.map((t) => [t.name, t]));
    expect(run.thresholds.map((t) => [t.name, t.pass])).toEqual([
      ["session_unknown_rate", false],
      ["bad_gateway_rate_outside_events", true],
      ["connect_success", false],
      ["http_p95_ms", true],
      ["ack_p99_ms", true],
      ["max_recovery_ms", true],
      ["reconciliation_mismatches", true],
    ]);
    expect(byName.session_unknown_rate.measured).toBeCloseTo(17 / 320, 12);
    expect(byName.session_unknown_rate.display).toBe("5.31 % (17 of 320)");
    expect(byName.max_recovery_ms.measured).toBe(4000);
    expect(run.verdict).toBe("fail");
  });

  it("passes when every threshold holds", () => {
    const run = analyse({ thresholds: { badGatewayRateOutsideEvents: "<1%", httpP95Ms: "<500" } });
    expect(run.verdict).toBe("pass");
  });

  it("gives a live snapshot while samples stream in", () => {
    const agg = new RunAggregator({ startedAt: T0 });
    expect(agg.snapshot()).toMatchObject({ elapsedMs: 0, requests: 0, rps: 0 });
    for (const line of fixture("recycle-burst.k6.ndjson")) agg.addLine(line);
    const snap = agg.snapshot();
    expect(snap).toMatchObject({
      elapsedMs: 39_970,
      requests: 400,
      rps: 10,
      sessionsOpened: 116,
      sessionsLost: 3,
      reconnects: 3,
      wsDials: 40,
      windowMs: 1000,
    });
    expect(snap.rate400).toBeCloseTo(17 / 400, 12);
    expect(snap.rate502).toBeCloseTo(7 / 400, 12);
    expect(snap.errorRate).toBeCloseTo(25 / 440, 12);
    expect(agg.sampleCount()).toBeGreaterThan(900);
  });

  it("connect success counts refused websocket-first dials and namespace refusals as failed attempts", () => {
    const agg = new RunAggregator({ startedAt: T0 });
    const ws = (status: string | undefined) => {
      const tags: Record<string, string> = { transport: "websocket", op: "websocket", scenario: "websocket" };
      if (status) tags.status = status;
      agg.add({ metric: "ws_sessions", time: T0 + 100, value: 1, tags });
    };
    for (let i = 0; i < 6; i++) ws("101");
    ws("502");
    ws(undefined); // refused: no HTTP answer at all
    agg.add({ metric: "sio_sessions_opened", time: T0 + 200, value: 6, tags: { transport: "websocket", op: "websocket" } });
    agg.add({ metric: "sio_failures", time: T0 + 300, value: 1, tags: { kind: "connect_error", transport: "websocket", op: "websocket" } });
    const run = agg.finish();
    expect(run.rates!.connectSuccess).toEqual({ value: 6 / 9, numerator: 6, denominator: 9 });
    // Errors come from sio_failures (the client records one per failed dial); only the refusal was recorded here.
    expect(run.windows[0]).toMatchObject({ wsDials: 8, errors: 1 });
  });

  it("an empty run ends in verdict error, not pass", () => {
    const run = new RunAggregator({ startedAt: T0 }).finish({ thresholds: { httpP95Ms: "<500" } });
    expect(run.windows).toEqual([]);
    expect(run.thresholds[0]).toMatchObject({ pass: true, display: "n/a (no HTTP requests)" });
    expect(run.verdict).toBe("error");
  });
});
