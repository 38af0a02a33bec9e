// What the Engine.IO session expects from a transport. A transport only moves packets and
// reports how it ended; the session owns the state machine (heartbeat, upgrade, close).

import type { EioPacket } from "../engineio.ts";
import type { FailureKind } from "../metrics.ts";

/** How a transport ended. `failure` is unset when the client asked for the end. */
export interface TransportEnd {
  failure?: FailureKind;
  /** Free text for logs (status, k6 error, close reason); never used as a tag. */
  detail?: string;
}

/** What a transport calls; `from` is the transport itself, so one handler object can serve several. */
export interface TransportHandlers {
  /** The transport is open (websocket only: before any packet). */
  onOpen?(from: Transport): void;
  onPacket(packet: EioPacket, from: Transport): void;
  /** Called once, when the transport can carry nothing more. */
  onEnd(end: TransportEnd, from: Transport): void;
}

export interface Transport {
  readonly name: "polling" | "websocket";
  send(packets: EioPacket[]): void;
  /** Client-initiated stop; onEnd still fires (without failure) once everything settled. */
  stop(): void;
  /** Replaces the handlers (the upgrade hands a probe socket over to the session). */
  setHandlers(handlers: TransportHandlers): void;
}

/** Engine.IO query string: EIO=4, the transport, a cache-buster, and the sid when known. */
export function engineQuery(transport: "polling" | "websocket", sid?: string): string {
  let q = `EIO=4&transport=${transport}`;
  if (transport === "polling") q += `&t=${cacheBuster()}`;
  if (sid !== undefined) q += `&sid=${encodeURIComponent(sid)}`;
  return q;
}

let seq = 0;
/** Unique per request within a VU, like engine.io-client's yeast ids. */
function cacheBuster(): string {
  seq = (seq + 1) % 1_000_000;
  return Date.now().toString(36) + seq.toString(36);
}
