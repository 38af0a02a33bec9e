// The scenario tests every reference app (Node socket.io, Flask-SocketIO) passes the same way.
// Call sharedScenarioTests inside a describe whose beforeAll starts the app with one worker,
// ticks on and a short heartbeat; the app's own test file keeps what differs between the apps.
import { expect, it } from "vitest";
import { classifyHttp } from "../../../scenarios/lib/classify.ts";
import { METRIC } from "../../../scenarios/lib/metrics.ts";
import { expectCleanRun, expectStableTags, SHORT_RUN } from "./expectations.ts";
import { samples, sum, sumBy } from "./k6-points.ts";
import { runScenario } from "./k6-run.ts";

export interface SharedScenarioOptions {
  /** The running app's base URL (read once its beforeAll has run). */
  url: () => string;
  /** Where k6 bundles and samples go (workDir().dir). */
  dir: string;
  /** The scenarios the /admin namespace test connects with: a valid token, then a wrong one. */
  namespaceScenarios: { accepted: string; refused: string };
}

/** The server's answer to a request classifies as kind (the answer is shown when it does not). */
async function expectClassifiedAs(kind: string, url: string, init?: RequestInit): Promise<void> {
  const res = await fetch(url, init);
  const outcome = { status: res.status, body: await res.text(), contentType: res.headers.get("content-type") };
  expect(classifyHttp(outcome), JSON.stringify(outcome)).toBe(kind);
}

export function sharedScenarioTests({ url, dir, namespaceScenarios }: SharedScenarioOptions): void {
  it("the server's real unknown-sid answers classify as session_unknown, other 400s as bad_request", async () => {
    const base = `${url()}/socket.io/?EIO=4&transport=polling&sid=not-a-session`;
    await expectClassifiedAs("session_unknown", base, { method: "GET" });
    await expectClassifiedAs("session_unknown", base, { method: "POST", body: "40" });
    await expectClassifiedAs("bad_request", `${url()}/socket.io/?EIO=4&transport=carrier-pigeon`);
  });

  for (const [scenario, transport] of [
    ["polling", "polling"],
    ["websocket", "websocket"],
    ["upgrade", "websocket"],
  ] as const) {
    it(`${scenario}: sessions open, acks round-trip over ${transport}, zero failures`, async () => {
      const r = await runScenario(dir, { scenario, env: { ...SHORT_RUN, TARGET: url() } });
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

  it(`named namespace with auth connects (${namespaceScenarios.accepted}); a wrong token is a connect_error (${namespaceScenarios.refused})`, async () => {
    const ok = await runScenario(dir, {
      scenario: namespaceScenarios.accepted,
      env: { ...SHORT_RUN, TARGET: url(), NAMESPACE: "/admin", AUTH_TOKEN: "secret", VUS: "1" },
    });
    expectCleanRun(ok);
    expect(sum(ok.points, METRIC.namespaceConnects)).toBe(3);
    expect(samples(ok.points, METRIC.ackRtt).length).toBeGreaterThan(0);

    const refused = await runScenario(dir, {
      scenario: namespaceScenarios.refused,
      env: { ...SHORT_RUN, TARGET: url(), NAMESPACE: "/admin", AUTH_TOKEN: "wrong", VUS: "1", DURATION: "2s" },
    });
    expect(refused.exitCode).toBe(0);
    expect(sum(refused.points, METRIC.namespaceConnects)).toBe(0);
    expect(sumBy(refused.points, METRIC.failures, "kind")).toEqual({ connect_error: 3 });
  });

  it("mixed: upgrade and polling clients emit with acks beside keepalive ticks", async () => {
    const r = await runScenario(dir, {
      scenario: "mixed",
      env: { ...SHORT_RUN, TARGET: url(), VUS: "4", CLIENTS_PER_VU: "2", POLLING_SHARE: "0.5", KEEPALIVE_INTERVAL: "1s" },
    });
    expectCleanRun(r);
    expect(samples(r.points, METRIC.ackRtt, { scenario: "upgrade", transport: "websocket" }).length).toBeGreaterThan(0);
    expect(samples(r.points, METRIC.ackRtt, { scenario: "polling", transport: "polling" }).length).toBeGreaterThan(0);
    expect(sum(r.points, METRIC.upgrades, { scenario: "upgrade" })).toBe(4);
    expect(sum(r.points, METRIC.keepaliveHealth, { scenario: "keepalive", health: "healthy" })).toBeGreaterThan(0);
  });
}
