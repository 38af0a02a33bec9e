// Client benchmark (issue #2): rtsoak's k6 client vs socket.io-client 4.8 in Node, side by
// side in one run, against one Node reference server (WORKERS=1, TICK_MS=0).
//   1. sessions per second and ack round trip (p50/p95/p99) of a loop of whole sessions
//      (handshake → namespace CONNECT → echo with ack → close), same concurrency and
//      duration, over websocket and over polling;
//   2. peak RSS of the client process holding N websocket sessions (rtsoak's websocket
//      scenario, run as the harness runs k6), reported as MB per 1,000 sessions.
// Prints tables and ratios (k6 client / socket.io-client); asserts nothing.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleScenario } from "../../harness/k6/bundle.ts";
import { ensureK6 } from "../../harness/k6/provision.ts";
import { startReferenceServer } from "../reference-server.ts";
import { mb } from "../proc-stats.ts";
import { fixed, int, ratio, table } from "../table.ts";
import { k6Hold, k6Loop, nodeHold, nodeLoop, type Measurement, type Transport } from "./runners.ts";

const BENCH_K6_DIR = fileURLToPath(new URL("../k6/", import.meta.url));

export interface ClientBenchOptions {
  /** Concurrent session loops (k6 VUs; socket.io-client loops). */
  concurrency: number;
  /** Length of each loop measurement. */
  seconds: number;
  /** Websocket sessions held for the memory measurement, e.g. [1000, 2000]. */
  holdSizes: number[];
  holdSeconds: number;
  /** k6 sessions per VU while holding (the scenario's CLIENTS_PER_VU). */
  perVu: number;
  payloadBytes: number;
  log: (line: string) => void;
}

export const CLIENT_DEFAULTS: Omit<ClientBenchOptions, "log"> = {
  concurrency: 20,
  seconds: 20,
  holdSizes: [1000, 2000],
  holdSeconds: 40,
  perVu: 100,
  payloadBytes: 16,
};

interface LoopPair {
  transport: Transport;
  k6: Measurement;
  sio: Measurement;
}

