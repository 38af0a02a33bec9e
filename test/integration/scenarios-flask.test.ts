// The Socket.IO scenarios against Flask-SocketIO under gunicorn with the gevent-websocket
// worker (python-engineio 4 / python-socketio 5, from Debian), real k6.
//  - 1 worker: like Node, sessions open, acks round-trip, zero failures.
//  - 2 workers (no stickiness between them): sid-bearing requests of polling sessions land
//    on the wrong worker → `session_unknown` (Python's 400 "Invalid session"), while
//    websocket-only sessions (one request each) are unaffected.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFlaskApp, type RunningApp } from "./support/apps.ts";
import { samples, sum, sumBy } from "./support/k6-points.ts";
import { runScenario, workDir } from "./support/k6-run.ts";
import { METRIC } from "../../scenarios/lib/metrics.ts";
import { classifyHttp } from "../../scenarios/lib/classify.ts";
import { expectCleanRun, expectStableTags, SHORT_RUN } from "./support/expectations.ts";

const work = workDir();
afterAll(() => work.cleanup());

describe("Flask-SocketIO, 1 gunicorn worker", () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startFlaskApp({ workers: 1, pingIntervalMs: 1000, pingTimeoutMs: 2000, tickMs: 500 });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it("the server's real unknown-sid answers classify as session_unknown, other 400s as bad_request", async () => {
    const base = `${app.url}/socket.io/?EIO=4&transport=polling&sid=not-a-session`;
    for (const init of [{ method: "GET" }, { method: "POST", body: "40" }]) {
      const res = await fetch(base, init);
      const outcome = { status: res.status, body: await res.text(), contentType: res.headers.get("content-type") };
      expect(classifyHttp(outcome), JSON.stringify(outcome)).toBe("session_unknown");
    }
    const bad = await fetch(`${app.url}/socket.io/?EIO=4&transport=carrier-pigeon`);
    const outcome = { status: bad.status, body: await bad.text(), contentType: bad.headers.get("content-type") };
    expect(classifyHttp(outcome), JSON.stringify(outcome)).toBe("bad_request");
  });

  for (const [scenario, transport] of [
    ["polling", "polling"],
    ["websocket", "websocket"],
    ["upgrade", "websocket"],
  ] as const) {
    it(`${scenario}: sessions open, acks round-trip over ${transport}, zero failures`, async () => {
      const r = await runScenario(work.dir, { scenario, env: { ...SHORT_RUN, TARGET: app.url } });
      expectCleanRun(r);
      expect(sum(r.points, METRIC.sessionsOpened, { scenario })).toBe(6);
      expect(sum(r.points, METRIC.namespaceConnects, { scenario })).toBe(6);
      expect(samples(r.points, METRIC.ackRtt, { scenario, transport }).length).toBeGreaterThan(0);
      expect(sum(r.points, METRIC.eventsReceived, { scenario, event: "tick" })).toBeGreaterThan(0);
      if (scenario === "upgrade") expect(sum(r.points, METRIC.upgrades, { scenario })).toBe(6);
      expectStableTags(r.points);
    });
  }

  it("polling: bursts of 40 emits are all acked (POST batches stay within Python's 16)", async () => {
    const r = await runScenario(work.dir, {
      scenario: "polling",
      env: { ...SHORT_RUN, DURATION: "5s", TARGET: app.url, VUS: "1", EMIT_INTERVAL: "1s", EMIT_BURST: "40", ACK_TIMEOUT: "3s" },
    });
    expectCleanRun(r);
    const emitted = sum(r.points, METRIC.emits);
    expect(emitted).toBeGreaterThanOrEqual(3 * 40 * 3);
    // Only the last burst may still be in flight when the clients close.
    expect(samples(r.points, METRIC.ackRtt).length).toBeGreaterThanOrEqual(emitted - 3 * 40);
  });

  it("named namespace with auth connects; a wrong token is a connect_error", async () => {
    const ok = await runScenario(work.dir, {
      scenario: "upgrade",
      env: { ...SHORT_RUN, TARGET: app.url, NAMESPACE: "/admin", AUTH_TOKEN: "secret", VUS: "1" },
    });
    expectCleanRun(ok);
    expect(sum(ok.points, METRIC.namespaceConnects)).toBe(3);
    expect(samples(ok.points, METRIC.ackRtt).length).toBeGreaterThan(0);

    const refused = await runScenario(work.dir, {
      scenario: "websocket",
      env: { ...SHORT_RUN, TARGET: app.url, NAMESPACE: "/admin", AUTH_TOKEN: "wrong", VUS: "1", DURATION: "2s" },
    });
    expect(refused.exitCode).toBe(0);
    expect(sum(refused.points, METRIC.namespaceConnects)).toBe(0);
    expect(sumBy(refused.points, METRIC.failures, "kind")).toEqual({ connect_error: 3 });
  });

  it("keepalive and mixed", async () => {
    const k = await runScenario(work.dir, {
      scenario: "keepalive",
      env: { TARGET: app.url, DURATION: "2s", VUS: "1", KEEPALIVE_INTERVAL: "500ms" },
    });
    expectCleanRun(k);
    expect(sum(k.points, METRIC.keepaliveHealth, { health: "healthy" })).toBeGreaterThanOrEqual(2);

    const m = await runScenario(work.dir, {
      scenario: "mixed",
      env: { ...SHORT_RUN, TARGET: app.url, VUS: "4", CLIENTS_PER_VU: "2", POLLING_SHARE: "0.5", KEEPALIVE_INTERVAL: "1s" },
    });
    expectCleanRun(m);
    expect(samples(m.points, METRIC.ackRtt, { scenario: "upgrade", transport: "websocket" }).length).toBeGreaterThan(0);
    expect(samples(m.points, METRIC.ackRtt, { scenario: "polling", transport: "polling" }).length).toBeGreaterThan(0);
  });
});

