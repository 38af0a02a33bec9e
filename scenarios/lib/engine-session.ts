// One Engine.IO v4 session inside k6: the handshake (polling, or websocket-only), the
// heartbeat (answer every server ping with a pong, give up after pingInterval + pingTimeout
// of silence), the polling→websocket upgrade, and the close. It records the engine-level
// metrics (sessions opened/lost, upgrades, failures with their kind) and hands Engine.IO
// message payloads to the Socket.IO layer above (client.ts).

import { parseHandshake, type EioPacket, type HandshakeData } from "./engineio.ts";
import { Heartbeat } from "./heartbeat.ts";
import { recordFailure, sessionsLost, sessionsOpened, tagsOf, tagsWith, upgrades } from "./instruments.ts";
import { k6Timers } from "./k6-adapters.ts";
import { FAILURE, OP, TAG, type FailureKind, type Op, type Transport as TransportName } from "./metrics.ts";
import { PollingTransport, pollingHandshake } from "./transport/polling.ts";
import type { Transport, TransportEnd, TransportHandlers } from "./transport/types.ts";
import { WebSocketTransport } from "./transport/websocket.ts";
import type { TimerId } from "./clock.ts";

/** How a client reaches its Socket.IO server. */
export type Mode = "polling" | "websocket" | "upgrade";

export interface EngineOptions {
  /** http(s)://host:port */
  httpBase: string;
  /** ws(s)://host:port */
  wsBase: string;
  /** Engine.IO path, e.g. /socket.io/ */
  path: string;
  mode: Mode;
  scenario: string;
  /** Budget for the handshake (HTTP timeout, or until the websocket open packet). */
  connectTimeoutMs: number;
  upgradeTimeoutMs: number;
  /** 0 = pingInterval + pingTimeout + 5 s from the handshake. */
  pollTimeoutMs: number;
}

/** What the session tells its client; `session` says which session (a client opens several in turn). */
export interface EngineEvents {
  /** The data of one Engine.IO message packet. */
  onEngineMessage(session: EngineSession, data: string | ArrayBuffer): void;
  /** The session ended without the client asking (already recorded as a failure). */
  onEngineLost(session: EngineSession, kind: FailureKind): void;
}

/** A failed open, already recorded as a failure. */
export class OpenFailed extends Error {
  constructor(readonly kind: FailureKind, detail: string) {
    super(`${kind}: ${detail}`);
    this.name = "OpenFailed";
  }
}

/** Extra slack on top of pingInterval + pingTimeout for the long-poll GET timeout. */
const POLL_TIMEOUT_SLACK_MS = 5000;

type State = "new" | "opening" | "open" | "closing" | "closed";

// Memory (k6 holds thousands of sessions): the session is the TransportHandlers of its
// transport itself (onPacket/onEnd check which transport spoke), so a held session keeps no
// closures besides the heartbeat's; it has at most 8 properties (past 8, k6's runtime
// doubles an object's property table), the upgrade-only ones exist only once used, and the
// handshake is kept only where an upgrade can follow.
export class EngineSession implements TransportHandlers {
  private state: State = "new";
  private transport: Transport | null = null;
  /** The handshake, kept for upgrade() (not for websocket-only sessions, which cannot upgrade). */
  private handshakeData: HandshakeData | null = null;
  private readonly heartbeat: Heartbeat;
  /** Ends the upgrade in progress (the session is closing or lost); null when none is. */
  private cancelUpgrade: (() => void) | null = null;
  // Declared without a value, these are no property at all until first set (the bundle's
  // target, ES2020, assigns class fields in the constructor only when they have a value).
  /** Packets held back while the polling transport is paused for the upgrade. */
  private held?: EioPacket[] | null;
  private closeDone?: (() => void) | null;

  constructor(
    private readonly opts: EngineOptions,
    private readonly events: EngineEvents,
  ) {
    this.heartbeat = new Heartbeat(k6Timers, () => this.lose(FAILURE.pingTimeout, this.transportName, "no ping"));
  }

