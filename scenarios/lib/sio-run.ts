// One VU iteration of a Socket.IO scenario: CLIENTS_PER_VU clients, each connecting
// (after a small random delay), emitting every EMIT_INTERVAL (with ack by default) and
// counting server-pushed events, until the session time is up or the scenario ends; then
// each closes cleanly. Sessions never outlive the iteration (k6 resets the cookie jar
// between iterations, and sticky cookies live there).

import exec from "k6/execution";
import { SioClient } from "./client.ts";
import type { SioConfig } from "./config.ts";
import { toWsBase } from "./config.ts";
import type { Mode } from "./engine-session.ts";
import { now, sleepFor, type Sleep } from "./k6-adapters.ts";

/** When this iteration must be done: its session time, or the end of the scenario. */
export function iterationDeadline(sessionMs: number, durationMs: number): number {
  return Math.min(now() + sessionMs, exec.scenario.startTime + durationMs);
}

function payloadOf(bytes: number): string {
  let s = "";
  while (s.length < bytes) s += "abcdefghijklmnopqrstuvwxyz0123456789";
  return s.slice(0, bytes);
}

export async function runSioIteration(cfg: SioConfig, mode: Mode): Promise<void> {
  const scenario = exec.scenario.name;
  const deadline = iterationDeadline(cfg.sessionMs, cfg.durationMs);
  const payload = payloadOf(cfg.payloadBytes);
  const clients: Array<Promise<void>> = [];
  for (let i = 0; i < cfg.clientsPerVu; i++) clients.push(runClient(cfg, mode, scenario, deadline, payload));
  await Promise.all(clients);
}

async function runClient(cfg: SioConfig, mode: Mode, scenario: string, deadline: number, payload: string): Promise<void> {
  const delay = cfg.startJitterMs > 0 ? Math.floor(Math.random() * cfg.startJitterMs) : 0;
  if (now() + delay >= deadline) return;
  if (delay > 0) await sleepFor(delay).promise;
  // A client that gave up (refused, or out of reconnect attempts) is replaced by a fresh
  // one after a cool-down, like a user reloading the page: the VU keeps its share of load
  // without hammering a server that refuses it.
  const coolDownMs = Math.max(cfg.reconnect.maxDelayMs, 1000);
  while (now() < deadline) {
    const client = newClient(cfg, mode, scenario);
    await runSession(client, cfg, deadline, payload);
    await client.close();
    const left = deadline - now();
    if (left <= 0) break;
    await sleepFor(Math.min(coolDownMs, left)).promise;
  }
}

function newClient(cfg: SioConfig, mode: Mode, scenario: string): SioClient {
  return new SioClient({
    httpBase: cfg.target,
    wsBase: toWsBase(cfg.target),
    path: cfg.path,
    mode,
    namespace: cfg.namespace,
    auth: cfg.auth,
    scenario,
    connectTimeoutMs: cfg.connectTimeoutMs,
    upgradeTimeoutMs: cfg.upgradeTimeoutMs,
    pollTimeoutMs: cfg.pollTimeoutMs,
    ackTimeoutMs: cfg.ackTimeoutMs,
    reconnect: cfg.reconnect,
  });
}

/** Connects, then emits EMIT_BURST events every EMIT_INTERVAL until the deadline or until the client gives up. */
async function runSession(client: SioClient, cfg: SioConfig, deadline: number, payload: string): Promise<void> {
  await client.connect();
  if (client.connected && cfg.room !== undefined) {
    await client.emitWithAck("join", cfg.room).catch(() => undefined);
  }
  // Each nap is cut short when the client is done for good. One reaction on `finished` for
  // the whole session: a reaction per nap would pile up until the session ends (thousands
  // per client in a long soak, each holding its sleep alive).
  let nap: Sleep | null = null;
  void client.finished.then(() => {
    if (nap) nap.cancel();
  });
  let seq = 0;
  while (!client.done && now() < deadline) {
    const left = deadline - now();
    nap = sleepFor(cfg.emitIntervalMs > 0 ? Math.min(cfg.emitIntervalMs, left) : left);
    await nap.promise;
    nap = null;
    if (client.done || now() >= deadline) break;
    if (!client.connected || cfg.emitIntervalMs === 0) continue;
    for (let b = 0; b < cfg.emitBurst; b++) {
      seq++;
      if (cfg.ack) client.emitWithAck(cfg.emitEvent, seq, payload).catch(() => undefined);
      else client.emit(cfg.emitEvent, seq, payload);
    }
  }
}
