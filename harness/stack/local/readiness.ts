// Readiness strategies: each polls one target until it answers or the budget runs out, and
// fails with a message naming the target and the budget ("no 200 from <url> after 20 s").
// Given the component's process, a strategy also fails fast when that process exits first.
import { connect } from "node:net";
import { readFileSync } from "node:fs";
import { UserError } from "../../errors.ts";
import type { GroupProcess } from "./process-group.ts";

/** A component did not become ready: the run cannot happen (exit code "cannot run"). */
export class NotReadyError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = "NotReadyError";
  }
}

export interface WaitOptions {
  timeoutMs: number;
  /** Fail as soon as this process exits, with the tail of its log. */
  process?: GroupProcess;
  stepMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

export function logTail(file: string, lines = 8): string {
  try {
    const text = readFileSync(file, "utf8").trimEnd();
    return text.split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

function exitedError(proc: GroupProcess, what: string): NotReadyError {
  const how = proc.exit?.signal ? `signal ${proc.exit.signal}` : `code ${proc.exit?.code}`;
  const tail = logTail(proc.logFile);
  return new NotReadyError(`${proc.name} exited (${how}) before ${what}; see ${proc.logFile}${tail ? `:\n${tail}` : ""}`);
}

async function poll(attempt: () => Promise<boolean>, failure: () => string, what: string, opts: WaitOptions): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (opts.process?.exit) throw exitedError(opts.process, what);
    if (await attempt()) return;
    if (opts.process?.exit) throw exitedError(opts.process, what);
    if (Date.now() >= deadline) throw new NotReadyError(failure());
    await sleep(opts.stepMs ?? 100);
  }
}

/** An HTTP GET answering `status` (200). */
export function waitForHttp(url: string, opts: WaitOptions & { status?: number }): Promise<void> {
  const status = opts.status ?? 200;
  let last = "";
  return poll(
    async () => {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
        await res.arrayBuffer();
        last = `last answer ${res.status}`;
        return res.status === status;
      } catch (e) {
        last = ((e as Error).cause as Error | undefined)?.message ?? (e as Error).message;
        return false;
      }
    },
    () => `no ${status} from ${url} after ${seconds(opts.timeoutMs)}${last ? ` (${last})` : ""}`,
    `${url} answered ${status}`,
    opts,
  );
}

function tcpExchange(host: string, port: number, send: string | undefined, expect: (data: string) => boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let data = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => {
      if (send === undefined) return done(true);
      socket.write(send);
    });
    socket.on("data", (chunk) => {
      data += chunk.toString();
      if (expect(data)) done(true);
    });
  });
}

/** A TCP listener on host:port. */
export function waitForTcp(host: string, port: number, opts: WaitOptions): Promise<void> {
  return poll(() => tcpExchange(host, port, undefined, () => true), () => `nothing listening on ${host}:${port} after ${seconds(opts.timeoutMs)}`, `it listened on ${host}:${port}`, opts);
}

/** redis-server answering PING with +PONG. */
export function waitForRedis(host: string, port: number, opts: WaitOptions): Promise<void> {
  return poll(
    () => tcpExchange(host, port, "PING\r\n", (d) => d.includes("+PONG")),
    () => `no PONG from redis at ${host}:${port} after ${seconds(opts.timeoutMs)}`,
    `redis answered PING on ${host}:${port}`,
    opts,
  );
}

/** host:port refusing connections (a stopped backend). */
export async function waitForRefused(host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (await tcpExchange(host, port, undefined, () => true)) {
    if (Date.now() >= deadline) throw new NotReadyError(`${host}:${port} still accepts connections after ${seconds(timeoutMs)}`);
    await sleep(50);
  }
}
