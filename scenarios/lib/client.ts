// One Socket.IO v5 client inside k6: an Engine.IO session (engine-session.ts) plus the
// namespace CONNECT (with auth), emits, emits with ack (round trip → sio_ack_rtt), handlers
// for server-pushed events, disconnect, and reconnection with exponential backoff + jitter.
// Everything is asynchronous (k6/http asyncRequest, k6/websockets, k6/timers), so one VU
// can hold many clients; await close() so the iteration ends with nothing pending.

import { AckError, AckTracker, type AckListener, type AckResult } from "./acks.ts";
import { EngineSession, OpenFailed, type EngineEvents, type Mode } from "./engine-session.ts";
import {
  ackRtt,
  connectTime,
  emits,
  eventsReceived,
  namespaceConnects,
  reconnects,
  recordFailure,
  sessionsLost,
  tagsOf,
  tagsWith,
} from "./instruments.ts";
import { k6Timers, now, sleepFor, type Sleep } from "./k6-adapters.ts";
import { FAILURE, OP, TAG, type FailureKind } from "./metrics.ts";
import { backoffDelay, shouldRetry, type ReconnectPolicy } from "./reconnect.ts";
import { SioDecoder, SioType, connectErrorMessage, encodeSioPacket, type SioPacket } from "./socketio.ts";
import type { TimerId } from "./clock.ts";

export interface ClientOptions {
  /** http(s)://host:port */
  httpBase: string;
  /** ws(s)://host:port */
  wsBase: string;
  /** Engine.IO path, e.g. /socket.io/ */
  path: string;
  mode: Mode;
  namespace: string;
  auth?: Record<string, unknown>;
  scenario: string;
  connectTimeoutMs: number;
  upgradeTimeoutMs: number;
  /** 0 = derived from the handshake. */
  pollTimeoutMs: number;
  ackTimeoutMs: number;
  reconnect: ReconnectPolicy;
}

export type EventHandler = (...args: unknown[]) => void;

type State = "idle" | "connecting" | "connected" | "waiting" | "closed";

/** Why the namespace CONNECT did not succeed. */
class ConnectFailed extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    /** The engine already recorded this failure (the session was lost). */
    readonly recorded = false,
  ) {
    super(message);
  }
}

/** How one connection attempt ended; "refused" (CONNECT_ERROR) is not retried. */
type AttemptResult = "connected" | "failed" | "refused";

export type DoneCallback = (client: SioClient) => void;

/** `doneCallback` once the client is done for good and its callbacks have run. */
const FINISHED: DoneCallback = () => {};

// Memory: one k6 process holds thousands of clients, and in k6's runtime every object costs
// ~0.6 KB (~1.1 KB past 8 properties), every closure ~0.8 KB, and a pending promise
// reaction or suspended async function ~2.5-3 KB. So a held client keeps no closures (it is
// its engine's EngineEvents), shares its options with the clients of its iteration, has at
// most 8 properties (the handler map exists only once on() is used), and hands out the
// `finished` promise only to whoever asks for it.
export class SioClient implements EngineEvents, AckListener {
  private state: State = "idle";
  private engine: EngineSession | null = null;
  private readonly decoder = new SioDecoder();
  private readonly acks = new AckTracker(k6Timers, now, this);
  private connectWaiter: { resolve: () => void; reject: (e: Error) => void } | null = null;
  private backoff: Sleep | null = null;
  /** Callback(s) for when the client is done for good; FINISHED once they have run. */
  private doneCallback: DoneCallback | null = null;
  /** Created by the first on(): no property at all until then. */
  private handlers?: Map<string, EventHandler[]>;

  /** `opts` is only read: clients configured alike may share one object. */
  constructor(private readonly opts: ClientOptions) {}

  /** Resolves when the client is done for good: closed by us, refused, or out of attempts. */
  get finished(): Promise<void> {
    return new Promise((resolve) => this.whenDone(() => resolve()));
  }

