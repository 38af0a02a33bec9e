// One VU iteration of a Socket.IO scenario: CLIENTS_PER_VU clients, each connecting
// (after a small random delay), emitting every EMIT_INTERVAL (with ack by default) and
// counting server-pushed events, until the session time is up or the scenario ends; then
// each closes cleanly. Sessions never outlive the iteration (k6 resets the cookie jar
// between iterations, and sticky cookies live there).

import exec from "k6/execution";
import { SioClient, type ClientOptions } from "./client.ts";
import type { SioConfig } from "./config.ts";
import { toWsBase } from "./config.ts";
import type { Mode } from "./engine-session.ts";
import { k6Timers, now } from "./k6-adapters.ts";
import type { TimerId } from "./clock.ts";

/** When this iteration must be done: its session time, or the end of the scenario. */
export function iterationDeadline(sessionMs: number, durationMs: number): number {
  return Math.min(now() + sessionMs, exec.scenario.startTime + durationMs);
}

function payloadOf(bytes: number): string {
  let s = "";
  while (s.length < bytes) s += "abcdefghijklmnopqrstuvwxyz0123456789";
  return s.slice(0, bytes);
}

/** What every client slot of one iteration shares. */
interface Iteration {
  cfg: SioConfig;
  /** One options object for all the iteration's clients (they are configured alike). */
  options: ClientOptions;
  deadline: number;
  payload: string;
  coolDownMs: number;
}

export function runSioIteration(cfg: SioConfig, mode: Mode): Promise<void> {
  const it: Iteration = {
    cfg,
    options: clientOptions(cfg, mode, exec.scenario.name),
    deadline: iterationDeadline(cfg.sessionMs, cfg.durationMs),
    payload: payloadOf(cfg.payloadBytes),
    // A client that gave up (refused, or out of reconnect attempts) is replaced by a fresh
    // one after a cool-down, like a user reloading the page: the VU keeps its share of load
    // without hammering a server that refuses it.
    coolDownMs: Math.max(cfg.reconnect.maxDelayMs, 1000),
  };
  // Like Promise.all over the slots (the first error ends the iteration), without a promise
  // and a reaction per slot.
  return new Promise<void>((resolve, reject) => {
    let running = cfg.clientsPerVu;
    const slotDone = (err?: unknown) => {
      if (err !== undefined) reject(err);
      else if (--running === 0) resolve();
    };
    for (let i = 0; i < cfg.clientsPerVu; i++) new ClientSlot(it, slotDone).start();
  });
}

function clientOptions(cfg: SioConfig, mode: Mode, scenario: string): ClientOptions {
  return {
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
  };
}

type Phase = "jitter" | "connecting" | "emitting" | "closing" | "coolDown" | "over";

/**
 * One client slot of an iteration: after a random start delay, sessions one after another
 * until the deadline. Each session connects (the client retries per its policy), joins ROOM
 * when set, emits EMIT_BURST events every EMIT_INTERVAL until the deadline or until the
 * client is done for good (which cuts the wait short), and closes; a cool-down follows
 * before a fresh client.
 *
 * Written with callbacks and one timer at a time rather than async/await: a slot waits for
 * the whole session, and k6 keeps a suspended async function (~3 KB) or a promise reaction
 * (~2.5 KB) alive for that long, thousands of times per process. Held, a slot costs one
 * object, one closure and one timer.
 */
class ClientSlot {
  private phase: Phase = "jitter";
  private client: SioClient | null = null;
  private timer: TimerId | null = null;
  private seq = 0;
  /** The timer callback; also the client's done callback while emitting. */
  private readonly wake = (from?: SioClient) => this.onWake(from);

  constructor(
    private readonly it: Iteration,
    private readonly slotDone: (err?: unknown) => void,
  ) {}

  start(): void {
    const cfg = this.it.cfg;
    const delay = cfg.startJitterMs > 0 ? Math.floor(Math.random() * cfg.startJitterMs) : 0;
    if (now() + delay >= this.it.deadline) {
      this.end();
      return;
    }
    if (delay > 0) this.timer = k6Timers.setTimeout(this.wake, delay);
    else this.openSession();
  }

  /** A timer fired, or (`from`) a client is done for good. */
  private onWake(from?: SioClient): void {
    if (from !== undefined) {
      // Only the current client's end, while waiting to emit, cuts a wait short.
      if (from !== this.client || this.phase !== "emitting") return;
      if (this.timer !== null) k6Timers.clearTimeout(this.timer);
    }
    this.timer = null;
    if (this.phase === "jitter" || this.phase === "coolDown") this.openSession();
    else if (this.phase === "emitting") this.emitTick();
  }

  private openSession(): void {
    if (now() >= this.it.deadline) {
      this.end();
      return;
    }
    this.phase = "connecting";
    const client = new SioClient(this.it.options);
    this.client = client;
    client.connect().then(
      () => this.joinRoom(client),
      (err) => this.end(err),
    );
  }

  private joinRoom(client: SioClient): void {
    const room = this.it.cfg.room;
    if (!client.connected || room === undefined) {
      this.startEmitting(client);
      return;
    }
    client.emitWithAck("join", room).then(
      () => this.startEmitting(client),
      () => this.startEmitting(client),
    );
  }

  private startEmitting(client: SioClient): void {
    this.phase = "emitting";
    this.seq = 0;
    this.waitToEmit();
    client.whenDone(this.wake);
  }

  /** Waits EMIT_INTERVAL (or until the deadline when not emitting), or closes the session when it is over. */
  private waitToEmit(): void {
    const client = this.client!;
    const { cfg, deadline } = this.it;
    if (client.done || now() >= deadline) {
      this.closeSession(client);
      return;
    }
    const left = deadline - now();
    this.timer = k6Timers.setTimeout(this.wake, cfg.emitIntervalMs > 0 ? Math.min(cfg.emitIntervalMs, left) : left);
  }

  private emitTick(): void {
    const client = this.client!;
    const { cfg, deadline, payload } = this.it;
    if (client.done || now() >= deadline) {
      this.closeSession(client);
      return;
    }
    if (client.connected && cfg.emitIntervalMs > 0) {
      for (let b = 0; b < cfg.emitBurst; b++) {
        this.seq++;
        if (cfg.ack) client.emitAcked(cfg.emitEvent, this.seq, payload);
        else client.emit(cfg.emitEvent, this.seq, payload);
      }
    }
    this.waitToEmit();
  }

  private closeSession(client: SioClient): void {
    this.phase = "closing";
    client.close().then(
      () => this.afterClose(),
      (err) => this.end(err),
    );
  }

  private afterClose(): void {
    this.client = null;
    const left = this.it.deadline - now();
    if (left <= 0) {
      this.end();
      return;
    }
    this.phase = "coolDown";
    this.timer = k6Timers.setTimeout(this.wake, Math.min(this.it.coolDownMs, left));
  }

  private end(err?: unknown): void {
    if (this.phase === "over") return;
    this.phase = "over";
    this.slotDone(err);
  }
}
