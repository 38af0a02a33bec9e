// Black-box helpers for the run-*.test.ts suites: spawn the real CLI (`node bin/rtsoak.mjs …`)
// in a temp folder, watch every process it starts (by /proc, no cooperation from rtsoak), and
// read what a run left behind (summary.json, analysed.json, junit.xml, report.html, logs).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll } from "vitest";
import type { AnalysedRun } from "../../../harness/analysis/types.ts";

export const BIN = resolve(import.meta.dirname, "../../../bin/rtsoak.mjs");

export const tempCwd = (name: string) => mkdtempSync(join(tmpdir(), `rtsoak-run-${name}-`));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface CliRun {
  child: ChildProcess;
  /** stdout + stderr so far. */
  output(): string;
  result: Promise<CliResult>;
}

/**
 * Starts `node bin/rtsoak.mjs <args>` in `cwd`. A run that outlives `timeoutMs` gets SIGINT,
 * then SIGKILL 20 s later (its watchdog then tears its stack down).
 */
export function startCli(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; command?: string[] }): CliRun {
  const t0 = Date.now();
  const [cmd, ...pre] = opts.command ?? [process.execPath];
  const child = spawn(cmd, [...pre, BIN, ...args], { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let all = "";
  child.stdout!.on("data", (d: Buffer) => ((stdout += d), (all += d)));
  child.stderr!.on("data", (d: Buffer) => ((stderr += d), (all += d)));
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const soft = setTimeout(() => child.kill("SIGINT"), timeoutMs);
  const hard = setTimeout(() => child.kill("SIGKILL"), timeoutMs + 20_000);
  const result = new Promise<CliResult>((done) => {
    child.once("close", (code, signal) => {
      clearTimeout(soft);
      clearTimeout(hard);
      done({ code, signal, stdout, stderr, ms: Date.now() - t0 });
    });
  });
  return { child, output: () => all, result };
}

export function runCli(args: string[], opts: Parameters<typeof startCli>[1]): Promise<CliResult> {
  return startCli(args, opts).result;
}

/** Non-empty stderr lines. */
export const stderrLines = (r: CliResult) => r.stderr.split("\n").filter((l) => l.trim() !== "");

// ---- what a run leaves behind ----

export interface SummaryJson {
  verdict: string;
  partial: boolean;
  totals: { requests: number; statuses: Record<string, number>; failures: Record<string, number>; sessionsOpened: number; sessionsLost: number };
  rates: Record<string, number>;
  thresholds: Array<{ name: string; expression: string; measured: number; display: string; pass: boolean }>;
  events: unknown[];
  [key: string]: unknown;
}

export interface RunFiles {
  dir: string;
  summary: SummaryJson;
  analysed: AnalysedRun;
  junit: string;
  html: string;
}

export function readRun(dir: string): RunFiles {
  const read = (name: string) => readFileSync(join(dir, name), "utf8");
  return {
    dir,
    summary: JSON.parse(read("summary.json")) as SummaryJson,
    analysed: JSON.parse(read("analysed.json")) as AnalysedRun,
    junit: read("junit.xml"),
    html: read("report.html"),
  };
}

export interface AccessLine {
  /** Epoch ms when the request ended. */
  time: number;
  status: number;
  upstream: string;
  upstreamStatus: string;
  uri: string;
  args: string;
}

/** The local stack's nginx access log (JSON lines) of a run folder. */
export function proxyAccessLog(runDir: string): AccessLine[] {
  const file = join(runDir, "stack", "logs", "proxy-access.log");
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => {
      const j = JSON.parse(l) as Record<string, string | number>;
      return {
        time: Math.round(Number(j.msec) * 1000),
        status: Number(j.status),
        upstream: String(j.upstream),
        upstreamStatus: String(j.upstream_status),
        uri: String(j.uri),
        args: String(j.args),
      };
    });
}

/** Instance id → "127.0.0.1:port", from the rendered nginx.conf ("server 127.0.0.1:1234; # app1"). */
export function nginxUpstreams(runDir: string): Record<string, string> {
  const conf = readFileSync(join(runDir, "stack", "proxy", "nginx.conf"), "utf8");
  const out: Record<string, string> = {};
  for (const m of conf.matchAll(/server\s+(\S+?);\s*#\s*(\S+)/g)) out[m[2]] = m[1];
  return out;
}

// ---- processes ----

interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** Start time in clock ticks since boot: tells a pid apart from a later reuse of it. */
  start: string;
  state: string;
  cmd: string;
}

function procInfo(pid: number): ProcInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    let cmd = "";
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
    } catch {
      // exited meanwhile
    }
    return { pid, state: rest[0], ppid: Number(rest[1]), pgid: Number(rest[2]), start: rest[19], cmd };
  } catch {
    return null;
  }
}

