// Every disruption of the local driver, with its real effect: worker pids replaced, ports
// refusing, instances added to the proxy, dead upstreams in the access log, reloads that
// keep open websockets alive.
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import type { LocalStack } from "../../harness/stack/local/driver.ts";
import { appEvents, eventually, httpRequest, pidAlive, readAccessLog, upStack } from "./stack-helpers.ts";
import { io } from "socket.io-client";
import { connect } from "node:net";
import { join } from "node:path";

function haproxyCommand(socketPath: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(socketPath);
    let out = "";
    sock.on("connect", () => sock.write(`${command}\n`));
    sock.on("data", (d) => (out += d));
    sock.on("end", () => resolve(out));
    sock.on("error", reject);
  });
}

let stack: LocalStack | undefined;
afterEach(async () => {
  await stack?.down();
  stack = undefined;
});

const workerPids = async (s: LocalStack, instance: string) => (await s.control.workers()).filter((w) => w.instance === instance).map((w) => w.pid);
const portOf = (s: LocalStack, id: string) => s.instances.find((i) => i.id === id)!.port;
const direct = (s: LocalStack, id: string) => httpRequest(`http://127.0.0.1:${portOf(s, id)}/healthz`, { timeoutMs: 2000 });
async function hits(s: LocalStack, n: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) statuses.push((await httpRequest(`${s.endpoints.baseUrl}/healthz`)).status);
  return statuses;
}

