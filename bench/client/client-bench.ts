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
  payloadBytes: number;
  log: (line: string) => void;
}

export const CLIENT_DEFAULTS: Omit<ClientBenchOptions, "log"> = {
  concurrency: 20,
  seconds: 20,
  holdSizes: [1000, 2000],
  holdSeconds: 40,
  payloadBytes: 16,
};

interface LoopPair {
  transport: Transport;
  k6: Measurement;
  sio: Measurement;
}

interface HoldPair {
  sessions: number;
  k6: Measurement;
  sio: Measurement;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function clientBench(o: ClientBenchOptions): Promise<void> {
  const k6 = await ensureK6(o.log);
  const work = await mkdtemp(join(tmpdir(), "rtsoak-bench-client-"));
  const loopScript = await bundleScenario("session-loop", join(work, "k6"), BENCH_K6_DIR);
  const holdScript = await bundleScenario("websocket", join(work, "k6"));
  const server = await startReferenceServer();
  o.log(`client benchmark: k6 ${k6.version} vs socket.io-client 4.8 (Node ${process.version}), server ${server.url} (Node reference app, WORKERS=1, TICK_MS=0)`);
  const loops: LoopPair[] = [];
  const holds: HoldPair[] = [];
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
      const spec = { target: server.url, sessions, seconds: o.holdSeconds, emitIntervalMs: 5000, startJitterMs: 10_000, payloadBytes: o.payloadBytes };
      o.log(`  hold ${sessions} websocket sessions: k6 websocket scenario, ${o.holdSeconds} s…`);
      const k6m = await k6Hold(k6.path, holdScript, spec, work);
      await pause(3000);
      o.log(`  hold ${sessions} websocket sessions: socket.io-client, ${o.holdSeconds} s…`);
      const siom = await nodeHold(spec);
      await pause(3000);
      holds.push({ sessions, k6: k6m, sio: siom });
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

function holdReport(holds: HoldPair[], o: ClientBenchOptions): string[] {
  const per1000 = (m: Measurement, n: number) => mb(m.peakRssKb) / (n / 1000);
  const rows = holds.map(({ sessions, k6, sio }) => [
    int(sessions),
    `${int(k6.sessions)} / ${int(k6.failed)}`,
    fixed(mb(k6.peakRssKb)),
    fixed(per1000(k6, sessions)),
    `${int(sio.sessions)} / ${int(sio.failed)}`,
    fixed(mb(sio.peakRssKb)),
    fixed(per1000(sio, sessions)),
    ratio(k6.peakRssKb, sio.peakRssKb),
  ]);
  const lines = [
    `Held websocket sessions: ${o.holdSeconds} s, echo with ack every 5 s, connects spread over 10 s (k6: scenarios/websocket.ts, 100 sessions per VU, streamed like a harness run)`,
    table(["sessions", "k6 opened / failed", "k6 peak RSS MB", "k6 MB per 1,000", "sio connected / failed", "sio peak RSS MB", "sio MB per 1,000", "ratio k6 / sio"], rows),
  ];
  if (holds.length >= 2) {
    const a = holds[0];
    const b = holds[holds.length - 1];
    const k = (b.sessions - a.sessions) / 1000;
    const k6Slope = mb(b.k6.peakRssKb - a.k6.peakRssKb) / k;
    const sioSlope = mb(b.sio.peakRssKb - a.sio.peakRssKb) / k;
    lines.push(
      `Marginal cost (${int(a.sessions)} → ${int(b.sessions)} sessions): k6 ${fixed(k6Slope)} MB per 1,000 sessions, socket.io-client ${fixed(sioSlope)} MB per 1,000; ratio k6 / socket.io-client ${ratio(k6Slope, sioSlope)}`,
    );
  }
  return lines;
}
