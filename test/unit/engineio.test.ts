import { describe, expect, it } from "vitest";
import {
  EIO_PARSER_ERROR,
  EIO_SEPARATOR,
  decodePacket,
  decodePayload,
  encodePacket,
  encodePayload,
  parseHandshake,
  type EioPacket,
} from "../../scenarios/lib/engineio.ts";
import { normalizeBinary } from "./codec-gen.ts";

const bin = (...bytes: number[]): ArrayBuffer => new Uint8Array(bytes).buffer;
const ERROR: EioPacket = { type: "error", data: EIO_PARSER_ERROR };

describe("engine.io packets: exact wire strings (protocol.md)", () => {
  // One case per packet type, in both directions.
  const cases: Array<[string, EioPacket]> = [
    ['0{"sid":"abc","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000}',
      { type: "open", data: '{"sid":"abc","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000}' }],
    ["1", { type: "close" }],
    ["2", { type: "ping" }],
    ["2probe", { type: "ping", data: "probe" }],
    ["3", { type: "pong" }],
    ["3probe", { type: "pong", data: "probe" }],
    ["4hello", { type: "message", data: "hello" }],
    ['42["chat","hi"]', { type: "message", data: '2["chat","hi"]' }],
    ["5", { type: "upgrade" }],
    ["6", { type: "noop" }],
  ];
  for (const [wire, packet] of cases) {
    it(`${packet.type} ${JSON.stringify(wire)}`, () => {
      expect(encodePacket(packet, true)).toBe(wire);
      expect(encodePacket(packet, false)).toBe(wire);
      expect(decodePacket(wire)).toEqual(packet);
    });
  }

  it("binary message: raw ArrayBuffer over websocket, b+base64 over polling", () => {
    const data = bin(1, 2, 3, 4);
    const raw = encodePacket({ type: "message", data }, true);
    expect(raw).toBeInstanceOf(ArrayBuffer);
    expect(normalizeBinary(raw)).toEqual({ $bin: "01020304" });
    expect(encodePacket({ type: "message", data }, false)).toBe("bAQIDBA==");
    expect(normalizeBinary(decodePacket("bAQIDBA=="))).toEqual({ type: "message", data: { $bin: "01020304" } });
    expect(normalizeBinary(decodePacket(bin(9, 8)))).toEqual({ type: "message", data: { $bin: "0908" } });
    expect(normalizeBinary(decodePacket("b"))).toEqual({ type: "message", data: { $bin: "" } });
  });

  it("a Uint8Array view is encoded over its own byte range only", () => {
    const view = new Uint8Array([0, 1, 2, 3, 4]).subarray(1, 3);
    expect(encodePacket({ type: "message", data: view as unknown as ArrayBuffer }, false)).toBe("bAQI=");
    expect(normalizeBinary(encodePacket({ type: "message", data: view as unknown as ArrayBuffer }, true))).toEqual({ $bin: "0102" });
  });

  it("refuses to encode what cannot be put on the wire", () => {
    expect(() => encodePacket({ type: "error", data: "x" }, true)).toThrow(/cannot encode/);
    expect(() => encodePacket({ type: "bogus" as "noop" }, true)).toThrow(/cannot encode/);
    expect(() => encodePacket({ type: "ping", data: bin(1) }, true)).toThrow(/only allowed in a message/);
  });
});

describe("engine.io packets: malformed input decodes to the fixed error packet", () => {
  const malformed: Array<[string, string]> = [
    ["", "empty string"],
    ["7", "type digit out of range"],
    ["9hello", "type digit out of range"],
    ["x", "not a digit"],
    ["{}", "JSON without type"],
    [" 4hello", "leading space"],
    ["\x1e", "separator alone"],
    ["b!!!!", "base64 with bad characters"],
    ["bAQIDBA=x", "base64 with data after padding"],
    ["bA", "base64 of impossible length"],
    ["bAQ=", "padding on an incomplete quantum"],
    ["b AQID", "base64 with whitespace"],
    ["bAQ-_", "url-safe base64 alphabet"],
  ];
  for (const [wire, why] of malformed) {
    it(`${JSON.stringify(wire)} (${why}) -> parser error`, () => {
      expect(decodePacket(wire)).toEqual(ERROR);
    });
  }
  it("never throws on an arbitrary non-binary value", () => {
    expect(decodePacket(42 as unknown as string)).toEqual(ERROR);
  });
});

