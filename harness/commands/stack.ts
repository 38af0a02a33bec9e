// `rtsoak stack up|down|status|logs|presets`: the replica without load. `up` keeps the stack
// in the foreground until Ctrl-C (or leaves it running with --detach); the state file
// `.rtsoak/stack.json` lets `down`, `status` and `logs` find it from another shell.
import { join } from "node:path";
import { EXIT, UserError } from "../errors.ts";
import { localDriver } from "../stack/local/driver.ts";
import { pidAlive, pollUntil, signalGroup, signalPid, stopGroup } from "../stack/local/process-group.ts";
import { defaultStateFile, readState, removeState, type StackState } from "../stack/state-file.ts";
import { listPresets, resolveTopology } from "../stack/topology.ts";
import type { RunningStack, StackDriver } from "../stack/types.ts";
import { followLogs, printLogTails } from "../stack/log-follow.ts";

export interface StackCommandOptions {
  topology?: string;
  port?: number;
  detach?: boolean;
  follow?: boolean;
  workDir?: string;
  stack?: "local" | "compose";
  /** Where the state file lives (default .rtsoak/stack.json under cwd). */
  stateFile?: string;
  /** Output lines (default stdout). */
  print?: (line: string) => void;
}

export type StackAction = "up" | "down" | "status" | "logs" | "presets";

export async function stackCommand(action: StackAction, opts: StackCommandOptions = {}): Promise<number> {
  const print = opts.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const stateFile = opts.stateFile ?? defaultStateFile();
  switch (action) {
    case "presets":
      for (const p of listPresets()) print(`${p.name.padEnd(24)} ${p.description}`);
      return EXIT.ok;
    case "up":
      return up(opts, stateFile, print);
    case "down":
      if (opts.stack === "compose") return composeDown(print);
      return down(stateFile, print);
    case "status":
      return status(stateFile, print);
    case "logs":
      return logs(stateFile, print, opts.follow ?? false);
    default:
      throw new UserError(`unknown stack action "${action as string}"; use up, down, status, logs or presets.`);
  }
}

const liveComponents = (s: StackState) => s.components.filter((c) => pidAlive(c.pid));

function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, "").replace(/\..*$/, "").replace("T", "-");
}

async function loadDriver(kind: "local" | "compose"): Promise<StackDriver> {
  if (kind === "local") return localDriver;
  const path = "../stack/compose/driver.ts";
  try {
    const mod = (await import(path)) as { composeDriver?: StackDriver };
    if (mod.composeDriver) return mod.composeDriver;
  } catch {
    // fall through
  }
  throw new UserError("the compose stack driver is not available in this build; use --stack local.");
}

async function up(opts: StackCommandOptions, stateFile: string, print: (l: string) => void): Promise<number> {
  const existing = readState(stateFile);
  if (existing && liveComponents(existing).length > 0) {
    const owner = existing.ownerPid && pidAlive(existing.ownerPid) ? `, held by pid ${existing.ownerPid}` : ", detached";
    throw new UserError(`a stack is already running (${existing.topology.name} at ${existing.baseUrl}${owner}); stop it with \`rtsoak stack down\` first.`);
  }
  const kind = opts.stack ?? "local";
  if (opts.detach && kind !== "local") throw new UserError("--detach works with --stack local only; run the compose stack in the foreground.");
  const topology = resolveTopology(opts.topology ?? "nginx-iphash-2x1");
  const workDir = opts.workDir ?? join(process.cwd(), ".rtsoak", "stacks", `${timestamp()}-${topology.name}`);
  const driver = await loadDriver(kind);
  const t0 = Date.now();
  const stack: RunningStack =
    kind === "local"
      ? await localDriver.up(topology, { workDir, proxyPort: opts.port, onProgress: print, stateFile })
      : await driver.up(topology, { workDir, proxyPort: opts.port, onProgress: print });
  print(`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${stack.endpoints.baseUrl}`);
  if (stack.endpoints.proxyAccessLog) print(`access log: ${stack.endpoints.proxyAccessLog}`);
  for (const [id, file] of Object.entries(stack.endpoints.appLogs)) print(`${id} log: ${file}`);

  if (opts.detach && "detach" in stack) {
    const state = await (stack as { detach(): Promise<StackState> }).detach();
    print(`left running (pids ${state.components.map((c) => c.pid).join(", ")}); stop it with \`rtsoak stack down\``);
    return EXIT.ok;
  }

  print("Ctrl-C stops it");
  const signal = await untilSignal();
  print(`${signal}: stopping the stack`);
  await stack.down();
  print("stack stopped");
  return EXIT.ok;
}

