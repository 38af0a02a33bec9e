// Every scenario against the Node reference app (socket.io 4.8, one cluster worker), with
// the real k6: sessions open on the scenario's transport(s), acks come back, nothing fails.
// The tests both reference apps pass alike are in support/scenario-suite.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNodeApp, type RunningApp } from "./support/apps.ts";
import { sum, sumBy, samples } from "./support/k6-points.ts";
import { runScenario, workDir } from "./support/k6-run.ts";
import { METRIC } from "../../scenarios/lib/metrics.ts";
import { expectCleanRun, SHORT_RUN } from "./support/expectations.ts";
import { startInlineSio } from "./support/inline-sio.ts";
import { sharedScenarioTests } from "./support/scenario-suite.ts";

let app: RunningApp;
const work = workDir();

beforeAll(async () => {
  // Short heartbeat so every session answers several server pings during a 4 s run.
  app = await startNodeApp({ workers: 1, pingIntervalMs: 1000, pingTimeoutMs: 2000, tickMs: 500 });
});

afterAll(async () => {
  await app?.stop();
  work.cleanup();
});

describe("scenarios against the Node socket.io app", () => {
  sharedScenarioTests({ url: () => app.url, dir: work.dir, namespaceScenarios: { accepted: "websocket", refused: "polling" } });

  it("keepalive: ticks read serverHealth.status", async () => {
    const r = await runScenario(work.dir, {
      scenario: "keepalive",
      env: { TARGET: app.url, DURATION: "3s", VUS: "2", KEEPALIVE_INTERVAL: "500ms" },
    });
    expectCleanRun(r);
    const byHealth = sumBy(r.points, METRIC.keepaliveHealth, "health");
    expect(byHealth.healthy).toBeGreaterThanOrEqual(4);
    expect(byHealth.error).toBeUndefined();
  });

  it("match: plain websocket clients send and receive", async () => {
    const r = await runScenario(work.dir, { scenario: "match", env: { ...SHORT_RUN, TARGET: app.url, MATCHES: "2" } });
    expectCleanRun(r);
    expect(sum(r.points, METRIC.sessionsOpened, { op: "match" })).toBe(6);
    expect(sum(r.points, METRIC.matchMessagesSent)).toBeGreaterThan(0);
    // Each move reaches every peer of its match, the welcome message on top.
    expect(sum(r.points, METRIC.matchMessages)).toBeGreaterThan(sum(r.points, METRIC.matchMessagesSent));
  });

  it("keepalive without a valid answer records error after its retries", async () => {
    const r = await runScenario(work.dir, {
      scenario: "keepalive",
      env: {
        TARGET: app.url,
        DURATION: "2s",
        VUS: "1",
        KEEPALIVE_INTERVAL: "1s",
        KEEPALIVE_PATH: "/api/v1/nothing-here/",
        KEEPALIVE_RETRIES: "2",
        KEEPALIVE_RETRY_DELAY: "50ms",
      },
    });
    expect(r.exitCode).toBe(0);
    const ticks = sum(r.points, METRIC.keepaliveHealth, { health: "error" });
    expect(ticks).toBeGreaterThanOrEqual(1);
    expect(sum(r.points, METRIC.keepaliveHealth)).toBe(ticks);
    // 404 → http_error, three attempts (1 + 2 retries) per tick.
    expect(sumBy(r.points, METRIC.failures, "kind", { op: "keepalive" })).toEqual({ http_error: ticks * 3 });
  });

  it("a bad environment value stops k6 in init with the variable named", async () => {
    const r = await runScenario(work.dir, { scenario: "polling", env: { TARGET: app.url, EMIT_INTERVAL: "fast" } });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout + r.stderr).toContain("EMIT_INTERVAL=fast is not a duration");
    expect(r.points.filter((p) => p.metric === METRIC.sessionsOpened)).toEqual([]);
  });
});

describe("Node, failure classification", () => {
  it("a 2-worker node cluster without stickiness: polling records session_unknown (Node code 1)", async () => {
    const two = await startNodeApp({ workers: 2, pingIntervalMs: 1000, pingTimeoutMs: 2000, tickMs: 0 });
    try {
      const r = await runScenario(work.dir, {
        scenario: "polling",
        env: { ...SHORT_RUN, TARGET: two.url, VUS: "3", CLIENTS_PER_VU: "4", RECONNECT_DELAY: "200ms", RECONNECT_DELAY_MAX: "500ms" },
      });
      expect(r.exitCode).toBe(0);
      const kinds = sumBy(r.points, METRIC.failures, "kind");
      expect(kinds.session_unknown ?? 0, JSON.stringify(kinds)).toBeGreaterThan(0);
      expect(kinds.bad_request ?? 0, JSON.stringify(kinds)).toBe(0);
    } finally {
      await two.stop();
    }
  });

  it("a refused websocket upgrade is upgrade_failed and the session carries on over polling", async () => {
    const srv = await startInlineSio({ refuseUpgrades: true, pingInterval: 1000, pingTimeout: 2000 });
    try {
      const r = await runScenario(work.dir, { scenario: "upgrade", env: { ...SHORT_RUN, TARGET: srv.url } });
      expect(r.exitCode).toBe(0);
      expect(sumBy(r.points, METRIC.failures, "kind")).toEqual({ upgrade_failed: 6 });
      expect(sum(r.points, METRIC.upgrades)).toBe(0);
      expect(sum(r.points, METRIC.sessionsLost)).toBe(0);
      expect(samples(r.points, METRIC.ackRtt, { transport: "polling" }).length).toBeGreaterThan(0);
      expect(samples(r.points, METRIC.ackRtt, { transport: "websocket" })).toEqual([]);
      // k6's own websocket samples show the refusal's status.
      expect(samples(r.points, "ws_sessions", { op: "upgrade", status: "403" }).length).toBe(6);
    } finally {
      await srv.close();
    }
  });
});