describe("engine.io payloads (polling bodies)", () => {
  it("joins with \\x1e and base64-encodes binary with no type digit", () => {
    const body = encodePayload([
      { type: "message", data: "hello" },
      { type: "ping" },
      { type: "message", data: bin(1, 2, 3) },
    ]);
    expect(body).toBe("4hello\x1e2\x1ebAQID");
    expect(EIO_SEPARATOR).toBe("\x1e");
  });

  it("decodes the protocol.md example and a binary attachment after a text packet", () => {
    expect(decodePayload("4hello\x1e2")).toEqual([{ type: "message", data: "hello" }, { type: "ping" }]);
    expect(normalizeBinary(decodePayload('451-["up",{"_placeholder":true,"num":0}]\x1ebAQID'))).toEqual([
      { type: "message", data: '51-["up",{"_placeholder":true,"num":0}]' },
      { type: "message", data: { $bin: "010203" } },
    ]);
    expect(decodePayload("1")).toEqual([{ type: "close" }]);
    expect(decodePayload("6")).toEqual([{ type: "noop" }]);
  });

  it("stops at the first malformed record and returns it last, like engine.io-parser", () => {
    expect(decodePayload("4a\x1e9bad\x1e4b")).toEqual([{ type: "message", data: "a" }, ERROR]);
    expect(decodePayload("4a\x1e\x1e4b")).toEqual([{ type: "message", data: "a" }, ERROR]);
    expect(decodePayload("4a\x1e")).toEqual([{ type: "message", data: "a" }, ERROR]);
    expect(decodePayload("")).toEqual([ERROR]);
  });

  it("encodes an empty list as an empty body", () => {
    expect(encodePayload([])).toBe("");
  });
});

describe("engine.io handshake", () => {
  const open = (data: string): EioPacket => ({ type: "open", data });

  it("reads the Node open packet", () => {
    expect(
      parseHandshake(decodePacket('0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}')),
    ).toEqual({ sid: "lv_VI97HAXpY6yYWAAAC", upgrades: ["websocket"], pingInterval: 25000, pingTimeout: 20000, maxPayload: 1000000 });
  });

  it("reads a Python open packet (no maxPayload) and a websocket-only one (no upgrades)", () => {
    expect(parseHandshake(open('{"sid":"s1","upgrades":["websocket"],"pingTimeout":20000,"pingInterval":25000}'))).toEqual({
      sid: "s1",
      upgrades: ["websocket"],
      pingInterval: 25000,
      pingTimeout: 20000,
    });
    expect(parseHandshake(open('{"sid":"s2","upgrades":[],"pingInterval":1,"pingTimeout":2}')).upgrades).toEqual([]);
    expect(parseHandshake(open('{"sid":"s3","pingInterval":1,"pingTimeout":2}')).upgrades).toEqual([]);
  });

  const bad: Array<[EioPacket, RegExp]> = [
    [{ type: "message", data: '{"sid":"a","pingInterval":1,"pingTimeout":1}' }, /expected an open packet, got message/],
    [{ type: "error", data: "parser error" }, /expected an open packet, got error/],
    [{ type: "open" }, /no JSON data/],
    [{ type: "open", data: bin(1) }, /no JSON data/],
    [open("{"), /not JSON/],
    [open("[]"), /not a JSON object/],
    [open("null"), /not a JSON object/],
    [open('{"pingInterval":1,"pingTimeout":1}'), /missing sid/],
    [open('{"sid":"","pingInterval":1,"pingTimeout":1}'), /missing sid/],
    [open('{"sid":1,"pingInterval":1,"pingTimeout":1}'), /missing sid/],
    [open('{"sid":"a","pingTimeout":1}'), /missing pingInterval/],
    [open('{"sid":"a","pingInterval":"25000","pingTimeout":1}'), /missing pingInterval/],
    [open('{"sid":"a","pingInterval":1}'), /missing pingTimeout/],
    [open('{"sid":"a","pingInterval":1,"pingTimeout":-5}'), /missing pingTimeout/],
    [open('{"sid":"a","pingInterval":1,"pingTimeout":1,"upgrades":"websocket"}'), /upgrades is not a list of strings/],
  ];
  for (const [packet, message] of bad) {
    it(`throws bad handshake for ${JSON.stringify(packet.data ?? packet.type)}`, () => {
      expect(() => parseHandshake(packet)).toThrow(/^bad handshake: /);
      expect(() => parseHandshake(packet)).toThrow(message);
    });
  }
});