/** Resolves with the first of SIGINT/SIGTERM/SIGHUP; keeps the process alive until then. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const keepAlive = setInterval(() => undefined, 1 << 30);
    const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
    const handler = (sig: NodeJS.Signals) => {
      clearInterval(keepAlive);
      for (const s of signals) process.off(s, handler);
      resolve(sig);
    };
    for (const s of signals) process.on(s, handler);
  });
}

/** Stops a stack described by a state file: through its owner when it has one, else directly. */
export async function stopRecordedStack(state: StackState): Promise<string[]> {
  const failures: string[] = [];
  if (state.ownerPid && pidAlive(state.ownerPid)) {
    signalPid(state.ownerPid, "SIGTERM");
    await pollUntil(() => !pidAlive(state.ownerPid!), 20_000, 100);
  }
  const order = [...state.components].sort((a, b) => (a.kind === "proxy" ? -1 : b.kind === "proxy" ? 1 : 0));
  for (const c of order) {
    try {
      await stopGroup(c.pgid, { signal: c.stopSignal, name: c.name });
    } catch (e) {
      failures.push((e as Error).message);
    }
  }
  if (state.watchdogPid) signalGroup(state.watchdogPid, "SIGKILL");
  return failures;
}

/** Removes what crashed compose runs left behind (projects whose owner process is gone). */
async function composeDown(print: (l: string) => void): Promise<number> {
  const { composeStackDown } = await import("../stack/compose/index.ts");
  const removed = await composeStackDown({ onSkip: (line) => print(line) });
  print(removed.length ? `removed ${removed.join(", ")}` : "no leftover compose stack of rtsoak's");
  return EXIT.ok;
}

async function down(stateFile: string, print: (l: string) => void): Promise<number> {
  const state = readState(stateFile);
  if (!state) {
    print("no stack is running (no .rtsoak/stack.json)");
    return EXIT.ok;
  }
  const live = liveComponents(state);
  const failures = await stopRecordedStack(state);
  removeState(stateFile);
  if (failures.length) throw new Error(`could not stop every process: ${failures.join("; ")}`);
  print(`stopped ${state.topology.name} (${live.length} component${live.length === 1 ? "" : "s"} were running)`);
  return EXIT.ok;
}

async function status(stateFile: string, print: (l: string) => void): Promise<number> {
  const state = readState(stateFile);
  if (!state) {
    print("no stack is running");
    return EXIT.gateFailed;
  }
  const owner = state.detached ? "detached" : state.ownerPid && pidAlive(state.ownerPid) ? `held by pid ${state.ownerPid}` : "owner gone";
  print(`${state.topology.name} at ${state.baseUrl} (${owner}, started ${state.startedAt})`);
  let healthy = true;
  for (const c of state.components) {
    const up = pidAlive(c.pid);
    healthy &&= up;
    print(`  ${c.name.padEnd(8)} 127.0.0.1:${c.port}  pid ${c.pid}  ${up ? "running" : "gone"}`);
  }
  try {
    const res = await fetch(`${state.baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
    print(`  healthz  ${res.status}`);
    healthy &&= res.status === 200;
  } catch (e) {
    print(`  healthz  no answer (${((e as Error).cause as Error | undefined)?.message ?? (e as Error).message})`);
    healthy = false;
  }
  return healthy ? EXIT.ok : EXIT.gateFailed;
}

async function logs(stateFile: string, print: (l: string) => void, follow: boolean): Promise<number> {
  const state = readState(stateFile);
  if (!state) throw new UserError("no stack is recorded in .rtsoak/stack.json; start one with `rtsoak stack up`.");
  const files: Record<string, string> = {};
  if (state.proxyAccessLog) files["access"] = state.proxyAccessLog;
  for (const c of state.components) files[c.name] = c.log;
  for (const [id, f] of Object.entries(state.appLogs)) files[id] ??= f;
  const offsets = printLogTails(files, print);
  if (!follow) return EXIT.ok;
  await followLogs(files, offsets, print);
  return EXIT.ok;
}
