// Keeping the proxy access log of a local stack small while the proxy runs
// (RunningStack.rotateProxyLog): a soak leaves only a few MB of it on disk.
//
// nginx reopens its logs on SIGUSR1: the file is renamed to <file>.1, the master signalled,
// and once no process of the group holds <file>.1 open (workers reopen in their own time),
// the reader drains it and it is deleted.
//
// HAProxy logs to its stdout, which it cannot reopen, and it clears O_APPEND on it (it sets
// O_NONBLOCK with F_SETFL), so it writes at its own offset and a truncated file would only
// grow a hole. Instead the part already read is punched out (fallocate --punch-hole): the
// disk blocks are freed while HAProxy writes after them. The file keeps its apparent size
// (`ls -l`), but holds on disk (`du`) only what the reader has not read yet.
// The punch locks the file for a few milliseconds; a log write that meets it waits. (With
// several threads HAProxy would drop the line of one that waits on another: the rendered
// config runs one thread.)
import { execFile } from "node:child_process";
import { readdirSync, renameSync, statSync, unlinkSync } from "node:fs";
import { promisify } from "node:util";
import type { ProxyKind } from "../types.ts";
import { groupMembers } from "./proc-tree.ts";
import { pollUntil, signalPid } from "./process-group.ts";

const run = promisify(execFile);
const REOPEN_BUDGET_MS = 10_000;

type Drain = (file: string) => number;

/** `pgid` is the proxy's group (its master's pid), `file` its access log. */
export async function cutProxyLog(proxy: ProxyKind, pgid: number, file: string, drain: Drain): Promise<void> {
  if (proxy === "nginx") return renameAndReopen(pgid, file, drain);
  if (proxy === "haproxy") return punchReadPart(file, drain);
  throw new Error("this stack has no proxy, so no access log to rotate");
}

/** Pids of the group that hold `file`'s inode open. */
function holders(pgid: number, file: string): number[] {
  const { dev, ino } = statSync(file);
  return groupMembers(pgid).filter((pid) => {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      return false; // gone
    }
    return fds.some((fd) => {
      try {
        const s = statSync(`/proc/${pid}/fd/${fd}`);
        return s.ino === ino && s.dev === dev;
      } catch {
        return false; // closed meanwhile
      }
    });
  });
}

async function renameAndReopen(pgid: number, file: string, drain: Drain): Promise<void> {
  const old = `${file}.1`;
  renameSync(file, old);
  signalPid(pgid, "SIGUSR1");
  let still: number[] = [];
  const reopened = await pollUntil(() => (still = holders(pgid, old)).length === 0, REOPEN_BUDGET_MS);
  drain(old);
  if (!reopened) throw new Error(`nginx pids ${still.join(",")} still wrote to ${old} ${REOPEN_BUDGET_MS / 1000} s after SIGUSR1, so it was left there`);
  unlinkSync(old);
}

async function punchReadPart(file: string, drain: Drain): Promise<void> {
  const read = drain(file);
  if (read === 0) return;
  try {
    await run("fallocate", ["--punch-hole", "--offset", "0", "--length", String(read), file]);
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`punching the read part out of ${file} failed: ${(err.stderr || err.message).trim()}`);
  }
}
