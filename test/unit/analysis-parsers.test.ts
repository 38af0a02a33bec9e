// The three input parsers: k6 JSON envelopes, proxy access-log lines, app logs (recycles).
import { describe, expect, it } from "vitest";
import { K6JsonParser, parseK6Line } from "../../harness/analysis/k6-json.ts";
import { parseAccessLogLine, parseLogTime, wasRetried } from "../../harness/analysis/access-log.ts";
import { detectRecyclesFromLogs } from "../../harness/analysis/recycles.ts";
import { statusClass } from "../../harness/analysis/reconcile.ts";

describe("k6 JSON lines", () => {
  const point = '{"metric":"http_reqs","type":"Point","data":{"time":"2026-03-01T10:00:00.123456789Z","value":1,"tags":{"status":"400","op":"poll"}}}';

  it("turns a Point into a Sample with epoch ms and tags", () => {
    expect(parseK6Line(point)).toEqual({ metric: "http_reqs", time: Date.parse("2026-03-01T10:00:00.123Z"), value: 1, tags: { status: "400", op: "poll" } });
  });

  it("reads times with an offset, without fraction, and with fewer digits", () => {
    const p = new K6JsonParser();
    expect(p.parseTime("2026-03-01T11:00:00.5+01:00")).toBe(Date.parse("2026-03-01T10:00:00.500Z"));
    expect(p.parseTime("2026-03-01T10:00:00Z")).toBe(Date.parse("2026-03-01T10:00:00Z"));
    expect(p.parseTime("2026-03-01T10:00:00.07Z")).toBe(Date.parse("2026-03-01T10:00:00.070Z"));
    // The cached whole second must not leak into the next one.
    expect(p.parseTime("2026-03-01T10:00:01.001Z")).toBe(Date.parse("2026-03-01T10:00:01.001Z"));
    expect(p.parseTime("2026-03-01T10:00:00.999999999Z")).toBe(Date.parse("2026-03-01T10:00:00.999Z"));
  });

  it("skips Metric envelopes, unwanted metrics and garbage, and counts each", () => {
    const p = new K6JsonParser(["http_reqs"]);
    expect(p.parse('{"type":"Metric","data":{"name":"http_reqs","type":"counter"},"metric":"http_reqs"}')).toBeNull();
    expect(p.parse(point.replace("http_reqs", "http_req_blocked"))).toBeNull();
    expect(p.parse('{"metric":"http_reqs","type":"Point","data":{"time":"2026-03-01T1')).toBeNull();
    expect(p.parse("not json")).toBeNull();
    expect(p.parse('{"metric":"http_reqs","type":"Point","data":{"time":"yesterday","value":1}}')).toBeNull();
    expect(p.parse("")).toBeNull();
    expect(p.parse(point)).not.toBeNull();
    expect(p.stats).toEqual({ points: 1, metrics: 1, skipped: 1, malformed: 3 });
  });

  it("keeps samples whose envelope keys come in another order", () => {
    const p = new K6JsonParser(["http_reqs"]);
    const s = p.parse('{"type":"Point","data":{"value":2,"time":"2026-03-01T10:00:00Z","tags":null},"metric":"http_reqs"}');
    expect(s).toEqual({ metric: "http_reqs", time: Date.parse("2026-03-01T10:00:00Z"), value: 2, tags: {} });
  });
});

