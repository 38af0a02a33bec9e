// One running compose project and what every disruption needs from it: its containers by
// service, the proxy config (re-rendered from the live containers) and its graceful reload,
// log followers, and a queue so actions run one at a time.
import { writeFileSync, renameSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../../errors.ts";
import type { Upstream } from "../render/index.ts";
import type { Topology } from "../types.ts";
import { composeRun, type ComposeProject } from "./compose-cli.ts";
import { containerProcesses, mainAndWorkers, pollFor, projectContainers, waitHealthy, waitProbe, type ProjectContainer } from "./containers.ts";
import { docker, run } from "./docker-cli.ts";
import type { LogCollector } from "./log-collector.ts";
import { IN_CONTAINER, proxyConfigFile, renderContainerProxyConfig, type ProxyDiscovery } from "./proxy-config.ts";

export type ProxyKind = "nginx" | "haproxy";

export interface ComposeStackSpec {
  /** rtsoak: our compose files, our rendered proxy config. user: the user's file, driven as is. */
  mode: "rtsoak" | "user";
  project: ComposeProject;
  services: { app: string; proxy?: string; redis?: string };
  topology: Topology;
  workDir: string;
  logDir: string;
  /** Folder mounted into the proxy container (rtsoak mode). */
  proxyDir: string;
  discovery: ProxyDiscovery;
  onProgress: (line: string) => void;
}

const RELOAD_BUDGET_MS = 15_000;

/** `kill -SIG pid` inside a container (the shell's builtin: slim images have no kill binary). */
export async function signalInContainer(containerId: string, pid: number, signal: string): Promise<void> {
  await docker(["exec", containerId, "sh", "-c", `kill -${signal} ${pid}`], { timeoutMs: 15_000 });
}

/** Writes the proxy config atomically into the folder bind-mounted into the proxy container. */
export function writeProxyConfigFile(spec: ComposeStackSpec, upstreams: Upstream[]): string {
  const text = renderContainerProxyConfig(spec.topology, { upstreams, discovery: spec.discovery, appService: spec.services.app });
  const file = join(spec.proxyDir, proxyConfigFile(spec.topology));
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
  return file;
}

export class ComposeStack {
  /** Last address seen per app replica number: stopped containers keep their place in the config. */
  private readonly lastIp = new Map<number, string>();
  /** Dead addresses added by staleUpstream (kept across re-renders, like a stale config). */
  readonly staleExtras: Upstream[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  proxyKind?: ProxyKind;
  /** App instance ids as of the last look at the containers ("app1", "app2"). */
  instanceIds: string[] = [];

  constructor(
    readonly spec: ComposeStackSpec,
    readonly logs: LogCollector,
  ) {
    const p = spec.topology.proxy;
    if (spec.mode === "rtsoak" && (p === "nginx" || p === "haproxy")) this.proxyKind = p;
  }

  get topology(): Topology {
    return this.spec.topology;
  }

  /** Runs actions one at a time, in call order. */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  compose(args: string[], timeoutMs = 180_000): Promise<string> {
    return composeRun(this.spec.project, args, { timeoutMs });
  }

  async containers(): Promise<ProjectContainer[]> {
    const list = await projectContainers(this.spec.project.name);
    for (const c of list) if (c.service === this.spec.services.app && c.ip && c.state === "running") this.lastIp.set(c.number, c.ip);
    return list;
  }

  async serviceContainers(service: string | undefined): Promise<ProjectContainer[]> {
    if (!service) return [];
    return (await this.containers()).filter((c) => c.service === service);
  }

  async appContainers(): Promise<ProjectContainer[]> {
    const apps = await this.serviceContainers(this.spec.services.app);
    this.instanceIds = apps.map(ComposeStack.instanceId);
    return apps;
  }

  /** The address a replica had when last seen running (stopped containers lose theirs). */
  lastAddress(c: ProjectContainer): string | undefined {
    return c.ip ?? this.lastIp.get(c.number);
  }

  static instanceId(c: ProjectContainer): string {
    return `app${c.number}`;
  }

  async appContainer(instance: string): Promise<ProjectContainer> {
    const all = await this.appContainers();
    const found = all.find((c) => ComposeStack.instanceId(c) === instance);
    if (!found) throw new UserError(`instance "${instance}" is not in this stack (it has ${all.map(ComposeStack.instanceId).join(", ") || "none"}); pick one of those.`);
    return found;
  }

  async single(service: string | undefined, what: string): Promise<ProjectContainer> {
    const [c] = await this.serviceContainers(service);
    if (!c) throw new UserError(`the stack has no ${what} container (service "${service ?? "none"}"); check the service name.`);
    return c;
  }

  /**
   * Resolves once a (re)started container serves: rtsoak's images by their own probe, a user's
   * containers by Docker's health status when they have a check, else by a listening TCP socket.
   */
  waitReady(c: ProjectContainer, budgetMs: number): Promise<ProjectContainer> {
    const label = this.label(c);
    return this.spec.mode === "rtsoak" ? waitProbe(c.id, label, budgetMs) : waitHealthy(c.id, label, budgetMs);
  }

  /** Label of a container in logs and status: app1…, proxy, redis (plus the number when scaled). */
  label(c: ProjectContainer): string {
    if (c.service === this.spec.services.app) return ComposeStack.instanceId(c);
    if (c.service === this.spec.services.proxy) return c.number > 1 ? `proxy${c.number}` : "proxy";
    if (c.service === this.spec.services.redis) return c.number > 1 ? `redis${c.number}` : "redis";
    return c.number > 1 ? `${c.service}${c.number}` : c.service;
  }

  /** App log files by instance id; grows as replicas appear (removed ones keep their files). */
  readonly appLogs: Record<string, string> = {};

  /** Starts a log follower for every container not yet followed; returns the app log files. */
  async followAll(): Promise<Record<string, string>> {
    for (const c of await this.containers()) {
      const file = this.logs.follow(c.id, this.label(c));
      if (c.service === this.spec.services.app) this.appLogs[this.label(c)] = file;
    }
    return this.appLogs;
  }

  // ---- the proxy ----

  /** Upstreams for the config: running replicas by container name, stopped ones by last address. */
  upstreamsFrom(apps: ProjectContainer[], only?: (c: ProjectContainer) => boolean): Upstream[] {
    const ups: Upstream[] = [];
    for (const c of apps.filter(only ?? (() => true))) {
      const address = c.state === "running" ? c.name : this.lastAddress(c);
      if (address) ups.push({ id: ComposeStack.instanceId(c), address: `${address}:${IN_CONTAINER.appPort}` });
    }
    return [...ups, ...this.staleExtras];
  }

  configPath(): string {
    return join(this.spec.proxyDir, proxyConfigFile(this.topology));
  }

  writeProxyConfig(upstreams: Upstream[]): string {
    return writeProxyConfigFile(this.spec, upstreams);
  }

  private async proxyWorkers(proxy: ProjectContainer): Promise<{ main?: number; workers: number[] }> {
    const { main, workers } = mainAndWorkers(await containerProcesses(proxy.id));
    return { main: main?.pid, workers: workers.map((w) => w.pid) };
  }

  /** Which proxy runs in the user's proxy container (by process name). */
  private async detectProxyKind(proxy: ProjectContainer): Promise<ProxyKind> {
    if (this.proxyKind) return this.proxyKind;
    const procs = await containerProcesses(proxy.id);
    if (procs.some((p) => p.comm === "nginx")) return (this.proxyKind = "nginx");
    if (procs.some((p) => p.comm === "haproxy")) return (this.proxyKind = "haproxy");
    const names = [...new Set(procs.map((p) => p.comm))].join(", ");
    throw new UserError(`proxy-reload knows nginx and HAProxy, but service "${proxy.service}" runs ${names}; reload it yourself or use one of those.`);
  }

  /** Syntax check inside the proxy container; throws with the proxy's own message. */
  private async checkConfig(proxy: ProjectContainer, kind: ProxyKind): Promise<void> {
    const cfg = `${IN_CONTAINER.configDir}/${proxyConfigFile(this.topology)}`;
    const args = kind === "nginx" ? ["nginx", "-t", "-q", "-c", cfg, "-p", `${IN_CONTAINER.runDir}/`] : ["haproxy", "-c", "-q", "-f", cfg];
    const res = await run("docker", ["exec", proxy.id, ...args], { timeoutMs: 20_000 });
    if (res.code !== 0) throw new Error(`the re-rendered ${kind} config does not pass \`${args.slice(0, 2).join(" ")}\`: ${(res.stderr || res.stdout).trim().split("\n").slice(-3).join(" | ")}`);
  }

  /**
   * Graceful reload: (rtsoak mode) re-render from the live containers and check the file,
   * then SIGHUP (nginx) / SIGUSR2 (HAProxy master) to the proxy's main process, and wait for
   * a new worker process. A config the proxy refuses is put back and the error thrown.
   */
  async reloadProxy(opts: { render?: boolean; only?: (c: ProjectContainer) => boolean } = {}): Promise<string> {
    const proxy = await this.single(this.spec.services.proxy, "proxy");
    if (proxy.state !== "running") throw new UserError(`the proxy container ${proxy.name} is ${proxy.state}; start it before reloading it.`);
    const kind = await this.detectProxyKind(proxy);
    let count = "";
    if (this.spec.mode === "rtsoak" && opts.render !== false) {
      const file = this.configPath();
      const previous = existsSync(file) ? readFileSync(file, "utf8") : undefined;
      const ups = this.upstreamsFrom(await this.appContainers(), opts.only);
      this.writeProxyConfig(ups);
      try {
        await this.checkConfig(proxy, kind);
      } catch (err) {
        if (previous !== undefined) writeFileSync(file, previous);
        throw err;
      }
      count = this.spec.discovery === "dns" && kind === "haproxy" ? ", DNS discovery" : `, ${ups.length} upstream${ups.length === 1 ? "" : "s"}`;
    }
    const before = await this.proxyWorkers(proxy);
    if (!before.main) throw new Error(`no proxy process found in ${proxy.name}`);
    const signal = kind === "nginx" ? "HUP" : "USR2";
    await signalInContainer(proxy.id, before.main, signal);
    const fresh = await pollFor(async () => {
      const now = await this.proxyWorkers(proxy);
      const added = now.workers.filter((p) => !before.workers.includes(p));
      return added.length ? added : undefined;
    }, RELOAD_BUDGET_MS, 100);
    if (!fresh) throw new Error(`${kind} in ${proxy.name} started no new worker within ${RELOAD_BUDGET_MS / 1000} s of SIG${signal}; see ${this.logs.fileFor("proxy")}`);
    return `${kind} reloaded (SIG${signal}; workers ${before.workers.join(",") || "-"} → ${fresh.join(",")}${count})`;
  }

  /** The first address of the project network's subnet that no container holds (from the top). */
  async unusedAddress(): Promise<string> {
    const apps = await this.appContainers();
    const network = apps.find((c) => c.network)?.network;
    if (!network) throw new Error("the app containers are on no network, so no stale address can be picked");
    const subnet = (await docker(["network", "inspect", "--format", "{{range .IPAM.Config}}{{.Subnet}} {{end}}", network])).trim().split(/\s+/).find((s) => /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(s));
    if (!subnet) throw new Error(`network ${network} has no IPv4 subnet`);
    const [base, bits] = subnet.split("/");
    const toInt = (ip: string) => ip.split(".").reduce((a, o) => a * 256 + Number(o), 0);
    const toIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
    const first = toInt(base);
    const last = first + 2 ** (32 - Number(bits)) - 1;
    const used = new Set((await this.containers()).map((c) => c.ip).filter(Boolean));
    for (const e of this.staleExtras) used.add(e.address.split(":")[0]);
    for (let n = last - 1; n > first + 1; n--) if (!used.has(toIp(n))) return toIp(n);
    throw new Error(`no free address left in ${subnet}`);
  }
}
