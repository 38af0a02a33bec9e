// The Flask-SocketIO replica under Debian's gunicorn, through nginx: two workers in one
// instance reproduce the incident ("Invalid session"), one worker does not, ip-hash over two
// single-worker instances with spread source addresses is clean, and gunicorn's workers
// answer the recycle/kill controls.
import { afterEach, describe, expect, it } from "vitest";
import { localIpList } from "../../harness/net/local-ips.ts";
import type { LocalStack } from "../../harness/stack/local/driver.ts";
import { appEvents, eventually, pidAlive, pollingLoad, upStack } from "./stack-helpers.ts";

let stack: LocalStack | undefined;
afterEach(async () => {
  await stack?.down();
  stack = undefined;
});

describe("Flask-SocketIO under gunicorn behind nginx", () => {
  it("gunicorn-2w: polling clients get Invalid session on a share of sid-bearing requests", async () => {
    stack = await upStack("gunicorn-2w");
    const totals = await pollingLoad(stack.endpoints.baseUrl, 8, 8);
    expect(totals.sessions).toBe(8);
    expect(totals.sessionUnknown / totals.sidRequests).toBeGreaterThan(0.1);
  });

  it("gunicorn-1w: no Invalid session", async () => {
    stack = await upStack("gunicorn-1w");
    const totals = await pollingLoad(stack.endpoints.baseUrl, 8, 8);
    expect(totals.sessions).toBe(8);
    expect(totals.sessionUnknown).toBe(0);
    expect(totals.echoes).toBe(8 * 8);
  });

  it("flask-nginx-iphash-2x1 with spread source addresses: no Invalid session, both instances serve", async () => {
    stack = await upStack("flask-nginx-iphash-2x1");
    const totals = await pollingLoad(stack.endpoints.baseUrl, 12, 6, localIpList(12));
    expect(totals.sessions).toBe(12);
    expect(totals.sessionUnknown).toBe(0);
    expect(totals.echoes).toBe(12 * 6);
    const connects = Object.values(stack.endpoints.appLogs).map((f) => appEvents(f, "connect").length);
    expect(connects.every((n) => n > 0)).toBe(true);
    expect(connects.reduce((a, b) => a + b, 0)).toBe(12);
  });

  it("recycle and kill of a gunicorn worker: the master replaces it", async () => {
    stack = await upStack("gunicorn-2w");
    const [first, second] = (await stack.control.workers()).map((w) => w.pid);
    expect(await stack.control.recycle({ pid: first })).toContain(`recycled worker ${first} of app1`);
    expect(await eventually(() => !pidAlive(first), 30_000)).toBe(true);
    expect(await stack.control.kill({ pid: second })).toContain(`killed worker ${second} of app1 (SIGKILL`);
    expect(pidAlive(second)).toBe(false);
    const now = (await stack.control.workers()).map((w) => w.pid);
    expect(now).toHaveLength(2);
    expect(now).not.toContain(first);
    expect(now).not.toContain(second);
    expect(appEvents(stack.endpoints.appLogs.app1, "worker_exit").map((e) => e.worker_pid)).toEqual(expect.arrayContaining([first, second]));
  });
});
