// Starts the reference apps (compose/apps/node, compose/apps/flask) as processes of our
// own, each in its own process group on a free loopback port, for integration tests.
// stop() resumes (if paused) and ends the whole group; pause()/resume() send SIGSTOP /
// SIGCONT to the group (a server that stops answering pings).

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { freePort } from "../../../harness/net/ports.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const NODE_APP = `${ROOT}compose/apps/node/server.mjs`;
export const FLASK_DIR = `${ROOT}compose/apps/flask`;
export const GUNICORN = "/usr/bin/gunicorn";

export interface RunningApp {
  url: string;
  pid: number;
  log: () => string;
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

export interface AppOptions {
  workers?: number;
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  tickMs?: number;
  extraEnv?: Record<string, string>;
}

function signalGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, sig);
  } catch {
    // already gone
  }
}

async function waitReady(url: string, child: ChildProcess, log: () => string, budgetMs = 30_000): Promise<void> {
  const deadline = Date.now() + budgetMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`app exited with ${child.exitCode} before answering:\n${log()}`);
    try {
      const res = await fetch(`${url}/socket.io/?EIO=4&transport=polling`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200 && (await res.text()).startsWith("0{")) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no Engine.IO handshake from ${url} after ${budgetMs / 1000} s:\n${log()}`);
}

async function launch(cmd: string, args: string[], cwd: string, env: Record<string, string>, port: number): Promise<RunningApp> {
  const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (d: Buffer) => {
    output += d.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const url = `http://127.0.0.1:${port}`;
  const log = () => output;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const app: RunningApp = {
    url,
    pid: child.pid!,
    log,
    pause: () => signalGroup(child, "SIGSTOP"),
    resume: () => signalGroup(child, "SIGCONT"),
    async stop() {
      signalGroup(child, "SIGCONT");
      signalGroup(child, "SIGTERM");
      const timer = setTimeout(() => signalGroup(child, "SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
      // Workers of a group whose leader exited first.
      signalGroup(child, "SIGKILL");
    },
  };
  try {
    await waitReady(url, child, log);
  } catch (err) {
    await app.stop();
    throw err;
  }
  return app;
}

/** node compose/apps/node/server.mjs (a node cluster of `workers`). */
export async function startNodeApp(opts: AppOptions = {}): Promise<RunningApp> {
  const port = await freePort();
  const env: Record<string, string> = {
    PORT: String(port),
    HOST: "127.0.0.1",
    WORKERS: String(opts.workers ?? 1),
    TICK_MS: String(opts.tickMs ?? 1000),
    ...opts.extraEnv,
  };
  if (opts.pingIntervalMs) env.PING_INTERVAL = String(opts.pingIntervalMs);
  if (opts.pingTimeoutMs) env.PING_TIMEOUT = String(opts.pingTimeoutMs);
  return launch(process.execPath, [NODE_APP], ROOT, env, port);
}

export function flaskAppExists(): boolean {
  return existsSync(`${FLASK_DIR}/app.py`);
}

/** Flask-SocketIO under gunicorn with the gevent-websocket worker (`workers` processes). */
export async function startFlaskApp(opts: AppOptions = {}): Promise<RunningApp> {
  const port = await freePort();
  const env: Record<string, string> = { PORT: String(port), TICK_MS: String(opts.tickMs ?? 1000), ...opts.extraEnv };
  if (opts.pingIntervalMs) env.PING_INTERVAL = String(opts.pingIntervalMs);
  if (opts.pingTimeoutMs) env.PING_TIMEOUT = String(opts.pingTimeoutMs);
  const args = [
    "--bind",
    `127.0.0.1:${port}`,
    "--workers",
    String(opts.workers ?? 1),
    "--worker-class",
    "geventwebsocket.gunicorn.workers.GeventWebSocketWorker",
    "app:app",
  ];
  return launch(GUNICORN, args, FLASK_DIR, env, port);
}
