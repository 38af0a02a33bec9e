// Every scenario against the Node reference app (socket.io 4.8, one cluster worker), with
// the real k6: sessions open on the scenario's transport(s), acks come back, nothing fails.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNodeApp, type RunningApp } from "./support/apps.ts";
import { sum, sumBy, samples } from "./support/k6-points.ts";
import { runScenario, workDir } from "./support/k6-run.ts";
import { METRIC } from "../../scenarios/lib/metrics.ts";
import { expectCleanRun, expectStableTags, SHORT_RUN } from "./support/expectations.ts";

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
      else expect(sum(r.points, METRIC.upgrades)).toBe(0);
      expectStableTags(r.points);
    });
  }

  it("named namespace with auth connects; a wrong token is a connect_error", async () => {
    const ok = await runScenario(work.dir, {
      scenario: "websocket",
      env: { ...SHORT_RUN, TARGET: app.url, NAMESPACE: "/admin", AUTH_TOKEN: "secret", VUS: "1" },
    });
    expectCleanRun(ok);
    expect(sum(ok.points, METRIC.namespaceConnects)).toBe(3);
    expect(samples(ok.points, METRIC.ackRtt).length).toBeGreaterThan(0);

    const refused = await runScenario(work.dir, {
      scenario: "polling",
      env: { ...SHORT_RUN, TARGET: app.url, NAMESPACE: "/admin", AUTH_TOKEN: "wrong", VUS: "1", DURATION: "2s" },
    });
    expect(refused.exitCode).toBe(0);
    expect(sum(refused.points, METRIC.namespaceConnects)).toBe(0);
    expect(sumBy(refused.points, METRIC.failures, "kind")).toEqual({ connect_error: 3 });
  });

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

  it("mixed: upgrade and polling clients emit with acks beside keepalive ticks", async () => {
    const r = await runScenario(work.dir, {
      scenario: "mixed",
      env: { ...SHORT_RUN, TARGET: app.url, VUS: "4", CLIENTS_PER_VU: "2", POLLING_SHARE: "0.5", KEEPALIVE_INTERVAL: "1s" },
    });
    expectCleanRun(r);
    expect(samples(r.points, METRIC.ackRtt, { scenario: "upgrade", transport: "websocket" }).length).toBeGreaterThan(0);
    expect(samples(r.points, METRIC.ackRtt, { scenario: "polling", transport: "polling" }).length).toBeGreaterThan(0);
    expect(sum(r.points, METRIC.upgrades, { scenario: "upgrade" })).toBe(4);
    expect(sum(r.points, METRIC.keepaliveHealth, { scenario: "keepalive", health: "healthy" })).toBeGreaterThan(0);
  });

  it("match: plain websocket clients send and receive", async () => {
    const r = await runScenario(work.dir, { scenario: "match", env: { ...SHORT_RUN, TARGET: app.url, MATCHES: "2" } });
    expectCleanRun(r);
    expect(sum(r.points, METRIC.sessionsOpened, { op: "match" })).toBe(6);
    expect(sum(r.points, METRIC.matchMessagesSent)).toBeGreaterThan(0);
    // Each move reaches every peer of its match, the welcome message on top.
    expect(sum(r.points, METRIC.matchMessages)).toBeGreaterThan(sum(r.points, METRIC.matchMessagesSent));
  });

  it("a bad environment value stops k6 in init with the variable named", async () => {
    const r = await runScenario(work.dir, { scenario: "polling", env: { TARGET: app.url, EMIT_INTERVAL: "fast" } });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout + r.stderr).toContain("EMIT_INTERVAL=fast is not a duration");
    expect(r.points.filter((p) => p.metric === METRIC.sessionsOpened)).toEqual([]);
  });
});
