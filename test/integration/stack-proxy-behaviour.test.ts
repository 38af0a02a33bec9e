// What the proxy settings of a topology do to real clients: without Upgrade/Connection
// headers every websocket upgrade fails while polling carries on; with Redis stopped under
// load the keepalive through the proxy stays 200 and says "degraded", then "healthy" again.
import WebSocket from "ws";
import { afterEach, describe, expect, it } from "vitest";
import type { LocalStack } from "../../harness/stack/local/driver.ts";
import { eventually, httpRequest, pollingLoad, readAccessLog, sioSession, upStack } from "./stack-helpers.ts";

let stack: LocalStack | undefined;
afterEach(async () => {
  await stack?.down();
  stack = undefined;
});

function rawWebsocket(url: string): Promise<{ opened: boolean; status?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.once("open", () => {
      ws.close();
      resolve({ opened: true });
    });
    ws.once("unexpected-response", (_req, res) => {
      resolve({ opened: false, status: res.statusCode });
      ws.terminate();
    });
    ws.once("error", () => resolve({ opened: false }));
  });
}

describe("nginx without websocket headers (nginx-noupgrade-1x1)", () => {
  it("fails every websocket upgrade while polling keeps working", async () => {
    stack = await upStack("nginx-noupgrade-1x1");
    const base = stack.endpoints.baseUrl;
    // default socket.io-client: polling first, then tries to upgrade; it must stay on polling
    const clients = await Promise.all(Array.from({ length: 6 }, () => sioSession(base, { transports: ["polling", "websocket"], emits: 3, upgradeWaitMs: 500 })));
    for (const c of clients) expect(c).toMatchObject({ connected: true, acks: 3, transport: "polling" });
    // websocket-only clients cannot connect at all
    const wsOnly = await Promise.all(Array.from({ length: 3 }, () => sioSession(base, { transports: ["websocket"], emits: 1 })));
    for (const c of wsOnly) expect(c.connected).toBe(false);
    const raw = await rawWebsocket(`${base.replace("http", "ws")}/socket.io/?EIO=4&transport=websocket`);
    expect(raw).toEqual({ opened: false, status: 400 });
    // raw polling sessions are untouched
    const polling = await pollingLoad(base, 5, 4);
    expect(polling.sessionUnknown).toBe(0);
    expect(polling.echoes).toBe(20);
    const wsLines = readAccessLog(stack.endpoints.proxyAccessLog!).filter((e) => e.args.includes("transport=websocket"));
    expect(wsLines.length).toBeGreaterThanOrEqual(6 + 3 + 1);
    expect(wsLines.every((e) => e.status === 400)).toBe(true);
  });

  it("the same clients upgrade when the headers are forwarded (control case)", async () => {
    stack = await upStack("nginx-noupgrade-1x1", { websocketHeaders: true });
    const clients = await Promise.all(Array.from({ length: 4 }, () => sioSession(stack!.endpoints.baseUrl, { transports: ["polling", "websocket"], emits: 2, upgradeWaitMs: 500 })));
    for (const c of clients) expect(c).toMatchObject({ connected: true, acks: 2, transport: "websocket" });
  });

  it("HAProxy with websocketHeaders off fails upgrades the same way", async () => {
    stack = await upStack("haproxy-rr-2x1", { instances: 1, websocketHeaders: false });
    const raw = await rawWebsocket(`${stack.endpoints.baseUrl.replace("http", "ws")}/socket.io/?EIO=4&transport=websocket`);
    expect(raw).toEqual({ opened: false, status: 400 });
    const c = await sioSession(stack.endpoints.baseUrl, { transports: ["polling", "websocket"], emits: 2, upgradeWaitMs: 500 });
    expect(c).toMatchObject({ connected: true, acks: 2, transport: "polling" });
  });
});

describe("Redis stopped under load (nginx-iphash-2x1)", () => {
  it("keepalive through the proxy stays 200 and reports degraded, then healthy after a restart", async () => {
    stack = await upStack("nginx-iphash-2x1");
    const keepalive = async () => {
      const res = await httpRequest(`${stack!.endpoints.baseUrl}/api/v1/keepalive/`);
      return { status: res.status, health: res.status === 200 ? (JSON.parse(res.body) as { serverHealth: { status: string; checks: { redis: string } } }).serverHealth : undefined };
    };
    expect(await keepalive()).toMatchObject({ status: 200, health: { status: "healthy", checks: { redis: "ok" } } });

    const load = pollingLoad(stack.endpoints.baseUrl, 8, 20, ["127.0.1.1", "127.0.2.1", "127.0.3.1", "127.0.4.1"]);
    const stopped = await stack.control.redisStop();
    expect(stopped).toMatch(/^redis stopped/);
    const during: Array<Awaited<ReturnType<typeof keepalive>>> = [];
    for (let i = 0; i < 10; i++) during.push(await keepalive());
    for (const k of during) expect(k.status).toBe(200);
    expect(during.some((k) => k.health?.status === "degraded" && k.health.checks.redis === "offline")).toBe(true);
    const totals = await load;
    expect(totals.sessionUnknown).toBe(0);
    expect(totals.echoes).toBe(8 * 20);

    expect(await stack.control.redisStart()).toMatch(/^redis started again/);
    // both instances reconnect on their own (ioredis retries every 500 ms)
    let healthy = 0;
    expect(
      await eventually(async () => {
        const k = await keepalive();
        healthy = k.health?.status === "healthy" ? healthy + 1 : 0;
        return healthy >= 4;
      }, 20_000),
    ).toBe(true);
  });
});
