import { describe, expect, it } from "vitest";
import { decodeBase64, encodeBase64 } from "../../scenarios/lib/base64.ts";
import { Gen } from "./codec-gen.ts";

const hex = (buf: ArrayBuffer): string => Buffer.from(buf).toString("hex");

describe("base64", () => {
  it("RFC 4648 test vectors", () => {
    const vectors: Array<[string, string]> = [
      ["", ""],
      ["f", "Zg=="],
      ["fo", "Zm8="],
      ["foo", "Zm9v"],
      ["foob", "Zm9vYg=="],
      ["fooba", "Zm9vYmE="],
      ["foobar", "Zm9vYmFy"],
    ];
    for (const [plain, encoded] of vectors) {
      const bytes = new Uint8Array([...plain].map((c) => c.charCodeAt(0))).buffer;
      expect(encodeBase64(bytes)).toBe(encoded);
      expect(hex(decodeBase64(encoded))).toBe(hex(bytes));
    }
  });

  it("matches Node's Buffer for every length 0..300 and every byte value", () => {
    const g = new Gen(0xba5e);
    for (let len = 0; len <= 300; len++) {
      const bytes = new Uint8Array(len);
      for (let i = 0; i < len; i++) bytes[i] = len === 256 ? i : g.int(0, 255);
      const expected = Buffer.from(bytes).toString("base64");
      expect(encodeBase64(bytes.buffer)).toBe(expected);
      expect(hex(decodeBase64(expected))).toBe(Buffer.from(bytes).toString("hex"));
      // Padding is optional on input.
      expect(hex(decodeBase64(expected.replace(/=+$/, "")))).toBe(Buffer.from(bytes).toString("hex"));
    }
  });

  it("encodes a large buffer (chunked building) and a view's own range", () => {
    const big = new Uint8Array(100_003).map((_, i) => (i * 7) & 255);
    expect(encodeBase64(big.buffer)).toBe(Buffer.from(big).toString("base64"));
    const view = new Uint8Array([9, 1, 2, 3, 9]).subarray(1, 4);
    expect(encodeBase64(view)).toBe("AQID");
    expect(encodeBase64(new DataView(view.buffer, 1, 2))).toBe("AQI=");
  });

  const invalid: Array<[string, string]> = [
    ["A", "one char of a quantum"],
    ["AAAAA", "five chars"],
    ["A===", "three padding chars"],
    ["AA=", "padding without completing the quantum"],
    ["AA=A", "character after padding"],
    ["AA==AA==", "padding in the middle"],
    ["AQ-_", "url-safe alphabet"],
    ["AQ ID", "whitespace"],
    ["AQID\n", "newline"],
    ["AQIé", "non-ASCII"],
  ];
  for (const [input, why] of invalid) {
    it(`rejects ${JSON.stringify(input)} (${why})`, () => {
      expect(() => decodeBase64(input)).toThrow(new Error("invalid base64"));
    });
  }
});