describe("workers", () => {
  it("recycle of an instance replaces all of its workers (SIGHUP rolling restart)", async () => {
    stack = await upStack("nginx-rr-2x2");
    const before = await workerPids(stack, "app1");
    const app2Before = await workerPids(stack, "app2");
    expect(before).toHaveLength(2);
    const said = await stack.control.recycle({ instance: "app1" });
    expect(said).toMatch(/^recycled app1: workers/);
    expect(await eventually(async () => (await workerPids(stack!, "app1")).every((p) => !before.includes(p)))).toBe(true);
    expect(await workerPids(stack, "app1")).toHaveLength(2);
    expect(await workerPids(stack, "app2")).toEqual(app2Before);
    expect(appEvents(stack.endpoints.appLogs.app1, "recycle_all")).toHaveLength(1);
    expect((await hits(stack, 6)).every((s) => s === 200)).toBe(true);
  });

  it("recycle of one worker pid: that worker drains (SIGTERM) and a new one replaces it", async () => {
    stack = await upStack("nginx-rr-2x2");
    const [victim, other] = await workerPids(stack, "app2");
    const said = await stack.control.recycle({ pid: victim });
    expect(said).toContain(`recycled worker ${victim} of app2`);
    expect(await eventually(() => !pidAlive(victim))).toBe(true);
    const now = await workerPids(stack, "app2");
    expect(now).toContain(other);
    expect(now).toHaveLength(2);
    const recycle = appEvents(stack.endpoints.appLogs.app2, "worker_recycle");
    expect(recycle.map((e) => [e.pid, e.reason])).toContainEqual([victim, "sigterm"]);
  });

  it("kill of a worker pid (SIGKILL): the master forks a replacement", async () => {
    stack = await upStack("nginx-rr-2x1");
    const [victim] = await workerPids(stack, "app1");
    const said = await stack.control.kill({ pid: victim });
    expect(said).toMatch(new RegExp(`^killed worker ${victim} of app1 \\(SIGKILL; replaced by \\d+\\)$`));
    expect(pidAlive(victim)).toBe(false);
    expect(await workerPids(stack, "app1")).toHaveLength(1);
    const exits = appEvents(stack.endpoints.appLogs.app1, "worker_exit");
    expect(exits.map((e) => [e.worker_pid, e.signal])).toContainEqual([victim, "SIGKILL"]);
  });

  it("kill of an instance: its whole process group dies and its port refuses", async () => {
    stack = await upStack("nginx-rr-2x1");
    const pids = [stack.instances[1].proc!.pid, ...(await workerPids(stack, "app2"))];
    expect(await stack.control.kill({ instance: "app2" })).toMatch(/^killed app2 \(SIGKILL to process group/);
    for (const p of pids) expect(pidAlive(p)).toBe(false);
    expect((await direct(stack, "app2")).status).toBe(0);
    // nginx retries the next upstream: clients still get 200
    expect((await hits(stack, 6)).every((s) => s === 200)).toBe(true);
  });
});

describe("instances", () => {
  it("scale 2 → 3 starts app3, re-renders the proxy and reloads it; 3 → 2 removes it again", async () => {
    stack = await upStack("nginx-rr-2x1");
    const said = await stack.control.scale(3);
    expect(said).toMatch(/^scaled 2 → 3 instances \(started app3 on 127\.0\.0\.1:\d+\); nginx reloaded/);
    expect(stack.control.instances()).toEqual(["app1", "app2", "app3"]);
    const port3 = portOf(stack, "app3");
    expect(readFileSync(stack.layout.proxyConfig, "utf8")).toContain(`server 127.0.0.1:${port3}; # app3`);
    expect((await hits(stack, 9)).every((s) => s === 200)).toBe(true);
    const upstreams = new Set(readAccessLog(stack.endpoints.proxyAccessLog!).map((e) => e.upstream));
    expect(upstreams).toContain(`127.0.0.1:${port3}`);
    expect(stack.endpoints.appLogs.app3).toBeDefined();

    expect(await stack.control.scale(2)).toMatch(/^scaled 3 → 2 instances \(stopped app3\)/);
    expect(readFileSync(stack.layout.proxyConfig, "utf8")).not.toContain(`127.0.0.1:${port3}`);
    expect((await httpRequest(`http://127.0.0.1:${port3}/healthz`, { timeoutMs: 2000 })).status).toBe(0);
    expect((await hits(stack, 4)).every((s) => s === 200)).toBe(true);
  });

  it("backend down stops the instance so its port refuses; backend up starts it on the same port", async () => {
    stack = await upStack("nginx-rr-2x1");
    const port = portOf(stack, "app1");
    const oldPid = stack.instances[0].proc!.pid;
    expect(await stack.control.backendDown("app1")).toMatch(new RegExp(`^app1 down \\(stopped pids .*; 127\\.0\\.0\\.1:${port} refuses connections\\)$`));
    expect(pidAlive(oldPid)).toBe(false);
    expect((await direct(stack, "app1")).status).toBe(0);
    // the proxy still lists it: nginx logs the failed attempt next to the retry
    await hits(stack, 6);
    const tried = readAccessLog(stack.endpoints.proxyAccessLog!).filter((e) => e.upstream.includes(`127.0.0.1:${port}`));
    expect(tried.length).toBeGreaterThan(0);
    expect(tried.some((e) => e.upstream.includes(", "))).toBe(true);

    expect(await stack.control.backendUp()).toMatch(new RegExp(`^app1 up again on 127\\.0\\.0\\.1:${port} \\(pid \\d+\\)$`));
    expect(portOf(stack, "app1")).toBe(port);
    expect((await direct(stack, "app1")).status).toBe(200);
    expect(stack.instances[0].proc!.pid).not.toBe(oldPid);
  });
});

describe("proxy", () => {
  it("stale upstream adds a dead address that shows up in the access log", async () => {
    stack = await upStack("nginx-rr-2x1");
    const said = await stack.control.staleUpstream();
    const dead = /added dead upstream (127\.0\.0\.\d+:\d+)/.exec(said)![1];
    expect(readFileSync(stack.layout.proxyConfig, "utf8")).toContain(`server ${dead}; # stale1`);
    await hits(stack, 9);
    expect(readAccessLog(stack.endpoints.proxyAccessLog!).some((e) => e.upstream.includes(dead))).toBe(true);
    expect(readFileSync(stack.layout.proxyErrorLog, "utf8")).toMatch(/connect\(\) failed \(111: Connection refused\)/);
  });

  it("HAProxy with a stale upstream: connection errors to the dead server, redispatched to live ones", async () => {
    stack = await upStack("haproxy-rr-2x1");
    const said = await stack.control.staleUpstream();
    const dead = /added dead upstream (127\.0\.0\.\d+:\d+)/.exec(said)![1];
    expect(readFileSync(stack.layout.proxyConfig, "utf8")).toContain(`server stale1 ${dead}`);
    // round robin hands every third request to the dead server; `option redispatch` retries elsewhere
    expect((await hits(stack, 9)).every((s) => s === 200)).toBe(true);
    const csv = await haproxyCommand(join(stack.layout.proxyRunDir, "haproxy.sock"), "show stat");
    const header = csv.split("\n")[0].replace(/^# /, "").split(",");
    const row = csv.split("\n").find((l) => l.startsWith("app,stale1,"))!.split(",");
    const stat = (name: string) => Number(row[header.indexOf(name)]);
    // the requests sent to stale1 failed to connect and were redispatched (HAProxy counts them as wredis)
    expect(stat("stot")).toBeGreaterThan(0);
    expect(stat("wredis") + stat("wretr") + stat("econ")).toBeGreaterThan(0);
    expect(readAccessLog(stack.endpoints.proxyAccessLog!).every((e) => !e.upstream.includes(dead))).toBe(true);
  });

  it("nginx reload (SIGHUP) starts new workers and keeps an open websocket session working", async () => {
    stack = await upStack("nginx-iphash-2x1");
    const socket = io(stack.endpoints.baseUrl, { transports: ["websocket"], reconnection: false, forceNew: true });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", () => resolve());
      socket.once("connect_error", reject);
    });
    try {
      const before = stack.proxyWorkers();
      const said = await stack.control.proxyReload();
      expect(said).toMatch(/^nginx reloaded \(workers [\d,]+ → [\d,]+\)$/);
      const fresh = stack.proxyWorkers().filter((p) => !before.includes(p));
      expect(fresh.length).toBeGreaterThan(0);
      expect(await socket.timeout(5000).emitWithAck("echo", "after-reload")).toBe("after-reload");
      expect((await hits(stack, 4)).every((s) => s === 200)).toBe(true);
    } finally {
      socket.disconnect();
    }
  });

  it("HAProxy reload (SIGUSR2 to the master-worker) forks a new worker", async () => {
    stack = await upStack("haproxy-cookie-3x1");
    const before = stack.proxyWorkers();
    expect(await stack.control.proxyReload()).toMatch(/^haproxy reloaded/);
    expect(stack.proxyWorkers().some((p) => !before.includes(p))).toBe(true);
    expect((await hits(stack, 4)).every((s) => s === 200)).toBe(true);
  });

  it("actions a topology cannot do fail with one clear sentence", async () => {
    stack = await upStack("node-1x1", { redis: false, adapter: "none" });
    await expect(stack.control.scale(2)).rejects.toThrow(/^topology node-1x1 has no proxy, so "scale" cannot run; use a topology with proxy nginx or haproxy\.$/);
    await expect(stack.control.redisStop()).rejects.toThrow(/runs without Redis/);
    expect(stack.endpoints.proxyAccessLog).toBeUndefined();
    expect((await httpRequest(`${stack.endpoints.baseUrl}/healthz`)).status).toBe(200);
  });
});
