// Engine.IO over one k6/websockets WebSocket (the async, event-based API, so a VU can hold
// many). Every packet is one frame; binary frames carry raw bytes (binaryType arraybuffer).
// Used for websocket-only sessions and as the probe socket of a polling→websocket upgrade.

import { WebSocket } from "k6/websockets";
import { classifyWsDialError, wsCloseKind } from "../classify.ts";
import { decodePacket, encodePacket, type EioPacket } from "../engineio.ts";
import { requestTags, wsCloses, tagsOf } from "../instruments.ts";
import { TAG, type Op } from "../metrics.ts";
import { engineQuery, type Transport, type TransportHandlers } from "./types.ts";

export interface WebSocketOptions {
  /** ws(s)://host:port/socket.io/ */
  endpoint: string;
  /** Set for an upgrade probe; absent for a websocket-only session. */
  sid?: string;
  op: Op;
  scenario: string;
  /** Called when the socket is open (before any packet). */
  onOpen?: () => void;
}

interface CloseEventLike {
  code?: number;
  reason?: string;
}

interface ErrorEventLike {
  error?: string;
}

export class WebSocketTransport implements Transport {
  readonly name = "websocket" as const;
  private handlers: TransportHandlers;
  private readonly ws: WebSocket;
  private opened = false;
  private stopping = false;
  private ended = false;
  private lastError = "";

  constructor(
    private readonly opts: WebSocketOptions,
    handlers: TransportHandlers,
  ) {
    this.handlers = handlers;
    const url = `${opts.endpoint}?${engineQuery("websocket", opts.sid)}`;
    this.ws = new WebSocket(url, null, { tags: requestTags("websocket", opts.op, opts.scenario) });
    this.ws.binaryType = "arraybuffer";
    this.ws.addEventListener("open", () => {
      this.opened = true;
      if (this.stopping) {
        this.ws.close();
        return;
      }
      if (this.opts.onOpen) this.opts.onOpen();
    });
    this.ws.addEventListener("message", (ev) => {
      if (this.ended || this.stopping) return;
      const data = (ev as { data: string | ArrayBuffer }).data;
      this.handlers.onPacket(decodePacket(data));
    });
    this.ws.addEventListener("error", (ev) => {
      this.lastError = String((ev as ErrorEventLike).error ?? "");
    });
    this.ws.addEventListener("close", (ev) => this.onClose(ev as unknown as CloseEventLike));
  }

  get isOpen(): boolean {
    return this.opened && !this.ended && !this.stopping;
  }

  setHandlers(handlers: TransportHandlers): void {
    this.handlers = handlers;
  }

  send(packets: EioPacket[]): void {
    if (!this.isOpen) return;
    for (const p of packets) this.ws.send(encodePacket(p, true));
  }

  /** Client-initiated close (1000); onEnd({}) fires when the socket has closed. */
  stop(): void {
    if (this.ended || this.stopping) return;
    this.stopping = true;
    // Still connecting: the open handler closes it (k6 refuses close() before open).
    if (this.opened) this.ws.close();
  }

  private onClose(ev: CloseEventLike): void {
    const code = typeof ev.code === "number" ? ev.code : undefined;
    if (this.opened) {
      wsCloses.add(1, { ...tagsOf("websocket", this.opts.op, this.opts.scenario), [TAG.code]: String(code ?? 1005) });
    }
    if (this.ended) return;
    this.ended = true;
    if (this.stopping) {
      this.handlers.onEnd({});
    } else if (!this.opened) {
      this.handlers.onEnd({ failure: classifyWsDialError(this.lastError), detail: this.lastError || "dial failed" });
    } else {
      this.handlers.onEnd({ failure: wsCloseKind(code), detail: `${this.lastError} ${ev.reason ?? ""}`.trim() });
    }
  }
}
