// Runs one benchmark child process to its end while a ProcSampler watches its memory and CPU.
import { spawn } from "node:child_process";
import { ProcSampler } from "./proc-stats.ts";

export interface ChildRun {
  code: number | null;
  stdout: string;
  /** Last few KB of stderr, for error messages. */
  stderrTail: string;
  sampler: ProcSampler;
  elapsedMs: number;
}

export function runSampled(cmd: string, args: string[], sampleEveryMs: number, env: NodeJS.ProcessEnv = process.env): Promise<ChildRun> {
  const started = Date.now();
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env });
  const sampler = new ProcSampler(child.pid!, sampleEveryMs).start();
  let stdout = "";
  let stderrTail = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderrTail = (stderrTail + d.toString()).slice(-4000)));
  return new Promise((resolve) => {
    // A last reading just before the process is reaped is not possible from outside; the
    // sampler's interval bounds what is missed (sub-second for the client runs).
    child.on("exit", (code) => {
      sampler.stop();
      resolve({ code, stdout, stderrTail, sampler, elapsedMs: Date.now() - started });
    });
    child.on("error", () => {
      sampler.stop();
      resolve({ code: 127, stdout, stderrTail, sampler, elapsedMs: Date.now() - started });
    });
  });
}
