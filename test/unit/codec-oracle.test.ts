// Differential tests: our codecs against the official engine.io-parser / socket.io-parser.
// Thousands of deterministic (seeded) packets in both directions:
//   ours-encode -> official-decode == input,  official-encode -> ours-decode == input.
import { describe, expect, it } from "vitest";
import * as official from "engine.io-parser";
import { Decoder as OfficialDecoder, Encoder as OfficialEncoder } from "socket.io-parser";
import {
  decodePacket,
  decodePayload,
  encodePacket,
  encodePayload,
  type EioPacket,
} from "../../scenarios/lib/engineio.ts";
import { SioDecoder, decodeSioString, encodeSioPacket, type SioPacket } from "../../scenarios/lib/socketio.ts";
import { Gen, normalizeBinary } from "./codec-gen.ts";

const N = 3000;

function officialEncodePacket(packet: EioPacket, supportsBinary: boolean): unknown {
  let out: unknown;
  official.encodePacket(packet as official.Packet, supportsBinary, (encoded) => {
    out = encoded;
  });
  return out;
}

function officialEncodePayload(packets: EioPacket[]): string {
  let out: string | undefined;
  official.encodePayload(packets as official.Packet[], (encoded) => {
    out = encoded;
  });
  if (out === undefined) throw new Error("official encodePayload did not call back synchronously");
  return out;
}

/** Runs every chunk through an official decoder and returns the packets it emitted. */
function officialDecodeSio(parts: unknown[]): unknown[] {
  const decoder = new OfficialDecoder();
  const out: unknown[] = [];
  decoder.on("decoded", (packet: unknown) => out.push(packet));
  for (const part of parts) decoder.add(part);
  return out;
}

/** What a decoder hands back for an encoded packet: binary types folded into EVENT/ACK. */
function expectedDecoded(packet: SioPacket): unknown {
  const p: Record<string, unknown> = { type: packet.type === 5 ? 2 : packet.type === 6 ? 3 : packet.type, nsp: packet.nsp };
  if (packet.id !== undefined) p.id = packet.id;
  if (packet.data !== undefined) p.data = packet.data;
  return normalizeBinary(p);
}

describe("engine.io codec vs engine.io-parser", () => {
  it(`packets, both directions, websocket and polling (${N} seeded cases)`, () => {
    const g = new Gen(0xe10);
    for (let i = 0; i < N; i++) {
      const packet = g.eioPacket(false);
      const input = normalizeBinary(packet);
      for (const supportsBinary of [true, false]) {
        const ours = encodePacket(packet, supportsBinary);
        const theirs = officialEncodePacket(packet, supportsBinary);
        // Same wire form, byte for byte.
        expect(normalizeBinary(ours), `case ${i}`).toEqual(normalizeBinary(theirs));
        expect(normalizeBinary(official.decodePacket(ours, "arraybuffer")), `case ${i}`).toEqual(input);
        expect(normalizeBinary(decodePacket(theirs as string | ArrayBuffer)), `case ${i}`).toEqual(input);
      }
    }
  });

  it(`payloads (polling bodies, binary as base64), both directions (${N / 3} seeded bodies)`, () => {
    const g = new Gen(0xb0d7);
    for (let i = 0; i < N / 3; i++) {
      const packets: EioPacket[] = [];
      const n = g.int(1, 8);
      for (let k = 0; k < n; k++) packets.push(g.eioPacket(true));
      const input = normalizeBinary(packets);
      const ours = encodePayload(packets);
      const theirs = officialEncodePayload(packets);
      expect(ours, `body ${i}`).toBe(theirs);
      expect(normalizeBinary(official.decodePayload(ours, "arraybuffer")), `body ${i}`).toEqual(input);
      expect(normalizeBinary(decodePayload(theirs)), `body ${i}`).toEqual(input);
    }
  });

  it("arbitrary text records decode exactly as the official parser does (base64 records excluded)", () => {
    // Node's base64 decoder is lenient (skips bad characters); ours refuses them, so "b…"
    // records are compared only when valid (covered above).
    const g = new Gen(0xf022);
    for (let i = 0; i < N; i++) {
      let body = "";
      const n = g.int(1, 4);
      for (let k = 0; k < n; k++) {
        let record = g.string(6);
        if (record.charAt(0) === "b") record = "4" + record;
        if (g.bool(0.5)) record = String(g.int(0, 9)) + record;
        body += (k ? "\x1e" : "") + record;
      }
      if (body.split("\x1e").some((r) => r.charAt(0) === "b")) continue;
      expect(decodePayload(body), JSON.stringify(body)).toEqual(official.decodePayload(body, "arraybuffer"));
    }
  });
});