  /**
   * Calls `fn(client)` once the client is done for good (when `finished` resolves), or at
   * once if it already is: a callback costs k6 far less than a reaction on `finished`.
   */
  whenDone(fn: DoneCallback): void {
    const prev = this.doneCallback;
    if (prev === FINISHED) fn(this);
    else if (prev === null) this.doneCallback = fn;
    else
      this.doneCallback = (client) => {
        prev(client);
        fn(client);
      };
  }

  get connected(): boolean {
    return this.state === "connected";
  }

  get done(): boolean {
    return this.state === "closed";
  }

  /** The transport carrying the session now ("polling" until an upgrade succeeds). */
  get transport(): "polling" | "websocket" {
    return this.engine ? (this.engine.transportName as "polling" | "websocket") : "polling";
  }

  /** Registers a handler for a server-pushed event. */
  on(event: string, handler: EventHandler): this {
    if (!this.handlers) this.handlers = new Map();
    const list = this.handlers.get(event);
    if (list) list.push(handler);
    else this.handlers.set(event, [handler]);
    return this;
  }

  /**
   * Connects (handshake, optional upgrade, namespace CONNECT), retrying with backoff per the
   * reconnect policy. Resolves true once connected, false when the client gave up.
   */
  async connect(): Promise<boolean> {
    if (this.state !== "idle") return this.connected;
    const result = await this.attempt();
    if (result === "connected") return true;
    if (result === "refused") {
      this.giveUp();
      return false;
    }
    return this.retry();
  }

  /** Emits an event (no ack). False when not connected. */
  emit(event: string, ...args: unknown[]): boolean {
    if (!this.connected || !this.engine) return false;
    args.unshift(event); // the rest array is ours: it becomes the packet data, no copy
    this.engine.sendMessages(encodeSioPacket({ type: SioType.EVENT, nsp: this.opts.namespace, data: args }));
    emits.add(1, tagsOf(this.engine.transportName, this.opOf(), this.opts.scenario));
    return true;
  }

  /**
   * Emits with an ack id and resolves with the ack's arguments and round-trip time, which is
   * also recorded in sio_ack_rtt. Rejects when not connected, on disconnect, or after
   * ackTimeoutMs (recorded as an ack_timeout failure).
   */
  emitWithAck(event: string, ...args: unknown[]): Promise<AckResult> {
    const engine = this.engine;
    if (!this.connected || !engine) return Promise.reject(new AckError("disconnected"));
    const tags = tagsOf(engine.transportName, this.opOf(), this.opts.scenario);
    const { id, result } = this.acks.register(this.opts.ackTimeoutMs);
    args.unshift(event);
    engine.sendMessages(encodeSioPacket({ type: SioType.EVENT, nsp: this.opts.namespace, data: args, id }));
    emits.add(1, tags);
    return result;
  }

  /**
   * emitWithAck for a caller that does not wait for the ack: the same packet and the same
   * records (sio_ack_rtt, ack_timeout), without a promise per emit. False when not connected.
   */
  emitAcked(event: string, ...args: unknown[]): boolean {
    const engine = this.engine;
    if (!this.connected || !engine) return false;
    const tags = tagsOf(engine.transportName, this.opOf(), this.opts.scenario);
    const id = this.acks.track(this.opts.ackTimeoutMs);
    args.unshift(event);
    engine.sendMessages(encodeSioPacket({ type: SioType.EVENT, nsp: this.opts.namespace, data: args, id }));
    emits.add(1, tags);
    return true;
  }

  /**
   * AckListener: every ack's round trip goes into sio_ack_rtt, every timeout is an
   * ack_timeout failure. Pending acks fail as soon as their session is lost or closed, so
   * the session that carried an emit is still the current one here.
   */
  onAck(result: AckResult): void {
    const engine = this.engine;
    if (engine) ackRtt.add(result.rttMs, tagsOf(engine.transportName, this.opOf(), this.opts.scenario));
  }

