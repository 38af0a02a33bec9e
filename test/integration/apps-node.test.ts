// The Node reference app (compose/apps/node/server.mjs) as a real process: Socket.IO over
// polling and websocket, /admin auth, tick, the match websocket, keepalive against a real
// redis-server that is killed and restarted, cluster session loss with WORKERS=2,
// max-requests recycling, SIGHUP and SIGTERM. What both apps pass alike is in apps-suite.ts;
// this file says how Node starts and where it differs.

import { expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { describeAppSuite, type App } from "./apps-suite.ts";
import { alive, childPids, emitAck, freePort, httpGet, start, waitFor, waitForLine, waitHealthy } from "./apps-support.ts";

const SERVER = fileURLToPath(new URL("../../compose/apps/node/server.mjs", import.meta.url));

describeAppSuite({
  title: "node reference app",
  instancePrefix: "node",
  async start({ workers, instance, redisUrl, maxRequests }): Promise<App> {
    const port = await freePort();
    const env: Record<string, string> = { PORT: String(port), TICK_MS: "300", WORKERS: String(workers), INSTANCE_ID: instance };
    if (redisUrl) Object.assign(env, { REDIS_URL: redisUrl, ADAPTER: "redis" });
    if (maxRequests) Object.assign(env, { MAX_REQUESTS: String(maxRequests.limit), MAX_REQUESTS_JITTER: String(maxRequests.jitter) });
    const proc = start(process.execPath, [SERVER], { env });
    const base = `http://127.0.0.1:${port}`;
    await waitHealthy(base, proc);
    return { proc, base, port };
  },
  titles: {
    firstLines: "prints listening as its first line, then worker_start",
    tick: "pushes tick and broadcasts to a joined room",
    oneWorker: "WORKERS=1: polling-only clients never see Session ID unknown",
    twoWorkers: "WORKERS=2",
    sessionLoss: "polling-only clients meet Session ID unknown",
    term: "SIGTERM to the primary stops every worker and exits 0",
    maxRequests: "MAX_REQUESTS=50: a worker recycles under polling load and a new pid serves",
  },
  sessionLossBody: '"message":"Session ID unknown"',

  expectWorkerStart(app, workers) {
    expect(workers.starts(app)).toHaveLength(1);
  },

  async afterMatch(app) {
    // Node answers a match websocket without matchId before the upgrade (Flask closes it after).
    const missing = await httpGet(`${app.base}/api/match/game`);
    expect(missing?.status).not.toBe(200);
  },

  async whileRedisDown(app, socket) {
    // Broadcast goes through the Redis adapter's failing publish, and the worker says so once.
    expect(await emitAck(socket, "broadcast", { room: "r", payload: 1 })).toEqual([{ ok: true }]);
    await waitForLine(app.proc, "redis_error line", (l) => l.event === "redis_error");
  },

  signalTests(two, workers) {
    it("SIGHUP rolls every worker (recycle_all), SIGKILL of a worker is replaced", async () => {
      const before = workers.starts(two());
      process.kill(two().proc.pid, "SIGHUP");
      await waitForLine(two().proc, "recycle_all", (l) => l.event === "recycle_all");
      await waitFor("two new workers", () => workers.starts(two()).length === before.length + 2);
      await waitFor("old workers gone", () => before.every((p) => !alive(p)));
      const current = childPids(two().proc.pid);
      expect(current).toHaveLength(2);
      expect(current.some((p) => before.includes(p))).toBe(false);

      process.kill(current[0], "SIGKILL");
      await waitForLine(two().proc, "worker_exit with signal", (l) => l.event === "worker_exit" && l.worker_pid === current[0] && l.signal === "SIGKILL");
      await waitFor("replacement worker", () => workers.starts(two()).length === before.length + 3);
      await waitHealthy(two().base);
    });
  },

  recycle: { healthz: true },
});
