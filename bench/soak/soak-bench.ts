// Soak benchmark (issue #4): a real `rtsoak soak` (mixed scenario, default topology, a
// recycle every few minutes) for MINUTES, while this process samples the harness process's
// /proc/<pid>/status every few seconds. Prints its RSS and peak RSS at 5 minutes and at the
// end of the load with their ratio (a soak must hold flat memory), the RSS slope, and the
// k6 sample stream the analysis took live next to what it can take
// (bench/analysis-throughput.ts, run first in its own process). Asserts nothing.
import { spawn } from "node:child_process";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { runSampled } from "../child.ts";
import { ProcSampler, mb, type ProcReading } from "../proc-stats.ts";
import { fixed, int, ratio, table } from "../table.ts";
import type { StreamCount } from "./counting-cli.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const RUN_TS = join(ROOT, "bin/run-ts.mjs");

export interface SoakBenchOptions {
  minutes: number;
  /** k6 VUs of the mixed scenario, one Socket.IO client each. */
  clients: number;
  /** Periodic recycle interval ("5m"), or null for no disruptions. */
  recycleEvery: string | null;
  sampleEveryMs: number;
  /** Requests of the synthetic stream for the capacity figure; 0 skips it. */
  analysisRequests: number;
  /** Run folder; a fresh temporary folder when unset. */
  outDir?: string;
  log: (line: string) => void;
}

export const SOAK_DEFAULTS: Omit<SoakBenchOptions, "log"> = {
  minutes: 20,
  clients: 150,
  recycleEvery: "5m",
  sampleEveryMs: 5000,
  analysisRequests: 200_000,
};

interface Capacity {
  klinesPerS: number;
  ksamplesPerS: number;
}

interface Point extends ProcReading {
  stream: StreamCount | null;
}

/** Runs bench/analysis-throughput.ts in its own process (its 2 M lines must not inflate ours). */
async function analysisCapacity(requests: number, log: (l: string) => void): Promise<Capacity> {
  const run = await runSampled(process.execPath, [RUN_TS, join(ROOT, "bench/analysis-throughput.ts"), String(requests)], 1000);
  for (const line of run.stdout.trimEnd().split("\n")) log(`  ${line}`);
  const num = (re: RegExp) => Number(re.exec(run.stdout)?.[1] ?? Number.NaN);
  return {
    klinesPerS: num(/RunAggregator\.addLine[^\n]*?(\d+) klines\/s/),
    ksamplesPerS: num(/of which samples read\s+(\d+) ksamples\/s/),
  };
}

async function readStream(file: string): Promise<StreamCount | null> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as StreamCount;
  } catch {
    return null; // not written yet, or caught mid-write
  }
}

/** The last point at or before `t`. */
function at(points: Point[], t: number): Point | null {
  let found: Point | null = null;
  for (const p of points) if (p.at <= t) found = p;
  return found;
}

/** Least-squares slope of RSS over time, MB per hour. */
function slopeMbPerHour(points: Point[]): number {
  if (points.length < 2) return Number.NaN;
  const xs = points.map((p) => p.at / 3_600_000);
  const ys = points.map((p) => mb(p.rssKb));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den ? num / den : Number.NaN;
}

export async function soakBench(o: SoakBenchOptions): Promise<void> {
  let capacity: Capacity = { klinesPerS: Number.NaN, ksamplesPerS: Number.NaN };
  if (o.analysisRequests > 0) {
    o.log("analysis capacity (bench/analysis-throughput.ts, own process):");
    capacity = await analysisCapacity(o.analysisRequests, o.log);
  }

  const work = await mkdtemp(join(tmpdir(), "rtsoak-bench-soak-"));
  const outDir = o.outDir ?? join(work, "run");
  const streamFile = join(work, "stream.json");
  const args = [RUN_TS, join(ROOT, "bench/soak/counting-cli.ts"), "soak", "--duration", `${o.minutes}m`, "--clients", String(o.clients), "--out", outDir];
  if (o.recycleEvery) args.push("--event", `every ${o.recycleEvery}:recycle`);
  else args.push("--no-events");
  o.log(`soak benchmark: rtsoak ${args.slice(2).join(" ")}`);

  // Its own process group, so one Ctrl-C reaches it exactly once (through us): the CLI then
  // stops k6, tears the stack down and writes its partial report.
  const child = spawn(process.execPath, args, { cwd: ROOT, detached: true, stdio: ["ignore", "inherit", "pipe"], env: { ...process.env, RTSOAK_BENCH_STREAM: streamFile } });
  const forward = () => child.kill("SIGINT");
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  let loadStart: number | null = null;
  let loadEnd: number | null = null;
  const tail: string[] = [];
  let lastProgress = 0;
  createInterface({ input: child.stderr }).on("line", (line) => {
    tail.push(line);
    if (tail.length > 30) tail.shift();
    if (loadStart === null && line.startsWith("stack ready")) loadStart = Date.now();
    if (loadEnd === null && line.startsWith("tearing the stack down")) loadEnd = Date.now();
    // Progress lines come every 10 s; one a minute is enough here.
    if (line.includes(" │ ")) {
      if (Date.now() - lastProgress < 60_000) return;
      lastProgress = Date.now();
    }
    o.log(`  | ${line}`);
  });

  const points: Point[] = [];
  const sampler = new ProcSampler(child.pid!, o.sampleEveryMs);
  const tick = async () => {
    if (!sampler.sample() || !sampler.last) return;
    points.push({ ...sampler.last, stream: await readStream(streamFile) });
  };
  await tick();
  const timer = setInterval(() => void tick(), o.sampleEveryMs);
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  clearInterval(timer);
  process.off("SIGINT", forward);
  process.off("SIGTERM", forward);
  const final = await readStream(streamFile);

  if (loadStart === null) {
    throw new Error(`the soak run ended (exit ${code}) before its load started:\n${tail.join("\n")}`);
  }
  const end = loadEnd ?? loadStart + o.minutes * 60_000;
  const earlyMin = o.minutes >= 10 ? 5 : o.minutes / 4;
  for (const line of report({ o, capacity, points, final, code, loadStart, loadEnd: end, earlyMin, outDir })) o.log(line);
}

