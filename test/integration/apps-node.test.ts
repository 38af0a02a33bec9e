// The Node reference app (compose/apps/node/server.mjs) as a real process: Socket.IO over
// polling and websocket, /admin auth, tick, the match websocket, keepalive against a real
// redis-server that is killed and restarted, cluster session loss with WORKERS=2,
// max-requests recycling, SIGHUP and SIGTERM.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import {
  alive,
  childPids,
  connect,
  connected,
  emitAck,
  freePort,
  httpGet,
  keepalive,
  nextEvent,
  pollingRounds,
  start,
  startRedis,
  stop,
  stopAll,
  waitFor,
  waitForLine,
  waitHealthy,
  type Proc,
} from "./apps-support.ts";

const SERVER = fileURLToPath(new URL("../../compose/apps/node/server.mjs", import.meta.url));

interface App {
  proc: Proc;
  base: string;
  port: number;
}

const workerPids = new Set<number>();

async function startApp(env: Record<string, string>): Promise<App> {
  const port = await freePort();
  const proc = start(process.execPath, [SERVER], { env: { PORT: String(port), TICK_MS: "300", ...env } });
  const base = `http://127.0.0.1:${port}`;
  await waitHealthy(base, proc);
  // A worker serves before its worker_start line is out (the primary announces it first).
  const workers = Number(env.WORKERS ?? "1");
  await waitFor(`${workers} worker_start lines`, () => proc.lines.filter((l) => l.event === "worker_start").length >= workers);
  return { proc, base, port };
}

function workerStarts(app: App): number[] {
  const pids = app.proc.lines.filter((l) => l.event === "worker_start").map((l) => l.pid as number);
  for (const p of pids) workerPids.add(p);
  return pids;
}