interface HoldSet {
  sessions: number;
  k6: Measurement;
  /** bench/k6/bare-websocket.ts: k6's own cost per socket, without rtsoak's client. */
  bare: Measurement;
  sio: Measurement;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function clientBench(o: ClientBenchOptions): Promise<void> {
  const k6 = await ensureK6(o.log);
  const work = await mkdtemp(join(tmpdir(), "rtsoak-bench-client-"));
  const loopScript = await bundleScenario("session-loop", join(work, "k6"), BENCH_K6_DIR);
  const holdScript = await bundleScenario("websocket", join(work, "k6"));
  const bareScript = await bundleScenario("bare-websocket", join(work, "k6"), BENCH_K6_DIR);
  const server = await startReferenceServer();
  o.log(`client benchmark: k6 ${k6.version} vs socket.io-client 4.8 (Node ${process.version}), server ${server.url} (Node reference app, WORKERS=1, TICK_MS=0)`);
  const loops: LoopPair[] = [];
  const holds: HoldSet[] = [];
  try {
    for (const transport of ["websocket", "polling"] as const) {
      const spec = { target: server.url, transport, concurrency: o.concurrency, seconds: o.seconds, payloadBytes: o.payloadBytes };
      o.log(`  ${transport}: k6 client, ${o.concurrency} loops × ${o.seconds} s…`);
      const k6m = await k6Loop(k6.path, loopScript, spec, work);
      await pause(2000);
      o.log(`  ${transport}: socket.io-client, ${o.concurrency} loops × ${o.seconds} s…`);
      const siom = await nodeLoop(spec);
      await pause(2000);
      loops.push({ transport, k6: k6m, sio: siom });
    }
    for (const sessions of o.holdSizes) {
      const spec = { target: server.url, sessions, seconds: o.holdSeconds, emitIntervalMs: 5000, startJitterMs: 10_000, payloadBytes: o.payloadBytes, perVu: o.perVu };
      o.log(`  hold ${sessions} websocket sessions: k6 websocket scenario, ${o.holdSeconds} s…`);
      const k6m = await k6Hold(k6.path, holdScript, spec, work);
      await pause(3000);
      o.log(`  hold ${sessions} websocket sessions: bare k6/websockets, ${o.holdSeconds} s…`);
      const bare = await k6Hold(k6.path, bareScript, spec, work, true);
      await pause(3000);
      o.log(`  hold ${sessions} websocket sessions: socket.io-client, ${o.holdSeconds} s…`);
      const siom = await nodeHold(spec);
      await pause(3000);
      holds.push({ sessions, k6: k6m, bare, sio: siom });
    }
  } finally {
    await server.stop();
    await rm(work, { recursive: true, force: true });
  }
  o.log("");
  for (const line of loopReport(loops, o)) o.log(line);
  o.log("");
  for (const line of holdReport(holds, o)) o.log(line);
}

function loopReport(loops: LoopPair[], o: ClientBenchOptions): string[] {
  const rows: string[][] = [];
  for (const { transport, k6, sio } of loops) {
    const perS = (m: Measurement) => m.sessions / o.seconds;
    const cpu = (m: Measurement) => (m.sessions ? m.cpuMs / m.sessions : Number.NaN);
    const row = (who: string, m: Measurement) => [transport, who, fixed(perS(m)), int(m.failed), fixed(m.p50), fixed(m.p95), fixed(m.p99), fixed(cpu(m), 2), fixed(mb(m.peakRssKb))];
    rows.push(row("rtsoak k6 client", k6), row("socket.io-client", sio));
    rows.push([transport, "ratio k6 / socket.io-client", ratio(perS(k6), perS(sio)), "", ratio(k6.p50, sio.p50), ratio(k6.p95, sio.p95), ratio(k6.p99, sio.p99), ratio(cpu(k6), cpu(sio)), ratio(k6.peakRssKb, sio.peakRssKb)]);
  }
  return [
    `Session loop: handshake → CONNECT → echo ack → close, ${o.concurrency} concurrent loops, ${o.seconds} s each, ${o.payloadBytes}-byte payload`,
    table(["transport", "client", "sessions/s", "failed", "ack p50 ms", "p95 ms", "p99 ms", "CPU ms/session", "peak RSS MB"], rows, 2),
    "Round trips use a 1 ms clock on both sides (k6 has no finer one). k6 may use both cores, Node one;",
    "CPU ms/session puts that right (k6: whole process incl. start-up; Node: the load only).",
    "socket.io-client's RSS includes Node and the tsx loader the child starts with.",
  ];
}

function holdReport(holds: HoldSet[], o: ClientBenchOptions): string[] {
  const clients = [
    ["rtsoak k6 client", (h: HoldSet) => h.k6],
    ["bare k6/websockets", (h: HoldSet) => h.bare],
    ["socket.io-client", (h: HoldSet) => h.sio],
  ] as const;
  const rows: string[][] = [];
  for (const h of holds) {
    for (const [who, pick] of clients) {
      const m = pick(h);
      rows.push([int(h.sessions), who, `${int(m.sessions)} / ${int(m.failed)}`, fixed(mb(m.peakRssKb)), fixed(mb(m.peakRssKb) / (h.sessions / 1000)), ratio(m.peakRssKb, h.sio.peakRssKb)]);
    }
  }
  const lines = [
    `Held websocket sessions: ${o.holdSeconds} s, echo with ack every 5 s, connects spread over 10 s; k6 runs as the harness runs it (no summary, samples streamed), ${o.perVu} sessions per VU`,
    `(rtsoak k6 client = scenarios/websocket.ts; bare k6/websockets = bench/k6/bare-websocket.ts, the least script that holds a session)`,
    table(["sessions", "client", "connected / failed", "peak RSS MB", "MB per 1,000", "ratio to socket.io-client"], rows, 2),
  ];
  if (holds.length >= 2) {
    const a = holds[0];
    const b = holds[holds.length - 1];
    const k = (b.sessions - a.sessions) / 1000;
    const slope = (pick: (h: HoldSet) => Measurement) => mb(pick(b).peakRssKb - pick(a).peakRssKb) / k;
    const sio = slope((h) => h.sio);
    lines.push(`Marginal peak RSS per 1,000 more sessions (${int(a.sessions)} → ${int(b.sessions)}):`);
    for (const [who, pick] of clients) lines.push(`  ${who.padEnd(20)} ${fixed(slope(pick)).padStart(7)} MB per 1,000   ratio to socket.io-client ${ratio(slope(pick), sio)}`);
  }
  return lines;
}