interface ReportInput {
  o: SoakBenchOptions;
  capacity: Capacity;
  points: Point[];
  final: StreamCount | null;
  code: number | null;
  loadStart: number;
  loadEnd: number;
  earlyMin: number;
  outDir: string;
}

function report(r: ReportInput): string[] {
  const { o, points, capacity } = r;
  const early = at(points, r.loadStart + r.earlyMin * 60_000);
  const late = at(points, r.loadEnd);
  const lastPoint = points.at(-1) ?? null;
  const mbOf = (p: Point | null, f: "rssKb" | "hwmKb") => (p ? mb(p[f]) : Number.NaN);
  const clock = (p: Point | null) => (p ? `${fixed((p.at - r.loadStart) / 60_000)} min` : "n/a");
  const rssRatio = early && late ? late.rssKb / early.rssKb : Number.NaN;
  const hwmRatio = early && late ? late.hwmKb / early.hwmKb : Number.NaN;
  const window = points.filter((p) => early && late && p.at >= early.at && p.at <= late.at);
  const slope = slopeMbPerHour(window);

  const lines = [
    "",
    `Soak: mixed scenario, ${o.clients} clients, ${o.minutes} min, ${o.recycleEvery ? `recycle every ${o.recycleEvery}` : "no events"}, default topology; harness process sampled every ${o.sampleEveryMs / 1000} s (exit ${r.code})`,
    table(
      ["harness process (rtsoak node)", `at ${fixed(r.earlyMin)} min (${clock(early)})`, `at ${o.minutes} min (${clock(late)})`, "ratio late / early"],
      [
        ["RSS MB (VmRSS)", fixed(mbOf(early, "rssKb")), fixed(mbOf(late, "rssKb")), ratio(late?.rssKb ?? Number.NaN, early?.rssKb ?? Number.NaN)],
        ["peak RSS MB (VmHWM)", fixed(mbOf(early, "hwmKb")), fixed(mbOf(late, "hwmKb")), ratio(late?.hwmKb ?? Number.NaN, early?.hwmKb ?? Number.NaN)],
      ],
    ),
    `RSS slope from ${fixed(r.earlyMin)} min to the end of the load: ${fixed(slope)} MB/hour over ${window.length} samples; whole run incl. analysis and reports: peak ${fixed(mbOf(lastPoint, "hwmKb"))} MB.`,
    Number.isFinite(rssRatio)
      ? rssRatio <= 1.1 && hwmRatio <= 1.1
        ? `Memory is flat: RSS at ${o.minutes} min is ${rssRatio.toFixed(2)}× and peak RSS ${hwmRatio.toFixed(2)}× the ${fixed(r.earlyMin)}-minute figures (within 10 %).`
        : `Memory GREW: RSS at ${o.minutes} min is ${rssRatio.toFixed(2)}× and peak RSS ${hwmRatio.toFixed(2)}× the ${fixed(r.earlyMin)}-minute figures (more than 10 %).`
      : "Memory: not enough samples to compare.",
  ];

  // Stream: between the early mark and the end of the load, and over the whole load.
  const rate = (a: StreamCount | null | undefined, b: StreamCount | null | undefined, f: "lines" | "samples") =>
    a && b && b.at > a.at ? (b[f] - a[f]) / ((b.at - a.at) / 1000) : Number.NaN;
  const s0 = early?.stream;
  const s1 = late?.stream;
  const whole = r.final;
  const loadSecs = (r.loadEnd - r.loadStart) / 1000;
  const liveLines = rate(s0, s1, "lines");
  const liveSamples = rate(s0, s1, "samples");
  lines.push(
    "",
    "k6 sample stream into the analysis",
    table(
      ["", "k6 JSON lines/s", "samples read/s"],
      [
        [`live, ${fixed(r.earlyMin)} min → ${o.minutes} min`, fixed(liveLines), fixed(liveSamples)],
        [`live, whole load (${int(whole?.lines ?? Number.NaN)} lines / ${fixed(loadSecs / 60)} min)`, fixed((whole?.lines ?? Number.NaN) / loadSecs), fixed((whole?.samples ?? Number.NaN) / loadSecs)],
        ["analysis capacity (analysis-throughput)", fixed(capacity.klinesPerS * 1000, 0), fixed(capacity.ksamplesPerS * 1000, 0)],
        ["headroom capacity / live", ratio(capacity.klinesPerS * 1000, liveLines), ratio(capacity.ksamplesPerS * 1000, liveSamples)],
      ],
    ),
    `Run folder: ${r.outDir}`,
  );
  return lines;
}
