// Socket.IO v5 codec: the packets carried inside Engine.IO message packets.
// Pure TypeScript: runs inside k6 (sobek) and in Node tests; no k6 or Node imports.
//
// Wire format (see docs/protocol.md):
//   <type>[<attachments>-][<namespace>,][<ackId>][<JSON>]
//   namespace "/" is omitted; binary EVENT/ACK become BINARY_* whose JSON holds
//   {"_placeholder":true,"num":n} and whose n attachments follow as separate Engine.IO messages.
//
// Decode-failure policy (one, like socket.io-parser): malformed input throws an Error whose
// message is one of SIO_DECODE_ERROR's short fixed strings. The decoder resets itself first,
// so it can be reused after a throw.

export const SioType = {
  CONNECT: 0,
  DISCONNECT: 1,
  EVENT: 2,
  ACK: 3,
  CONNECT_ERROR: 4,
  BINARY_EVENT: 5,
  BINARY_ACK: 6,
} as const;

export type SioTypeCode = (typeof SioType)[keyof typeof SioType];

/** Socket.IO protocol revision spoken here. */
export const SIO_PROTOCOL = 5;

export interface SioPacket {
  type: number;
  nsp: string;
  data?: unknown;
  id?: number;
  attachments?: number;
}

/** Every message SioDecoder / decodeSioString can throw. */
export const SIO_DECODE_ERROR = {
  empty: "empty packet",
  unknownType: "unknown packet type",
  illegalAttachments: "illegal attachments",
  tooManyAttachments: "too many attachments",
  invalidAckId: "invalid ack id",
  invalidPayload: "invalid payload",
  illegalPlaceholder: "illegal placeholder",
  unexpectedText: "text packet while awaiting attachments",
  unexpectedBinary: "binary data without a binary packet",
  unknownChunk: "chunk is neither text nor binary",
} as const;

/** Event names the official parser refuses: they have a meaning of their own. */
export const RESERVED_EVENTS: readonly string[] = [
  "connect",
  "connect_error",
  "disconnect",
  "disconnecting",
  "newListener",
  "removeListener",
];

export interface SioDecoderOptions {
  /** Upper bound on attachments announced by one binary packet (default 10, as socket.io-parser). */
  maxAttachments?: number;
}

const DEFAULT_MAX_ATTACHMENTS = 10;

function isBinary(value: unknown): value is ArrayBuffer | ArrayBufferView {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

function toArrayBuffer(data: ArrayBuffer | ArrayBufferView): ArrayBuffer {
  if (data instanceof ArrayBuffer) return data;
  const copy = new Uint8Array(data.byteLength);
  copy.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return copy.buffer;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return Object.prototype.toString.call(value) === "[object Object]";
}

/** True when `value` holds an ArrayBuffer or view anywhere in its arrays / plain objects. */
export function hasBinary(value: unknown): boolean {
  if (isBinary(value)) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (hasBinary(value[i])) return true;
    return false;
  }
  if (isPlainObject(value)) {
    for (const key in value) {
      if (Object.prototype.hasOwnProperty.call(value, key) && hasBinary(value[key])) return true;
    }
  }
  return false;
}

/**
 * The data shape each packet type may carry (the official rule): CONNECT an object or
 * nothing, DISCONNECT nothing, CONNECT_ERROR a string or an object, EVENT an array whose first
 * element is a number or a non-reserved event name, ACK an array.
 */
export function isValidPacketData(type: number, data: unknown): boolean {
  switch (type) {
    case SioType.CONNECT:
      return data === undefined || isPlainObject(data);
    case SioType.DISCONNECT:
      return data === undefined;
    case SioType.CONNECT_ERROR:
      return typeof data === "string" || isPlainObject(data);
    case SioType.EVENT:
    case SioType.BINARY_EVENT:
      return isValidEventData(data);
    case SioType.ACK:
    case SioType.BINARY_ACK:
      return Array.isArray(data);
    default:
      return false;
  }
}

/** EVENT data: an array starting with a number or a non-reserved event name. */
export function isValidEventData(data: unknown): data is unknown[] {
  if (!Array.isArray(data) || data.length === 0) return false;
  const head = data[0];
  return typeof head === "number" || (typeof head === "string" && RESERVED_EVENTS.indexOf(head) === -1);
}

// ---------------------------------------------------------------- encode

