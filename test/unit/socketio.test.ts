import { describe, expect, it } from "vitest";
import { decodePacket, encodePacket } from "../../scenarios/lib/engineio.ts";
import {
  SIO_DECODE_ERROR,
  SioDecoder,
  SioType,
  connectErrorMessage,
  decodeSioString,
  encodeSioPacket,
  hasBinary,
  isValidEventData,
  type SioPacket,
} from "../../scenarios/lib/socketio.ts";
import { normalizeBinary } from "./codec-gen.ts";

const bin = (...bytes: number[]): ArrayBuffer => new Uint8Array(bytes).buffer;

/** Socket.IO packet → the Engine.IO websocket frames that carry it. */
function toFrames(packet: SioPacket): Array<string | ArrayBuffer> {
  return encodeSioPacket(packet).map((part) => encodePacket({ type: "message", data: part }, true));
}

/** Engine.IO frames → decoded Socket.IO packets, through one decoder. */
function fromFrames(frames: Array<string | ArrayBuffer>): SioPacket[] {
  const decoder = new SioDecoder();
  const out: SioPacket[] = [];
  for (const frame of frames) {
    const eio = decodePacket(frame);
    expect(eio.type).toBe("message");
    const packet = decoder.add(eio.data as string | ArrayBuffer);
    if (packet) out.push(packet);
  }
  return out;
}

