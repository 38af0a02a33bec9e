// The tests both reference apps (compose/apps/README.md, "Common surface") pass alike, as one
// suite over an AppFlavour: apps-node.test.ts and apps-flask.test.ts each say how to start
// their app and state explicitly where it genuinely differs (its startup log, its signal
// handling, its session-loss answer, what else it shows during a Redis outage).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { Socket } from "socket.io-client";
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
  startRedis,
  stop,
  stopAll,
  waitFor,
  waitForLine,
  type Proc,
} from "./apps-support.ts";

export interface App {
  proc: Proc;
  base: string;
  port: number;
}

export interface StartOptions {
  workers: number;
  /** INSTANCE_ID */
  instance: string;
  /** Redis for the keepalive check and for cross-worker broadcasts (adapter / message queue). */
  redisUrl?: string;
  maxRequests?: { limit: number; jitter: number };
}

/** The worker pids an app announced (worker_start lines); every one is killed in afterAll. */
export interface WorkerLog {
  starts(app: App): number[];
}

export interface AppFlavour {
  title: string;
  skip?: boolean;
  /** Instance ids are `<prefix>-a` (1 worker, Redis), `-b` (2 workers), `-c` (max-requests). */
  instancePrefix: string;
  /** Starts the app and resolves once /healthz answers 200. */
  start(opts: StartOptions): Promise<App>;
  /** The titles of the tests whose wording is the app's own. */
  titles: { firstLines: string; tick: string; oneWorker: string; twoWorkers: string; sessionLoss: string; term: string; maxRequests: string };
  /** What a 400 for a polling request on the wrong worker contains. */
  sessionLossBody: string;
  /** After its `listening` line: what the app logs for its worker. */
  expectWorkerStart(app: App, workers: WorkerLog): void;
  /** After the echo test (both transports connected). */
  afterEcho?(app: App): Promise<void>;
  /** After the match websocket relay test. */
  afterMatch?(app: App): Promise<void>;
  /** While Redis is down, with a websocket session that still works. */
  whileRedisDown?(app: App, socket: Socket): Promise<void>;
  /** Registers the app's own signal tests on the 2-worker app (before SIGTERM stops it). */
  signalTests(two: () => App, workers: WorkerLog): void;
  /** The max-requests test: how long the recycled worker may take, and whether /healthz must answer again too. */
  recycle: { timeoutMs?: number; healthz: boolean };
}

export function describeAppSuite(f: AppFlavour): void {
  const workerPids = new Set<number>();
  const workers: WorkerLog = {
    starts(app) {
      const pids = app.proc.lines.filter((l) => l.event === "worker_start").map((l) => l.pid as number);
      for (const p of pids) workerPids.add(p);
      return pids;
    },
  };
  const startApp = async (opts: StartOptions): Promise<App> => {
    const app = await f.start(opts);
    // A worker serves before its worker_start line is out (the primary announces it first).
    await waitFor(`${opts.workers} worker_start lines`, () => workers.starts(app).length >= opts.workers);
    return app;
  };

  describe.skipIf(f.skip)(f.title, () => {
    let redisPort: number;
    let redis: Proc;
    let app: App; // 1 worker, Redis

    beforeAll(async () => {
      redisPort = await freePort();
      redis = await startRedis(redisPort);
      app = await startApp({ workers: 1, redisUrl: `redis://127.0.0.1:${redisPort}`, instance: `${f.instancePrefix}-a` });
    });

    afterAll(async () => {
      await stopAll([...workerPids]);
    });

    it(f.titles.firstLines, () => {
      expect(app.proc.lines[0]).toMatchObject({ event: "listening", role: "primary", port: app.port, instance: `${f.instancePrefix}-a` });
      f.expectWorkerStart(app, workers);
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
      await f.afterEcho?.(app);
    });

    it("admits /admin with the token and refuses it without", async () => {
      const ok = await connected(connect(app.base, { transports: ["websocket"], nsp: "/admin", auth: { token: "secret" } }));
      expect(await emitAck(ok, "echo", "admin")).toEqual(["admin"]);
      ok.close();
      await expect(connected(connect(app.base, { transports: ["polling"], nsp: "/admin", auth: { token: "nope" } }))).rejects.toThrow("Not authorized");
    });

    it(f.titles.tick, async () => {
      const a = await connected(connect(app.base, { transports: ["websocket"] }));
      const b = await connected(connect(app.base, { transports: ["polling"] }));
      try {
        const tick = await nextEvent<{ n: number; ts: number; pid: number }>(b, "tick");
        expect(tick.n).toBeGreaterThan(0);
        expect(workers.starts(app)).toContain(tick.pid);
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
      expect(await open(one)).toMatchObject({ type: "welcome", matchId: "m1", instance: `${f.instancePrefix}-a` });
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
      await f.afterMatch?.(app);
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
      await f.whileRedisDown?.(app, socket);

      redis = await startRedis(redisPort);
      await waitFor("keepalive healthy again", async () => (await keepalive(app.base)).serverHealth.status === "healthy");
      expect(await emitAck(socket, "echo", "after")).toEqual(["after"]);
      socket.close();
      expect(alive(app.proc.pid)).toBe(true);
    });

    it(f.titles.oneWorker, async () => {
      const { errors, ok } = await pollingRounds(app.base, 8, 5);
      expect(errors).toEqual([]);
      expect(ok).toBe(40);
    });

    describe(f.titles.twoWorkers, () => {
      let two: App;
      beforeAll(async () => {
        two = await startApp({ workers: 2, instance: `${f.instancePrefix}-b` });
      });

      it("without REDIS_URL the keepalive reports redis disabled", async () => {
        expect((await keepalive(two.base)).serverHealth).toEqual({ status: "healthy", checks: { redis: "disabled", memory: "ok" } });
      });

      it(f.titles.sessionLoss, async () => {
        const { errors } = await pollingRounds(two.base, 10, 5);
        expect(errors.length).toBeGreaterThan(0);
        expect(errors.every((e) => e.startsWith("400") && e.includes(f.sessionLossBody))).toBe(true);
      });

      f.signalTests(() => two, workers);

      it(f.titles.term, async () => {
        const kids = childPids(two.proc.pid);
        expect(kids.length).toBe(2);
        process.kill(two.proc.pid, "SIGTERM");
        const exit = await two.proc.exited;
        expect(exit.code).toBe(0);
        await waitFor("no worker left", () => kids.every((p) => !alive(p)), 5000);
        expect(two.proc.lines.at(-1)).toMatchObject({ event: "shutdown", phase: "done" });
      });
    });

    it(f.titles.maxRequests, async () => {
      const rec = await startApp({ workers: 1, maxRequests: { limit: 50, jitter: 5 }, instance: `${f.instancePrefix}-c` });
      const first = (await keepalive(rec.base)).pid;
      await pollingRounds(rec.base, 5, 10);
      const line = await waitForLine(rec.proc, "worker_recycle", (l) => l.event === "worker_recycle");
      expect(line).toMatchObject({ reason: "max_requests", pid: first });
      await waitForLine(rec.proc, "worker_exit of the recycled worker", (l) => l.event === "worker_exit" && l.worker_pid === first, f.recycle.timeoutMs);
      await waitFor(
        f.recycle.healthz ? "a new worker serves /healthz" : "a new worker serves",
        async () => (await keepalive(rec.base)).pid !== first && (!f.recycle.healthz || (await httpGet(`${rec.base}/healthz`))?.status === 200),
        f.recycle.timeoutMs,
      );
      expect(alive(first)).toBe(false);
      workers.starts(rec);
      await stop(rec.proc);
    });
  });
}
