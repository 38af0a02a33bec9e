// One measurement each: a loop of whole sessions (k6 client or socket.io-client) and a set
// of held websocket sessions (k6 scenario or socket.io-client), every one against the same
// server, each returning the same Measurement shape.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { RunAggregator } from "../../harness/analysis/aggregator.ts";
import { runK6 } from "../../harness/k6/spawn.ts";
import { runSampled } from "../child.ts";
import { ProcSampler, findChild } from "../proc-stats.ts";
import type { LoadResult, LoadSpec } from "./sio-node-load.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const NODE_LOAD = join(ROOT, "bench/client/sio-node-load.ts");

export type Transport = "websocket" | "polling";

export interface Measurement {
  /** Sessions that completed (loop) or connected (hold). */
  sessions: number;
  failed: number;
  /** Ack round trip percentiles, ms. */
  p50: number;
  p95: number;
  p99: number;
  /** CPU time of the client process, ms. */
  cpuMs: number;
  /** Peak RSS of the client process, KB. */
  peakRssKb: number;
}

export interface LoopSpec {
  target: string;
  transport: Transport;
  concurrency: number;
  seconds: number;
  payloadBytes: number;
}

export interface HoldSpec {
  target: string;
  sessions: number;
  seconds: number;
  emitIntervalMs: number;
  startJitterMs: number;
  payloadBytes: number;
  /** k6: sessions per VU (CLIENTS_PER_VU). */
  perVu: number;
}

interface SummaryMetric {
  count?: number;
  med?: number;
  "p(95)"?: number;
  "p(99)"?: number;
}

/** rtsoak's client in k6: bench/k6/session-loop.ts, VUs = concurrency, one session per iteration. */
export async function k6Loop(k6: string, script: string, spec: LoopSpec, workDir: string): Promise<Measurement> {
  const summary = join(workDir, `k6-loop-${spec.transport}-${Date.now()}.json`);
  const args = ["run", "--quiet", "--no-color", "--no-usage-report"];
  args.push("--summary-trend-stats", "med,p(95),p(99),count", "--summary-export", summary);
  const env = { TARGET: spec.target, MODE: spec.transport, VUS: String(spec.concurrency), DURATION: `${spec.seconds}s`, PAYLOAD_BYTES: String(spec.payloadBytes) };
  for (const [k, v] of Object.entries(env)) args.push("-e", `${k}=${v}`);
  args.push(script);
  const run = await runSampled(k6, args, 250, { ...process.env, K6_NO_USAGE_REPORT: "true" });
  if (run.code !== 0) throw new Error(`k6 session loop (${spec.transport}) exited with ${run.code}: ${run.stderrTail.trim().split("\n").slice(-3).join(" ")}`);
  const metrics = (JSON.parse(await readFile(summary, "utf8")) as { metrics: Record<string, SummaryMetric> }).metrics;
  const rtt = metrics.sio_ack_rtt ?? {};
  return {
    sessions: metrics.bench_sessions?.count ?? 0,
    failed: metrics.bench_failed?.count ?? 0,
    p50: rtt.med ?? Number.NaN,
    p95: rtt["p(95)"] ?? Number.NaN,
    p99: rtt["p(99)"] ?? Number.NaN,
    cpuMs: run.sampler.last?.cpuMs ?? Number.NaN,
    peakRssKb: run.sampler.peakRssKb,
  };
}

async function nodeLoad(spec: LoadSpec): Promise<Measurement> {
  const run = await runSampled(process.execPath, [join(ROOT, "bin/run-ts.mjs"), NODE_LOAD, JSON.stringify(spec)], 250);
  const line = run.stdout.trim().split("\n").at(-1) ?? "";
  if (run.code !== 0 || !line.startsWith("{")) {
    throw new Error(`socket.io-client ${spec.mode} (${spec.transport}) exited with ${run.code}: ${run.stderrTail.trim().split("\n").slice(-3).join(" ")}`);
  }
  const r = JSON.parse(line) as LoadResult;
  return {
    sessions: spec.mode === "hold" ? r.peakConnected : r.sessions,
    failed: r.failed,
    p50: r.rtt.p50,
    p95: r.rtt.p95,
    p99: r.rtt.p99,
    // The child's own count: its load only, without Node and tsx starting up.
    cpuMs: r.cpuMs,
    peakRssKb: run.sampler.peakRssKb,
  };
}