  /** AckListener: see onAck. */
  onAckFailed(error: AckError): void {
    const engine = this.engine;
    if (engine && error.reason === "timeout") {
      recordFailure(FAILURE.ackTimeout, engine.transportName, this.opOf(), this.opts.scenario);
    }
  }

  /** Disconnects the namespace and closes the session; resolves when nothing is pending. */
  async close(): Promise<void> {
    if (this.state === "closed") return;
    const engine = this.engine;
    const wasConnected = this.state === "connected";
    this.state = "closed";
    if (this.backoff) this.backoff.cancel();
    this.rejectConnect(new ConnectFailed(FAILURE.network, "closed by the client"));
    this.acks.failAll();
    if (engine) {
      const bye = wasConnected ? encodeSioPacket({ type: SioType.DISCONNECT, nsp: this.opts.namespace }) : [];
      await engine.close(bye);
    }
    this.finish();
  }

  // ---------------------------------------------------------------- connecting

  private opOf() {
    if (this.opts.mode === "websocket") return OP.websocket;
    return this.engine && this.engine.transportName === "websocket" ? OP.upgrade : OP.poll;
  }

  /** One full attempt: a fresh Engine.IO session and the namespace CONNECT. */
  private async attempt(): Promise<AttemptResult> {
    if (this.state === "closed") return "failed";
    this.state = "connecting";
    const started = now();
    this.decoder.reset();
    // ClientOptions carries every EngineOptions field: the engine reads the same object.
    const engine = new EngineSession(this.opts, this);
    this.engine = engine;
    try {
      await engine.open();
    } catch (err) {
      if (!(err instanceof OpenFailed)) throw err;
      if (this.state === "connecting") this.state = "waiting";
      return "failed";
    }
    if (this.state !== "connecting") {
      await engine.close();
      return "failed";
    }
    const connected = this.awaitConnect();
    engine.sendMessages(encodeSioPacket({ type: SioType.CONNECT, nsp: this.opts.namespace, data: this.opts.auth }));
    // Like socket.io-client: probe the websocket right after open, while CONNECT is on its way.
    if (this.opts.mode === "upgrade") void engine.upgrade();
    try {
      await connected;
    } catch (err) {
      if (this.state !== "connecting") return "failed";
      this.state = "waiting";
      if (!(err instanceof ConnectFailed) || err.recorded) return "failed";
      // Refused (CONNECT_ERROR: no retry, like socket.io-client) or not answered in time.
      recordFailure(err.kind, engine.transportName, this.opOf(), this.opts.scenario);
      await engine.close();
      return err.kind === FAILURE.connectError ? "refused" : "failed";
    }
    if (this.state !== "connecting") return "failed";
    this.state = "connected";
    namespaceConnects.add(1, tagsOf(engine.transportName, this.opOf(), this.opts.scenario));
    connectTime.add(now() - started, tagsOf(engine.transportName, this.opOf(), this.opts.scenario));
    return "connected";
  }