  get isOpen(): boolean {
    return this.state === "open";
  }

  /** The transport currently carrying the session. */
  get transportName(): TransportName {
    return this.transport ? this.transport.name : this.opts.mode === "websocket" ? "websocket" : "polling";
  }

  private get op(): Op {
    return this.transport && this.transport.name === "websocket" && this.opts.mode === "upgrade"
      ? OP.upgrade
      : this.opts.mode === "websocket"
        ? OP.websocket
        : OP.poll;
  }

  // ---------------------------------------------------------------- open

  /** Handshake. Resolves with the handshake data; rejects with OpenFailed (recorded). */
  open(): Promise<HandshakeData> {
    if (this.state !== "new") return Promise.reject(new Error("engine session already used"));
    this.state = "opening";
    return this.opts.mode === "websocket" ? this.openWebSocket() : this.openPolling();
  }

  private async openPolling(): Promise<HandshakeData> {
    const endpoint = this.opts.httpBase + this.opts.path;
    const answer = await pollingHandshake(endpoint, this.opts.connectTimeoutMs, this.opts.scenario);
    if (!answer.ok) throw this.openFailed(answer.end, "polling", OP.handshake);
    if (this.state !== "opening") throw new OpenFailed(FAILURE.network, "closed while opening");
    let hs: HandshakeData;
    try {
      hs = parseHandshake(answer.packets[0]);
    } catch (err) {
      throw this.openFailed({ failure: FAILURE.protocolError, detail: String(err) }, "polling", OP.handshake);
    }
    const pollTimeoutMs = this.opts.pollTimeoutMs || hs.pingInterval + hs.pingTimeout + POLL_TIMEOUT_SLACK_MS;
    const polling = new PollingTransport(
      {
        endpoint,
        sid: hs.sid,
        pollTimeoutMs,
        postTimeoutMs: Math.max(this.opts.connectTimeoutMs, 10_000),
        scenario: this.opts.scenario,
      },
      this,
    );
    this.transport = polling;
    this.opened(hs);
    for (let i = 1; i < answer.packets.length; i++) this.handlePacket(answer.packets[i]);
    if (this.isOpen) polling.start(); // a packet above may have closed it
    return hs;
  }

