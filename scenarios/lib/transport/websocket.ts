// Engine.IO over one k6/websockets WebSocket (the async, event-based API, so a VU can hold
// many). Every packet is one frame; binary frames carry raw bytes (binaryType arraybuffer).
// Used for websocket-only sessions and as the probe socket of a polling→websocket upgrade.

import { WebSocket as ImportedWebSocket } from "k6/websockets";
import { classifyWsDialError, wsCloseKind } from "../classify.ts";
import { decodePacket, encodePacket, type EioPacket } from "../engineio.ts";
import { requestTags, tagsWith, wsCloses } from "../instruments.ts";
import { TAG, type Op } from "../metrics.ts";
import { engineQuery, type Transport, type TransportHandlers } from "./types.ts";

// Read once: k6 rebuilds its export table on every access of an imported name.
const WebSocket = ImportedWebSocket;

export interface WebSocketOptions {
  /** ws(s)://host:port/socket.io/ */
  endpoint: string;
  /** Set for an upgrade probe; absent for a websocket-only session. */
  sid?: string;
  op: Op;
  scenario: string;
}

interface WsEventLike {
  type?: string;
  data?: string | ArrayBuffer;
  code?: number;
  reason?: string;
  error?: string;
}

// k6 holds thousands of these sockets per process: the transport keeps the two options it
// needs as fields (no options object), at most 8 properties, and one event listener for all
// four event types.
export class WebSocketTransport implements Transport {
  private handlers: TransportHandlers;
  private readonly ws: ImportedWebSocket;
  private readonly op: Op;
  private readonly scenario: string;
  private opened = false;
  private stopping = false;
  private ended = false;
  private lastError = "";

  constructor(opts: WebSocketOptions, handlers: TransportHandlers) {
    this.handlers = handlers;
    this.op = opts.op;
    this.scenario = opts.scenario;
    const url = `${opts.endpoint}?${engineQuery("websocket", opts.sid)}`;
    this.ws = new WebSocket(url, null, { tags: requestTags("websocket", opts.op, opts.scenario) });
    this.ws.binaryType = "arraybuffer";
    const listener = (ev: unknown) => this.onEvent(ev as WsEventLike);
    for (const type of ["open", "message", "error", "close"] as const) this.ws.addEventListener(type, listener);
  }

  get name(): "websocket" {
    return "websocket";
  }

  get isOpen(): boolean {
    return this.opened && !this.ended && !this.stopping;
  }

  setHandlers(handlers: TransportHandlers): void {
    this.handlers = handlers;
  }

  send(packets: EioPacket[]): void {
    if (!this.isOpen) return;
    for (let i = 0; i < packets.length; i++) this.ws.send(encodePacket(packets[i], true));
  }

  /** Client-initiated close (1000); onEnd({}) fires when the socket has closed. */
  stop(): void {
    if (this.ended || this.stopping) return;
    this.stopping = true;
    // Still connecting: the open handler closes it (k6 refuses close() before open).
    if (this.opened) this.ws.close();
  }

  private onEvent(ev: WsEventLike): void {
    switch (ev.type) {
      case "message":
        if (this.ended || this.stopping) return;
        this.handlers.onPacket(decodePacket(ev.data as string | ArrayBuffer), this);
        return;
      case "open":
        this.opened = true;
        if (this.stopping) {
          this.ws.close();
          return;
        }
        if (this.handlers.onOpen) this.handlers.onOpen(this);
        return;
      case "error":
        this.lastError = String(ev.error ?? "");
        return;
      case "close":
        this.onClose(ev);
        return;
      default:
        return;
    }
  }

  private onClose(ev: WsEventLike): void {
    const code = typeof ev.code === "number" ? ev.code : undefined;
    if (this.opened) {
      wsCloses.add(1, tagsWith("websocket", this.op, this.scenario, TAG.code, String(code ?? 1005)));
    }
    if (this.ended) return;
    this.ended = true;
    if (this.stopping) {
      this.handlers.onEnd({}, this);
    } else if (!this.opened) {
      this.handlers.onEnd({ failure: classifyWsDialError(this.lastError), detail: this.lastError || "dial failed" }, this);
    } else {
      this.handlers.onEnd({ failure: wsCloseKind(code), detail: `${this.lastError} ${ev.reason ?? ""}`.trim() }, this);
    }
  }
}
