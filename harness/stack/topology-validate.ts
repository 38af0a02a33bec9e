// Checks a topology key by key. Unknown keys are rejected (with a did-you-mean), every
// error names the bad key and the expected shape, in one sentence (UserError).
import { UserError } from "../errors.ts";
import type { Topology } from "./types.ts";

type Check = (value: unknown) => string | undefined; // undefined = fine, else "expected …"

const oneOf = (...options: string[]): Check => (v) =>
  typeof v === "string" && options.includes(v) ? undefined : `one of ${options.map((o) => `"${o}"`).join(", ")}`;
const integer = (min: number, max: number): Check => (v) =>
  typeof v === "number" && Number.isInteger(v) && v >= min && v <= max ? undefined : `a whole number from ${min} to ${max}`;
const positive: Check = (v) => (typeof v === "number" && Number.isFinite(v) && v > 0 ? undefined : "a number of seconds above 0");
const boolean: Check = (v) => (typeof v === "boolean" ? undefined : "true or false");
const text: Check = (v) => (typeof v === "string" && v.length > 0 ? undefined : "a non-empty string");

const TOP_LEVEL: Record<string, Check | Record<string, Check>> = {
  name: text,
  proxy: oneOf("nginx", "haproxy", "none"),
  stickiness: oneOf("none", "ip-hash", "cookie", "header"),
  instances: integer(1, 64),
  workersPerInstance: integer(1, 64),
  app: oneOf("node", "flask"),
  flask: {
    workerClass: oneOf("geventwebsocket", "gevent", "sync", "gthread"),
    asyncMode: oneOf("gevent", "threading", "eventlet"),
  },
  maxRequests: integer(0, 100_000_000),
  maxRequestsJitter: integer(0, 100_000_000),
  redis: boolean,
  adapter: oneOf("none", "redis"),
  websocketHeaders: boolean,
  proxyTimeouts: { connect: positive, read: positive, tunnel: positive },
  pingIntervalMs: integer(1, 3_600_000),
  pingTimeoutMs: integer(1, 3_600_000),
};

/** Keys a topology file may use besides the topology's own. */
export const FILE_ONLY_KEYS = ["extends"];

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const keep = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      prev = keep;
    }
  }
  return row[b.length];
}

function unknownKey(source: string, path: string, key: string, known: string[]): UserError {
  const best = known.map((k) => [k, distance(key, k)] as const).sort((x, y) => x[1] - y[1])[0];
  const hint = best && best[1] <= 3 ? `did you mean "${path}${best[0]}"?` : `use one of ${known.join(", ")}.`;
  return new UserError(`${source}: unknown key "${path}${key}"; ${hint}`);
}

function shown(v: unknown): string {
  return typeof v === "string" ? `"${v}"` : JSON.stringify(v) ?? String(v);
}

/** Validates the shape of a (possibly partial) topology object; `extra` keys are tolerated. */
export function checkShape(source: string, input: unknown, extra: string[] = []): void {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new UserError(`${source}: expected a mapping of topology keys (proxy, instances, …), got ${shown(input)}.`);
  }
  for (const [key, value] of Object.entries(input)) {
    if (extra.includes(key)) continue;
    const rule = TOP_LEVEL[key];
    if (!rule) throw unknownKey(source, "", key, Object.keys(TOP_LEVEL));
    if (typeof rule === "function") {
      const expected = rule(value);
      if (expected) throw new UserError(`${source}: "${key}" must be ${expected}, got ${shown(value)}.`);
      continue;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new UserError(`${source}: "${key}" must be a mapping with keys ${Object.keys(rule).join(", ")}, got ${shown(value)}.`);
    }
    for (const [sub, subValue] of Object.entries(value)) {
      const subRule = rule[sub];
      if (!subRule) throw unknownKey(source, `${key}.`, sub, Object.keys(rule));
      const expected = subRule(subValue);
      if (expected) throw new UserError(`${source}: "${key}.${sub}" must be ${expected}, got ${shown(subValue)}.`);
    }
  }
}

/** Rules that span several keys, checked on the complete topology. */
export function checkCombination(source: string, t: Topology): void {
  const fail = (message: string) => {
    throw new UserError(`${source}: ${message}`);
  };
  if (t.proxy === "none" && t.instances !== 1) {
    fail(`proxy "none" serves a single instance directly, but "instances" is ${t.instances}; set instances to 1 or proxy to "nginx" or "haproxy".`);
  }
  if (t.proxy === "none" && t.stickiness !== "none") {
    fail(`"stickiness" ${shown(t.stickiness)} needs a proxy, but proxy is "none"; set stickiness to "none" or pick proxy "nginx" or "haproxy".`);
  }
  if (t.stickiness === "cookie" && t.proxy !== "haproxy") {
    fail(`"stickiness" "cookie" needs proxy "haproxy" (open-source nginx has no sticky cookie); use proxy "haproxy" or stickiness "ip-hash" or "header".`);
  }
  if (t.adapter === "redis" && !t.redis) {
    fail(`"adapter" "redis" needs "redis": true; turn Redis on or set adapter to "none".`);
  }
  if (t.app === "node" && t.flask) {
    fail(`"flask" settings only apply to app "flask", but app is "node"; remove the flask key or set app to "flask".`);
  }
}
