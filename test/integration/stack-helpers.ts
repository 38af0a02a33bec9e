// Shared by the stack-*.test.ts suites: bring a local stack up in a temp folder, drive small
// bounded loads from chosen loopback source addresses (raw Engine.IO polling over node:http,
// socket.io-client for websocket), and read the ground truth (proxy access log, app logs).
import { request } from "node:http";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { io, type Socket } from "socket.io-client";
import { localDriver, type LocalStack } from "../../harness/stack/local/driver.ts";
import { resolveTopology } from "../../harness/stack/topology.ts";
import type { Topology } from "../../harness/stack/types.ts";

export async function upStack(name: string, overrides: Partial<Topology> = {}, progress: string[] = []): Promise<LocalStack> {
  const workDir = mkdtempSync(join(tmpdir(), `rtsoak-stack-${name}-`));
  return localDriver.up(resolveTopology(name, overrides), { workDir, onProgress: (l) => progress.push(l), readyTimeoutMs: 60_000 });
}

export interface HttpAnswer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** One HTTP request on a fresh connection from `localAddress`. Status 0 = network error. */
export function httpRequest(url: string, opts: { method?: string; body?: string; localAddress?: string; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<HttpAnswer> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method: opts.method ?? "GET",
        localAddress: opts.localAddress,
        agent: false,
        headers: { ...(opts.body !== undefined ? { "content-type": "text/plain;charset=UTF-8" } : {}), ...opts.headers },
        timeout: opts.timeoutMs ?? 10_000,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
        res.on("error", () => resolve({ status: 0, body, headers: res.headers }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (e) => resolve({ status: 0, body: e.message, headers: {} }));
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

export interface PollingTotals {
  sessions: number;
  handshakeFailures: number;
  sidRequests: number;
  sessionUnknown: number;
  /** Other non-200 answers to sid-bearing requests, by status. */
  otherFailures: Record<number, number>;
  echoes: number;
}

export const emptyTotals = (): PollingTotals => ({ sessions: 0, handshakeFailures: 0, sidRequests: 0, sessionUnknown: 0, otherFailures: {}, echoes: 0 });

const SESSION_UNKNOWN = /Session ID unknown|Invalid session/;

/**
 * One Socket.IO session over raw long-polling: handshake, CONNECT, then `rounds` of
 * POST echo-with-ack + GET (a GET only when the owner has an answer pending, so it does not
 * hang for a ping interval), then close. `echoes` counts the acks received.
 * Cookies (HAProxy SERVERID) are kept like a browser would.
 */
export async function pollingSession(baseUrl: string, rounds: number, opts: { localAddress?: string; headers?: Record<string, string> } = {}): Promise<PollingTotals> {
  const totals = emptyTotals();
  const cookies = new Map<string, string>();
  const send = async (method: string, query: string, body?: string) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (cookies.size) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const res = await httpRequest(`${baseUrl}/socket.io/?EIO=4&transport=polling&t=${Math.random().toString(36).slice(2)}${query}`, { method, body, localAddress: opts.localAddress, headers });
    const set = res.headers["set-cookie"];
    for (const c of Array.isArray(set) ? set : set ? [set] : []) {
      const [pair] = c.split(";");
      const i = pair.indexOf("=");
      cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
    }
    return res;
  };
  const hs = await send("GET", "");
  if (hs.status !== 200 || !hs.body.startsWith("0{")) {
    totals.handshakeFailures++;
    return totals;
  }
  totals.sessions++;
  const sid = (JSON.parse(hs.body.slice(1)) as { sid: string }).sid;
  const sidRequest = async (method: string, body?: string) => {
    const res = await send(method, `&sid=${sid}`, body);
    totals.sidRequests++;
    if (res.status === 400 && SESSION_UNKNOWN.test(res.body)) totals.sessionUnknown++;
    else if (res.status !== 200) totals.otherFailures[res.status] = (totals.otherFailures[res.status] ?? 0) + 1;
    return res;
  };
  let pending = 0;
  // CONNECT until the owner got it: events sent before it are ignored (no ack would come)
  let connected = false;
  for (let attempt = 0; attempt < 20 && !connected; attempt++) connected = (await sidRequest("POST", "40")).status === 200;
  if (!connected) return totals;
  pending++;
  for (let i = 0; i < rounds; i++) {
    // with an ack id: both reference apps acknowledge echo (`43<id>[…]`)
    if ((await sidRequest("POST", `42${i + 1}["echo","r${i}"]`)).status === 200) pending++;
    if (pending > 0) {
      const res = await sidRequest("GET");
      if (res.status === 200) {
        pending = 0;
        totals.echoes += res.body.split("\x1e").filter((p) => /^43\d+\[/.test(p)).length;
      }
    }
  }
  await sidRequest("POST", "1");
  return totals;
}

export function addTotals(a: PollingTotals, b: PollingTotals): PollingTotals {
  const other = { ...a.otherFailures };
  for (const [k, v] of Object.entries(b.otherFailures)) other[Number(k)] = (other[Number(k)] ?? 0) + v;
  return {
    sessions: a.sessions + b.sessions,
    handshakeFailures: a.handshakeFailures + b.handshakeFailures,
    sidRequests: a.sidRequests + b.sidRequests,
    sessionUnknown: a.sessionUnknown + b.sessionUnknown,
    otherFailures: other,
    echoes: a.echoes + b.echoes,
  };
}

/** `clients` concurrent polling sessions, client k from addresses[k % n] (or the default source). */
export async function pollingLoad(baseUrl: string, clients: number, rounds: number, addresses: string[] = [], headers?: (k: number) => Record<string, string>): Promise<PollingTotals> {
  const results = await Promise.all(
    Array.from({ length: clients }, (_, k) => pollingSession(baseUrl, rounds, { localAddress: addresses.length ? addresses[k % addresses.length] : undefined, headers: headers?.(k) })),
  );
  return results.reduce(addTotals, emptyTotals());
}

export interface SioResult {
  connected: boolean;
  transport?: string;
  acks: number;
  error?: string;
}

/** A socket.io-client session: connect, `emits` acknowledged echoes, disconnect. */
export async function sioSession(baseUrl: string, opts: { transports: ("polling" | "websocket")[]; emits: number; localAddress?: string; upgradeWaitMs?: number }): Promise<SioResult> {
  const socket: Socket = io(baseUrl, {
    transports: opts.transports,
    reconnection: false,
    forceNew: true,
    timeout: 10_000,
    localAddress: opts.localAddress,
  } as Parameters<typeof io>[1]);
  const result: SioResult = { connected: false, acks: 0 };
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", () => resolve());
      socket.once("connect_error", (e) => reject(e));
    });
    result.connected = true;
    if (opts.upgradeWaitMs) await new Promise((r) => setTimeout(r, opts.upgradeWaitMs));
    for (let i = 0; i < opts.emits; i++) {
      const reply = await socket.timeout(5000).emitWithAck("echo", i);
      if (reply === i) result.acks++;
    }
    result.transport = socket.io.engine.transport.name;
  } catch (e) {
    result.error = (e as Error).message;
  } finally {
    socket.disconnect();
  }
  return result;
}

export interface AccessEntry {
  status: number;
  upstream: string;
  uri: string;
  args: string;
  msec: string;
}

/** JSON lines of the proxy access log (HAProxy also writes "Proxy … stopped" lines on reload: skipped). */
export function readAccessLog(file: string): AccessEntry[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as AccessEntry);
}

/** JSON log lines of an app with the given event. */
export function appEvents(file: string, event: string): Array<Record<string, unknown>> {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((e) => e.event === event);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A pid that exited but is not reaped yet (zombie) counts as gone. */
export { pidAlive } from "../../harness/stack/local/process-group.ts";

/** Polls `check` until it returns true (or `timeoutMs` passes); returns the last result. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}
