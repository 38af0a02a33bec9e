// Runs the `docker` CLI and answers the few questions the compose driver asks of it.
// Every call has a time budget; a failure names the command and ends with docker's own words.
import { spawn } from "node:child_process";
import { UserError } from "../../errors.ts";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Kill the command after this many ms (default 60 s). */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Bytes written to stdin, then closed. */
  input?: string;
  /** Each output line, as it comes (progress of long builds). */
  onLine?: (line: string) => void;
}

/** Runs `cmd args`; resolves with the exit code and output, never rejects for a non-zero exit. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const withInput = opts.input !== undefined;
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: [withInput ? "pipe" : "ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let partial = "";
    const lines = (chunk: string) => {
      if (!opts.onLine) return;
      partial += chunk;
      const parts = partial.split("\n");
      partial = parts.pop() ?? "";
      for (const l of parts) if (l.trim()) opts.onLine(l);
    };
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      lines(d);
    });
    child.stderr!.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
      lines(d);
    });
    const budget = opts.timeoutMs ?? 60_000;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      stderr += `\n(killed after ${budget / 1000} s)`;
    }, budget);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    if (withInput) {
      child.stdin!.on("error", () => undefined); // the command may exit without reading it
      child.stdin!.end(opts.input);
    }
  });
}

function lastLines(text: string, n = 6): string {
  return text.trim().split("\n").slice(-n).join(" | ");
}

/** `docker args`, resolving with stdout; rejects with the command and docker's last words. */
export async function docker(args: string[], opts: RunOptions = {}): Promise<string> {
  let res: RunResult;
  try {
    res = await run("docker", args, opts);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      throw new UserError("the docker CLI is not installed; install Docker (scripts/docker-setup.sh does it on Debian) or use --stack local.");
    }
    throw err;
  }
  if (res.code !== 0) throw new Error(`docker ${args.slice(0, 3).join(" ")} failed (exit ${res.code}): ${lastLines(res.stderr || res.stdout)}`);
  return res.stdout;
}

/** Like docker() but returns undefined instead of throwing (for probes and best-effort cleanup). */
export async function dockerMaybe(args: string[], opts: RunOptions = {}): Promise<string | undefined> {
  try {
    return await docker(args, opts);
  } catch {
    return undefined;
  }
}

let daemonChecked: Promise<string> | undefined;

/** The daemon's version; throws one UserError sentence when no daemon answers. */
export function requireDaemon(): Promise<string> {
  daemonChecked ??= (async () => {
    let res: RunResult;
    try {
      res = await run("docker", ["version", "--format", "{{.Server.Version}}"], { timeoutMs: 15_000 });
    } catch {
      daemonChecked = undefined;
      throw new UserError("the docker CLI is not installed; install Docker (scripts/docker-setup.sh does it on Debian) or use --stack local.");
    }
    if (res.code !== 0 || !res.stdout.trim()) {
      daemonChecked = undefined;
      throw new UserError(
        `no Docker daemon answers (${lastLines(res.stderr, 1) || "docker version failed"}); start one (scripts/docker-setup.sh starts dockerd) or use --stack local.`,
      );
    }
    return res.stdout.trim();
  })();
  return daemonChecked;
}

/** True when a daemon answers within a few seconds. */
export async function daemonAnswers(): Promise<boolean> {
  try {
    await requireDaemon();
    return true;
  } catch {
    return false;
  }
}

export async function imageExists(ref: string): Promise<boolean> {
  return (await run("docker", ["image", "inspect", "--format", "{{.Id}}", ref], { timeoutMs: 15_000 })).code === 0;
}
