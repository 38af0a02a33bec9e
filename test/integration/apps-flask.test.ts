// The Flask-SocketIO reference app (compose/apps/flask/app.py) under Debian's gunicorn with
// the GeventWebSocketWorker, as real processes: Socket.IO over polling and websocket, /admin
// auth, tick, the match websocket, keepalive against a real redis-server that is killed and
// restarted, "Invalid session" with 2 workers, max-requests recycling, HUP and TERM.
// What both apps pass alike is in apps-suite.ts; this file says how Flask starts and where it differs.

import { expect, it } from "vitest";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describeAppSuite, type App } from "./apps-suite.ts";
import { alive, childPids, freePort, start, waitFor, waitForLine, waitHealthy } from "./apps-support.ts";

const APP_DIR = fileURLToPath(new URL("../../compose/apps/flask/", import.meta.url));
const GUNICORN = "/usr/bin/gunicorn";
const WORKER_CLASS = "geventwebsocket.gunicorn.workers.GeventWebSocketWorker";

describeAppSuite({
  title: "flask reference app (gunicorn + GeventWebSocketWorker)",
  skip: !existsSync(GUNICORN),
  instancePrefix: "flask",
  async start({ workers, instance, redisUrl, maxRequests }): Promise<App> {
    const port = await freePort();
    const args = ["--bind", `127.0.0.1:${port}`, "--workers", String(workers), "--worker-class", WORKER_CLASS];
    if (maxRequests) args.push("--max-requests", String(maxRequests.limit), "--max-requests-jitter", String(maxRequests.jitter));
    // Keep recycles and shutdowns short in tests (gunicorn's default graceful timeout is 30 s).
    args.push("--graceful-timeout", "3", "app:app");
    const env: Record<string, string> = { TICK_MS: "300", INSTANCE_ID: instance };
    if (redisUrl) Object.assign(env, { REDIS_URL: redisUrl, MESSAGE_QUEUE: redisUrl });
    const proc = start(GUNICORN, args, { cwd: APP_DIR, env });
    const base = `http://127.0.0.1:${port}`;
    await waitHealthy(base, proc, 30_000);
    return { proc, base, port };
  },
  titles: {
    firstLines: "logs listening from the master, then worker_start",
    tick: "pushes tick and broadcasts to a joined room (through the Redis message queue)",
    oneWorker: "1 worker: polling-only clients never see Invalid session",
    twoWorkers: "2 workers",
    sessionLoss: 'polling-only clients meet 400 "Invalid session"',
    term: "TERM to the master stops every worker and exits 0",
    maxRequests: "--max-requests 50: a worker recycles under polling load and a new pid serves",
  },
  sessionLossBody: '"Invalid session',

  expectWorkerStart(app) {
    expect(app.proc.lines.find((l) => l.event === "worker_start")).toMatchObject({ role: "worker", port: app.port });
  },

  async afterEcho(app) {
    await waitForLine(app.proc, "connect line with transport", (l) => l.event === "connect" && l.transport === "websocket");
  },

  signalTests(two, workers) {
    it("HUP reloads every worker (recycle_all)", async () => {
      const before = childPids(two().proc.pid);
      expect(before).toHaveLength(2);
      process.kill(two().proc.pid, "SIGHUP");
      await waitForLine(two().proc, "recycle_all", (l) => l.event === "recycle_all");
      await waitFor("two new workers, old ones gone", () => {
        const now = childPids(two().proc.pid);
        return now.length === 2 && now.every((p) => !before.includes(p)) && before.every((p) => !alive(p));
      });
      workers.starts(two());
      await waitHealthy(two().base);
    });
  },

  // The recycled worker's exit and its replacement get 30 s under gunicorn (20 s for Node).
  recycle: { timeoutMs: 30_000, healthz: false },
});