/** Replaces every binary leaf with a numbered placeholder, collecting the buffers in order. */
function deconstruct(value: unknown, buffers: ArrayBuffer[]): unknown {
  if (isBinary(value)) {
    const placeholder = { _placeholder: true, num: buffers.length };
    buffers.push(toArrayBuffer(value));
    return placeholder;
  }
  if (Array.isArray(value)) return value.map((item) => deconstruct(item, buffers));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key in value) {
      if (Object.prototype.hasOwnProperty.call(value, key)) out[key] = deconstruct(value[key], buffers);
    }
    return out;
  }
  return value;
}

function encodeHeader(type: number, nsp: string, id: number | undefined, attachments?: number): string {
  let str = String(type);
  if (attachments !== undefined) str += attachments + "-";
  if (nsp && nsp !== "/") str += nsp + ",";
  if (id !== undefined && id !== null) str += id;
  return str;
}

/**
 * Encodes a packet as [text, ...attachments]. EVENT / ACK (or BINARY_*) whose data holds
 * ArrayBuffers (or views) become BINARY_EVENT / BINARY_ACK with placeholders and one
 * ArrayBuffer per attachment; without binary they are plain EVENT / ACK.
 * Throws on an unknown type, a namespace not starting with "/", or a non-integer ack id.
 */
export function encodeSioPacket(packet: SioPacket): Array<string | ArrayBuffer> {
  let { type } = packet;
  const { nsp, data, id } = packet;
  if (!Number.isInteger(type) || type < 0 || type > 6) throw new Error("cannot encode unknown packet type");
  if (typeof nsp !== "string" || (nsp !== "" && nsp.charAt(0) !== "/") || nsp.indexOf(",") !== -1) {
    throw new Error("cannot encode namespace " + JSON.stringify(nsp));
  }
  if (id !== undefined && id !== null && (!Number.isSafeInteger(id) || id < 0)) {
    throw new Error("cannot encode ack id " + String(id));
  }
  if (type === SioType.BINARY_EVENT) type = SioType.EVENT;
  if (type === SioType.BINARY_ACK) type = SioType.ACK;
  if ((type === SioType.EVENT || type === SioType.ACK) && hasBinary(data)) {
    const buffers: ArrayBuffer[] = [];
    const placeholderData = deconstruct(data, buffers);
    const binaryType = type === SioType.EVENT ? SioType.BINARY_EVENT : SioType.BINARY_ACK;
    const text = encodeHeader(binaryType, nsp, id, buffers.length) + JSON.stringify(placeholderData);
    return [text, ...buffers];
  }
  let text = encodeHeader(type, nsp, id);
  if (data !== undefined && data !== null) text += JSON.stringify(data);
  return [text];
}

// ---------------------------------------------------------------- decode

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function fail(message: string): never {
  throw new Error(message);
}

function decodeStringWith(str: string, maxAttachments: number): SioPacket {
  if (str.length === 0) fail(SIO_DECODE_ERROR.empty);
  const typeCode = str.charCodeAt(0);
  if (!isDigit(typeCode) || typeCode - 48 > 6) fail(SIO_DECODE_ERROR.unknownType);
  const type = typeCode - 48;
  const packet: SioPacket = { type, nsp: "/" };
  let i = 1;

  if (type === SioType.BINARY_EVENT || type === SioType.BINARY_ACK) {
    const start = i;
    while (i < str.length && isDigit(str.charCodeAt(i))) i++;
    if (i === start || i - start > 9 || str.charAt(i) !== "-") fail(SIO_DECODE_ERROR.illegalAttachments);
    const n = Number(str.substring(start, i));
    if (n < 1) fail(SIO_DECODE_ERROR.illegalAttachments);
    if (n > maxAttachments) fail(SIO_DECODE_ERROR.tooManyAttachments);
    packet.attachments = n;
    i++; // the "-"
  }

  if (str.charAt(i) === "/") {
    const comma = str.indexOf(",", i);
    const end = comma === -1 ? str.length : comma;
    packet.nsp = str.substring(i, end);
    i = comma === -1 ? end : end + 1;
  }

  if (i < str.length && isDigit(str.charCodeAt(i))) {
    const start = i;
    while (i < str.length && isDigit(str.charCodeAt(i))) i++;
    const id = Number(str.substring(start, i));
    if (!Number.isSafeInteger(id)) fail(SIO_DECODE_ERROR.invalidAckId);
    packet.id = id;
  }

  if (i < str.length) {
    // Encoders never put whitespace before the JSON; the official parser would even read it
    // as an ack id ("2 [..." → id 0), so it is refused rather than guessed at.
    const first = str.charAt(i);
    if (first === " " || first === "\t" || first === "\n" || first === "\r") fail(SIO_DECODE_ERROR.invalidPayload);
    let data: unknown;
    try {
      data = JSON.parse(str.substring(i));
    } catch {
      fail(SIO_DECODE_ERROR.invalidPayload);
    }
    // JSON "null" is not a payload of any type; the official parser refuses it as well.
    if (data === undefined || !isValidPacketData(type, data)) fail(SIO_DECODE_ERROR.invalidPayload);
    packet.data = data;
  } else if (type === SioType.EVENT || packet.attachments !== undefined) {
    // The official decoder lets "2" through with no data; an event without a name (or a binary
    // packet without placeholders) is useless, so it is refused here. A bare ACK is allowed.
    fail(SIO_DECODE_ERROR.invalidPayload);
  }
  return packet;
}