describe("socket.io codec vs socket.io-parser", () => {
  it(`ours-encode -> official-decode == input (${N} seeded packets, namespaces, ack ids, attachments)`, () => {
    const g = new Gen(0x5105);
    let binaries = 0;
    for (let i = 0; i < N; i++) {
      const packet = g.sioPacket();
      const parts = encodeSioPacket(packet);
      if (parts.length > 1) binaries++;
      // Our text part is exactly what the official encoder writes.
      const theirs = new OfficialEncoder().encode(structuredClone(packet) as never) as unknown[];
      expect(normalizeBinary(parts), `case ${i}`).toEqual(normalizeBinary(theirs));
      const decoded = officialDecodeSio(parts);
      expect(decoded.length, `case ${i}`).toBe(1);
      expect(normalizeBinary(decoded[0]), `case ${i}: ${parts[0]}`).toEqual(expectedDecoded(packet));
    }
    // The generator must really exercise binary packets.
    expect(binaries).toBeGreaterThan(N / 10);
  });

  it(`official-encode -> ours-decode == input (${N} seeded packets)`, () => {
    const g = new Gen(0x5106);
    for (let i = 0; i < N; i++) {
      const packet = g.sioPacket();
      const parts = new OfficialEncoder().encode(structuredClone(packet) as never) as Array<string | ArrayBuffer>;
      const decoder = new SioDecoder();
      let result: SioPacket | null = null;
      parts.forEach((part, k) => {
        result = decoder.add(part);
        if (k < parts.length - 1) expect(result, `case ${i} part ${k}`).toBeNull();
      });
      expect(normalizeBinary(result), `case ${i}: ${String(parts[0])}`).toEqual(expectedDecoded(packet));
      if (parts.length === 1) {
        expect(normalizeBinary(decodeSioString(parts[0] as string))).toEqual(expectedDecoded(packet));
      }
    }
  });

  it("mutated wire strings: whatever ours accepts, the official decoder accepts identically", () => {
    // Ours is deliberately stricter in places (no data on EVENT, whitespace, unsafe ack ids);
    // it must never accept what the official decoder refuses, nor read it differently.
    const g = new Gen(0x3077);
    const alphabet = ["0", "1", "2", "5", "9", "-", "/", ",", "[", "]", "{", "}", '"', ":", "a", " ", "null"];
    let acceptedByBoth = 0;
    for (let i = 0; i < N; i++) {
      let wire = encodeSioPacket(g.sioPacket())[0] as string;
      const edits = g.int(1, 3);
      for (let e = 0; e < edits; e++) {
        const at = g.int(0, wire.length);
        const op = g.int(0, 2);
        if (op === 0) wire = wire.slice(0, at) + g.pick(alphabet) + wire.slice(at);
        else if (op === 1) wire = wire.slice(0, at) + wire.slice(at + 1);
        else wire = wire.slice(0, at) + g.pick(alphabet) + wire.slice(at + 1);
      }
      let ours: SioPacket | undefined;
      try {
        ours = decodeSioString(wire);
      } catch {
        continue;
      }
      let theirs: unknown;
      try {
        theirs = (new OfficialDecoder() as unknown as { decodeString(s: string): unknown }).decodeString(wire);
      } catch (err) {
        throw new Error(`ours accepted ${JSON.stringify(wire)} which the official decoder refuses: ${String(err)}`);
      }
      expect(ours, JSON.stringify(wire)).toEqual(theirs);
      acceptedByBoth++;
    }
    expect(acceptedByBoth).toBeGreaterThan(N / 20);
  });
});
