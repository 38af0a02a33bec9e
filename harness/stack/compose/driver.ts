// The compose stack driver: the same topology as the local driver, as containers started by
// testcontainers' DockerComposeEnvironment (v2 plugin or standalone docker-compose, detected),
// plus the user's own compose file driven with the same disruptions. No Ryuk: the project name
// carries the owner pid and cleanup.ts removes it on every exit path.
import { existsSync, mkdirSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { UserError } from "../../errors.ts";
import { isPortFree } from "../../net/ports.ts";
import type { RunningStack, StackDriver, StackUpOptions, Topology } from "../types.ts";
import { forgetOnExit, newProjectName, removeOnExit, removeProject } from "./cleanup.ts";
import { detectCompose, testcontainersExecutable, type ComposeProject, type ComposeTool } from "./compose-cli.ts";
import { ComposeStack, writeProxyConfigFile, type ComposeStackSpec } from "./compose-stack.ts";
import { containerProcesses, publishedAddress, waitHealthy, type ProjectContainer } from "./containers.ts";
import { createComposeControl, type ComposeControl } from "./control.ts";
import { requireDaemon, run } from "./docker-cli.ts";
import { COMPOSE_DIR, ensureImages, imageRef, type ImageName } from "./images.ts";
import { LogCollector } from "./log-collector.ts";
import { IN_CONTAINER, type ProxyDiscovery } from "./proxy-config.ts";

// testcontainers' reaper image cannot be pulled here; our own cleanup replaces it.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";

export interface ComposeDriverOptions {
  /** HAProxy: `dns` fills server-template slots from Docker's DNS instead of a static list. */
  discovery?: ProxyDiscovery;
  /** Budget for the whole stack to become healthy (default 120 s). */
  readyTimeoutMs?: number;
}

/** A StackDriver whose stacks carry the compose extras. */
export interface ComposeStackDriver extends StackDriver {
  up(topology: Topology, options: StackUpOptions): Promise<ComposeRunningStack>;
}

/** The compose stack a driver returns: a RunningStack whose control has the compose extras. */
export interface ComposeRunningStack extends RunningStack {
  control: ComposeControl;
  /** The compose project name (rtsoak-<pid>-<hex>): every container and network carries it. */
  project: string;
  /** Every container of the project now. */
  containers(): Promise<ProjectContainer[]>;
}

const APP_SERVICE = "app";
const PROXY_SERVICE = "proxy";
const REDIS_SERVICE = "redis";

function imagesFor(t: Topology): ImageName[] {
  const names: ImageName[] = [t.app === "flask" ? "app-flask" : "app-node"];
  if (t.proxy !== "none") names.push(t.proxy);
  if (t.redis) names.push("redis");
  return names;
}

function composeEnv(t: Topology, dirs: { proxyDir: string; logDir: string }, publish: string): Record<string, string> {
  const redisUrl = t.redis ? `redis://${REDIS_SERVICE}:6379` : "";
  const flask = t.flask ?? { workerClass: "geventwebsocket", asyncMode: "gevent" };
  return {
    RTSOAK_APP_IMAGE: imageRef(t.app === "flask" ? "app-flask" : "app-node"),
    RTSOAK_PROXY_IMAGE: t.proxy === "none" ? "" : imageRef(t.proxy),
    RTSOAK_REDIS_IMAGE: imageRef("redis"),
    RTSOAK_WORKERS: String(t.workersPerInstance),
    RTSOAK_MAX_REQUESTS: String(t.maxRequests),
    RTSOAK_MAX_REQUESTS_JITTER: String(t.maxRequestsJitter),
    RTSOAK_ADAPTER: t.adapter,
    RTSOAK_REDIS_URL: redisUrl,
    RTSOAK_MESSAGE_QUEUE: t.adapter === "redis" ? redisUrl : "",
    RTSOAK_PING_INTERVAL: String(t.pingIntervalMs),
    RTSOAK_PING_TIMEOUT: String(t.pingTimeoutMs),
    RTSOAK_WORKER_CLASS: flask.workerClass,
    RTSOAK_ASYNC_MODE: flask.asyncMode,
    RTSOAK_PROXY_CONFIG_DIR: dirs.proxyDir,
    RTSOAK_LOG_DIR: dirs.logDir,
    [t.proxy === "none" ? "RTSOAK_APP_PUBLISH" : "RTSOAK_PROXY_PUBLISH"]: publish,
  };
}

async function publishSpec(port: number | undefined, containerPort: number): Promise<string> {
  if (port === undefined) return `127.0.0.1::${containerPort}`; // Docker picks a free port
  if (!(await isPortFree(port))) throw new UserError(`port ${port} on 127.0.0.1 is in use; pick another with --port or leave it out to get a free one.`);
  return `127.0.0.1:${port}:${containerPort}`;
}

/** testcontainers' messages, made to name the stack and point at the logs. */
function startError(err: unknown, project: string, logDir: string): Error {
  const msg = (err as Error).message ?? String(err);
  if (/port is already allocated|address already in use/i.test(msg)) {
    return new UserError(`the proxy port is already taken (${msg.split("\n")[0]}); pick another with --port or leave it out.`);
  }
  return new Error(`compose stack ${project} did not start: ${msg.split("\n").slice(0, 3).join(" | ")} (container logs: ${logDir})`);
}

interface UpPlan {
  spec: ComposeStackSpec;
  tool: ComposeTool;
  /** Extra arguments for `compose up` (e.g. --scale app=2). */
  upArgs: string[];
  /** Run each image's own probe (rtsoak's images) or wait only for ports (the user's may have none). */
  wait: "probe" | "ports";
  readyTimeoutMs: number;
  /** Runs after the containers are up and before the stack is handed out. */
  afterUp: (stack: ComposeStack) => Promise<{ baseUrl: string; topology: Topology }>;
  proxyAccessLog?: string;
}

/** Shared by both modes: up through testcontainers, log followers, teardown on failure. */
async function bringUp(plan: UpPlan): Promise<ComposeRunningStack> {
  const { spec } = plan;
  const { name: project } = spec.project;
  const logs = new LogCollector(spec.logDir);
  const stack = new ComposeStack(spec, logs);
  const t0 = Date.now();

  let downing: Promise<void> | undefined;
  const down = () =>
    (downing ??= (async () => {
      try {
        await stack.compose(["down", "-v", "--remove-orphans", "-t", "3"], 120_000);
      } catch (err) {
        spec.onProgress(`compose down failed (${(err as Error).message}); removing the containers by label`);
      }
      await removeProject(project); // whatever compose left (it should be nothing)
      await logs.close();
      forgetOnExit(project);
    })());

  removeOnExit(project);
  // follow containers as they appear, so a start that fails still leaves their logs
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      await stack.followAll().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 400));
    }
  })();

  let baseUrl: string;
  let topology: Topology;
  try {
    const { DockerComposeEnvironment, Wait } = await import("testcontainers");
    const environment = new DockerComposeEnvironment(spec.project.dir, spec.project.files)
      .withProjectName(project)
      .withEnvironment(spec.project.env)
      .withAutoCleanup(false)
      .withClientOptions({ executable: testcontainersExecutable(plan.tool), commandOptions: plan.upArgs })
      .withDefaultWaitStrategy(plan.wait === "probe" ? Wait.forSuccessfulCommand("rtsoak-healthcheck") : Wait.forListeningPorts())
      .withStartupTimeout(plan.readyTimeoutMs);
    spec.onProgress(`compose up ${project} (${plan.tool.kind === "plugin" ? "docker compose" : `docker-compose ${plan.tool.version}`}; files ${spec.project.files.map((f) => basename(f)).join(", ")})`);
    await environment.up();
    watching = false;
    await watcher;
    ({ baseUrl, topology } = await plan.afterUp(stack));
  } catch (err) {
    watching = false;
    await watcher;
    await stack.followAll().catch(() => undefined);
    await down().catch(() => undefined);
    throw err instanceof UserError ? err : startError(err, project, spec.logDir);
  }

  const appLogs = await stack.followAll();
  const control = createComposeControl(stack);
  spec.onProgress(`compose stack ${project} healthy in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${baseUrl}`);

  return {
    topology,
    project,
    endpoints: { baseUrl, proxyAccessLog: plan.proxyAccessLog, appLogs },
    control,
    containers: () => stack.containers(),
    status: async () => {
      const lines = [`compose project ${project} (${spec.mode === "user" ? basename(spec.project.files[0]) : "rtsoak replica"}) at ${baseUrl}`];
      for (const c of await stack.containers()) {
        lines.push(`  ${stack.label(c).padEnd(8)} ${c.name}  ${c.state}${c.health ? ` (${c.health})` : ""}  ${c.ip ?? ""}`);
      }
      try {
        const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
        lines.push(`  healthz  ${res.status}`);
      } catch (e) {
        lines.push(`  healthz  no answer (${(e as Error).message})`);
      }
      return lines;
    },
    down,
  };
}

