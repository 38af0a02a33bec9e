// The real CLI (`node bin/rtsoak.mjs stack …`) in a temp folder: a taken port is one clear
// sentence and starts nothing; SIGKILL of rtsoak leaves no process behind (the watchdog);
// Ctrl-C tears down; --detach, status, logs and down work from another "shell".
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../harness/net/ports.ts";
import type { StackState } from "../../harness/stack/state-file.ts";
import { eventually, pidAlive } from "./stack-helpers.ts";

const BIN = resolve(import.meta.dirname, "../../bin/rtsoak.mjs");
const started: number[] = []; // process groups to clean up if a test fails half-way

afterEach(() => {
  for (const pgid of started.splice(0)) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // gone, as it should be
    }
  }
});

function cli(cwd: string, args: string[]) {
  return spawnSync(process.execPath, [BIN, "stack", ...args], { cwd, encoding: "utf8", timeout: 90_000 });
}

function background(cwd: string, args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, "stack", ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return { child, output: () => out, exited };
}

function childrenOf(pid: number): number[] {
  const kids: number[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) kids.push(Number(d));
    } catch {
      // exited meanwhile
    }
  }
  return kids;
}

/** Every pid the recorded stack consists of: component leaders, their workers, the watchdog. */
function stackPids(state: StackState): number[] {
  const pids = state.components.flatMap((c) => [c.pid, ...childrenOf(c.pid)]);
  for (const c of state.components) started.push(c.pgid);
  if (state.watchdogPid) pids.push(state.watchdogPid);
  return pids;
}

/** Live pids with their command lines, for a readable failure. */
const survivors = (pids: number[]) =>
  pids.filter(pidAlive).map((p) => {
    try {
      return `${p} ${readFileSync(`/proc/${p}/cmdline`, "utf8").replaceAll("\0", " ").trim()} (${readFileSync(`/proc/${p}/stat`, "utf8").split(") ")[1]?.[0]})`;
    } catch {
      return `${p} (gone)`;
    }
  });

const readStateIn = (cwd: string) => JSON.parse(readFileSync(join(cwd, ".rtsoak", "stack.json"), "utf8")) as StackState;
const tempCwd = () => mkdtempSync(join(tmpdir(), "rtsoak-cli-"));

async function waitReady(run: ReturnType<typeof background>, cwd: string): Promise<StackState> {
  const ok = await eventually(() => run.output().includes("Ctrl-C stops it") && existsSync(join(cwd, ".rtsoak", "stack.json")), 60_000);
  if (!ok) throw new Error(`stack up did not become ready:\n${run.output()}`);
  return readStateIn(cwd);
}

