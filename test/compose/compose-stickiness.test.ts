// Stickiness through real proxies in front of app containers: round robin over 2 containers
// breaks long-polling (Session ID unknown / Invalid session), HAProxy's SERVERID cookie does not.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, expect, it } from "vitest";
import { COMPOSE_DIR } from "../../harness/stack/compose/images.ts";
import { appEvents, pollingLoad, readAccessLog, sioSession } from "../integration/stack-helpers.ts";
import { cleanupAfterEach, describeDocker, ensureTestImages, eventually, upCompose } from "./support.ts";

const cleanup = cleanupAfterEach();

describeDocker("compose stack: stickiness", () => {
  beforeAll(async () => {
    await ensureTestImages(["app-node", "nginx", "haproxy", "redis"]);
  }, 600_000);

  it("nginx round robin over 2 app containers: polling gets Session ID unknown, websocket-only does not", async () => {
    const stack = cleanup.stack(await upCompose("nginx-rr-2x1"));
    expect(stack.control.instances()).toEqual(["app1", "app2"]);
    const totals = await pollingLoad(stack.endpoints.baseUrl, 10, 6);
    expect(totals.sessions).toBe(10);
    expect(totals.sessionUnknown / totals.sidRequests).toBeGreaterThan(0.2);
    // the proxy's access log (written in the container, read on the host) agrees, over both containers
    // (nginx writes a line just after the answer went out: give the last ones a moment)
    const sidLines = () => readAccessLog(stack.endpoints.proxyAccessLog!).filter((e) => e.args.includes("sid="));
    await eventually(() => sidLines().filter((e) => e.status === 400).length >= totals.sessionUnknown, 5_000);
    expect(sidLines().filter((e) => e.status === 400).length).toBe(totals.sessionUnknown);
    expect(new Set(sidLines().map((e) => e.upstream)).size).toBe(2);

    const ws = await Promise.all(Array.from({ length: 6 }, () => sioSession(stack.endpoints.baseUrl, { transports: ["websocket"], emits: 2 })));
    for (const r of ws) expect(r).toMatchObject({ connected: true, acks: 2, transport: "websocket" });
  });

  it("HAProxy SERVERID cookie over 2 app containers: no Session ID unknown, both containers get sessions", async () => {
    const stack = cleanup.stack(await upCompose("haproxy-cookie-3x1", { instances: 2 }));
    const totals = await pollingLoad(stack.endpoints.baseUrl, 12, 6);
    expect(totals.sessions).toBe(12);
    expect(totals.sessionUnknown).toBe(0);
    expect(totals.otherFailures).toEqual({});
    expect(totals.echoes).toBe(12 * 6);
    // container logs were collected into the run folder, one file per instance
    const connects = Object.values(stack.endpoints.appLogs).map((f) => appEvents(f, "connect").length);
    expect(connects).toHaveLength(2);
    expect(Math.min(...connects)).toBeGreaterThan(0);
    expect(connects[0] + connects[1]).toBe(12);
  });

  it.skipIf(!existsSync(join(COMPOSE_DIR, "apps/flask/app.py")))("Flask-SocketIO under gunicorn -w 2 in one container: Invalid session (the incident)", async () => {
    await ensureTestImages(["app-flask"]);
    // a short ping interval: a GET that waits on the owning worker is answered within 3 s
    const stack = cleanup.stack(await upCompose("gunicorn-2w", { pingIntervalMs: 3000, pingTimeoutMs: 5000 }));
    expect((await stack.control.workers()).length).toBe(2);
    const totals = await pollingLoad(stack.endpoints.baseUrl, 8, 3);
    expect(totals.sessions).toBe(8);
    expect(totals.sessionUnknown).toBeGreaterThan(0);
  }, 600_000);
});
