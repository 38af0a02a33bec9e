// A tiny detached shell that outlives rtsoak: it polls rtsoak's pid and, once rtsoak is
// gone (even by SIGKILL, which nothing can trap), stops every process group listed in the
// groups file. The driver rewrites that file whenever it starts or stops a component.
import { spawn } from "node:child_process";
import { renameSync, writeFileSync } from "node:fs";

const SCRIPT = [
  'parent="$1"; groups="$2"',
  // a killed parent can linger as a zombie until its own parent reaps it: that counts as gone
  'alive() { [ -r "/proc/$1/stat" ] && [ "$(sed "s/.*) //" "/proc/$1/stat" | cut -c1)" != Z ]; }',
  'while alive "$parent"; do sleep 0.3; done',
  'list=$(cat "$groups" 2>/dev/null)',
  '[ -z "$list" ] && exit 0',
  'for g in $list; do kill -TERM "-$g" 2>/dev/null; done',
  // up to 2 s for a graceful exit, then SIGKILL whatever is left
  'i=0; while [ $i -lt 20 ]; do left=""; for g in $list; do kill -0 "-$g" 2>/dev/null && left=1; done; [ -z "$left" ] && exit 0; sleep 0.1; i=$((i+1)); done',
  'for g in $list; do kill -KILL "-$g" 2>/dev/null; done',
].join("\n");

export interface Watchdog {
  pid: number;
  /** Replace the list of process groups it will stop. */
  setGroups(pgids: number[]): void;
  /** Stop watching (normal teardown, or a stack left running on purpose); resolves once it is gone. */
  stop(): Promise<void>;
}

export function startWatchdog(groupsFile: string, parentPid = process.pid): Watchdog {
  const write = (pgids: number[]) => {
    writeFileSync(`${groupsFile}.tmp`, pgids.join("\n") + "\n");
    renameSync(`${groupsFile}.tmp`, groupsFile);
  };
  write([]);
  const child = spawn("/bin/sh", ["-c", SCRIPT, "rtsoak-watchdog", String(parentPid), groupsFile], {
    detached: true,
    stdio: "ignore",
  });
  child.unref();
  const pid = child.pid!;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let stopped = false;
  return {
    pid,
    setGroups: (pgids) => {
      if (!stopped) write(pgids);
    },
    stop: async () => {
      if (!stopped) {
        stopped = true;
        write([]);
        try {
          process.kill(-pid, "SIGKILL"); // the shell and its current `sleep`
        } catch {
          // already gone
        }
      }
      // A ref'd timer: with the child unref'd, nothing else may keep the loop alive while we wait.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2000);
        void exited.then(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