/**
 * Decodes one text packet. Binary packets keep their BINARY_* type, `attachments` count and
 * placeholder objects: no reconstruction (use SioDecoder for that).
 */
export function decodeSioString(str: string, options: SioDecoderOptions = {}): SioPacket {
  return decodeStringWith(str, options.maxAttachments ?? DEFAULT_MAX_ATTACHMENTS);
}

/** Puts buffers back in place of placeholders; every placeholder must name a received buffer. */
function reconstruct(value: unknown, buffers: ArrayBuffer[]): unknown {
  if (Array.isArray(value)) return value.map((item) => reconstruct(item, buffers));
  if (isPlainObject(value)) {
    if (value._placeholder === true) {
      const num = value.num;
      if (typeof num !== "number" || !Number.isInteger(num) || num < 0 || num >= buffers.length) {
        fail(SIO_DECODE_ERROR.illegalPlaceholder);
      }
      return buffers[num];
    }
    const out: Record<string, unknown> = {};
    for (const key in value) {
      if (Object.prototype.hasOwnProperty.call(value, key)) out[key] = reconstruct(value[key], buffers);
    }
    return out;
  }
  return value;
}

/**
 * Stateful decoder for one connection: feed it every Engine.IO message's data in order.
 * add() returns the complete packet, or null while a binary packet still awaits attachments.
 * A reconstructed binary packet comes back as EVENT / ACK with ArrayBuffers in its data and no
 * `attachments`. Malformed input throws (see SIO_DECODE_ERROR) after resetting the decoder.
 */
export class SioDecoder {
  private pending: SioPacket | null = null;
  /** Attachments of `pending` so far; null when none is pending (a k6 client holds one decoder per session). */
  private buffers: ArrayBuffer[] | null = null;
  private readonly maxAttachments: number;

  constructor(options: SioDecoderOptions = {}) {
    this.maxAttachments = options.maxAttachments ?? DEFAULT_MAX_ATTACHMENTS;
  }

  /** True while a binary packet has been read and some of its attachments have not. */
  get awaitingAttachments(): boolean {
    return this.pending !== null;
  }

  add(chunk: string | ArrayBuffer): SioPacket | null {
    try {
      return this.addUnsafe(chunk);
    } catch (err) {
      this.reset();
      throw err;
    }
  }

  private addUnsafe(chunk: string | ArrayBuffer): SioPacket | null {
    if (typeof chunk === "string") {
      if (this.pending) fail(SIO_DECODE_ERROR.unexpectedText);
      const packet = decodeStringWith(chunk, this.maxAttachments);
      if (packet.attachments === undefined) return packet;
      this.pending = packet;
      this.buffers = [];
      return null;
    }
    if (!isBinary(chunk)) fail(SIO_DECODE_ERROR.unknownChunk);
    if (!this.pending || !this.buffers) fail(SIO_DECODE_ERROR.unexpectedBinary);
    const buffers = this.buffers;
    buffers.push(toArrayBuffer(chunk));
    if (buffers.length < (this.pending.attachments ?? 0)) return null;
    const done = this.pending;
    const packet: SioPacket = {
      type: done.type === SioType.BINARY_EVENT ? SioType.EVENT : SioType.ACK,
      nsp: done.nsp,
      data: reconstruct(done.data, buffers),
    };
    if (done.id !== undefined) packet.id = done.id;
    this.reset();
    return packet;
  }

  /** Drops a half-received binary packet (call on disconnect). */
  reset(): void {
    this.pending = null;
    this.buffers = null;
  }
}

/**
 * The human message of a CONNECT_ERROR: Node sends {"message":"…"} (maybe with "data"),
 * Python sends a bare JSON string. Anything else is rendered as JSON.
 */
export function connectErrorMessage(packet: SioPacket): string {
  const data = packet.data;
  if (typeof data === "string") return data;
  if (isPlainObject(data) && typeof data.message === "string") return data.message;
  if (data === undefined) return "connect error";
  try {
    return JSON.stringify(data) ?? "connect error";
  } catch {
    return "connect error";
  }
}
