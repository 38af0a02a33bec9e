// Deterministic generators of Engine.IO / Socket.IO packets for the codec oracle tests.
// Pure (no Node APIs) so the same cases can be bundled into a k6 script.

import type { EioPacket, EioPacketType } from "../../scenarios/lib/engineio.ts";
import type { SioPacket } from "../../scenarios/lib/socketio.ts";
import { hexOf, mapBinary } from "../support/binary-json.ts";
import { mulberry32 } from "../support/prng.ts";

export class Gen {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  bool(p = 0.5): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Random bytes as a fresh ArrayBuffer (length 0..maxLen). */
  bytes(maxLen = 48): ArrayBuffer {
    const out = new Uint8Array(this.int(0, maxLen));
    for (let i = 0; i < out.length; i++) out[i] = this.int(0, 255);
    return out.buffer;
  }

  /**
   * Random string: ASCII, JSON-hostile characters, control characters, BMP and astral
   * code points (well-formed surrogate pairs only). `avoid` lists characters never produced.
   */
  string(maxLen = 24, avoid = ""): string {
    const len = this.int(0, maxLen);
    let s = "";
    while (s.length < len) {
      const kind = this.int(0, 9);
      let ch: string;
      if (kind <= 4) ch = String.fromCharCode(this.int(0x20, 0x7e));
      else if (kind === 5) ch = this.pick(['"', "\\", "/", ",", "\x1e", "\n", "\t", "\u2028", "-", "[", "{", "0"]);
      else if (kind === 6) ch = String.fromCharCode(this.int(0, 0x1f));
      else if (kind === 7) ch = String.fromCharCode(this.int(0xa0, 0xd7ff));
      else if (kind === 8) ch = String.fromCodePoint(this.int(0x10000, 0x10ffff));
      else ch = this.pick(["é", "ü", "日本", "😀", "\u00a0", "\ufeff"]);
      if (avoid && [...ch].some((c) => avoid.indexOf(c) !== -1)) continue;
      s += ch;
    }
    return s;
  }

  number(): number {
    switch (this.int(0, 4)) {
      case 0:
        return this.int(0, 100);
      case 1:
        return this.int(-1_000_000, 1_000_000) || 1;
      case 2:
        return Number((this.next() * 1000 - 500).toPrecision(this.int(1, 17))) || 0.5;
      case 3:
        return this.pick([Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 1e21, 1.5e-7, 5e-324, 1.7976931348623157e308]);
      default:
        return this.next();
    }
  }

  /** A JSON value (no undefined, NaN, -0); binary leaves when withBinary. */
  json(depth: number, withBinary: boolean): unknown {
    const leaf = depth <= 0 || this.bool(0.45);
    if (leaf) {
      switch (this.int(withBinary ? 0 : 1, 6)) {
        case 0:
          return this.bytes();
        case 1:
          return null;
        case 2:
          return this.bool();
        case 3:
        case 4:
          return this.number();
        default:
          return this.string();
      }
    }
    if (this.bool()) {
      const arr: unknown[] = [];
      const n = this.int(0, 4);
      for (let i = 0; i < n; i++) arr.push(this.json(depth - 1, withBinary));
      return arr;
    }
    const obj: Record<string, unknown> = {};
    const n = this.int(0, 4);
    for (let i = 0; i < n; i++) {
      // "_placeholder" keys would be read as placeholders by any binary decoder: keep out.
      const key = this.bool(0.2) ? this.pick(["num", "data", "message", "sid", "__proto_", "0", ""]) : this.string(8);
      obj[key] = this.json(depth - 1, withBinary);
    }
    return obj;
  }

  eventName(): string | number {
    if (this.bool(0.1)) return this.int(0, 1000);
    for (;;) {
      const name = this.bool(0.5) ? this.pick(["chat", "up", "ev", "message", "ping", "bar"]) : this.string(12);
      if (!["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"].includes(name)) {
        return name;
      }
    }
  }

  namespace(): string {
    if (this.bool(0.5)) return "/";
    if (this.bool(0.5)) return this.pick(["/admin", "/x", "/chat/room-1", "/123", "/a.b_c~d"]);
    return "/" + this.string(10, ",");
  }

  ackId(): number {
    return this.pick([0, 1, 9, 456, this.int(0, 1 << 30), this.int(0, Number.MAX_SAFE_INTEGER)]);
  }

  /** A valid Engine.IO packet. Text data avoids "" (decodes as absent) and, for payloads, \x1e. */
  eioPacket(forPayload: boolean): EioPacket {
    const types: EioPacketType[] = ["open", "close", "ping", "pong", "message", "upgrade", "noop"];
    const type = this.bool(0.5) ? "message" : this.pick(types);
    if (type === "message" && this.bool(0.3)) return { type, data: this.bytes(64) };
    if (this.bool(0.3)) return { type };
    let data = "";
    while (data === "") data = this.string(40, forPayload ? "\x1e" : "");
    return { type, data };
  }

  /** A valid Socket.IO packet (as a client or server would build it). */
  sioPacket(): SioPacket {
    const nsp = this.namespace();
    switch (this.int(0, 5)) {
      case 0: {
        const p: SioPacket = { type: 0, nsp };
        if (this.bool(0.6)) p.data = this.bool(0.3) ? { sid: this.string(20) } : (this.json(2, false) as object);
        if (p.data !== undefined && (p.data === null || typeof p.data !== "object" || Array.isArray(p.data))) {
          p.data = { token: String(p.data) };
        }
        return p;
      }
      case 1:
        return { type: 1, nsp };
      case 2:
      case 3: {
        const withBinary = this.bool(0.5);
        const args: unknown[] = [this.eventName()];
        const n = this.int(0, 4);
        for (let i = 0; i < n; i++) args.push(this.json(3, withBinary));
        const p: SioPacket = { type: 2, nsp, data: args };
        if (this.bool(0.4)) p.id = this.ackId();
        return p;
      }
      case 4: {
        const withBinary = this.bool(0.5);
        const args: unknown[] = [];
        const n = this.int(0, 4);
        for (let i = 0; i < n; i++) args.push(this.json(3, withBinary));
        return { type: 3, nsp, id: this.ackId(), data: args };
      }
      default: {
        const data = this.bool(0.5) ? this.string(30) : { message: this.string(30), ...(this.bool() ? { data: this.json(2, false) } : {}) };
        return { type: 4, nsp, data };
      }
    }
  }
}

/** Deep copy with every ArrayBuffer / view (Node Buffer included) replaced by {$bin: hex}. */
export function normalizeBinary(value: unknown): unknown {
  return mapBinary(value, (binary) => ({ $bin: hexOf(binary) }));
}