/** socket.io-client 4.8 in its own Node process, same loop. */
export function nodeLoop(spec: LoopSpec): Promise<Measurement> {
  return nodeLoad({
    mode: "loop",
    target: spec.target,
    transport: spec.transport,
    payloadBytes: spec.payloadBytes,
    concurrency: spec.concurrency,
    durationMs: spec.seconds * 1000,
  });
}

/** socket.io-client holding `sessions` websocket sessions. */
export function nodeHold(spec: HoldSpec): Promise<Measurement> {
  return nodeLoad({
    mode: "hold",
    target: spec.target,
    transport: "websocket",
    payloadBytes: spec.payloadBytes,
    sessions: spec.sessions,
    holdMs: spec.seconds * 1000,
    emitIntervalMs: spec.emitIntervalMs,
    startJitterMs: spec.startJitterMs,
  });
}

/**
 * k6 holding `sessions` websocket sessions (`perVu` per VU), run exactly as the harness runs
 * k6 (no k6 summary, samples streamed through a FIFO). `script` is rtsoak's websocket
 * scenario (its samples go into the RunAggregator) or bench/k6/bare-websocket.ts (`bare`:
 * its bench_ws_open points are counted).
 */
export async function k6Hold(k6: string, script: string, spec: HoldSpec, workDir: string, bare = false): Promise<Measurement> {
  const perVu = Math.min(spec.perVu, spec.sessions);
  const aggregator = new RunAggregator({ windowMs: 10_000 });
  let bareOpened = 0;
  const onLine = bare
    ? (line: string) => {
        if (line.startsWith('{"metric":"bench_ws_open","type":"Point"')) bareOpened++;
      }
    : (line: string) => aggregator.addLine(line);
  const name = `k6-hold-${bare ? "bare" : "rtsoak"}-${spec.sessions}`;
  const sampler = new ProcSampler(() => findChild(process.pid, "k6"), 250).start();
  const result = await runK6({
    k6,
    script,
    env: {
      TARGET: spec.target,
      DURATION: `${spec.seconds}s`,
      CLIENTS: String(spec.sessions),
      CLIENTS_PER_VU: String(perVu),
      EMIT_INTERVAL: `${spec.emitIntervalMs}ms`,
      START_JITTER: `${spec.startJitterMs}ms`,
      PAYLOAD_BYTES: String(spec.payloadBytes),
      GRACEFUL_STOP: "10s",
    },
    fifoPath: join(workDir, `${name}.fifo`),
    onLine,
    logFile: join(workDir, `${name}.log`),
  });
  sampler.stop();
  if (result.exitCode !== 0) throw new Error(`k6 ${name} exited with ${result.exitCode}: ${result.tail.trim().split("\n").slice(-3).join(" ")}`);
  const cpuMs = sampler.last?.cpuMs ?? Number.NaN;
  if (bare) {
    return { sessions: bareOpened, failed: spec.sessions - bareOpened, p50: Number.NaN, p95: Number.NaN, p99: Number.NaN, cpuMs, peakRssKb: sampler.peakRssKb };
  }
  const run = aggregator.finish();
  const failed = Object.values(run.totals.failures).reduce((a, b) => a + b, 0);
  return {
    sessions: run.totals.sessionsOpened,
    failed,
    p50: run.latency.ackRtt.p50,
    p95: run.latency.ackRtt.p95,
    p99: run.latency.ackRtt.p99,
    cpuMs,
    peakRssKb: sampler.peakRssKb,
  };
}