/** The driver for rtsoak's own replica (compose/docker-compose*.yml). */
export function createComposeDriver(options: ComposeDriverOptions = {}): ComposeStackDriver {
  return {
    name: "compose",
    async up(topology: Topology, upOptions: StackUpOptions): Promise<ComposeRunningStack> {
      const onProgress = upOptions.onProgress ?? (() => undefined);
      await requireDaemon();
      const tool = await detectCompose();
      await ensureImages(imagesFor(topology), onProgress);
      const workDir = resolve(upOptions.workDir);
      const logDir = join(workDir, "logs");
      const proxyDir = join(workDir, "proxy");
      mkdirSync(logDir, { recursive: true });
      mkdirSync(proxyDir, { recursive: true });
      const hasProxy = topology.proxy !== "none";
      const publish = await publishSpec(upOptions.proxyPort, hasProxy ? IN_CONTAINER.proxyPort : IN_CONTAINER.appPort);
      const files = ["docker-compose.yml", hasProxy ? "docker-compose.proxy.yml" : "docker-compose.direct.yml"];
      if (topology.redis) files.push("docker-compose.redis.yml");
      const project: ComposeProject = { name: newProjectName(), dir: COMPOSE_DIR, files, env: composeEnv(topology, { proxyDir, logDir }, publish) };
      const discovery: ProxyDiscovery = topology.proxy === "haproxy" ? (options.discovery ?? "static") : "static";
      const spec: ComposeStackSpec = {
        mode: "rtsoak",
        project,
        services: { app: APP_SERVICE, proxy: hasProxy ? PROXY_SERVICE : undefined, redis: topology.redis ? REDIS_SERVICE : undefined },
        topology,
        workDir,
        logDir,
        proxyDir,
        discovery,
        onProgress,
      };
      if (topology.stickiness === "ip-hash") {
        onProgress("note: behind Docker's published port every client arrives from the bridge gateway's address, so ip-hash pins all load to one app container; use cookie (HAProxy) or header stickiness to spread it");
      }
      // the config names the replicas compose is about to create (<project>_app_<n> / <project>-app-<n>)
      if (hasProxy) {
        const s = tool.separator;
        writeProxyConfigFile(
          spec,
          Array.from({ length: topology.instances }, (_, i) => ({ id: `app${i + 1}`, address: `${project.name}${s}${APP_SERVICE}${s}${i + 1}:${IN_CONTAINER.appPort}` })),
        );
      }
      onProgress(`starting ${topology.name} as compose project ${project.name} in ${workDir}`);
      return bringUp({
        spec,
        tool,
        upArgs: ["--scale", `${APP_SERVICE}=${topology.instances}`],
        wait: "probe",
        readyTimeoutMs: options.readyTimeoutMs ?? 120_000,
        proxyAccessLog: hasProxy ? join(logDir, "proxy-access.log") : undefined,
        afterUp: async (stack) => {
          const apps = await stack.appContainers();
          if (apps.length !== topology.instances) throw new Error(`compose started ${apps.length} app containers, expected ${topology.instances}`);
          let front: ProjectContainer;
          if (hasProxy) {
            front = await stack.single(PROXY_SERVICE, "proxy");
            const predicted = apps.map((_, i) => `${project.name}${tool.separator}${APP_SERVICE}${tool.separator}${i + 1}`);
            if (apps.some((c, i) => c.name !== predicted[i])) onProgress(`app containers are named ${apps.map((c) => c.name).join(", ")}: ${await stack.reloadProxy()}`);
          } else {
            front = apps[0];
          }
          const baseUrl = `http://${await publishedAddress(front.id, `${hasProxy ? IN_CONTAINER.proxyPort : IN_CONTAINER.appPort}/tcp`)}`;
          return { baseUrl, topology };
        },
      });
    },
  };
}

