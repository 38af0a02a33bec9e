// Reading the process tree from /proc: the workers of a master are its children.
import { readFileSync, readdirSync } from "node:fs";

interface Stat {
  pid: number;
  ppid: number;
  pgid: number;
}

function readStat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) state ppid pgrp …" - comm may hold spaces and parentheses
    const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
    if (rest[0] === "Z") return undefined;
    return { pid, ppid: Number(rest[1]), pgid: Number(rest[2]) };
  } catch {
    return undefined;
  }
}

/** True when `pid` has exited but was not reaped yet (or is gone entirely). */
export function isZombie(pid: number): boolean {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    return text.slice(text.lastIndexOf(")") + 2, text.lastIndexOf(")") + 3) === "Z";
  } catch {
    return true;
  }
}

function allStats(): Stat[] {
  const out: Stat[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    const s = readStat(Number(d));
    if (s) out.push(s);
  }
  return out;
}

/** Live (non-zombie) children of `pid`, ascending. */
export function childrenOf(pid: number): number[] {
  return allStats()
    .filter((s) => s.ppid === pid)
    .map((s) => s.pid)
    .sort((a, b) => a - b);
}

/** Live members of a process group. */
export function groupMembers(pgid: number): number[] {
  return allStats()
    .filter((s) => s.pgid === pgid)
    .map((s) => s.pid)
    .sort((a, b) => a - b);
}