  private openWebSocket(): Promise<HandshakeData> {
    return new Promise((resolve, reject) => {
      let settled = false;
      let timer: TimerId | null = null;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        if (timer !== null) k6Timers.clearTimeout(timer);
        fn();
      };
      const ws = new WebSocketTransport(
        { endpoint: this.opts.wsBase + this.opts.path, op: OP.websocket, scenario: this.opts.scenario },
        // Only until the open packet: then the session takes over as the handlers.
        {
          onPacket: (p) => {
            if (settled) return;
            let hs: HandshakeData;
            try {
              hs = parseHandshake(p);
            } catch (err) {
              ws.stop();
              settle(() =>
                reject(this.openFailed({ failure: FAILURE.protocolError, detail: String(err) }, "websocket", OP.websocket)),
              );
              return;
            }
            this.transport = ws;
            ws.setHandlers(this);
            this.opened(hs);
            settle(() => resolve(hs));
          },
          onEnd: (end) => {
            settle(() =>
              reject(this.openFailed(end.failure ? end : { failure: FAILURE.network, detail: "closed" }, "websocket", OP.websocket)),
            );
          },
        },
      );
      timer = k6Timers.setTimeout(() => {
        timer = null;
        ws.stop();
        settle(() =>
          reject(this.openFailed({ failure: FAILURE.network, detail: "no open packet in time" }, "websocket", OP.websocket)),
        );
      }, this.opts.connectTimeoutMs);
    });
  }

  private opened(hs: HandshakeData): void {
    if (this.opts.mode !== "websocket") this.handshakeData = hs;
    this.state = "open";
    sessionsOpened.add(1, tagsOf(this.transportName, this.opts.mode === "websocket" ? OP.websocket : OP.handshake, this.opts.scenario));
    this.heartbeat.start(hs.pingInterval, hs.pingTimeout);
  }

  private openFailed(end: TransportEnd, transport: TransportName, op: Op): OpenFailed {
    const kind = end.failure ?? FAILURE.network;
    recordFailure(kind, transport, op, this.opts.scenario);
    this.state = "closed";
    this.heartbeat.stop();
    return new OpenFailed(kind, end.detail ?? "");
  }

  // ---------------------------------------------------------------- packets

  /** TransportHandlers: a packet from `from`, ignored unless it still carries the session. */
  onPacket(p: EioPacket, from: Transport): void {
    if (from === this.transport) this.handlePacket(p);
  }

  /** TransportHandlers: `from` ended. */
  onEnd(end: TransportEnd, from: Transport): void {
    if (from !== this.transport) return;
    if (this.state === "closing" || !end.failure) {
      this.finishClose();
      return;
    }
    this.lose(end.failure, this.transportName, end.detail ?? "");
  }

  private handlePacket(p: EioPacket): void {
    if (this.state !== "open" && this.state !== "closing") return;
    switch (p.type) {
      case "ping":
        this.heartbeat.onPing();
        this.write([{ type: "pong", data: typeof p.data === "string" ? p.data : undefined }]);
        return;
      case "message":
        if (p.data !== undefined) this.events.onEngineMessage(this, p.data);
        return;
      case "close":
        this.lose(FAILURE.serverClose, this.transportName, "close packet");
        return;
      case "noop":
      case "pong":
        return;
      case "error":
        this.lose(FAILURE.protocolError, this.transportName, "unparseable packet");
        return;
      default:
        // open / upgrade after the handshake: not something a server sends.
        return;
    }
  }

  /** The session is gone without the client asking: record, stop everything, tell the client. */
  private lose(kind: FailureKind, transport: TransportName, _detail: string): void {
    if (this.state !== "open") return;
    this.state = "closed";
    this.heartbeat.stop();
    if (this.cancelUpgrade) this.cancelUpgrade();
    recordFailure(kind, transport, this.op, this.opts.scenario);
    sessionsLost.add(1, tagsWith(transport, this.op, this.opts.scenario, TAG.kind, kind));
    // No more requests to a session that is gone (a stopped server would hold them).
    if (this.transport instanceof PollingTransport) this.transport.detach();
    else if (this.transport) this.transport.stop();
    this.held = null;
    this.events.onEngineLost(this, kind);
    this.resolveClose();
  }

  // ---------------------------------------------------------------- send

  /** Sends Engine.IO message packets (Socket.IO encodes to one text part plus attachments). */
  sendMessages(parts: Array<string | ArrayBuffer>): void {
    const packets: EioPacket[] = new Array(parts.length);
    for (let i = 0; i < parts.length; i++) packets[i] = { type: "message", data: parts[i] };
    this.write(packets);
  }

  private write(packets: EioPacket[]): void {
    if (this.state !== "open" || !this.transport) return;
    if (this.held) {
      for (let i = 0; i < packets.length; i++) this.held.push(packets[i]);
      return;
    }
    this.transport.send(packets);
  }

  // ---------------------------------------------------------------- upgrade

  /**
   * polling → websocket: open the websocket with the sid, send `2probe`, wait for `3probe`,
   * pause polling until the pending GET is released (by the server's `6`) and no POST is in
   * flight, send `5`, then carry on over the websocket. Any failure is recorded as
   * upgrade_failed and the session stays on polling. Resolves true when upgraded.
   */
  upgrade(): Promise<boolean> {
    const hs = this.handshakeData;
    const polling = this.transport;
    if (this.state !== "open" || !hs || !(polling instanceof PollingTransport) || this.cancelUpgrade !== null) {
      return Promise.resolve(false);
    }
    if (hs.upgrades.indexOf("websocket") === -1) {
      recordFailure(FAILURE.upgradeFailed, "websocket", OP.upgrade, this.opts.scenario);
      return Promise.resolve(false);
    }
    return new Promise<boolean>((resolve) => {
      let stage: "probing" | "pausing" | "done" = "probing";
      let timer: TimerId | null = null;
      const finish = (ok: boolean) => {
        if (stage === "done") return;
        stage = "done";
        this.cancelUpgrade = null;
        if (timer !== null) k6Timers.clearTimeout(timer);
        resolve(ok);
      };
      const abandon = (detail: string) => {
        if (stage === "done") return;
        const sessionAlive = this.state === "open";
        probe.stop();
        if (sessionAlive) {
          recordFailure(FAILURE.upgradeFailed, "websocket", OP.upgrade, this.opts.scenario);
          this.releaseHeld(polling);
          polling.resume();
        }
        void detail;
        finish(false);
      };
      const probe = new WebSocketTransport(
        {
          endpoint: this.opts.wsBase + this.opts.path,
          sid: hs.sid,
          op: OP.upgrade,
          scenario: this.opts.scenario,
        },
        {
          onOpen: () => probe.send([{ type: "ping", data: "probe" }]),
          onPacket: (p) => {
            if (stage !== "probing") return;
            if (p.type !== "pong" || p.data !== "probe") {
              abandon(`unexpected ${p.type} during probe`);
              return;
            }
            stage = "pausing";
            this.held = [];
            polling.pause().then(() => {
              if (stage !== "pausing") return;
              if (this.state !== "open" || this.transport !== polling || !probe.isOpen) {
                abandon("session or probe gone while pausing");
                return;
              }
              probe.send([{ type: "upgrade" }]);
              const queued = polling.drainQueue();
              polling.detach();
              this.transport = probe;
              probe.setHandlers(this);
              upgrades.add(1, tagsOf("websocket", OP.upgrade, this.opts.scenario));
              this.releaseHeld(probe, queued);
              finish(true);
            });
          },
          onEnd: (end) => abandon(end.detail ?? "probe closed"),
        },
      );
      timer = k6Timers.setTimeout(() => {
        timer = null;
        abandon("upgrade timeout");
      }, this.opts.upgradeTimeoutMs);
      this.cancelUpgrade = () => abandon("session ended");
    });
  }

  /** Sends what was held during the pause over `to` (queued polling packets first). */
  private releaseHeld(to: Transport, before: EioPacket[] = []): void {
    const held = this.held ?? [];
    this.held = null;
    const all = before.concat(held);
    if (all.length > 0 && this.state === "open") to.send(all);
  }

  // ---------------------------------------------------------------- close

  /**
   * Client-initiated close: sends the Engine.IO close packet (after `extra`, e.g. a Socket.IO
   * disconnect) and stops the transport. Resolves when the transport has settled.
   */
  close(extra: Array<string | ArrayBuffer> = []): Promise<void> {
    if (this.state !== "open") {
      this.state = this.state === "new" || this.state === "opening" ? "closed" : this.state;
      return Promise.resolve();
    }
    const packets: EioPacket[] = extra.map((data) => ({ type: "message" as const, data }));
    packets.push({ type: "close" });
    this.heartbeat.stop();
    const transport = this.transport!;
    this.state = "closing";
    if (this.cancelUpgrade) this.cancelUpgrade();
    this.held = null;
    transport.send(packets);
    return new Promise<void>((resolve) => {
      this.closeDone = resolve;
      transport.stop();
    });
  }

  private finishClose(): void {
    if (this.state === "closing") this.state = "closed";
    this.resolveClose();
  }

  private resolveClose(): void {
    const done = this.closeDone;
    this.closeDone = null;
    if (done) done();
  }
}
