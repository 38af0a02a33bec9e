import { describe, expect, it } from "vitest";
import {
  ConfigError,
  loadKeepaliveConfig,
  loadMatchConfig,
  loadMixedConfig,
  loadSioConfig,
  parseDurationMs,
  toWsBase,
} from "../../scenarios/lib/config.ts";
import { readHealth } from "../../scenarios/lib/health.ts";

describe("parseDurationMs", () => {
  it("reads k6-style durations", () => {
    expect(parseDurationMs("500ms")).toBe(500);
    expect(parseDurationMs("30s")).toBe(30_000);
    expect(parseDurationMs("1m30s")).toBe(90_000);
    expect(parseDurationMs("2h")).toBe(7_200_000);
    expect(parseDurationMs("1.5s")).toBe(1500);
    expect(parseDurationMs(" 0s ")).toBe(0);
  });
  it("refuses anything else", () => {
    for (const bad of ["", "30", "s", "10 s", "1d", "-1s", "1s2", "fast"]) expect(parseDurationMs(bad)).toBeNull();
  });
});

describe("loadSioConfig", () => {
  it("has defaults for everything", () => {
    const c = loadSioConfig({});
    expect(c).toMatchObject({
      target: "http://127.0.0.1:3000",
      path: "/socket.io/",
      namespace: "/",
      vus: 2,
      clientsPerVu: 5,
      clients: 10,
      durationMs: 30_000,
      sessionMs: 30_000,
      emitIntervalMs: 1000,
      emitEvent: "echo",
      ack: true,
      ackTimeoutMs: 10_000,
      connectTimeoutMs: 20_000,
      upgradeTimeoutMs: 10_000,
      pollTimeoutMs: 0,
      gracefulStopMs: 30_000,
      reconnect: { attempts: 3, baseDelayMs: 1000, maxDelayMs: 5000, jitter: 0.5 },
    });
    expect(c.auth).toBeUndefined();
    expect(c.room).toBeUndefined();
  });

  it("reads every variable", () => {
    const c = loadSioConfig({
      TARGET: "https://example.test:8443/",
      SIO_PATH: "/rt",
      NAMESPACE: "/admin",
      AUTH_TOKEN: "secret",
      CLIENTS: "25",
      CLIENTS_PER_VU: "10",
      DURATION: "1m",
      SESSION_DURATION: "20s",
      EMIT_INTERVAL: "0s",
      EMIT_EVENT: "chat",
      ACK: "false",
      ROOM: "lobby",
      RECONNECT_ATTEMPTS: "0",
    });
    expect(c.target).toBe("https://example.test:8443");
    expect(toWsBase(c.target)).toBe("wss://example.test:8443");
    expect(c.path).toBe("/rt/");
    expect(c.auth).toEqual({ token: "secret" });
    expect([c.vus, c.clients]).toEqual([3, 30]);
    expect([c.durationMs, c.sessionMs, c.emitIntervalMs]).toEqual([60_000, 20_000, 0]);
    expect([c.emitEvent, c.ack, c.room, c.reconnect.attempts]).toEqual(["chat", false, "lobby", 0]);
  });

  it("names the variable and the fix in one sentence", () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ TARGET: "127.0.0.1:3000" }, /^TARGET=127\.0\.0\.1:3000 is not an http\(s\) base URL; use e\.g\./],
      [{ DURATION: "30" }, /^DURATION=30 is not a duration; use a number with a unit/],
      [{ DURATION: "100ms" }, /^DURATION=100ms is too short/],
      [{ VUS: "two" }, /^VUS=two is not a whole number/],
      [{ VUS: "0" }, /^VUS=0 is out of range/],
      [{ VUS: "2", CLIENTS: "10" }, /^VUS and CLIENTS are both set/],
      [{ NAMESPACE: "admin" }, /^NAMESPACE=admin is not a Socket\.IO namespace/],
      [{ ACK: "maybe" }, /^ACK=maybe is not a boolean/],
      [{ SIO_PATH: "socket.io" }, /^SIO_PATH=socket\.io is not a URL path/],
      [{ RECONNECT_JITTER: "2" }, /^RECONNECT_JITTER=2 is not a fraction/],
      [{ RECONNECT_DELAY: "10s", RECONNECT_DELAY_MAX: "1s" }, /^RECONNECT_DELAY_MAX is below RECONNECT_DELAY/],
    ];
    for (const [env, message] of cases) {
      let caught: unknown;
      try {
        loadSioConfig(env);
      } catch (err) {
        caught = err;
      }
      expect(caught, JSON.stringify(env)).toBeInstanceOf(ConfigError);
      expect((caught as Error).message).toMatch(message);
      expect((caught as Error).message.trim().split(/\.\s/).length, (caught as Error).message).toBeLessThanOrEqual(2);
    }
  });
});

describe("other scenarios", () => {
  it("keepalive: 30 s ticks, 8 s timeout, 3 retries by default", () => {
    expect(loadKeepaliveConfig({})).toMatchObject({
      vus: 1,
      keepalivePath: "/api/v1/keepalive/",
      intervalMs: 30_000,
      timeoutMs: 8000,
      retries: 3,
      retryDelayMs: 1000,
    });
    expect(loadKeepaliveConfig({ KEEPALIVE_INTERVAL: "5s", VUS: "3" })).toMatchObject({ intervalMs: 5000, vus: 3 });
  });

  it("mixed: splits the clients by POLLING_SHARE, keepalive VUs apart", () => {
    const m = loadMixedConfig({ VUS: "10", POLLING_SHARE: "0.3", KEEPALIVE_VUS: "2" });
    expect([m.upgrade.vus, m.polling.vus, m.keepalive.vus]).toEqual([7, 3, 2]);
    expect(m.polling.clients).toBe(15);
    expect(loadMixedConfig({ VUS: "4", KEEPALIVE_VUS: "0" }).keepalive.vus).toBe(0);
  });

  it("match: defaults and the match count", () => {
    expect(loadMatchConfig({ MATCHES: "3" })).toMatchObject({ matchPath: "/api/match/game", matches: 3, vus: 2, clientsPerVu: 5 });
    expect(() => loadMatchConfig({ MATCHES: "0" })).toThrow(/^MATCHES=0 is out of range/);
  });
});

describe("readHealth", () => {
  it("reads serverHealth.status", () => {
    expect(readHealth('{"serverHealth":{"status":"healthy","checks":{}},"pid":1}')).toBe("healthy");
    expect(readHealth('{"serverHealth":{"status":"degraded"}}')).toBe("degraded");
    expect(readHealth('{"serverHealth":{"status":"critical"}}')).toBe("critical");
  });
  it("anything else is not a valid answer", () => {
    for (const bad of [null, "", "ok", "{}", '{"serverHealth":"healthy"}', '{"serverHealth":{"status":"fine"}}', "<html>"]) {
      expect(readHealth(bad)).toBeNull();
    }
  });
});
