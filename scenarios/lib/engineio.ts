// Engine.IO v4 codec: packets, polling payloads and the open handshake.
// Pure TypeScript: runs inside k6 (sobek) and in Node tests; no k6 or Node imports.
//
// Wire format (see docs/protocol.md):
//   text packet    <type digit><data>        "4hello", "2", "3probe"
//   binary packet  raw bytes (websocket)  or  "b" + base64 (polling), always a message
//   payload        packets joined by "\x1e" (record separator), binary as "b" + base64
//
// Decode-failure policy (one, like engine.io-parser): a malformed packet decodes to the
// fixed error packet { type: "error", data: "parser error" }; decoding never throws.

import { decodeBase64, encodeBase64 } from "./base64.ts";

export type EioPacketType = "open" | "close" | "ping" | "pong" | "message" | "upgrade" | "noop";

export interface EioPacket {
  type: EioPacketType | "error";
  data?: string | ArrayBuffer;
}

/** Record separator between packets of a polling body. */
export const EIO_SEPARATOR = "\x1e";

/** Engine.IO protocol revision spoken here (the `EIO=` query parameter). */
export const EIO_PROTOCOL = 4;

/** Packet type → wire digit. */
export const EIO_PACKET_CODES: Readonly<Record<EioPacketType, string>> = {
  open: "0",
  close: "1",
  ping: "2",
  pong: "3",
  message: "4",
  upgrade: "5",
  noop: "6",
};

/** Wire digit → packet type, derived from the forward table. */
const TYPE_BY_CODE: Readonly<Record<string, EioPacketType>> = (() => {
  const reverse: Record<string, EioPacketType> = Object.create(null);
  for (const type of Object.keys(EIO_PACKET_CODES) as EioPacketType[]) {
    reverse[EIO_PACKET_CODES[type]] = type;
  }
  return reverse;
})();

/** The data of the error packet every malformed input decodes to. */
export const EIO_PARSER_ERROR = "parser error";

function errorPacket(): EioPacket {
  return { type: "error", data: EIO_PARSER_ERROR };
}

/** True for an ArrayBuffer or any view over one (Uint8Array, DataView, …). */
export function isBinary(value: unknown): value is ArrayBuffer | ArrayBufferView {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

/** A view's bytes as an ArrayBuffer of exactly that range (an ArrayBuffer is returned as is). */
export function toArrayBuffer(data: ArrayBuffer | ArrayBufferView): ArrayBuffer {
  if (data instanceof ArrayBuffer) return data;
  const copy = new Uint8Array(data.byteLength);
  copy.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return copy.buffer;
}

/**
 * Encodes one packet. Binary data (only valid in a message) becomes the raw ArrayBuffer when
 * the transport carries binary frames (websocket), else "b" + base64 (polling).
 * Throws on a packet that cannot be put on the wire (an "error" packet, binary in a non-message).
 */
export function encodePacket(packet: EioPacket, supportsBinary: boolean): string | ArrayBuffer {
  const { type, data } = packet;
  if (type === "error" || !(type in EIO_PACKET_CODES)) {
    throw new Error(`cannot encode engine.io packet of type ${String(type)}`);
  }
  if (isBinary(data)) {
    if (type !== "message") throw new Error("binary data is only allowed in a message packet");
    return supportsBinary ? toArrayBuffer(data) : "b" + encodeBase64(data);
  }
  return EIO_PACKET_CODES[type] + (data === undefined ? "" : data);
}

/**
 * Decodes one websocket frame or one polling record. Never throws: anything malformed
 * (empty string, unknown type digit, bad base64) is { type: "error", data: "parser error" }.
 */
export function decodePacket(data: string | ArrayBuffer): EioPacket {
  if (typeof data !== "string") {
    if (isBinary(data)) return { type: "message", data: toArrayBuffer(data) };
    return errorPacket();
  }
  const code = data.charAt(0);
  if (code === "b") {
    try {
      return { type: "message", data: decodeBase64(data.substring(1)) };
    } catch {
      return errorPacket();
    }
  }
  const type = TYPE_BY_CODE[code];
  if (type === undefined) return errorPacket();
  return data.length > 1 ? { type, data: data.substring(1) } : { type };
}

/** Encodes packets as one polling body: records joined by \x1e, binary as "b" + base64. */
export function encodePayload(packets: EioPacket[]): string {
  const records: string[] = new Array(packets.length);
  for (let i = 0; i < packets.length; i++) {
    records[i] = encodePacket(packets[i], false) as string;
  }
  return records.join(EIO_SEPARATOR);
}

/**
 * Decodes a polling body. Like the official parser it stops at the first malformed record,
 * which is included as the last element (an error packet). An empty body (Python's answer to
 * a poll on a closed session) is therefore [error packet]: check for "" before decoding if
 * that case matters.
 */
export function decodePayload(body: string): EioPacket[] {
  const records = body.split(EIO_SEPARATOR);
  const packets: EioPacket[] = [];
  for (const record of records) {
    const packet = decodePacket(record);
    packets.push(packet);
    if (packet.type === "error") break;
  }
  return packets;
}

export interface HandshakeData {
  sid: string;
  upgrades: string[];
  pingInterval: number;
  pingTimeout: number;
  maxPayload?: number;
}

function badHandshake(reason: string): Error {
  return new Error(`bad handshake: ${reason}`);
}

function isNonNegativeFinite(value: unknown): value is number {
  return typeof value === "number" && isFinite(value) && value >= 0;
}

/**
 * Reads the open packet's JSON. Throws Error("bad handshake: …") unless it is an open packet
 * with a non-empty string sid and numeric pingInterval / pingTimeout. `upgrades` defaults to
 * [] when absent; `maxPayload` is kept only when it is a number.
 */
export function parseHandshake(packet: EioPacket): HandshakeData {
  if (packet.type !== "open") throw badHandshake(`expected an open packet, got ${packet.type}`);
  if (typeof packet.data !== "string") throw badHandshake("open packet has no JSON data");
  let json: unknown;
  try {
    json = JSON.parse(packet.data);
  } catch {
    throw badHandshake("open packet data is not JSON");
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw badHandshake("open packet data is not a JSON object");
  }
  const o = json as Record<string, unknown>;
  if (typeof o.sid !== "string" || o.sid === "") throw badHandshake("missing sid");
  if (!isNonNegativeFinite(o.pingInterval)) throw badHandshake("missing pingInterval");
  if (!isNonNegativeFinite(o.pingTimeout)) throw badHandshake("missing pingTimeout");
  let upgrades: string[] = [];
  if (o.upgrades !== undefined) {
    if (!Array.isArray(o.upgrades) || !o.upgrades.every((u) => typeof u === "string")) {
      throw badHandshake("upgrades is not a list of strings");
    }
    upgrades = o.upgrades.slice() as string[];
  }
  const handshake: HandshakeData = {
    sid: o.sid,
    upgrades,
    pingInterval: o.pingInterval,
    pingTimeout: o.pingTimeout,
  };
  if (isNonNegativeFinite(o.maxPayload)) handshake.maxPayload = o.maxPayload;
  return handshake;
}