  /** Waits for CONNECT (or CONNECT_ERROR) on our namespace within the connect budget. */
  private awaitConnect(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timer: TimerId | null = null;
      const clear = () => {
        if (timer !== null) k6Timers.clearTimeout(timer);
        timer = null;
        this.connectWaiter = null;
      };
      this.connectWaiter = {
        resolve: () => {
          clear();
          resolve();
        },
        reject: (e) => {
          clear();
          reject(e);
        },
      };
      timer = k6Timers.setTimeout(() => {
        timer = null;
        this.rejectConnect(new ConnectFailed(FAILURE.network, "no CONNECT answer in time"));
      }, this.opts.connectTimeoutMs);
    });
  }

  private rejectConnect(err: Error): void {
    const w = this.connectWaiter;
    if (w) w.reject(err);
  }

  /** Reconnection: bounded attempts, exponential backoff with jitter. */
  private async retry(): Promise<boolean> {
    for (let made = 0; shouldRetry(made, this.opts.reconnect); made++) {
      if (this.state === "closed") break;
      this.state = "waiting";
      this.backoff = sleepFor(backoffDelay(made + 1, this.opts.reconnect));
      await this.backoff.promise;
      this.backoff = null;
      if (this.done) break; // close() may have run during the backoff
      const result = await this.attempt();
      if (result === "connected") {
        reconnects.add(1, tagsOf(this.engine ? this.engine.transportName : "polling", this.opOf(), this.opts.scenario));
        return true;
      }
      if (result === "refused") break;
    }
    this.giveUp();
    return false;
  }

  private giveUp(): void {
    if (this.state === "closed") return;
    this.state = "closed";
    this.acks.failAll();
    this.finish();
  }

  /** Runs the done callbacks, once. */
  private finish(): void {
    const callback = this.doneCallback;
    if (callback === FINISHED) return;
    this.doneCallback = FINISHED;
    if (callback) callback(this);
  }

  // ---------------------------------------------------------------- engine events

  /** EngineEvents: the session ended without the client asking. */
  onEngineLost(engine: EngineSession, kind: FailureKind): void {
    if (engine !== this.engine) return;
    this.decoder.reset();
    this.acks.failAll();
    if (this.state === "connecting") {
      this.rejectConnect(new ConnectFailed(kind, "session lost while connecting", true));
      return;
    }
    if (this.state !== "connected") return;
    this.state = "waiting";
    void this.retry();
  }

  /** EngineEvents: one Engine.IO message of the session. */
  onEngineMessage(engine: EngineSession, data: string | ArrayBuffer): void {
    if (engine !== this.engine) return;
    let packet: SioPacket | null;
    try {
      packet = this.decoder.add(data);
    } catch {
      recordFailure(FAILURE.protocolError, engine.transportName, this.opOf(), this.opts.scenario);
      return;
    }
    if (!packet || packet.nsp !== this.opts.namespace) return;
    switch (packet.type) {
      case SioType.CONNECT:
        if (this.connectWaiter) this.connectWaiter.resolve();
        return;
      case SioType.CONNECT_ERROR:
        this.rejectConnect(new ConnectFailed(FAILURE.connectError, connectErrorMessage(packet)));
        return;
      case SioType.EVENT:
        this.onEvent(engine, packet);
        return;
      case SioType.ACK:
        if (packet.id !== undefined) this.acks.resolve(packet.id, Array.isArray(packet.data) ? packet.data : []);
        return;
      case SioType.DISCONNECT:
        this.onServerDisconnect(engine);
        return;
      default:
        return;
    }
  }

  private onEvent(engine: EngineSession, packet: SioPacket): void {
    const data = Array.isArray(packet.data) ? packet.data : [];
    const name = typeof data[0] === "string" ? data[0] : String(data[0]);
    const args = data.slice(1);
    eventsReceived.add(1, tagsWith(engine.transportName, this.opOf(), this.opts.scenario, TAG.event, name));
    const list = this.handlers ? this.handlers.get(name) : undefined;
    if (list) for (const h of list) h(...args);
    if (packet.id !== undefined) {
      engine.sendMessages(encodeSioPacket({ type: SioType.ACK, nsp: this.opts.namespace, data: [], id: packet.id }));
    }
  }

  /** The server disconnected our namespace (`41`): like socket.io-client, no reconnection. */
  private onServerDisconnect(engine: EngineSession): void {
    if (this.state !== "connected") return;
    recordFailure(FAILURE.serverClose, engine.transportName, this.opOf(), this.opts.scenario);
    sessionsLost.add(1, tagsWith(engine.transportName, this.opOf(), this.opts.scenario, TAG.kind, FAILURE.serverClose));
    this.acks.failAll();
    this.state = "closed";
    void engine.close().then(() => this.finish());
  }
}
