// Stickiness through real proxies in front of real Node instances: round robin breaks
// long-polling ("Session ID unknown"), ip-hash over spread source addresses and HAProxy's
// SERVERID cookie do not, and websocket-only sessions never care.
import { afterEach, describe, expect, it } from "vitest";
import { localIpList } from "../../harness/net/local-ips.ts";
import type { LocalStack } from "../../harness/stack/local/driver.ts";
import { appEvents, eventually, pollingLoad, readAccessLog, sioSession, upStack } from "./stack-helpers.ts";

let stack: LocalStack | undefined;
afterEach(async () => {
  await stack?.down();
  stack = undefined;
});

const connectsPerInstance = (s: LocalStack) =>
  Object.fromEntries(Object.entries(s.endpoints.appLogs).map(([id, file]) => [id, appEvents(file, "connect").length]));

describe("nginx in front of 2 single-worker Node instances", () => {
  it("round robin: polling clients get Session ID unknown on a large share of sid-bearing requests", async () => {
    stack = await upStack("nginx-rr-2x1");
    const totals = await pollingLoad(stack.endpoints.baseUrl, 10, 8);
    expect(totals.sessions).toBe(10);
    const share = totals.sessionUnknown / totals.sidRequests;
    expect(share).toBeGreaterThan(0.2);
    // the proxy's log agrees: 400s on sid-bearing polling requests, from both upstreams
    const log = () => readAccessLog(stack!.endpoints.proxyAccessLog!).filter((e) => e.args.includes("sid="));
    // nginx may write the last lines just after the client has its answer
    await eventually(() => log().length >= totals.sidRequests);
    expect(log().filter((e) => e.status === 400).length).toBe(totals.sessionUnknown);
    expect(new Set(log().map((e) => e.upstream)).size).toBe(2);
  });

  it("round robin: websocket-only clients see no Session ID unknown", async () => {
    stack = await upStack("nginx-rr-2x1");
    const results = await Promise.all(Array.from({ length: 10 }, () => sioSession(stack!.endpoints.baseUrl, { transports: ["websocket"], emits: 3 })));
    for (const r of results) expect(r).toMatchObject({ connected: true, acks: 3, transport: "websocket" });
    // nginx writes a websocket's line when it closes
    const log = () => readAccessLog(stack!.endpoints.proxyAccessLog!).filter((e) => e.uri === "/socket.io/");
    await eventually(() => log().length >= 10);
    expect(log().filter((e) => e.status === 400)).toEqual([]);
    expect(log().filter((e) => e.status === 101).length).toBe(10);
  });

  it("ip-hash with spread source addresses: no Session ID unknown, and both backends get sessions", async () => {
    stack = await upStack("nginx-iphash-2x1");
    const addresses = localIpList(20);
    const totals = await pollingLoad(stack.endpoints.baseUrl, 20, 8, addresses);
    expect(totals.sessions).toBe(20);
    expect(totals.sidRequests).toBeGreaterThan(20 * 8);
    expect(totals.sessionUnknown).toBe(0);
    expect(totals.otherFailures).toEqual({});
    expect(totals.echoes).toBe(20 * 8);
    const connects = connectsPerInstance(stack);
    expect(connects.app1).toBeGreaterThan(0);
    expect(connects.app2).toBeGreaterThan(0);
    expect(connects.app1 + connects.app2).toBe(20);
  });

  it("ip-hash from a single source address pins every client to one backend", async () => {
    stack = await upStack("nginx-iphash-2x1");
    const totals = await pollingLoad(stack.endpoints.baseUrl, 10, 3, ["127.0.9.1"]);
    expect(totals.sessionUnknown).toBe(0);
    expect(Object.values(connectsPerInstance(stack)).sort()).toEqual([0, 10]);
  });

  it("header stickiness: clients sending X-Client-Id stay on their backend", async () => {
    stack = await upStack("nginx-rr-2x1", { stickiness: "header" });
    const totals = await pollingLoad(stack.endpoints.baseUrl, 16, 5, [], (k) => ({ "X-Client-Id": `client-${k}` }));
    expect(totals.sessionUnknown).toBe(0);
    const connects = connectsPerInstance(stack);
    expect(connects.app1 + connects.app2).toBe(16);
    expect(Math.min(connects.app1, connects.app2)).toBeGreaterThan(0);
  });
});

describe("HAProxy", () => {
  it("cookie: sticky by SERVERID, no Session ID unknown, sessions spread over the 3 instances", async () => {
    stack = await upStack("haproxy-cookie-3x1");
    const totals = await pollingLoad(stack.endpoints.baseUrl, 12, 8);
    expect(totals.sessions).toBe(12);
    expect(totals.sessionUnknown).toBe(0);
    expect(totals.otherFailures).toEqual({});
    expect(totals.echoes).toBe(12 * 8);
    const connects = connectsPerInstance(stack);
    expect(Object.values(connects).filter((n) => n > 0).length).toBe(3);
    // ground truth from HAProxy's JSON log: every sid-bearing request went to one upstream per session
    const log = readAccessLog(stack.endpoints.proxyAccessLog!);
    expect(log.length).toBeGreaterThan(12 * 8);
    expect(log.every((e) => e.status === 200)).toBe(true);
  });

  it("round robin: polling breaks the same way as with nginx", async () => {
    stack = await upStack("haproxy-rr-2x1");
    const totals = await pollingLoad(stack.endpoints.baseUrl, 10, 8);
    expect(totals.sessionUnknown / totals.sidRequests).toBeGreaterThan(0.2);
  });
});