describe("node reference app", () => {
  let redisPort: number;
  let redis: Proc;
  let app: App; // WORKERS=1, redis adapter

  beforeAll(async () => {
    redisPort = await freePort();
    redis = await startRedis(redisPort);
    app = await startApp({ WORKERS: "1", REDIS_URL: `redis://127.0.0.1:${redisPort}`, ADAPTER: "redis", INSTANCE_ID: "node-a" });
  });

  afterAll(async () => {
    await stopAll([...workerPids]);
  });

  it("prints listening as its first line, then worker_start", () => {
    expect(app.proc.lines[0]).toMatchObject({ event: "listening", role: "primary", port: app.port, instance: "node-a" });
    expect(workerStarts(app)).toHaveLength(1);
  });

  it("acks echo over polling and over websocket", async () => {
    for (const transport of ["polling", "websocket"] as const) {
      const socket = await connected(connect(app.base, { transports: [transport] }));
      try {
        expect(socket.io.engine.transport.name).toBe(transport);
        expect(await emitAck(socket, "echo", "hi", { n: 1 })).toEqual(["hi", { n: 1 }]);
      } finally {
        socket.close();
      }
    }
  });

  it("admits /admin with the token and refuses it without", async () => {
    const ok = await connected(connect(app.base, { transports: ["websocket"], nsp: "/admin", auth: { token: "secret" } }));
    expect(await emitAck(ok, "echo", "admin")).toEqual(["admin"]);
    ok.close();
    await expect(connected(connect(app.base, { transports: ["polling"], nsp: "/admin", auth: { token: "nope" } }))).rejects.toThrow("Not authorized");
  });

  it("pushes tick and broadcasts to a joined room", async () => {
    const a = await connected(connect(app.base, { transports: ["websocket"] }));
    const b = await connected(connect(app.base, { transports: ["polling"] }));
    try {
      const tick = await nextEvent<{ n: number; ts: number; pid: number }>(b, "tick");
      expect(tick.n).toBeGreaterThan(0);
      expect(workerPids.has(tick.pid) || workerStarts(app).includes(tick.pid)).toBe(true);
      expect(await emitAck(b, "join", "room-1")).toEqual([{ ok: true, room: "room-1" }]);
      const got = nextEvent<{ room: string; payload: unknown }>(b, "broadcast");
      await emitAck(a, "broadcast", { room: "room-1", payload: { x: 1 } });
      expect(await got).toMatchObject({ room: "room-1", payload: { x: 1 } });
    } finally {
      a.close();
      b.close();
    }
  });

  it("relays match websocket messages between two clients of one match", async () => {
    const url = `ws://127.0.0.1:${app.port}/api/match/game?matchId=m1`;
    const open = (ws: WebSocket) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        ws.once("message", (d) => resolve(JSON.parse(d.toString())));
        ws.once("error", reject);
        ws.once("close", (code) => reject(new Error(`match websocket closed (${code}) before its welcome`)));
      });
    const one = new WebSocket(url);
    const welcome = await open(one);
    expect(welcome).toMatchObject({ type: "welcome", matchId: "m1", instance: "node-a" });
    const two = new WebSocket(url);
    await open(two);
    try {
      const received = new Promise<string>((resolve) => two.once("message", (d) => resolve(d.toString())));
      one.send("move e2e4");
      expect(await received).toBe("move e2e4");
    } finally {
      one.close();
      two.close();
    }
    const missing = await httpGet(`${app.base}/api/match/game`);
    expect(missing?.status).not.toBe(200);
  });

  it("keepalive: healthy with redis, degraded (200) while redis is down, healthy after it returns", async () => {
    expect((await keepalive(app.base)).serverHealth).toEqual({ status: "healthy", checks: { redis: "ok", memory: "ok" } });

    const socket = await connected(connect(app.base, { transports: ["websocket"] }));
    await stop(redis, "SIGKILL");
    const down = await waitFor("keepalive degraded", async () => {
      const k = await keepalive(app.base);
      return k.serverHealth.status === "degraded" ? k : undefined;
    });
    expect(down.serverHealth.checks.redis).toBe("offline");
    // Sessions keep working (broadcast goes through the adapter's failing publish).
    expect(await emitAck(socket, "echo", "still here")).toEqual(["still here"]);
    expect(await emitAck(socket, "broadcast", { room: "r", payload: 1 })).toEqual([{ ok: true }]);
    await waitForLine(app.proc, "redis_error line", (l) => l.event === "redis_error");

    redis = await startRedis(redisPort);
    await waitFor("keepalive healthy again", async () => (await keepalive(app.base)).serverHealth.status === "healthy");
    expect(await emitAck(socket, "echo", "after")).toEqual(["after"]);
    socket.close();
    expect(alive(app.proc.pid)).toBe(true);
  });

  it("WORKERS=1: polling-only clients never see Session ID unknown", async () => {
    const { errors, ok } = await pollingRounds(app.base, 8, 5);
    expect(errors).toEqual([]);
    expect(ok).toBe(40);
  });

  describe("WORKERS=2", () => {
    let two: App;
    beforeAll(async () => {
      two = await startApp({ WORKERS: "2", INSTANCE_ID: "node-b" });
      workerStarts(two);
    });

    it("without REDIS_URL the keepalive reports redis disabled", async () => {
      expect((await keepalive(two.base)).serverHealth).toEqual({ status: "healthy", checks: { redis: "disabled", memory: "ok" } });
    });

    it("polling-only clients meet Session ID unknown", async () => {
      const { errors } = await pollingRounds(two.base, 10, 5);
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.every((e) => e.startsWith("400") && e.includes('"message":"Session ID unknown"'))).toBe(true);
    });

    it("SIGHUP rolls every worker (recycle_all), SIGKILL of a worker is replaced", async () => {
      const before = workerStarts(two);
      process.kill(two.proc.pid, "SIGHUP");
      await waitForLine(two.proc, "recycle_all", (l) => l.event === "recycle_all");
      await waitFor("two new workers", () => workerStarts(two).length === before.length + 2);
      await waitFor("old workers gone", () => before.every((p) => !alive(p)));
      const current = childPids(two.proc.pid);
      expect(current).toHaveLength(2);
      expect(current.some((p) => before.includes(p))).toBe(false);

      process.kill(current[0], "SIGKILL");
      await waitForLine(two.proc, "worker_exit with signal", (l) => l.event === "worker_exit" && l.worker_pid === current[0] && l.signal === "SIGKILL");
      await waitFor("replacement worker", () => workerStarts(two).length === before.length + 3);
      await waitHealthy(two.base);
    });

    it("SIGTERM to the primary stops every worker and exits 0", async () => {
      const kids = childPids(two.proc.pid);
      expect(kids.length).toBe(2);
      process.kill(two.proc.pid, "SIGTERM");
      const exit = await two.proc.exited;
      expect(exit.code).toBe(0);
      await waitFor("no worker left", () => kids.every((p) => !alive(p)), 5000);
      expect(two.proc.lines.at(-1)).toMatchObject({ event: "shutdown", phase: "done" });
    });
  });

  it("MAX_REQUESTS=50: a worker recycles under polling load and a new pid serves", async () => {
    const rec = await startApp({ WORKERS: "1", MAX_REQUESTS: "50", MAX_REQUESTS_JITTER: "5", INSTANCE_ID: "node-c" });
    const first = (await keepalive(rec.base)).pid;
    await pollingRounds(rec.base, 5, 10);
    const line = await waitForLine(rec.proc, "worker_recycle", (l) => l.event === "worker_recycle");
    expect(line).toMatchObject({ reason: "max_requests", pid: first });
    await waitForLine(rec.proc, "worker_exit of the recycled worker", (l) => l.event === "worker_exit" && l.worker_pid === first);
    await waitFor("a new worker serves /healthz", async () => {
      const k = await keepalive(rec.base);
      return k.pid !== first && (await httpGet(`${rec.base}/healthz`))?.status === 200;
    });
    expect(alive(first)).toBe(false);
    workerStarts(rec);
    await stop(rec.proc);
  });
});