describe("socket.io packets: exact wire strings from protocol.md (with the engine.io 4)", () => {
  const cases: Array<[string, SioPacket]> = [
    ["40", { type: SioType.CONNECT, nsp: "/" }],
    ['40{"token":"123"}', { type: SioType.CONNECT, nsp: "/", data: { token: "123" } }],
    ['40{"sid":"wZX3oN0bSVIhsaknAAAI"}', { type: SioType.CONNECT, nsp: "/", data: { sid: "wZX3oN0bSVIhsaknAAAI" } }],
    ["40/admin,", { type: SioType.CONNECT, nsp: "/admin" }],
    ['40/admin,{"sid":"abc"}', { type: SioType.CONNECT, nsp: "/admin", data: { sid: "abc" } }],
    ["41", { type: SioType.DISCONNECT, nsp: "/" }],
    ["41/admin,", { type: SioType.DISCONNECT, nsp: "/admin" }],
    ['42["chat","hi"]', { type: SioType.EVENT, nsp: "/", data: ["chat", "hi"] }],
    ['42/admin,["bar"]', { type: SioType.EVENT, nsp: "/admin", data: ["bar"] }],
    ['42456["ev",1]', { type: SioType.EVENT, nsp: "/", id: 456, data: ["ev", 1] }],
    ['42/admin,456["ev",1]', { type: SioType.EVENT, nsp: "/admin", id: 456, data: ["ev", 1] }],
    ['43456["ok"]', { type: SioType.ACK, nsp: "/", id: 456, data: ["ok"] }],
    ["43456[]", { type: SioType.ACK, nsp: "/", id: 456, data: [] }],
    ['43/admin,0[{"a":1}]', { type: SioType.ACK, nsp: "/admin", id: 0, data: [{ a: 1 }] }],
    ['44{"message":"Not authorized"}', { type: SioType.CONNECT_ERROR, nsp: "/", data: { message: "Not authorized" } }],
    ['44/x,{"message":"Invalid namespace"}', { type: SioType.CONNECT_ERROR, nsp: "/x", data: { message: "Invalid namespace" } }],
    ['44/x,"Unable to connect"', { type: SioType.CONNECT_ERROR, nsp: "/x", data: "Unable to connect" }],
  ];
  for (const [wire, packet] of cases) {
    it(`${wire}`, () => {
      expect(toFrames(packet)).toEqual([wire]);
      expect(fromFrames([wire])).toEqual([packet]);
      expect(decodeSioString(wire.substring(1))).toEqual(packet);
    });
  }

  it('binary event 451-["up",{"_placeholder":true,"num":0}] + one binary frame', () => {
    const packet: SioPacket = { type: SioType.EVENT, nsp: "/", data: ["up", bin(1, 2, 3)] };
    const frames = toFrames(packet);
    expect(frames[0]).toBe('451-["up",{"_placeholder":true,"num":0}]');
    expect(normalizeBinary(frames.slice(1))).toEqual([{ $bin: "010203" }]);
    expect(normalizeBinary(fromFrames(frames))).toEqual([normalizeBinary(packet)]);
    // Over polling the attachment follows as b<base64> in the same body.
    expect(encodeSioPacket(packet).map((p) => encodePacket({ type: "message", data: p }, false))).toEqual([
      '451-["up",{"_placeholder":true,"num":0}]',
      "bAQID",
    ]);
  });

  it("binary ack with a namespace, an id and nested attachments in order", () => {
    const packet: SioPacket = {
      type: SioType.ACK,
      nsp: "/admin",
      id: 12,
      data: [{ file: bin(1), more: [bin(), { deep: bin(2, 3) }] }, "text"],
    };
    const parts = encodeSioPacket(packet);
    expect(parts[0]).toBe(
      '63-/admin,12[{"file":{"_placeholder":true,"num":0},"more":[{"_placeholder":true,"num":1},{"deep":{"_placeholder":true,"num":2}}]},"text"]',
    );
    expect(normalizeBinary(parts.slice(1))).toEqual([{ $bin: "01" }, { $bin: "" }, { $bin: "0203" }]);
    const decoder = new SioDecoder();
    expect(decoder.add(parts[0])).toBeNull();
    expect(decoder.awaitingAttachments).toBe(true);
    expect(decoder.add(parts[1])).toBeNull();
    expect(decoder.add(parts[2])).toBeNull();
    const done = decoder.add(parts[3]);
    expect(decoder.awaitingAttachments).toBe(false);
    expect(normalizeBinary(done)).toEqual(normalizeBinary(packet));
    expect(done?.attachments).toBeUndefined();
  });

  it("BINARY_* without binary data is encoded as the plain type; Uint8Array views become ArrayBuffers", () => {
    expect(encodeSioPacket({ type: SioType.BINARY_EVENT, nsp: "/", data: ["a"] })).toEqual(['2["a"]']);
    expect(encodeSioPacket({ type: SioType.BINARY_ACK, nsp: "/", id: 1, data: [] })).toEqual(["31[]"]);
    const view = new Uint8Array([7, 8, 9, 10]).subarray(1, 3);
    const parts = encodeSioPacket({ type: SioType.EVENT, nsp: "/", data: ["v", view] });
    expect(parts[1]).toBeInstanceOf(ArrayBuffer);
    expect(normalizeBinary(parts[1])).toEqual({ $bin: "0809" });
  });

  it("decodeSioString keeps the binary header and placeholders", () => {
    expect(decodeSioString('52-/a,7["x",{"_placeholder":true,"num":1},{"_placeholder":true,"num":0}]')).toEqual({
      type: SioType.BINARY_EVENT,
      nsp: "/a",
      id: 7,
      attachments: 2,
      data: ["x", { _placeholder: true, num: 1 }, { _placeholder: true, num: 0 }],
    });
  });

  it("placeholders are resolved by num, not by arrival order", () => {
    const decoder = new SioDecoder();
    expect(decoder.add('52-["x",{"_placeholder":true,"num":1},{"_placeholder":true,"num":0}]')).toBeNull();
    expect(decoder.add(bin(0))).toBeNull();
    expect(normalizeBinary(decoder.add(bin(1)))).toEqual({ type: 2, nsp: "/", data: ["x", { $bin: "01" }, { $bin: "00" }] });
  });

  it("refuses to encode an unknown type, a bad namespace or a bad ack id", () => {
    expect(() => encodeSioPacket({ type: 7, nsp: "/" })).toThrow(/unknown packet type/);
    expect(() => encodeSioPacket({ type: 2, nsp: "admin", data: ["a"] })).toThrow(/namespace/);
    expect(() => encodeSioPacket({ type: 2, nsp: "/a,b", data: ["a"] })).toThrow(/namespace/);
    expect(() => encodeSioPacket({ type: 2, nsp: "/", id: -1, data: ["a"] })).toThrow(/ack id/);
    expect(() => encodeSioPacket({ type: 2, nsp: "/", id: 1.5, data: ["a"] })).toThrow(/ack id/);
  });
});

