// The compose stack driver for rtsoak's replica: the same topology as the local driver, as
// containers of compose/docker-compose*.yml started by testcontainers' DockerComposeEnvironment
// (v2 plugin or standalone docker-compose, detected). The proxy config is rendered from the
// topology with the replicas' container names. The user's own compose file: user-file-driver.ts.
// No Ryuk: the project name carries the owner pid and cleanup.ts removes it on every exit path.
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { UserError } from "../../errors.ts";
import { isPortFree } from "../../net/ports.ts";
import type { StackUpOptions, Topology } from "../types.ts";
import { bringUp, type ComposeRunningStack, type ComposeStackDriver } from "./bring-up.ts";
import { newProjectName } from "./cleanup.ts";
import { detectCompose, type ComposeProject } from "./compose-cli.ts";
import { writeProxyConfigFile, type ComposeStackSpec } from "./compose-stack.ts";
import { publishedAddress, type ProjectContainer } from "./containers.ts";
import { requireDaemon } from "./docker-cli.ts";
import { COMPOSE_DIR, ensureImages, imageRef, type ImageName } from "./images.ts";
import { IN_CONTAINER, type ProxyDiscovery } from "./proxy-config.ts";

export interface ComposeDriverOptions {
  /** HAProxy: `dns` fills server-template slots from Docker's DNS instead of a static list. */
  discovery?: ProxyDiscovery;
  /** Budget for the whole stack to become healthy (default 120 s). */
  readyTimeoutMs?: number;
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

export { composeDriverForUserFile, type UserComposeOptions } from "./user-file-driver.ts";
export type { ComposeRunningStack, ComposeStackDriver } from "./bring-up.ts";
