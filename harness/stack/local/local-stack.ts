// A running local stack: redis-server, the app instances and the proxy, each a process
// group on 127.0.0.1. Owns starting/stopping components, proxy config (re)rendering and
// reloads, the watchdog's list of groups, the state file and teardown. The disruptions on
// top of it live in control.ts.
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { renderProxyConfig, NGINX_TEMP_DIRS, type Upstream } from "../render/index.ts";
import { removeState, writeState, type ComponentState, type StackState } from "../state-file.ts";
import type { RunningStack, StackControl, StackEndpoints, StackUpOptions, Topology } from "../types.ts";
import { appSpec, HOST, proxyCheckCommand, proxySpec, redisSpec, type ComponentSpec } from "./components.ts";
import { childrenOf } from "./proc-tree.ts";
import { cutProxyLog } from "./proxy-log-rotation.ts";
import { killGroupsNow, pollUntil, signalPid, spawnGroup, stopGroup, waitExit, type GroupProcess } from "./process-group.ts";
import { waitForHttp, waitForRedis, waitForRefused } from "./readiness.ts";
import { startWatchdog, type Watchdog } from "./watchdog.ts";

const run = promisify(execFile);

export interface LocalUpOptions extends StackUpOptions {
  /** Start the watchdog that stops everything if rtsoak dies, even by SIGKILL (default true). */
  watchdog?: boolean;
  /** Budget for each component to become ready (default 30 s). */
  readyTimeoutMs?: number;
  /** Keep this state file current while the stack runs (`rtsoak stack up`). */
  stateFile?: string;
}

export interface Instance {
  id: string;
  port: number;
  proc?: GroupProcess;
  spec?: ComponentSpec;
  /** Stopped on purpose (backend-down, kill of the instance); the proxy still lists it. */
  stopped: boolean;
}

interface Running {
  port: number;
  proc?: GroupProcess;
  spec?: ComponentSpec;
}

export interface Layout {
  workDir: string;
  logs: string;
  proxyConfig: string;
  proxyRunDir: string;
  proxyAccessLog: string;
  proxyErrorLog: string;
  proxyLog: string;
  redisDir: string;
  groupsFile: string;
}

export function layoutFor(workDir: string, t: Topology): Layout {
  const logs = join(workDir, "logs");
  return {
    workDir,
    logs,
    proxyConfig: join(workDir, "proxy", t.proxy === "haproxy" ? "haproxy.cfg" : "nginx.conf"),
    proxyRunDir: join(workDir, "proxy", "run"),
    proxyAccessLog: join(logs, "proxy-access.log"),
    proxyErrorLog: join(logs, "proxy-error.log"),
    proxyLog: join(logs, `${t.proxy}.log`),
    redisDir: join(workDir, "redis"),
    groupsFile: join(workDir, "watchdog-groups"),
  };
}

const alive = (p?: GroupProcess): p is GroupProcess => !!p && !p.exit;

export class LocalStack implements RunningStack {
  readonly endpoints: StackEndpoints;
  control!: StackControl;
  redis?: Running;
  instances: Instance[] = [];
  proxy?: Running & { extra: Upstream[] };
  readonly readyTimeoutMs: number;
  private watchdog?: Watchdog;
  private readonly exitHook = () => killGroupsNow(this.groups());
  private downPromise?: Promise<void>;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly startedAt = new Date().toISOString();
  private detached = false;

  constructor(
    readonly topology: Topology,
    readonly layout: Layout,
    readonly options: LocalUpOptions,
    ports: { redis?: number; instances: number[]; proxy?: number },
  ) {
    this.readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
    for (const dir of [layout.logs, join(layout.workDir, "proxy"), layout.proxyRunDir, layout.redisDir]) mkdirSync(dir, { recursive: true });
    for (const dir of NGINX_TEMP_DIRS) mkdirSync(join(layout.proxyRunDir, dir), { recursive: true });
    if (ports.redis !== undefined) this.redis = { port: ports.redis };
    this.instances = ports.instances.map((port, i) => ({ id: `app${i + 1}`, port, stopped: false }));
    if (ports.proxy !== undefined) this.proxy = { port: ports.proxy, extra: [] };
    const basePort = this.proxy ? this.proxy.port : this.instances[0].port;
    this.endpoints = {
      baseUrl: `http://${HOST}:${basePort}`,
      proxyAccessLog: this.proxy ? layout.proxyAccessLog : undefined,
      appLogs: Object.fromEntries(this.instances.map((i) => [i.id, this.appLog(i.id)])),
    };
    if (options.watchdog !== false) this.watchdog = startWatchdog(layout.groupsFile);
    process.on("exit", this.exitHook);
  }

  progress(line: string): void {
    this.options.onProgress?.(line);
  }

  appLog(id: string): string {
    return join(this.layout.logs, `${id}.log`);
  }

  /** Runs control actions one at a time. */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private procs(): GroupProcess[] {
    return [this.proxy?.proc, ...this.instances.map((i) => i.proc), this.redis?.proc].filter(alive);
  }

  groups(): number[] {
    return this.procs().map((p) => p.pgid);
  }