/** rtsoak's replica with a static proxy config (HAProxy too). */
export const composeDriver: ComposeStackDriver = createComposeDriver();

export interface UserComposeOptions {
  /** The user's compose file. */
  file: string;
  /** Service names in it. */
  proxyService: string;
  appService: string;
  redisService?: string;
  /** The host port the proxy service publishes (the load goes to http://127.0.0.1:<port>). */
  proxyPort: number;
  readyTimeoutMs?: number;
}

async function servicesOf(tool: ComposeTool, file: string): Promise<string[]> {
  const res = await run(tool.executable, [...tool.prefix, "-f", file, "config", "--services"], { cwd: dirname(file), timeoutMs: 60_000 });
  if (res.code !== 0) throw new UserError(`compose cannot read ${file} (${(res.stderr || res.stdout).trim().split("\n").pop()}); fix the file and try again.`);
  return res.stdout.split("\n").map((s) => s.trim()).filter(Boolean);
}

/** Polls a Socket.IO polling handshake until it answers 200 `0{…}`. */
async function waitForHandshake(baseUrl: string, budgetMs: number): Promise<void> {
  const end = Date.now() + budgetMs;
  let last = "no answer";
  while (Date.now() < end) {
    try {
      const res = await fetch(`${baseUrl}/socket.io/?EIO=4&transport=polling&t=rtsoak`, { signal: AbortSignal.timeout(3_000) });
      const body = await res.text();
      if (res.status === 200 && body.startsWith("0{")) return;
      last = `${res.status} ${body.slice(0, 80)}`;
    } catch (e) {
      last = ((e as Error).cause as Error | undefined)?.message ?? (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new UserError(`no Socket.IO handshake through ${baseUrl}/socket.io/ after ${budgetMs / 1000} s (last: ${last}); check the proxy port and that the proxy routes /socket.io/ to the app.`);
}

/**
 * The user's own compose stack, driven with rtsoak's disruptions: recycle/kill signal the app
 * containers, scale runs `--scale <app>=N` and reloads their proxy (nginx SIGHUP, HAProxy
 * master SIGUSR2; its config must name the app service so a reload picks up new replicas),
 * stale-upstream recreates the app containers without reloading the proxy.
 */
export function composeDriverForUserFile(opts: UserComposeOptions): ComposeStackDriver {
  return {
    name: "compose",
    async up(topology: Topology, upOptions: StackUpOptions): Promise<ComposeRunningStack> {
      const onProgress = upOptions.onProgress ?? (() => undefined);
      const file = resolve(opts.file);
      if (!existsSync(file)) throw new UserError(`compose file ${opts.file} does not exist; check the --compose-file path.`);
      await requireDaemon();
      const tool = await detectCompose();
      const services = await servicesOf(tool, file);
      const named = { proxy: opts.proxyService, app: opts.appService, redis: opts.redisService };
      for (const [role, name] of Object.entries(named)) {
        if (name !== undefined && !services.includes(name)) {
          throw new UserError(`${basename(file)} has no service "${name}" (the ${role} service); it has ${services.join(", ")}: pass one of those.`);
        }
      }
      const port = upOptions.proxyPort ?? opts.proxyPort;
      if (!(await isPortFree(port))) throw new UserError(`port ${port} on 127.0.0.1 is already in use, so ${basename(file)}'s proxy cannot publish it; stop what holds it.`);
      const workDir = resolve(upOptions.workDir);
      const logDir = join(workDir, "logs");
      mkdirSync(logDir, { recursive: true });
      const spec: ComposeStackSpec = {
        mode: "user",
        project: { name: newProjectName("user"), dir: dirname(file), files: [file], env: {} },
        services: { app: opts.appService, proxy: opts.proxyService, redis: opts.redisService },
        topology,
        workDir,
        logDir,
        proxyDir: join(workDir, "proxy"),
        discovery: "static",
        onProgress,
      };
      const budget = opts.readyTimeoutMs ?? 120_000;
      onProgress(`starting ${basename(file)} as compose project ${spec.project.name}`);
      return bringUp({
        spec,
        tool,
        upArgs: [],
        wait: "ports",
        readyTimeoutMs: budget,
        afterUp: async (stack) => {
          const all = await stack.containers();
          await Promise.all(all.filter((c) => c.health !== undefined).map((c) => waitHealthy(c.id, `${c.service} (${c.name})`, budget)));
          const proxy = await stack.single(opts.proxyService, "proxy");
          const published = await run("docker", ["port", proxy.id], { timeoutMs: 15_000 });
          if (!new RegExp(`:${port}\\s*$`, "m").test(published.stdout)) {
            throw new UserError(`service "${opts.proxyService}" does not publish host port ${port} (it publishes ${published.stdout.trim().replace(/\n/g, ", ") || "nothing"}); pass the port it publishes.`);
          }
          const baseUrl = `http://127.0.0.1:${port}`;
          await waitForHandshake(baseUrl, budget);
          const apps = await stack.appContainers();
          let kind: Topology["proxy"] = topology.proxy;
          try {
            const procs = await containerProcesses(proxy.id);
            kind = procs.some((p) => p.comm === "nginx") ? "nginx" : procs.some((p) => p.comm === "haproxy") ? "haproxy" : kind;
          } catch {
            // the proxy image may have no shell: keep the topology's proxy kind
          }
          return { baseUrl, topology: { ...topology, name: `compose-file:${basename(file)}`, instances: apps.length, proxy: kind, redis: Boolean(opts.redisService) } };
        },
      });
    },
  };
}
