// Tag-keyed counters with a cap on distinct keys, so a misbehaving tag (a raw URL, a sid)
// cannot grow memory: past the cap, new keys fold into "other".

export type Counts = Record<string, number>;

export const OTHER_KEY = "other";
export const DEFAULT_MAX_KEYS = 64;

export function bump(counts: Counts, key: string, n: number, maxKeys = DEFAULT_MAX_KEYS): void {
  if (key === "__proto__") key = "_proto_";
  const prev = counts[key];
  if (prev !== undefined) {
    counts[key] = prev + n;
    return;
  }
  // Object.keys is O(keys), but this branch only runs for a key not seen yet in this record.
  if (Object.keys(counts).length >= maxKeys) key = OTHER_KEY;
  counts[key] = (counts[key] ?? 0) + n;
}

export function addAll(into: Counts, from: Counts, maxKeys = DEFAULT_MAX_KEYS): void {
  for (const k in from) bump(into, k, from[k], maxKeys);
}

export function sum(counts: Counts): number {
  let n = 0;
  for (const k in counts) n += counts[k];
  return n;
}

/** Copy with keys sorted (numeric-aware), for stable output. */
export function sorted(counts: Counts): Counts {
  const out: Counts = {};
  for (const k of Object.keys(counts).sort((a, b) => a.localeCompare(b, "en", { numeric: true }))) out[k] = counts[k];
  return out;
}