describe("proxy access log", () => {
  it("parses an nginx line, preferring msec over the second-resolution time", () => {
    const e = parseAccessLogLine(
      '{"time":"2026-03-01T10:00:05+00:00","msec":"1772359205.123","status":400,"upstream":"127.0.0.1:8001","upstream_status":"400","request_time":0.004,"uri":"/socket.io/","args":"EIO=4&transport=polling&sid=abc"}',
    );
    expect(e).toEqual({
      time: 1772359205123,
      status: 400,
      upstream: "127.0.0.1:8001",
      upstreams: ["127.0.0.1:8001"],
      upstreamStatuses: [400],
      requestTime: 4,
      uri: "/socket.io/",
      args: "EIO=4&transport=polling&sid=abc",
      websocket: false,
    });
  });

  it("reads nginx retries (two upstreams) and '-' fields", () => {
    const retried = parseAccessLogLine('{"time":"2026-03-01T10:00:05+00:00","msec":"1772359205.000","status":400,"upstream":"127.0.0.1:1, 127.0.0.1:2","upstream_status":"502, 400","request_time":0.010,"uri":"/socket.io/","args":"-"}')!;
    expect(retried.upstreams).toEqual(["127.0.0.1:1", "127.0.0.1:2"]);
    expect(retried.upstreamStatuses).toEqual([502, 400]);
    expect(retried.args).toBeUndefined();
    expect(wasRetried(retried)).toBe(true);
    const noUpstream = parseAccessLogLine('{"time":"2026-03-01T10:00:05+00:00","msec":"-","status":502,"upstream":"-","upstream_status":"-","request_time":0.000,"uri":"/x","args":""}')!;
    expect(noUpstream).toEqual({ time: Date.parse("2026-03-01T10:00:05Z"), status: 502, requestTime: 0, uri: "/x", websocket: false });
    expect(wasRetried(noUpstream)).toBe(false);
    // internal redirect separator " : "
    expect(parseAccessLogLine('{"msec":"1772359205.000","status":200,"upstream":"10.0.0.1:80 : 10.0.0.2:80"}')!.upstreams).toEqual(["10.0.0.1:80", "10.0.0.2:80"]);
  });

  it("parses HAProxy lines: syslog prefix, epoch-ms time, request_time_ms, query in the uri", () => {
    const e = parseAccessLogLine(
      '<134>Mar  1 10:00:05 haproxy[99]: {"time":1772359205123,"status":"101","upstream":"app1","upstream_status":"101","request_time_ms":30500,"uri":"/socket.io/?EIO=4&transport=websocket&sid=x"}',
    )!;
    expect(e).toMatchObject({ time: 1772359205123, status: 101, upstream: "app1", requestTime: 30500, websocket: true });
    expect(parseAccessLogLine('{"time":1772359205.5,"status":503}')).toMatchObject({ time: 1772359205500, status: 503, websocket: false });
  });

  it("marks websocket attempts that were refused", () => {
    expect(parseAccessLogLine('{"msec":"1772359205.000","status":400,"args":"EIO=4&transport=websocket&sid=x"}')!.websocket).toBe(true);
    expect(parseAccessLogLine('{"msec":"1772359205.000","status":400,"args":"EIO=4&transport=websockets"}')!.websocket).toBe(false);
  });

  it("rejects lines without a time or a status", () => {
    expect(parseAccessLogLine("127.0.0.1 - - [01/Mar/2026] GET / 200")).toBeNull();
    expect(parseAccessLogLine('{"status":200}')).toBeNull();
    expect(parseAccessLogLine('{"msec":"1772359205.000","status":"-"}')).toBeNull();
    expect(parseAccessLogLine('{"msec":"1772359205.000"')).toBeNull();
    expect(parseAccessLogLine("[1,2]")).toBeNull();
  });

  it("parseLogTime: ms, seconds, ISO", () => {
    expect(parseLogTime(1772359205123)).toBe(1772359205123);
    expect(parseLogTime("1772359205.123")).toBe(1772359205123);
    expect(parseLogTime("2026-03-01T10:00:05+00:00")).toBe(1772359205000);
    expect(parseLogTime("-")).toBeNaN();
  });

  it("status classes compared in reconciliation", () => {
    expect([200, 204, 302, 400, 403, 502, 101, 499, 0, "0", "abc"].map(statusClass)).toEqual(["2xx", "2xx", "3xx", "400", "403", "502", null, null, null, null, null]);
  });
});

describe("detectRecyclesFromLogs", () => {
  it("finds gunicorn's max-requests restart with its pid and time", () => {
    const events = detectRecyclesFromLogs([
      "[2026-03-01 09:59:50 +0000] [4242] [INFO] Booting worker with pid: 4242",
      "[2026-03-01 11:00:20 +0100] [4242] [INFO] Autorestarting worker after current request.",
      "[2026-03-01 10:00:20 +0000] [4242] [INFO] Worker exiting (pid: 4242)",
    ]);
    expect(events).toEqual([
      { name: "max-requests-recycle", target: "pid:4242", start: Date.parse("2026-03-01T10:00:20Z"), end: Date.parse("2026-03-01T10:00:20Z"), ok: true, detail: "gunicorn: Autorestarting worker after current request." },
    ]);
  });

  it("finds the Node app's worker_recycle JSON lines (reason max_requests only)", () => {
    const events = detectRecyclesFromLogs([
      '{"time":"2026-03-01T10:00:30.250Z","level":"info","event":"worker_recycle","reason":"max_requests","pid":777,"requests":1000}',
      '{"time":1772359240000,"event":"worker_recycle","reason":"manual","pid":778}',
      '{"ts":1772359235500,"event":"worker_recycle","reason":"max_requests","worker":3,"instance":"app2"}',
      "app2 | " + '{"t":1772359236,"event":"worker_recycle","reason":"max_requests","pid":9}',
      '{"event":"worker_recycle","reason":"max_requests"}',
    ]);
    expect(events.map((e) => [e.start, e.target])).toEqual([
      [Date.parse("2026-03-01T10:00:30.250Z"), "pid:777"],
      [1772359235500, "app2"],
      [1772359236000, "pid:9"],
    ]);
  });

  it("uses the collector's time and source when given, and skips undated lines", () => {
    const events = detectRecyclesFromLogs([
      { text: "[4242] [INFO] Autorestarting worker after current request.", time: 1772359220123, source: "app1" },
      { text: "Autorestarting worker after current request." },
      { text: "[2026-03-01 10:00:20 +0000] [4242] [INFO] Autorestarting worker after current request.", time: 1772359220456, source: "app1" },
    ]);
    expect(events.map((e) => [e.start, e.target])).toEqual([
      [1772359220123, "app1"],
      [1772359220456, "app1 pid:4242"],
    ]);
  });
});
