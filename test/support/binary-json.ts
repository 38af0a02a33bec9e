// Binary values (ArrayBuffer, typed-array views, Node Buffers) in test data: as hex to compare
// them, and as {"$bytes":[…]} to carry them through JSON (to k6, to the Python oracle) and back.
// Pure (no Node or k6 imports): the k6 codec self-test bundles it.

/** JSON-safe value; binary is written as {"$bytes":[…]} so no base64 code is involved. */
export type Wire = unknown;

export function isBinary(value: unknown): value is ArrayBuffer | ArrayBufferView {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

/** The bytes of a buffer, or of a view's own byte range only. */
export function bytesOf(value: ArrayBuffer | ArrayBufferView): Uint8Array {
  return value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

/** Lower-case hex, two digits a byte. */
export function hexOf(value: ArrayBuffer | ArrayBufferView): string {
  const bytes = bytesOf(value);
  let hex = "";
  for (let i = 0; i < bytes.length; i++) hex += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
  return hex;
}

/** A deep copy of value (arrays and plain objects) with every binary leaf replaced by leaf(it). */
export function mapBinary(value: unknown, leaf: (binary: ArrayBuffer | ArrayBufferView) => unknown): unknown {
  if (isBinary(value)) return leaf(value);
  if (Array.isArray(value)) return value.map((v) => mapBinary(v, leaf));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) out[key] = mapBinary((value as Record<string, unknown>)[key], leaf);
    return out;
  }
  return value;
}

/** Binary leaves → {"$bytes":[…]}, everywhere in a value (a deep copy). */
export function toWire(value: unknown): Wire {
  return mapBinary(value, (binary) => ({ $bytes: Array.from(bytesOf(binary)) }));
}

/** {"$bytes":[…]} → ArrayBuffer, everywhere in a JSON value. */
export function revive(value: Wire): unknown {
  if (Array.isArray(value)) return value.map(revive);
  if (value !== null && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (Array.isArray(o.$bytes) && Object.keys(o).length === 1) return new Uint8Array(o.$bytes as number[]).buffer;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(o)) out[key] = revive(o[key]);
    return out;
  }
  return value;
}
