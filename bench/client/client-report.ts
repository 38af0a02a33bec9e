// Tables of the client benchmark: the session loop (per transport, k6 client vs
// socket.io-client, with ratios) and the held-session memory (MB per 1,000 sessions).
import { mb } from "../proc-stats.ts";
import { fixed, int, ratio, table } from "../table.ts";
import type { Measurement, Transport } from "./runners.ts";

export interface LoopSet {
  transport: Transport;
  /** One measurement per round. */
  k6: Measurement[];
  sio: Measurement[];
}

export interface HoldSet {
  sessions: number;
  k6: Measurement;
  /** bench/k6/bare-websocket.ts: k6's own cost per socket, without rtsoak's client. */
  bare: Measurement;
  sio: Measurement;
  /** The websocket scenario as it was at the --baseline revision, when given. */
  baseline?: Measurement;
}

interface LoopShape {
  concurrency: number;
  seconds: number;
  rounds: number;
  payloadBytes: number;
  k6Version: string;
}

interface HoldShape {
  holdSeconds: number;
  perVu: number;
  baseline?: string;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const mean = (xs: number[]) => (xs.length ? sum(xs) / xs.length : Number.NaN);

/** One client's rounds folded into one row: rate and CPU over all rounds, percentiles averaged. */
interface Folded {
  perS: number;
  perRound: number[];
  failed: number;
  p50: number;
  p95: number;
  p99: number;
  cpuPerSession: number;
  peakRssKb: number;
}

function fold(ms: Measurement[], seconds: number): Folded {
  const sessions = sum(ms.map((m) => m.sessions));
  return {
    perS: sessions / (seconds * ms.length),
    perRound: ms.map((m) => m.sessions / seconds),
    failed: sum(ms.map((m) => m.failed)),
    p50: mean(ms.map((m) => m.p50)),
    p95: mean(ms.map((m) => m.p95)),
    p99: mean(ms.map((m) => m.p99)),
    cpuPerSession: sessions ? sum(ms.map((m) => m.cpuMs)) / sessions : Number.NaN,
    peakRssKb: Math.max(...ms.map((m) => m.peakRssKb)),
  };
}

export function loopReport(loops: LoopSet[], o: LoopShape): string[] {
  const rows: string[][] = [];
  for (const set of loops) {
    const k6 = fold(set.k6, o.seconds);
    const sio = fold(set.sio, o.seconds);
    const row = (who: string, f: Folded) => [
      set.transport,
      who,
      fixed(f.perS),
      f.perRound.map((x) => fixed(x, 0)).join(" / "),
      int(f.failed),
      fixed(f.p50),
      fixed(f.p95),
      fixed(f.p99),
      fixed(f.cpuPerSession, 2),
      fixed(mb(f.peakRssKb)),
    ];
    rows.push(row(`rtsoak k6 client (k6 ${o.k6Version})`, k6), row("socket.io-client 4.8", sio));
    rows.push([
      set.transport,
      "ratio k6 / socket.io-client",
      ratio(k6.perS, sio.perS),
      "",
      "",
      ratio(k6.p50, sio.p50),
      ratio(k6.p95, sio.p95),
      ratio(k6.p99, sio.p99),
      ratio(k6.cpuPerSession, sio.cpuPerSession),
      ratio(k6.peakRssKb, sio.peakRssKb),
    ]);
  }
  return [
    `Session loop: handshake → CONNECT → echo ack → close, ${o.concurrency} concurrent loops, ${o.rounds} round(s) of ${o.seconds} s per client, ${o.payloadBytes}-byte payload`,
    table(["transport", "client", "sessions/s", "per round", "failed", "ack p50 ms", "p95 ms", "p99 ms", "CPU ms/session", "peak RSS MB"], rows, 2),
    "sessions/s over all rounds; ack percentiles are the mean of the rounds' percentiles, on a 1 ms clock on both",
    "sides (k6 has no finer one). k6 may use both cores, Node one: CPU ms/session puts that right (k6: whole",
    "process incl. start-up; Node: the load only). socket.io-client's RSS includes Node and the tsx loader.",
  ];
}

export function holdReport(holds: HoldSet[], o: HoldShape): string[] {
  const clients: Array<readonly [string, (h: HoldSet) => Measurement]> = [
    ["rtsoak k6 client", (h) => h.k6],
    ["bare k6/websockets", (h) => h.bare],
    ["socket.io-client", (h) => h.sio],
  ];
  const withBaseline = o.baseline !== undefined && holds.every((h) => h.baseline);
  if (withBaseline) clients.unshift([`rtsoak k6 client @${o.baseline}`, (h) => h.baseline!]);
  const rows: string[][] = [];
  for (const h of holds) {
    for (const [who, pick] of clients) {
      const m = pick(h);
      rows.push([
        int(h.sessions),
        who,
        `${int(m.sessions)} / ${int(m.failed)}`,
        fixed(mb(m.peakRssKb)),
        fixed(mb(m.peakRssKb) / (h.sessions / 1000)),
        fixed(m.cpuMs / 1000),
        ratio(m.peakRssKb, h.sio.peakRssKb),
      ]);
    }
  }
  const lines = [
    `Held websocket sessions: ${o.holdSeconds} s, echo with ack every 5 s, connects spread over 10 s; k6 runs as the harness runs it (no summary, samples streamed), ${o.perVu} sessions per VU`,
    `(rtsoak k6 client = scenarios/websocket.ts; bare k6/websockets = bench/k6/bare-websocket.ts, the least script that holds a session)`,
    table(["sessions", "client", "connected / failed", "peak RSS MB", "MB per 1,000", "CPU s", "ratio to socket.io-client"], rows, 2),
    "CPU s: user + system time of the client process for the whole hold (k6 and Node start-up included).",
  ];
  if (holds.length >= 2) {
    const a = holds[0];
    const b = holds[holds.length - 1];
    const k = (b.sessions - a.sessions) / 1000;
    const slope = (pick: (h: HoldSet) => Measurement) => mb(pick(b).peakRssKb - pick(a).peakRssKb) / k;
    const sio = slope((h) => h.sio);
    lines.push(`Marginal peak RSS per 1,000 more sessions (${int(a.sessions)} → ${int(b.sessions)}):`);
    const width = Math.max(...clients.map(([who]) => who.length));
    for (const [who, pick] of clients) lines.push(`  ${who.padEnd(width)} ${fixed(slope(pick)).padStart(7)} MB per 1,000   ratio to socket.io-client ${ratio(slope(pick), sio)}`);
    if (withBaseline) {
      const before = slope((h) => h.baseline!);
      const after = slope((h) => h.k6);
      lines.push(`  rtsoak k6 client now / @${o.baseline}: ${ratio(after, before)} (marginal), ${ratio(b.k6.peakRssKb, b.baseline!.peakRssKb)} (peak at ${int(b.sessions)})`);
    }
  }
  return lines;
}
