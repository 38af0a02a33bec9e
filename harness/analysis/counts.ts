// Tag-keyed counters with a cap on distinct keys, so a misbehaving tag (a raw URL, a sid)
// cannot grow memory: past the cap, new keys fold into "other".
//
// Internally counts live in Maps, created on first use. Not in plain objects: V8 stores
// integer-like keys ("200", "502") as array elements, and an object whose only key is "502"
// allocates ~500 slots (5 KB), which for thousands of windows is most of the heap. Records
// for the output are built through JSON.parse, which gives such objects compact dictionary
// storage (~200 bytes).

export type Counts = Record<string, number>;
export type CountMap = Map<string, number>;

export const OTHER_KEY = "other";
export const DEFAULT_MAX_KEYS = 64;

/** Adds n to key (creating the map if needed) and returns the map. */
export function inc(map: CountMap | null, key: string, n: number, maxKeys = DEFAULT_MAX_KEYS): CountMap {
  const m = map ?? new Map<string, number>();
  const prev = m.get(key);
  if (prev !== undefined) m.set(key, prev + n);
  else if (m.size >= maxKeys && key !== OTHER_KEY) m.set(OTHER_KEY, (m.get(OTHER_KEY) ?? 0) + n);
  else m.set(key, n);
  return m;
}

/** Adds every count of `from` into `into` (either may be null) and returns the result. */
export function mergeInto(into: CountMap | null, from: CountMap | null, maxKeys = DEFAULT_MAX_KEYS): CountMap | null {
  if (!from) return into;
  let m = into;
  for (const [k, n] of from) m = inc(m, k, n, maxKeys);
  return m;
}

export function total(map: CountMap | null): number {
  let n = 0;
  if (map) for (const v of map.values()) n += v;
  return n;
}

function byKey(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}

/** A compact Record with keys sorted (numeric-aware), from a map or a record. */
export function toRecord(counts: CountMap | Counts | null | undefined): Counts {
  if (!counts) return {};
  const entries = counts instanceof Map ? [...counts] : Object.entries(counts);
  if (entries.length === 0) return {};
  entries.sort((a, b) => byKey(a[0], b[0]));
  return JSON.parse(`{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(",")}}`) as Counts;
}

/** Sums records into one map (for totals over windows). */
export function addRecord(into: CountMap | null, from: Counts, maxKeys = DEFAULT_MAX_KEYS): CountMap | null {
  let m = into;
  for (const k in from) m = inc(m, k, from[k], maxKeys);
  return m;
}
