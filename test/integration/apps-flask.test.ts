// The Flask-SocketIO reference app (compose/apps/flask/app.py) under Debian's gunicorn with
// the GeventWebSocketWorker, as real processes: Socket.IO over polling and websocket, /admin
// auth, tick, the match websocket, keepalive against a real redis-server that is killed and
// restarted, "Invalid session" with 2 workers, max-requests recycling, HUP and TERM.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import {
  alive,
  childPids,
  connect,
  connected,
  emitAck,
  freePort,
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

const APP_DIR = fileURLToPath(new URL("../../compose/apps/flask/", import.meta.url));
const GUNICORN = "/usr/bin/gunicorn";
const WORKER_CLASS = "geventwebsocket.gunicorn.workers.GeventWebSocketWorker";

interface App {
  proc: Proc;
  base: string;
  port: number;
}

const workerPids = new Set<number>();

async function startApp(opts: { workers: number; maxRequests?: number; jitter?: number; env?: Record<string, string> }): Promise<App> {
  const port = await freePort();
  const args = ["--bind", `127.0.0.1:${port}`, "--workers", String(opts.workers), "--worker-class", WORKER_CLASS];
  if (opts.maxRequests) args.push("--max-requests", String(opts.maxRequests), "--max-requests-jitter", String(opts.jitter ?? 0));
  // Keep recycles and shutdowns short in tests (gunicorn's default graceful timeout is 30 s).
  args.push("--graceful-timeout", "3", "app:app");
  const proc = start(GUNICORN, args, { cwd: APP_DIR, env: { TICK_MS: "300", ...opts.env } });
  const base = `http://127.0.0.1:${port}`;
  await waitHealthy(base, proc, 30_000);
  await waitFor(`${opts.workers} worker_start lines`, () => workerStarts({ proc, base, port }).length >= opts.workers);
  return { proc, base, port };
}

function workerStarts(app: App): number[] {
  const pids = app.proc.lines.filter((l) => l.event === "worker_start").map((l) => l.pid as number);
  for (const p of pids) workerPids.add(p);
  return pids;
}

describe.skipIf(!existsSync(GUNICORN))("flask reference app (gunicorn + GeventWebSocketWorker)", () => {
  let redisPort: number;
  let redis: Proc;
  let app: App; // 1 worker, redis check + message queue

  beforeAll(async () => {
    redisPort = await freePort();
    redis = await startRedis(redisPort);
    const url = `redis://127.0.0.1:${redisPort}`;
    app = await startApp({ workers: 1, env: { REDIS_URL: url, MESSAGE_QUEUE: url, INSTANCE_ID: "flask-a" } });
  });

  afterAll(async () => {
    await stopAll([...workerPids]);
  });

  it("logs listening from the master, then worker_start", () => {
    expect(app.proc.lines[0]).toMatchObject({ event: "listening", role: "primary", port: app.port, instance: "flask-a" });
    expect(app.proc.lines.find((l) => l.event === "worker_start")).toMatchObject({ role: "worker", port: app.port });
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
    await waitForLine(app.proc, "connect line with transport", (l) => l.event === "connect" && l.transport === "websocket");
  });

  it("admits /admin with the token and refuses it without", async () => {
    const ok = await connected(connect(app.base, { transports: ["websocket"], nsp: "/admin", auth: { token: "secret" } }));
    expect(await emitAck(ok, "echo", "admin")).toEqual(["admin"]);
    ok.close();
    await expect(connected(connect(app.base, { transports: ["polling"], nsp: "/admin", auth: { token: "nope" } }))).rejects.toThrow("Not authorized");
  });

  it("pushes tick and broadcasts to a joined room (through the Redis message queue)", async () => {
    const a = await connected(connect(app.base, { transports: ["websocket"] }));
    const b = await connected(connect(app.base, { transports: ["polling"] }));
    try {
      const tick = await nextEvent<{ n: number; ts: number; pid: number }>(b, "tick");
      expect(tick.n).toBeGreaterThan(0);
      expect(workerStarts(app)).toContain(tick.pid);
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
    expect(await open(one)).toMatchObject({ type: "welcome", matchId: "m1", instance: "flask-a" });
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
    expect(await emitAck(socket, "echo", "still here")).toEqual(["still here"]);

    redis = await startRedis(redisPort);
    await waitFor("keepalive healthy again", async () => (await keepalive(app.base)).serverHealth.status === "healthy");
    expect(await emitAck(socket, "echo", "after")).toEqual(["after"]);
    socket.close();
  });

  it("1 worker: polling-only clients never see Invalid session", async () => {
    const { errors, ok } = await pollingRounds(app.base, 8, 5);
    expect(errors).toEqual([]);
    expect(ok).toBe(40);
  });

  describe("2 workers", () => {
    let two: App;
    beforeAll(async () => {
      two = await startApp({ workers: 2, env: { INSTANCE_ID: "flask-b" } });
    });

    it("without REDIS_URL the keepalive reports redis disabled", async () => {
      expect((await keepalive(two.base)).serverHealth).toEqual({ status: "healthy", checks: { redis: "disabled", memory: "ok" } });
    });

    it('polling-only clients meet 400 "Invalid session"', async () => {
      const { errors } = await pollingRounds(two.base, 10, 5);
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.every((e) => e.startsWith("400") && e.includes('"Invalid session'))).toBe(true);
    });

    it("HUP reloads every worker (recycle_all)", async () => {
      const before = childPids(two.proc.pid);
      expect(before).toHaveLength(2);
      process.kill(two.proc.pid, "SIGHUP");
      await waitForLine(two.proc, "recycle_all", (l) => l.event === "recycle_all");
      await waitFor("two new workers, old ones gone", () => {
        const now = childPids(two.proc.pid);
        return now.length === 2 && now.every((p) => !before.includes(p)) && before.every((p) => !alive(p));
      });
      workerStarts(two);
      await waitHealthy(two.base);
    });

    it("TERM to the master stops every worker and exits 0", async () => {
      const kids = childPids(two.proc.pid);
      expect(kids.length).toBe(2);
      process.kill(two.proc.pid, "SIGTERM");
      const exit = await two.proc.exited;
      expect(exit.code).toBe(0);
      await waitFor("no worker left", () => kids.every((p) => !alive(p)), 5000);
      expect(two.proc.lines.at(-1)).toMatchObject({ event: "shutdown", phase: "done" });
    });
  });

  it("--max-requests 50: a worker recycles under polling load and a new pid serves", async () => {
    const rec = await startApp({ workers: 1, maxRequests: 50, jitter: 5, env: { INSTANCE_ID: "flask-c" } });
    const first = (await keepalive(rec.base)).pid;
    await pollingRounds(rec.base, 5, 10);
    const line = await waitForLine(rec.proc, "worker_recycle", (l) => l.event === "worker_recycle");
    expect(line).toMatchObject({ reason: "max_requests", pid: first });
    await waitForLine(rec.proc, "worker_exit of the recycled worker", (l) => l.event === "worker_exit" && l.worker_pid === first, 30_000);
    await waitFor("a new worker serves", async () => (await keepalive(rec.base)).pid !== first, 30_000);
    expect(alive(first)).toBe(false);
    workerStarts(rec);
    await stop(rec.proc);
  });
});
