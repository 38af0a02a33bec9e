// Client benchmark (issue #2): rtsoak's k6 client vs socket.io-client 4.8 in Node, side by
// side in one run, against one Node reference server (WORKERS=1, TICK_MS=0).
//   1. sessions per second and ack round trip (p50/p95/p99) of a loop of whole sessions
//      (handshake → namespace CONNECT → echo with ack → close), same concurrency and
//      duration, over websocket and over polling, in rounds that alternate who goes first;
//   2. peak RSS of the client process holding N websocket sessions (rtsoak's websocket
//      scenario run as the harness runs k6, a bare k6/websockets floor, socket.io-client),
//      reported as MB per 1,000 sessions. With a baseline git revision, the websocket
//      scenario as it was at that revision holds the same sessions too (before/after).
// Prints tables and ratios (k6 client / socket.io-client); asserts nothing.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { bundleScenario } from "../../harness/k6/bundle.ts";
import { ensureK6 } from "../../harness/k6/provision.ts";
import { startReferenceServer } from "../reference-server.ts";
import { holdReport, loopReport, type HoldSet, type LoopSet } from "./client-report.ts";
import { k6Hold, k6Loop, nodeHold, nodeLoop, type Measurement } from "./runners.ts";

const BENCH_K6_DIR = fileURLToPath(new URL("../k6/", import.meta.url));

export interface ClientBenchOptions {
  /** Concurrent session loops (k6 VUs; socket.io-client loops). */
  concurrency: number;
  /** Length of each loop measurement. */
  seconds: number;
  /** Loop measurements per client and transport, alternating which client goes first. */
  rounds: number;
  /** Websocket sessions held for the memory measurement, e.g. [1000, 2000]. */
  holdSizes: number[];
  holdSeconds: number;
  /** k6 sessions per VU while holding (the scenario's CLIENTS_PER_VU). */
  perVu: number;
  payloadBytes: number;
  /** Git revision whose scenarios/ also holds the sessions (before/after), or undefined. */
  baseline?: string;
  /** Skip the session loop (holds only). */
  holdOnly?: boolean;
  log: (line: string) => void;
}

export const CLIENT_DEFAULTS: Omit<ClientBenchOptions, "log"> = {
  concurrency: 20,
  seconds: 15,
  rounds: 2,
  holdSizes: [1000, 2000],
  holdSeconds: 30,
  perVu: 100,
  payloadBytes: 16,
};

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Bundles scenarios/websocket.ts as it was at git revision `rev` (extracted under `work`). */
async function bundleAtRevision(rev: string, work: string): Promise<string> {
  const dir = join(work, "baseline");
  await mkdir(dir, { recursive: true });
  await run("sh", ["-c", 'git -C "$1" archive "$2" scenarios | tar -x -C "$3"', "sh", ROOT, rev, dir]);
  return bundleScenario("websocket", join(work, "k6-baseline"), join(dir, "scenarios"));
}

export async function clientBench(o: ClientBenchOptions): Promise<void> {
  const k6 = await ensureK6(o.log);
  const work = await mkdtemp(join(tmpdir(), "rtsoak-bench-client-"));
  const loopScript = await bundleScenario("session-loop", join(work, "k6"), BENCH_K6_DIR);
  const holdScript = await bundleScenario("websocket", join(work, "k6"));
  const bareScript = await bundleScenario("bare-websocket", join(work, "k6"), BENCH_K6_DIR);
  const baselineScript = o.baseline ? await bundleAtRevision(o.baseline, work) : null;
  const server = await startReferenceServer();
  o.log(`client benchmark: k6 ${k6.version} vs socket.io-client 4.8 (Node ${process.version}), server ${server.url} (Node reference app, WORKERS=1, TICK_MS=0)`);
  const loops: LoopSet[] = [];
  const holds: HoldSet[] = [];
  try {
    for (const transport of o.holdOnly ? [] : (["websocket", "polling"] as const)) {
      const spec = { target: server.url, transport, concurrency: o.concurrency, seconds: o.seconds, payloadBytes: o.payloadBytes };
      const set: LoopSet = { transport, k6: [], sio: [] };
      const k6Step = async () => void set.k6.push(await k6Loop(k6.path, loopScript, spec, work));
      const sioStep = async () => void set.sio.push(await nodeLoop(spec));
      for (let round = 1; round <= o.rounds; round++) {
        // Alternate who goes first, so drift in the machine's load hits both alike.
        const k6First = round % 2 === 1;
        o.log(`  ${transport} round ${round}/${o.rounds}: ${k6First ? "k6 client, then socket.io-client" : "socket.io-client, then k6 client"}, ${o.concurrency} loops × ${o.seconds} s each…`);
        for (const step of k6First ? [k6Step, sioStep] : [sioStep, k6Step]) {
          await step();
          await pause(2000);
        }
      }
      loops.push(set);
    }
    for (const sessions of o.holdSizes) {
      const spec = { target: server.url, sessions, seconds: o.holdSeconds, emitIntervalMs: 5000, startJitterMs: 10_000, payloadBytes: o.payloadBytes, perVu: o.perVu };
      o.log(`  hold ${sessions} websocket sessions: ${baselineScript ? `k6 websocket scenario at ${o.baseline}, ` : ""}k6 websocket scenario, bare k6/websockets, socket.io-client, ${o.holdSeconds} s each…`);
      let baseline: Measurement | undefined;
      if (baselineScript) {
        baseline = await k6Hold(k6.path, baselineScript, spec, work);
        await pause(3000);
      }
      const k6m = await k6Hold(k6.path, holdScript, spec, work);
      await pause(3000);
      const bare = await k6Hold(k6.path, bareScript, spec, work, true);
      await pause(3000);
      const sio = await nodeHold(spec);
      await pause(3000);
      holds.push({ sessions, k6: k6m, bare, sio, baseline });
    }
  } finally {
    await server.stop();
    await rm(work, { recursive: true, force: true });
  }
  if (loops.length > 0) {
    o.log("");
    for (const line of loopReport(loops, { ...o, k6Version: k6.version })) o.log(line);
  }
  o.log("");
  for (const line of holdReport(holds, o)) o.log(line);
}
