// Spawns k6 on a bundled scenario and streams its samples (k6 --out json) through a FIFO,
// so the harness aggregates while the test runs and nothing grows on disk.
import { execFile, spawn } from "node:child_process";
import { createReadStream, createWriteStream, constants as fsc } from "node:fs";
import { open, rm } from "node:fs/promises";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { SYSTEM_TAGS } from "../../scenarios/lib/metrics.ts";

const run = promisify(execFile);

export interface K6RunOptions {
  k6: string;
  script: string;
  /** Passed as -e KEY=VALUE (the scenarios read __ENV). */
  env: Record<string, string>;
  /** k6 --local-ips value (source addresses spread over loopback). */
  localIps?: string;
  /** Path for the FIFO carrying k6's JSON samples. */
  fifoPath: string;
  /** Every JSON line k6 writes (Metric and Point envelopes). */
  onLine: (line: string) => void;
  /** k6's own stdout/stderr go here, up to `logLimitBytes`. */
  logFile: string;
  /** k6 prints a line per failed request: past this (default 20 MiB) k6.log stops growing. */
  logLimitBytes?: number;
  /** Aborting sends SIGINT: k6 stops its VUs and flushes its outputs. */
  signal?: AbortSignal;
  extraArgs?: string[];
}

export interface K6RunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  aborted: boolean;
  lines: number;
  /** Last lines of k6's stderr, for error messages. */
  tail: string;
}

export function k6Args(opts: Omit<K6RunOptions, "k6" | "onLine" | "logFile">): string[] {
  // No k6 summary and no k6 thresholds: both make k6 keep every Trend sample in memory, which
  // a soak cannot afford. rtsoak's own analysis computes percentiles with bounded sketches.
  const args = ["run", "--no-color", "--quiet", "--summary-mode=disabled", "--no-thresholds", "--out", `json=${opts.fifoPath}`];
  args.push("--system-tags", SYSTEM_TAGS.join(","));
  if (opts.localIps) args.push("--local-ips", opts.localIps);
  for (const [k, v] of Object.entries(opts.env)) args.push("-e", `${k}=${v}`);
  args.push(...(opts.extraArgs ?? []), opts.script);
  return args;
}

export async function runK6(opts: K6RunOptions): Promise<K6RunResult> {
  await rm(opts.fifoPath, { force: true });
  await run("mkfifo", [opts.fifoPath]);
  const log = cappedLog(opts.logFile, opts.logLimitBytes ?? 20 * 1024 * 1024);
  // k6 gets its own process group so a terminal's Ctrl-C reaches only rtsoak, which then sends
  // exactly one SIGINT (graceful stop). A second SIGINT would make k6 abort without flushing.
  // Should rtsoak die, k6 dies too: its next write into the reader-less FIFO raises SIGPIPE.
  const child = spawn(opts.k6, k6Args(opts), {
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
    env: { ...process.env, K6_NO_USAGE_REPORT: "true" },
  });
  let tail = "";
  child.stdout.on("data", (chunk: Buffer) => log.write(chunk));
  child.stderr.on("data", (chunk: Buffer) => {
    log.write(chunk);
    tail = (tail + chunk.toString()).slice(-4000);
  });

  let aborted = false;
  const onAbort = () => {
    aborted = true;
    child.kill("SIGINT");
  };
  opts.signal?.addEventListener("abort", onAbort, { once: true });

  // Opening a FIFO for reading blocks until a writer appears; k6 opens it when its outputs start.
  let lines = 0;
  const reading = new Promise<void>((resolve, reject) => {
    const stream = createReadStream(opts.fifoPath, { encoding: "utf8" });
    stream.on("error", reject);
    const rl = createInterface({ input: stream, crlfDelay: Infinity });
    rl.on("line", (line) => {
      if (!line) return;
      lines++;
      opts.onLine(line);
    });
    rl.on("close", () => resolve());
  });

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal }));
    child.on("error", () => resolve({ code: 127, signal: null }));
  });
  const { code, signal } = await exited;
  // If k6 died before opening the FIFO, the reader is still blocked in open(): release it.
  try {
    const fh = await open(opts.fifoPath, fsc.O_WRONLY | fsc.O_NONBLOCK);
    await fh.close();
  } catch {
    /* no reader waiting: fine */
  }
  await reading.catch(() => {});
  opts.signal?.removeEventListener("abort", onAbort);
  await log.end();
  await rm(opts.fifoPath, { force: true });
  return { exitCode: code, signal, aborted, lines, tail };
}

/** A log file that stops at `limit` bytes, with one last line saying so. */
function cappedLog(file: string, limit: number) {
  const stream = createWriteStream(file, { flags: "a" });
  let written = 0;
  let lastByte = 0x0a;
  let ended = false;
  return {
    write(chunk: Buffer): void {
      if (ended || written >= limit) return; // output after k6's exit event is not kept
      if (written + chunk.length > limit) {
        // up to the last whole line that fits
        const head = chunk.subarray(0, chunk.lastIndexOf(0x0a, limit - written - 1) + 1);
        if (head.length) lastByte = 0x0a;
        written = limit;
        stream.write(head);
        stream.write(`${lastByte === 0x0a ? "" : "\n"}[rtsoak] k6.log stopped here at ${limit} bytes; k6 went on, its further output is not kept.\n`);
        return;
      }
      written += chunk.length;
      lastByte = chunk[chunk.length - 1];
      stream.write(chunk);
    },
    end: () => {
      ended = true;
      return new Promise<void>((r) => stream.end(r));
    },
  };
}
