// The k6 metric objects behind the names in metrics.ts. k6 only allows creating custom
// metrics in the init context: this module is imported by every scenario, so its top level
// runs there. Recording helpers keep the tag sets uniform.

import { Counter, Trend } from "k6/metrics";
import { METRIC, TAG, type FailureKind, type Op, type Transport } from "./metrics.ts";

export const failures = new Counter(METRIC.failures);
export const sessionsOpened = new Counter(METRIC.sessionsOpened);
export const sessionsLost = new Counter(METRIC.sessionsLost);
export const reconnects = new Counter(METRIC.reconnects);
export const namespaceConnects = new Counter(METRIC.namespaceConnects);
export const connectTime = new Trend(METRIC.connectTime, true);
export const ackRtt = new Trend(METRIC.ackRtt, true);
export const wsCloses = new Counter(METRIC.wsCloses);
export const upgrades = new Counter(METRIC.upgrades);
export const eventsReceived = new Counter(METRIC.eventsReceived);
export const keepaliveHealth = new Counter(METRIC.keepaliveHealth);
export const keepaliveDuration = new Trend(METRIC.keepaliveDuration, true);
export const matchMessages = new Counter(METRIC.matchMessages);
export const matchMessagesSent = new Counter(METRIC.matchMessagesSent);
export const emits = new Counter(METRIC.emits);

/** The stable tag set every request, socket and sample carries (plus `name` on requests). */
export interface BaseTags {
  transport: Transport;
  op: Op;
  scenario: string;
}

// Tag sets are cached per VU and shared (frozen): a sample's tags are read by k6 and never
// kept, and a fresh object per sample was several hundred bytes of garbage each time. The
// keys are few (transport × op × scenario, times the failure kinds, close codes or event
// names); past MAX_CACHED sets, new ones are built per call instead of cached.
const MAX_CACHED = 2000;
const cache = new Map<string, Readonly<Record<string, string>>>();

function remember(key: string, tags: Record<string, string>): Readonly<Record<string, string>> {
  Object.freeze(tags);
  if (cache.size < MAX_CACHED) cache.set(key, tags);
  return tags;
}

/** The base tags (shared, read-only). */
export function tagsOf(transport: Transport, op: Op, scenario: string): Readonly<Record<string, string>> {
  const key = `${transport}\u0000${op}\u0000${scenario}`;
  return cache.get(key) ?? remember(key, { [TAG.transport]: transport, [TAG.op]: op, [TAG.scenario]: scenario });
}

/** The base tags plus one more tag (shared, read-only), e.g. `kind` or `code`. */
export function tagsWith(transport: Transport, op: Op, scenario: string, tag: string, value: string): Readonly<Record<string, string>> {
  const key = `${transport}\u0000${op}\u0000${scenario}\u0000${tag}\u0000${value}`;
  return cache.get(key) ?? remember(key, { ...tagsOf(transport, op, scenario), [tag]: value });
}

/** Request/socket tags: the base tags plus a stable `name` ("<transport> <op>"), never a URL. */
export function requestTags(transport: Transport, op: Op, scenario: string): Readonly<Record<string, string>> {
  const key = `${transport}\u0000${op}\u0000${scenario}\u0000`;
  return cache.get(key) ?? remember(key, { ...tagsOf(transport, op, scenario), [TAG.name]: `${transport} ${op}` });
}

export function recordFailure(kind: FailureKind, transport: Transport, op: Op, scenario: string): void {
  failures.add(1, tagsWith(transport, op, scenario, TAG.kind, kind));
}