  /** Tell the watchdog and the state file about the current groups. */
  changed(): void {
    this.watchdog?.setGroups(this.groups());
    if (this.options.stateFile && !this.downPromise) writeState(this.options.stateFile, this.describe());
  }

  private async launch(spec: ComponentSpec): Promise<GroupProcess> {
    const proc = await spawnGroup(spec);
    this.changed();
    // a crash (not a stop we asked for) is worth a line
    void proc.exited.then(() => this.changed());
    return proc;
  }

  // --- redis -------------------------------------------------------------------------

  async startRedis(): Promise<void> {
    if (!this.redis) return;
    const t0 = Date.now();
    const spec = redisSpec(this.redis.port, this.layout.redisDir, join(this.layout.logs, "redis.log"));
    this.redis.spec = spec;
    this.redis.proc = await this.launch(spec);
    await waitForRedis(HOST, this.redis.port, { timeoutMs: this.readyTimeoutMs, process: this.redis.proc });
    this.progress(`redis ready on ${HOST}:${this.redis.port} (${elapsed(t0)})`);
  }

  async stopRedis(): Promise<void> {
    const proc = this.redis?.proc;
    if (!alive(proc)) return;
    await stopGroup(proc.pgid, { signal: "SIGTERM", name: "redis" });
    await waitExit(proc);
    this.changed();
    await waitForRefused(HOST, this.redis!.port, 5000);
  }

  redisUrl(): string | undefined {
    return this.redis ? `redis://${HOST}:${this.redis.port}` : undefined;
  }

  // --- app instances -------------------------------------------------------------------

  instance(id: string): Instance {
    const found = this.instances.find((i) => i.id === id);
    if (!found) throw new Error(`no instance "${id}" in this stack (instances: ${this.instances.map((i) => i.id).join(", ")})`);
    return found;
  }

  async startInstance(inst: Instance): Promise<void> {
    const t0 = Date.now();
    const spec = appSpec(this.topology, inst.id, inst.port, this.redisUrl(), this.appLog(inst.id));
    this.endpoints.appLogs[inst.id] = spec.logFile;
    inst.spec = spec;
    inst.proc = await this.launch(spec);
    inst.stopped = false;
    await waitForHttp(`http://${HOST}:${inst.port}/healthz`, { timeoutMs: this.readyTimeoutMs, process: inst.proc });
    const w = this.topology.workersPerInstance;
    this.progress(`${inst.id} ready on ${HOST}:${inst.port} (${this.topology.app}, ${w} worker${w > 1 ? "s" : ""}, ${elapsed(t0)})`);
  }

  /** Stops an instance's whole group; its port then refuses connections. */
  async stopInstance(inst: Instance, signal?: NodeJS.Signals): Promise<void> {
    const proc = inst.proc;
    inst.stopped = true;
    if (!alive(proc)) return;
    await stopGroup(proc.pgid, { signal: signal ?? inst.spec?.stopSignal ?? "SIGTERM", name: inst.id });
    await waitExit(proc);
    this.changed();
  }

  /** Worker pids of an instance: the children of its master. */
  workersOf(inst: Instance): number[] {
    return alive(inst.proc) ? childrenOf(inst.proc.pid) : [];
  }

  // --- proxy ------------------------------------------------------------------------------

  upstreams(): Upstream[] {
    return [...this.instances.map((i) => ({ id: i.id, address: `${HOST}:${i.port}` })), ...(this.proxy?.extra ?? [])];
  }

  private proxyFiles() {
    const l = this.layout;
    return { config: l.proxyConfig, runDir: l.proxyRunDir, logFile: l.proxyLog, accessLog: l.proxyAccessLog, errorLog: l.proxyErrorLog };
  }

  /** Renders the proxy config for the current upstreams and checks it with the proxy binary. */
  async writeProxyConfig(): Promise<void> {
    const text = renderProxyConfig(this.topology, {
      upstreams: this.upstreams(),
      listen: { host: HOST, port: this.proxy!.port },
      accessLog: this.layout.proxyAccessLog,
      errorLog: this.layout.proxyErrorLog,
      runDir: this.layout.proxyRunDir,
      workerProcesses: 1,
    });
    writeFileSync(this.layout.proxyConfig, text);
    const [cmd, args] = proxyCheckCommand(this.topology, this.proxyFiles());
    try {
      await run(cmd, args);
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      throw new Error(`${this.topology.proxy} refused the rendered config ${this.layout.proxyConfig}: ${(err.stderr || err.message).trim()}`);
    }
  }

  async startProxy(): Promise<void> {
    if (!this.proxy) return;
    const t0 = Date.now();
    await this.writeProxyConfig();
    const spec = proxySpec(this.topology, this.proxyFiles());
    this.proxy.spec = spec;
    this.proxy.proc = await this.launch(spec);
    await waitForHttp(`${this.endpoints.baseUrl}/healthz`, { timeoutMs: this.readyTimeoutMs, process: this.proxy.proc });
    const to = this.upstreams().map((u) => u.id).join(", ");
    this.progress(`${this.topology.proxy} ready on ${this.endpoints.baseUrl} → ${to} (stickiness ${this.topology.stickiness}, ${elapsed(t0)})`);
  }

