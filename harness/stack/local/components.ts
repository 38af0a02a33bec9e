// How each component of a local stack is launched: command, arguments, environment,
// the signal that stops it, and how to tell it is ready. Pure: builds SpawnSpecs only.
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Topology } from "../types.ts";
import type { SpawnSpec } from "./process-group.ts";

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const NODE_APP = resolve(PROJECT_ROOT, "compose/apps/node/server.mjs");
export const FLASK_APP_DIR = resolve(PROJECT_ROOT, "compose/apps/flask");
export const GUNICORN = "/usr/bin/gunicorn";
export const HOST = "127.0.0.1";

export interface ComponentSpec extends SpawnSpec {
  /** Signal that stops the whole group quickly; SIGKILL follows after a grace period. */
  stopSignal: NodeJS.Signals;
}

export function redisSpec(port: number, dir: string, logFile: string): ComponentSpec {
  return {
    name: "redis",
    command: "redis-server",
    args: ["--port", String(port), "--bind", HOST, "--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no", "--logfile", ""],
    logFile,
    stopSignal: "SIGTERM",
  };
}

const WORKER_CLASSES: Record<NonNullable<Topology["flask"]>["workerClass"], string> = {
  geventwebsocket: "geventwebsocket.gunicorn.workers.GeventWebSocketWorker",
  gevent: "gevent",
  sync: "sync",
  gthread: "gthread",
};

/** Environment without variables that would leak the harness into the apps. */
function baseEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return env;
}

export function appSpec(t: Topology, id: string, port: number, redisUrl: string | undefined, logFile: string): ComponentSpec {
  const common: Record<string, string> = {
    INSTANCE_ID: id,
    PING_INTERVAL: String(t.pingIntervalMs),
    PING_TIMEOUT: String(t.pingTimeoutMs),
  };
  if (redisUrl) common.REDIS_URL = redisUrl;
  if (t.app === "node") {
    return {
      name: id,
      command: process.execPath,
      args: [NODE_APP],
      cwd: PROJECT_ROOT,
      env: {
        ...baseEnv(),
        ...common,
        PORT: String(port),
        HOST,
        WORKERS: String(t.workersPerInstance),
        MAX_REQUESTS: String(t.maxRequests),
        MAX_REQUESTS_JITTER: String(t.maxRequestsJitter),
        ADAPTER: t.adapter,
      },
      logFile,
      stopSignal: "SIGTERM",
    };
  }
  const flask = t.flask ?? { workerClass: "geventwebsocket", asyncMode: "gevent" };
  const recycling = t.maxRequests > 0 ? ["--max-requests", String(t.maxRequests), "--max-requests-jitter", String(t.maxRequestsJitter)] : [];
  const env: NodeJS.ProcessEnv = { ...baseEnv(), ...common, ASYNC_MODE: flask.asyncMode, PYTHONUNBUFFERED: "1" };
  if (t.adapter === "redis" && redisUrl) env.MESSAGE_QUEUE = redisUrl;
  return {
    name: id,
    command: GUNICORN,
    args: ["--bind", `${HOST}:${port}`, "--workers", String(t.workersPerInstance), "--worker-class", WORKER_CLASSES[flask.workerClass], ...recycling, "app:app"],
    cwd: FLASK_APP_DIR,
    env,
    logFile,
    // gunicorn: INT = quick stop (TERM waits up to 30 s for open long-polls)
    stopSignal: "SIGINT",
  };
}

/**
 * Started as root, nginx runs its workers as nobody, who cannot reopen the logs on SIGUSR1
 * (log rotation) inside a folder only root may enter: they keep the user nginx runs as.
 */
const nginxUser = (): string[] => (process.getuid?.() === 0 ? ["-g", "user root;"] : []);

export function proxySpec(t: Topology, files: { config: string; runDir: string; logFile: string; accessLog: string; errorLog: string }): ComponentSpec {
  if (t.proxy === "nginx") {
    return {
      name: "nginx",
      command: "nginx",
      args: ["-c", files.config, "-p", `${files.runDir}/`, "-e", files.errorLog, ...nginxUser()],
      logFile: files.logFile,
      stopSignal: "SIGTERM",
    };
  }
  return {
    name: "haproxy",
    command: "haproxy",
    args: ["-W", "-db", "-f", files.config],
    logFile: files.logFile,
    stdoutFile: files.accessLog,
    stopSignal: "SIGTERM",
  };
}

/** Syntax check of a rendered config with the proxy binary itself, before start or reload. */
export function proxyCheckCommand(t: Topology, files: { config: string; runDir: string; errorLog: string }): [string, string[]] {
  return t.proxy === "nginx"
    ? ["nginx", ["-t", "-q", "-c", files.config, "-p", `${files.runDir}/`, "-e", files.errorLog, ...nginxUser()]]
    : ["haproxy", ["-c", "-q", "-f", files.config]];
}