describe("rtsoak stack (real CLI)", () => {
  it("a taken --port: one sentence naming the holder, exit 2, nothing started", async () => {
    const port = await freePort();
    const holder = spawn(process.execPath, ["-e", `require("net").createServer().listen(${port}, "127.0.0.1"); setTimeout(() => {}, 60000)`], { stdio: "ignore" });
    try {
      await eventually(() => spawnSync("sh", ["-c", `grep -qi ':${port.toString(16).toUpperCase().padStart(4, "0")} ' /proc/net/tcp`]).status === 0, 5000);
      const cwd = tempCwd();
      const res = cli(cwd, ["up", "--topology", "nginx-rr-2x1", "--port", String(port)]);
      expect(res.status).toBe(2);
      expect(res.stderr.trim().split("\n")).toHaveLength(1);
      expect(res.stderr.trim()).toMatch(new RegExp(`^rtsoak: port ${port} is taken by pid ${holder.pid} \\(node -e .*\\); stop it or pass --port <free port>\\.$`));
      expect(existsSync(join(cwd, ".rtsoak", "stack.json"))).toBe(false);
      expect(existsSync(join(cwd, ".rtsoak", "stacks"))).toBe(false);
    } finally {
      holder.kill("SIGKILL");
    }
  });

  it("SIGKILL of `stack up`: the watchdog stops everything it started", async () => {
    const cwd = tempCwd();
    const t0 = Date.now();
    const run = background(cwd, ["up", "--topology", "nginx-rr-2x1"]);
    const state = await waitReady(run, cwd);
    console.log(`stack up nginx-rr-2x1 via the CLI: ${Date.now() - t0} ms to ready (process start included); ${run.output().match(/up in [\d.]+ s/)?.[0]}`);
    const pids = stackPids(state);
    expect(pids.length).toBeGreaterThanOrEqual(4 + 2 + 1 + 1); // 4 leaders, 2 app workers, nginx worker, watchdog
    for (const p of pids) expect(pidAlive(p)).toBe(true);
    run.child.kill("SIGKILL");
    await run.exited;
    const gone = await eventually(() => pids.every((p) => !pidAlive(p)), 15_000);
    expect(survivors(pids)).toEqual([]);
    expect(gone).toBe(true);
  });

  it("Ctrl-C (SIGINT) tears the stack down, exits 0 and removes the state file", async () => {
    const cwd = tempCwd();
    const run = background(cwd, ["up", "--topology", "haproxy-rr-2x1"]);
    const state = await waitReady(run, cwd);
    const pids = stackPids(state);
    run.child.kill("SIGINT");
    expect(await run.exited).toBe(0);
    expect(survivors(pids)).toEqual([]);
    expect(existsSync(join(cwd, ".rtsoak", "stack.json"))).toBe(false);
    expect(run.output()).toContain("stack stopped");
  });

  it("--detach leaves it running; status, logs and down work from another process", async () => {
    const cwd = tempCwd();
    const upRes = cli(cwd, ["up", "--topology", "nginx-iphash-2x1", "--detach"]);
    expect(upRes.status).toBe(0);
    expect(upRes.stdout).toMatch(/left running \(pids [\d, ]+\); stop it with `rtsoak stack down`/);
    const state = readStateIn(cwd);
    expect(state.detached).toBe(true);
    expect(state.watchdogPid).toBeUndefined();
    const pids = stackPids(state);
    for (const p of pids) expect(pidAlive(p)).toBe(true);

    const status = cli(cwd, ["status"]);
    expect(status.status).toBe(0);
    expect(status.stdout).toContain("nginx-iphash-2x1 at http://127.0.0.1:");
    expect(status.stdout).toMatch(/healthz\s+200/);

    const logs = cli(cwd, ["logs"]);
    expect(logs.status).toBe(0);
    expect(logs.stdout).toContain("==> access:");
    expect(logs.stdout).toContain('"event":"listening"');

    // logs --follow prints new access-log lines as they come, until Ctrl-C
    const follow = background(cwd, ["logs", "--follow"]);
    expect(await eventually(() => follow.output().includes("==> redis:"), 20_000)).toBe(true);
    await fetch(`${state.baseUrl}/healthz?from=follow-test`);
    expect(await eventually(() => /access +\| \{"time":.*"args":"from=follow-test"\}/.test(follow.output()), 10_000)).toBe(true);
    follow.child.kill("SIGINT");
    expect(await follow.exited).toBe(0);

    const again = cli(cwd, ["up", "--topology", "nginx-rr-2x1"]);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/a stack is already running \(nginx-iphash-2x1 .*\); stop it with `rtsoak stack down` first\./);

    const down = cli(cwd, ["down"]);
    expect(down.status).toBe(0);
    expect(down.stdout).toContain("stopped nginx-iphash-2x1");
    expect(await eventually(() => pids.every((p) => !pidAlive(p)), 10_000)).toBe(true);
    expect(cli(cwd, ["status"]).status).toBe(1);
  });

  it("`stack down` from another shell stops a foreground stack through its owner", async () => {
    const cwd = tempCwd();
    const run = background(cwd, ["up", "--topology", "node-1x1"]);
    const state = await waitReady(run, cwd);
    const pids = stackPids(state);
    const down = cli(cwd, ["down"]);
    expect(down.status).toBe(0);
    expect(await run.exited).toBe(0);
    expect(survivors(pids)).toEqual([]);
  });
});