  proxyWorkers(): number[] {
    return alive(this.proxy?.proc) ? childrenOf(this.proxy!.proc!.pid) : [];
  }

  /** Re-renders the config and reloads gracefully; resolves once new workers serve. */
  async reloadProxy(): Promise<string> {
    const proxy = this.proxy;
    if (!proxy || !alive(proxy.proc)) throw new Error(`the ${this.topology.proxy} proxy is not running`);
    await this.writeProxyConfig();
    const before = this.proxyWorkers();
    // nginx: HUP; HAProxy master-worker: USR2 re-executes the master and forks new workers
    signalPid(proxy.proc.pid, this.topology.proxy === "nginx" ? "SIGHUP" : "SIGUSR2");
    let after: number[] = [];
    const ok = await pollUntil(() => {
      after = this.proxyWorkers().filter((p) => !before.includes(p));
      return after.length > 0;
    }, 10_000);
    if (!ok) throw new Error(`${this.topology.proxy} started no new worker within 10 s of the reload signal; see ${this.layout.proxyErrorLog}`);
    return `${this.topology.proxy} reloaded (workers ${before.join(",") || "-"} → ${after.join(",")})`;
  }

  /** RunningStack.rotateProxyLog, one at a time with the disruptions (proxy-log-rotation.ts). */
  rotateProxyLog(drain: (file: string) => number): Promise<void> {
    return this.serial(() => {
      const proc = this.proxy?.proc;
      if (!alive(proc)) throw new Error(`the ${this.topology.proxy} proxy is not running`);
      return cutProxyLog(this.topology.proxy, proc.pgid, this.layout.proxyAccessLog, drain);
    });
  }

  // --- whole stack ----------------------------------------------------------------------

  describe(): StackState {
    const components: ComponentState[] = [];
    const add = (name: string, kind: ComponentState["kind"], r: { port: number; proc?: GroupProcess; spec?: ComponentSpec }) => {
      if (alive(r.proc)) components.push({ name, kind, pid: r.proc.pid, pgid: r.proc.pgid, port: r.port, log: r.proc.logFile, stopSignal: r.spec?.stopSignal ?? "SIGTERM" });
    };
    if (this.proxy) add(this.topology.proxy, "proxy", this.proxy);
    for (const i of this.instances) add(i.id, "app", i);
    if (this.redis) add("redis", "redis", this.redis);
    return {
      version: 1,
      driver: "local",
      ownerPid: this.detached ? undefined : process.pid,
      detached: this.detached,
      startedAt: this.startedAt,
      topology: this.topology,
      workDir: this.layout.workDir,
      baseUrl: this.endpoints.baseUrl,
      proxyAccessLog: this.endpoints.proxyAccessLog,
      appLogs: { ...this.endpoints.appLogs },
      components,
      watchdogPid: this.detached ? undefined : this.watchdog?.pid,
    };
  }

  /** Leave the stack running after rtsoak exits: no watchdog, no exit hook. */
  async detach(): Promise<StackState> {
    this.detached = true;
    await this.watchdog?.stop();
    this.watchdog = undefined;
    process.off("exit", this.exitHook);
    const state = this.describe();
    if (this.options.stateFile) writeState(this.options.stateFile, state);
    return state;
  }

  async status(): Promise<string[]> {
    const lines: string[] = [`${this.topology.name}: ${this.endpoints.baseUrl}`];
    const show = (name: string, r: { port: number; proc?: GroupProcess }, extra = "") =>
      lines.push(`${name.padEnd(8)} ${HOST}:${r.port}  ${alive(r.proc) ? `pid ${r.proc.pid}${extra}` : "stopped"}`);
    if (this.proxy) show(this.topology.proxy, this.proxy, `, workers ${this.proxyWorkers().join(",")}`);
    for (const i of this.instances) show(i.id, i, `, workers ${this.workersOf(i).join(",")}`);
    if (this.redis) show("redis", this.redis);
    return lines;
  }

  down(): Promise<void> {
    this.downPromise ??= this.teardown();
    return this.downPromise;
  }

  private async teardown(): Promise<void> {
    const failures: string[] = [];
    const stop = async (name: string, r?: { proc?: GroupProcess; spec?: ComponentSpec }) => {
      if (!alive(r?.proc)) return;
      try {
        await stopGroup(r.proc.pgid, { signal: r.spec?.stopSignal ?? "SIGTERM", name });
      } catch (e) {
        failures.push(`${name}: ${(e as Error).message}`);
      }
    };
    await stop(this.topology.proxy, this.proxy);
    await Promise.all([...this.instances.map((i) => stop(i.id, i)), stop("redis", this.redis)]);
    await this.watchdog?.stop();
    process.off("exit", this.exitHook);
    if (this.options.stateFile) removeState(this.options.stateFile);
    if (failures.length) throw new Error(`stack teardown left processes behind: ${failures.join("; ")}`);
  }
}

function elapsed(t0: number): string {
  return `${((Date.now() - t0) / 1000).toFixed(1)} s`;
}
