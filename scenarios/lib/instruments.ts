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

export function tagsOf(transport: Transport, op: Op, scenario: string): Record<string, string> {
  return { [TAG.transport]: transport, [TAG.op]: op, [TAG.scenario]: scenario };
}

/** Request/socket tags: the base tags plus a stable `name` ("<transport> <op>"), never a URL. */
export function requestTags(transport: Transport, op: Op, scenario: string): Record<string, string> {
  return { ...tagsOf(transport, op, scenario), [TAG.name]: `${transport} ${op}` };
}

export function recordFailure(kind: FailureKind, transport: Transport, op: Op, scenario: string): void {
  failures.add(1, { ...tagsOf(transport, op, scenario), [TAG.kind]: kind });
}
