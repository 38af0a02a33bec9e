// One component = one process group. Each is spawned detached (its own group, pgid = pid)
// with stdout/stderr appended to a log file, and is stopped by signalling the whole group,
// so workers forked by a master (nginx, gunicorn, node:cluster, haproxy -W) go with it.
import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { groupMembers, isZombie } from "./proc-tree.ts";

export interface SpawnSpec {
  /** Component name for messages ("redis", "app1", "proxy"). */
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** stdout and stderr are appended here. */
  logFile: string;
  /** stdout alone goes here instead (HAProxy's access log); stderr still to logFile. */
  stdoutFile?: string;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface GroupProcess {
  name: string;
  pid: number;
  /** Equal to pid: the leader of its own group. */
  pgid: number;
  logFile: string;
  /** Resolves when the leader exits. */
  exited: Promise<Exit>;
  /** Set once the leader has exited. */
  exit?: Exit;
}

export function spawnGroup(spec: SpawnSpec): Promise<GroupProcess> {
  const err = openSync(spec.logFile, "a");
  const out = spec.stdoutFile ? openSync(spec.stdoutFile, "a") : err;
  return new Promise((resolve, reject) => {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      detached: true,
      stdio: ["ignore", out, err],
    });
    const closeFds = () => {
      closeSync(err);
      if (out !== err) closeSync(out);
    };
    child.once("error", (e) => {
      closeFds();
      reject(new Error(`could not start ${spec.name} (${spec.command}): ${e.message}`));
    });
    child.once("spawn", () => {
      closeFds();
      // Do not keep rtsoak alive for its children: a detached stack outlives it on purpose.
      child.unref();
      const proc: GroupProcess = {
        name: spec.name,
        pid: child.pid!,
        pgid: child.pid!,
        logFile: spec.logFile,
        exited: new Promise((done) =>
          child.once("exit", (code, signal) => {
            proc.exit = { code, signal };
            done(proc.exit);
          }),
        ),
      };
      resolve(proc);
    });
  });
}

/**
 * True while a live process of the group exists. A zombie (exited, not yet reaped by a
 * parent that is busy) does not count: it holds no port and no memory.
 */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  return groupMembers(pgid).length > 0;
}

/** True while `pid` runs (zombies count as gone). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  return !isZombie(pid);
}

/** Sends a signal to the group; false when it is already gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

export function signalPid(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every `stepMs` until true or `timeoutMs` passes; returns the last result. */
export async function pollUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(stepMs);
  }
}

/**
 * Stops a whole group: `signal` (SIGTERM), then SIGKILL after `graceMs`. Resolves when no
 * process of the group is left; throws when even SIGKILL did not empty it.
 */
export async function stopGroup(pgid: number, opts: { graceMs?: number; signal?: NodeJS.Signals; name?: string } = {}): Promise<void> {
  const { graceMs = 3000, signal = "SIGTERM" } = opts;
  if (!signalGroup(pgid, signal)) return;
  if (await pollUntil(() => !groupAlive(pgid), graceMs)) return;
  signalGroup(pgid, "SIGKILL");
  if (await pollUntil(() => !groupAlive(pgid), 3000)) return;
  throw new Error(`${opts.name ?? `process group ${pgid}`} survived SIGKILL`);
}

/**
 * Waits for the leader's exit event, at most `ms`. The children are unref'd, so a plain
 * `await proc.exited` could leave Node with nothing to wait on; this timer keeps it alive.
 */
export function waitExit(proc: GroupProcess, ms = 2000): Promise<void> {
  if (proc.exit) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void proc.exited.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Synchronous last resort (process 'exit' hook): SIGKILL every group, no waiting. */
export function killGroupsNow(pgids: Iterable<number>): void {
  for (const pgid of pgids) signalGroup(pgid, "SIGKILL");
}
