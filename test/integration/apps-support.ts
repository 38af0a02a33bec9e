// Shared by apps-node.test.ts and apps-flask.test.ts: real processes on free ports
// (the reference apps, redis-server), their JSON log lines, and small socket.io-client helpers.
// Every process started here is tracked and killed by PID in stopAll().

import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { io, type Socket } from "socket.io-client";

export interface LogLine {
  event?: string;
  pid?: number;
  role?: string;
  [key: string]: unknown;
}

export interface Proc {
  child: ChildProcess;
  pid: number;
  /** JSON lines parsed from stdout (non-JSON lines go to `text`). */
  lines: LogLine[];
  text: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started = new Set<Proc>();

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export function start(cmd: string, args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): Proc {
  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (child.pid === undefined) throw new Error(`could not start ${cmd}`);
  const proc: Proc = {
    child,
    pid: child.pid,
    lines: [],
    text: [],
    exited: new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal }))),
  };
  const collect = (stream: NodeJS.ReadableStream) => {
    let buf = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith("{")) {
          try {
            proc.lines.push(JSON.parse(line) as LogLine);
            continue;
          } catch {
            /* not JSON after all */
          }
        }
        proc.text.push(line);
      }
    });
  };
  collect(child.stdout!);
  collect(child.stderr!);
  started.add(proc);
  void proc.exited.then(() => started.delete(proc));
  return proc;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Kill by PID, wait for the exit (SIGKILL after `graceMs`). */
export async function stop(proc: Proc, signal: NodeJS.Signals = "SIGTERM", graceMs = 5000): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  try {
    process.kill(proc.pid, signal);
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(proc.pid, "SIGKILL");
    } catch {
      /* gone */
    }
  }, graceMs);
  await proc.exited;
  clearTimeout(timer);
}

/** Kills every process this module started, plus the worker pids given (by PID only). */
export async function stopAll(extraPids: number[] = []): Promise<void> {
  await Promise.all([...started].map((p) => stop(p, "SIGTERM", 3000)));
  for (const pid of extraPids) {
    if (alive(pid)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }
  }
}

export async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not after ${timeoutMs / 1000} s`);
    await sleep(everyMs);
  }
}

export function waitForLine(proc: Proc, what: string, pred: (l: LogLine) => boolean, timeoutMs = 20_000): Promise<LogLine> {
  return waitFor(`${what} (pid ${proc.pid}; last lines: ${proc.text.slice(-3).join(" | ")})`, () => proc.lines.find(pred), timeoutMs);
}

export async function httpGet(url: string, timeoutMs = 3000): Promise<{ status: number; body: string } | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, body: await res.text() };
  } catch {
    return undefined;
  }
}

export async function waitHealthy(base: string, proc?: Proc, timeoutMs = 20_000): Promise<void> {
  await waitFor(`no 200 from ${base}/healthz`, async () => {
    if (proc && proc.child.exitCode !== null) throw new Error(`app exited early: ${proc.text.slice(-5).join(" | ")}`);
    const r = await httpGet(`${base}/healthz`);
    return r?.status === 200;
  }, timeoutMs, 150);
}

export async function startRedis(port: number): Promise<Proc> {
  const proc = start("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]);
  await waitFor(`redis-server on ${port}`, () => pingRedis(port), 10_000);
  return proc;
}

function pingRedis(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect(port, "127.0.0.1");
    sock.setTimeout(500);
    sock.once("connect", () => sock.write("PING\r\n"));
    sock.once("data", (d) => {
      sock.destroy();
      resolve(d.toString().startsWith("+PONG"));
    });
    sock.once("error", () => resolve(false));
    sock.once("timeout", () => {
      sock.destroy();
      resolve(false);
    });
  });
}

export interface Keepalive {
  serverHealth: { status: string; checks: { redis: string; memory: string } };
  instance: string;
  pid: number;
}

export async function keepalive(base: string): Promise<Keepalive> {
  const r = await httpGet(`${base}/api/v1/keepalive/`);
  if (!r || r.status !== 200) throw new Error(`keepalive answered ${r ? r.status : "nothing"}`);
  return JSON.parse(r.body) as Keepalive;
}

export function connect(base: string, opts: { transports: ("polling" | "websocket")[]; nsp?: string; auth?: Record<string, string> }): Socket {
  return io(base + (opts.nsp ?? ""), {
    transports: opts.transports,
    reconnection: false,
    forceNew: true,
    auth: opts.auth,
    timeout: 10_000,
  });
}

/** Resolves once connected; rejects with the CONNECT_ERROR message. */
export function connected(socket: Socket, timeoutMs = 10_000): Promise<Socket> {
  return new Promise((resolve, reject) => {
    if (socket.connected) return resolve(socket);
    const timer = setTimeout(() => reject(new Error("connect timeout")), timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once("connect_error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** emit with an ack and a timeout; resolves with all ack arguments. */
export function emitAck(socket: Socket, event: string, ...args: unknown[]): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    socket.timeout(10_000).emit(event, ...args, (err: Error | null, ...reply: unknown[]) => (err ? reject(err) : resolve(reply)));
  });
}

export function nextEvent<T = unknown>(socket: Socket, event: string, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    socket.once(event, (value: T) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

/**
 * Polling-only clients that each connect and exchange `rounds` echo acks, bounded in time.
 * Returns the bodies of the HTTP errors they met (e.g. `{"code":1,"message":"Session ID unknown"}`).
 */
export async function pollingRounds(base: string, clients: number, rounds: number, timeoutMs = 15_000): Promise<{ errors: string[]; ok: number }> {
  const errors: string[] = [];
  let ok = 0;
  const one = () =>
    new Promise<void>((resolve) => {
      const socket = connect(base, { transports: ["polling"] });
      const finish = () => {
        clearTimeout(timer);
        socket.close();
        resolve();
      };
      const timer = setTimeout(finish, timeoutMs);
      const record = (details: unknown) => {
        const ctx = (details as { context?: { responseText?: unknown } } | undefined)?.context;
        const status = (details as { description?: unknown } | undefined)?.description;
        errors.push(`${String(status)} ${typeof ctx?.responseText === "string" ? ctx.responseText : ""}`);
      };
      socket.on("connect_error", (err) => {
        record(err);
        finish();
      });
      socket.on("disconnect", (reason, details) => {
        if (reason === "transport error") record(details);
        finish();
      });
      socket.on("connect", async () => {
        try {
          for (let i = 0; i < rounds; i++) {
            await emitAck(socket, "echo", i);
            ok += 1;
          }
        } catch {
          /* the disconnect handler records why */
        }
        finish();
      });
    });
  await Promise.all(Array.from({ length: clients }, one));
  return { errors, ok };
}

/** Direct children of `pid`, from /proc/<n>/stat (Linux). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // "pid (comm) state ppid ..." — comm may contain spaces, so split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      /* process ended while scanning */
    }
  }
  return out;
}
