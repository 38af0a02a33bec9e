// The record of a running stack on disk (`.rtsoak/stack.json`), so `stack down|status|logs`
// work from another shell and a detached stack can be found again.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Topology } from "./types.ts";

export interface ComponentState {
  name: string; // redis | app1 | nginx | haproxy
  kind: "redis" | "app" | "proxy";
  pid: number;
  /** Process group to signal (equals pid: each component leads its own group). */
  pgid: number;
  port: number;
  log: string;
  /** Stop signal that ends it quickly. */
  stopSignal: NodeJS.Signals;
}

export interface StackState {
  version: 1;
  driver: "local" | "compose";
  /** The rtsoak process that holds the stack; absent once it is detached. */
  ownerPid?: number;
  detached: boolean;
  startedAt: string;
  topology: Topology;
  workDir: string;
  baseUrl: string;
  proxyAccessLog?: string;
  appLogs: Record<string, string>;
  components: ComponentState[];
  /** Watchdog that stops the groups if the owner dies. */
  watchdogPid?: number;
}

export function defaultStateFile(cwd = process.cwd()): string {
  return join(cwd, ".rtsoak", "stack.json");
}

export function writeState(file: string, state: StackState): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true });
  // .rtsoak/ holds run state and logs, never anything to commit
  if (!existsSync(join(dir, ".gitignore"))) writeFileSync(join(dir, ".gitignore"), "*\n");
  writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2) + "\n");
  renameSync(`${file}.tmp`, file);
}

export function readState(file: string): StackState | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const state = JSON.parse(readFileSync(file, "utf8")) as StackState;
    return state.version === 1 ? state : undefined;
  } catch {
    return undefined;
  }
}

export function removeState(file: string): void {
  rmSync(file, { force: true });
}