describe("socket.io decoding: malformed input throws a short fixed message", () => {
  const E = SIO_DECODE_ERROR;
  const malformed: Array<[string, string]> = [
    ["", E.empty],
    ["7", E.unknownType],
    ["9[]", E.unknownType],
    ["x", E.unknownType],
    [" 0", E.unknownType],
    ["5", E.illegalAttachments],
    ['5-["a"]', E.illegalAttachments],
    ['50-["a"]', E.illegalAttachments],
    ['5a-["a"]', E.illegalAttachments],
    ['51["a"]', E.illegalAttachments],
    ['51e0-["a"]', E.illegalAttachments],
    ['61234567890-["a"]', E.illegalAttachments],
    ['511-["a"]', E.tooManyAttachments],
    ['299999999999999999999["a"]', E.invalidAckId],
    ["2", E.invalidPayload],
    ["2/admin,", E.invalidPayload],
    ["21", E.invalidPayload],
    ['2 ["a"]', E.invalidPayload],
    ['2["a"', E.invalidPayload],
    ["2{}", E.invalidPayload],
    ["2[]", E.invalidPayload],
    ["2[null]", E.invalidPayload],
    ['2["connect"]', E.invalidPayload],
    ['2["disconnect",1]', E.invalidPayload],
    ['2["newListener"]', E.invalidPayload],
    ["2null", E.invalidPayload],
    ['3{"a":1}', E.invalidPayload],
    ['0["a"]', E.invalidPayload],
    ["0null", E.invalidPayload],
    ['0"tok"', E.invalidPayload],
    ["1{}", E.invalidPayload],
    ['1"x"', E.invalidPayload],
    ["4[]", E.invalidPayload],
    ["51-", E.invalidPayload],
    ["2/admin", E.invalidPayload],
  ];
  for (const [wire, message] of malformed) {
    it(`${JSON.stringify(wire)} -> ${message}`, () => {
      expect(() => decodeSioString(wire)).toThrow(new Error(message));
      expect(() => new SioDecoder().add(wire)).toThrow(new Error(message));
    });
  }

  it("maxAttachments is an option", () => {
    expect(() => decodeSioString('53-["a"]', { maxAttachments: 2 })).toThrow(new Error(E.tooManyAttachments));
    expect(decodeSioString('511-["a"]', { maxAttachments: 11 }).attachments).toBe(11);
    expect(new SioDecoder({ maxAttachments: 11 }).add('511-["a"]')).toBeNull();
  });

  it("sequence errors reset the decoder so it can go on", () => {
    const decoder = new SioDecoder();
    expect(() => decoder.add(bin(1))).toThrow(new Error(E.unexpectedBinary));
    expect(decoder.add('51-["a",{"_placeholder":true,"num":0}]')).toBeNull();
    expect(() => decoder.add('2["b"]')).toThrow(new Error(E.unexpectedText));
    expect(decoder.awaitingAttachments).toBe(false);
    expect(decoder.add('2["b"]')).toEqual({ type: 2, nsp: "/", data: ["b"] });
  });

  it("a placeholder naming a missing attachment throws", () => {
    const decoder = new SioDecoder();
    expect(decoder.add('51-["a",{"_placeholder":true,"num":1}]')).toBeNull();
    expect(() => decoder.add(bin(1))).toThrow(new Error(E.illegalPlaceholder));
    const other = new SioDecoder();
    other.add('51-["a",{"_placeholder":true,"num":"0"}]');
    expect(() => other.add(bin(1))).toThrow(new Error(E.illegalPlaceholder));
  });

  it("a chunk that is neither text nor binary throws", () => {
    expect(() => new SioDecoder().add(42 as unknown as string)).toThrow(new Error(E.unknownChunk));
  });

  it("reset() drops a half-received binary packet", () => {
    const decoder = new SioDecoder();
    decoder.add('52-["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]');
    decoder.add(bin(1));
    decoder.reset();
    expect(decoder.awaitingAttachments).toBe(false);
    expect(decoder.add("41")).toEqual({ type: 4, nsp: "/", id: 1 });
    expect(() => decoder.add(bin(2))).toThrow(new Error(E.unexpectedBinary));
  });
});

describe("socket.io helpers", () => {
  it("connectErrorMessage reads Node and Python shapes", () => {
    expect(connectErrorMessage(decodeSioString('4{"message":"Not authorized"}'))).toBe("Not authorized");
    expect(connectErrorMessage(decodeSioString('4/x,{"message":"Invalid namespace"}'))).toBe("Invalid namespace");
    expect(connectErrorMessage(decodeSioString('4/x,{"message":"Bad token","data":{"code":7}}'))).toBe("Bad token");
    expect(connectErrorMessage(decodeSioString('4/x,"Unable to connect"'))).toBe("Unable to connect");
    expect(connectErrorMessage(decodeSioString('4{"code":7}'))).toBe('{"code":7}');
    expect(connectErrorMessage({ type: 4, nsp: "/" })).toBe("connect error");
  });

  it("hasBinary and isValidEventData", () => {
    expect(hasBinary(["a", { b: [1, new Uint8Array(1)] }])).toBe(true);
    expect(hasBinary(["a", { b: [1, "x"] }, null])).toBe(false);
    expect(isValidEventData(["chat"])).toBe(true);
    expect(isValidEventData([3, "x"])).toBe(true);
    expect(isValidEventData(["connect"])).toBe(false);
    expect(isValidEventData([])).toBe(false);
    expect(isValidEventData("chat")).toBe(false);
  });
});