function allProcs(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    const p = procInfo(Number(d));
    if (p) out.push(p);
  }
  return out;
}

/** Alive = exists with the same start time and is not a zombie. */
export function stillAlive(p: { pid: number; start: string }): boolean {
  const now = procInfo(p.pid);
  return !!now && now.start === p.start && now.state !== "Z" && now.state !== "X";
}

export interface ProcessWatch {
  /** Every process seen so far that the run started. */
  seen(): ProcInfo[];
  /** Those still alive, as readable lines. */
  survivors(): string[];
  stop(): void;
  /** SIGKILLs every survivor (cleanup after a failed test; only processes this run started). */
  killSurvivors(): void;
}

/**
 * Samples /proc every `everyMs` and records what belongs to the run rooted at `rootPid`:
 * its descendants, members of the process groups in the stack's watchdog-groups file, and
 * anything whose command line names the run folder (k6, nginx, the watchdog).
 */
export function watchProcesses(rootPid: number, runDir: string, everyMs = 250): ProcessWatch {
  const seen = new Map<string, ProcInfo>();
  const groupsFile = join(runDir, "stack", "watchdog-groups");
  const sample = () => {
    const procs = allProcs();
    let groups = new Set<number>();
    if (existsSync(groupsFile)) {
      try {
        groups = new Set(readFileSync(groupsFile, "utf8").split(/\s+/).filter(Boolean).map(Number));
      } catch {
        // being rewritten
      }
    }
    const mine = new Set<number>([rootPid]);
    // descendants: repeat until no new child is found (parents may come after children in /proc order)
    for (let grew = true; grew; ) {
      grew = false;
      for (const p of procs) {
        if (!mine.has(p.pid) && mine.has(p.ppid)) {
          mine.add(p.pid);
          grew = true;
        }
      }
    }
    for (const p of procs) {
      const belongs = mine.has(p.pid) || groups.has(p.pgid) || p.cmd.includes(runDir);
      if (belongs && p.pid !== rootPid && p.state !== "Z") seen.set(`${p.pid}/${p.start}`, p);
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  const watch: ProcessWatch = {
    seen: () => [...seen.values()],
    survivors: () => watch.seen().filter(stillAlive).map((p) => `${p.pid} ${p.cmd.slice(0, 160)}`),
    stop: () => clearInterval(timer),
    killSurvivors: () => {
      for (const p of watch.seen()) {
        if (!stillAlive(p)) continue;
        try {
          process.kill(p.pid, "SIGKILL");
        } catch {
          // gone meanwhile
        }
      }
    },
  };
  return watch;
}

/** A short description of what a process is, for assertions ("nginx", "redis", "k6", "node app"…). */
export function kindOf(cmd: string): string {
  if (/nginx/.test(cmd)) return "nginx";
  if (/redis-server/.test(cmd)) return "redis";
  if (/\/k6 run /.test(cmd)) return "k6";
  if (/rtsoak-watchdog/.test(cmd)) return "watchdog";
  if (/node|tsx/.test(cmd)) return "node";
  return cmd.split(" ")[0] ?? "?";
}

export async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/** Polls until `check` is true or `timeoutMs` passes; returns the last result. */
export async function eventually(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

// ---- one watched run in a temp folder ----

export interface WatchedRun {
  cwd: string;
  /** `<cwd>/run`, passed as --out. */
  runDir: string;
  cli: CliRun;
  watch: ProcessWatch;
}

/**
 * Starts `rtsoak <args> --out <cwd>/run` in a new temp folder (`files` written into it first),
 * watching every process the run starts.
 */
export function startWatchedRun(name: string, args: string[], opts: { files?: Record<string, string>; timeoutMs?: number } = {}): WatchedRun {
  const cwd = tempCwd(name);
  const runDir = join(cwd, "run");
  for (const [file, text] of Object.entries(opts.files ?? {})) writeFileSync(join(cwd, file), text);
  const cli = startCli([...args, "--out", runDir], { cwd, timeoutMs: opts.timeoutMs });
  return { cwd, runDir, cli, watch: watchProcesses(cli.child.pid!, runDir) };
}

/** Kills whatever a watched run left alive (only its own processes) and removes its folder. */
export function cleanUpWatchedRun(w: Partial<Pick<WatchedRun, "cwd" | "watch">> | undefined): void {
  w?.watch?.stop();
  w?.watch?.killSurvivors();
  if (w?.cwd) rmSync(w.cwd, { recursive: true, force: true });
}

/** A finished run: what it left behind, how the CLI exited, and every process it started. */
export type FinishedRun = RunFiles & { cwd: string; result: CliResult; watch: ProcessWatch };

/**
 * The one run every test of a file reads: beforeAll runs it to its end (logging `label` with the
 * exit code and the time it took), afterAll cleans it up. The fields are there once beforeAll ran.
 */
export function runForFile(
  name: string,
  args: string[],
  opts: { label: string; files?: Record<string, string>; timeoutMs?: number; hookTimeoutMs?: number },
): FinishedRun {
  const run = {} as FinishedRun;
  beforeAll(async () => {
    const { cwd, runDir, cli, watch } = startWatchedRun(name, args, opts);
    Object.assign(run, { cwd, watch });
    run.result = await cli.result;
    watch.stop();
    console.log(`${opts.label}: exit ${run.result.code} after ${(run.result.ms / 1000).toFixed(1)} s`);
    Object.assign(run, readRun(runDir));
  }, opts.hookTimeoutMs ?? 180_000);
  afterAll(() => cleanUpWatchedRun(run));
  return run;
}

// ---- event windows, computed here from analysed.json (not with the analysis' own helpers) ----

export interface Range {
  start: number;
  end: number;
  name: string;
}

/** [start, end + settle) of every event of the run, with the settle the analysis used. */
export function eventRanges(run: AnalysedRun): Range[] {
  const settle = run.settings?.settleMs;
  if (settle === undefined) throw new Error("analysed.json has no settings.settleMs");
  return run.events.map((e) => ({ start: e.event.start, end: e.event.end + settle, name: `${e.event.name}${e.event.target ? ` ${e.event.target}` : ""}` }));
}

/** Does [from, to) touch any range? */
export const touches = (ranges: Range[], from: number, to: number) => ranges.some((r) => from < r.end && to > r.start);

/** Windows with their failures and non-2xx statuses, split by whether they touch an event range. */
export function windowsByEvents(run: AnalysedRun): { inside: typeof run.windows; outside: typeof run.windows } {
  const ranges = eventRanges(run);
  const inside: typeof run.windows = [];
  const outside: typeof run.windows = [];
  for (const w of run.windows) (touches(ranges, w.start, w.start + run.windowMs) ? inside : outside).push(w);
  return { inside, outside };
}

/** Failures and error statuses (>= 400, "0") of one window, e.g. { session_unknown: 2, "502": 1 }. */
export function windowTrouble(w: AnalysedRun["windows"][number]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(w.failures)) if (v) out[k] = v;
  for (const [k, v] of Object.entries(w.statuses)) if (v && (k === "0" || Number(k) >= 400)) out[k] = v;
  return out;
}