describe("Flask app, plain websocket match endpoint", () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startFlaskApp({ workers: 1 });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it("match: clients send and receive", async () => {
    const r = await runScenario(work.dir, { scenario: "match", env: { ...SHORT_RUN, TARGET: app.url, MATCHES: "2" } });
    expectCleanRun(r);
    expect(sum(r.points, METRIC.sessionsOpened, { op: "match" })).toBe(6);
    expect(sum(r.points, METRIC.matchMessages)).toBeGreaterThan(sum(r.points, METRIC.matchMessagesSent));
  });
});

describe("Flask-SocketIO, 2 gunicorn workers without stickiness", () => {
  let app: RunningApp;
  beforeAll(async () => {
    // Short heartbeat: a session lost to the other worker still has a poll pending on its
    // owner, which k6 cannot abort; the owner answers it at the next ping.
    app = await startFlaskApp({ workers: 2, tickMs: 500, pingIntervalMs: 1000, pingTimeoutMs: 2000 });
  });
  afterAll(async () => {
    await app?.stop();
  });

  // Several clients per VU keep several keep-alive connections busy, which the kernel
  // spreads over both workers.
  const env = () => ({ ...SHORT_RUN, TARGET: app.url, VUS: "3", CLIENTS_PER_VU: "4", RECONNECT_DELAY: "200ms", RECONNECT_DELAY_MAX: "500ms" });

  for (const scenario of ["polling", "upgrade"] as const) {
    it(`${scenario}: records session_unknown`, async () => {
      const r = await runScenario(work.dir, { scenario, env: env() });
      expect(r.exitCode, r.stderr.slice(-2000)).toBe(0);
      const kinds = sumBy(r.points, METRIC.failures, "kind");
      expect(kinds.session_unknown ?? 0, JSON.stringify(kinds)).toBeGreaterThan(0);
      expect(kinds.bad_request ?? 0, JSON.stringify(kinds)).toBe(0);
      expect(kinds.http_error ?? 0, JSON.stringify(kinds)).toBe(0);
      // Each one is also a Python 400 "Invalid session" in k6's own request samples.
      expect(samples(r.points, "http_reqs", { status: "400" }).length).toBeGreaterThan(0);
    });
  }

  it("websocket-only records none", async () => {
    const r = await runScenario(work.dir, { scenario: "websocket", env: env() });
    expectCleanRun(r);
    expect(sum(r.points, METRIC.sessionsOpened)).toBe(12);
    expect(samples(r.points, METRIC.ackRtt).length).toBeGreaterThan(0);
  });
});
