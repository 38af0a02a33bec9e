// Standard base64 (RFC 4648 §4, "+/" alphabet, "=" padding) for ArrayBuffers.
// Pure: no btoa/atob, no Buffer, no TextEncoder — it runs in k6's sobek runtime and in Node.
// Engine.IO carries binary messages in polling bodies as "b" + base64 of the raw bytes.

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** char code → 6-bit value, or -1 for a character outside the alphabet. */
const DECODE_TABLE: Int16Array = (() => {
  const table = new Int16Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  return table;
})();

/** Encodes bytes as padded base64. Views are read over their own byte range only. */
export function encodeBase64(data: ArrayBuffer | ArrayBufferView): string {
  const bytes =
    data instanceof ArrayBuffer
      ? new Uint8Array(data)
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const len = bytes.length;
  // Build in chunks: string += per char is fine in V8 but quadratic-ish in some runtimes.
  const parts: string[] = [];
  let chunk = "";
  let i = 0;
  for (; i + 2 < len; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    chunk +=
      ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] + ALPHABET[n & 63];
    if (chunk.length >= 4096) {
      parts.push(chunk);
      chunk = "";
    }
  }
  const rest = len - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    chunk += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + "==";
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    chunk += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] + "=";
  }
  parts.push(chunk);
  return parts.join("");
}

/**
 * Decodes standard base64 into a fresh ArrayBuffer. Padding is optional; whitespace,
 * the URL-safe alphabet and any other character are rejected with Error("invalid base64").
 */
export function decodeBase64(str: string): ArrayBuffer {
  let end = str.length;
  if (end > 0 && str.charCodeAt(end - 1) === 61 /* = */) end--;
  if (end > 0 && str.charCodeAt(end - 1) === 61) end--;
  // Padding, when present, must complete the last quantum exactly.
  if (end !== str.length && str.length % 4 !== 0) throw new Error("invalid base64");
  const rem = end % 4;
  if (rem === 1) throw new Error("invalid base64");
  const out = new Uint8Array(Math.floor(end / 4) * 3 + (rem === 0 ? 0 : rem - 1));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < end; i++) {
    const c = str.charCodeAt(i);
    const v = c < 128 ? DECODE_TABLE[c] : -1;
    if (v < 0) throw new Error("invalid base64");
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out.buffer;
}
