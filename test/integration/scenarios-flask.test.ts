// The Socket.IO scenarios against Flask-SocketIO under gunicorn with the gevent-websocket
// worker (python-engineio 4 / python-socketio 5, from Debian), real k6.
//  - 1 worker: like Node, sessions open, acks round-trip, zero failures (the tests both apps
//    pass alike are in support/scenario-suite.ts).
//  - 2 workers (no stickiness between them): sid-bearing requests of polling sessions land
//    on the wrong worker → `session_unknown` (Python's 400 "Invalid session"), while
//    websocket-only sessions (one request each) are unaffected.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFlaskApp, type RunningApp } from "./support/apps.ts";
import { samples, sum, sumBy } from "./support/k6-points.ts";
import { runScenario, workDir } from "./support/k6-run.ts";
import { METRIC } from "../../scenarios/lib/metrics.ts";
import { expectCleanRun, SHORT_RUN } from "./support/expectations.ts";
import { sharedScenarioTests } from "./support/scenario-suite.ts";

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

  sharedScenarioTests({ url: () => app.url, dir: work.dir, namespaceScenarios: { accepted: "upgrade", refused: "websocket" } });

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

  it("keepalive: ticks read serverHealth.status", async () => {
    const k = await runScenario(work.dir, {
      scenario: "keepalive",
      env: { TARGET: app.url, DURATION: "2s", VUS: "1", KEEPALIVE_INTERVAL: "500ms" },
    });
    expectCleanRun(k);
    expect(sum(k.points, METRIC.keepaliveHealth, { health: "healthy" })).toBeGreaterThanOrEqual(2);
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
