// Bringing a compose project up, shared by rtsoak's replica and the user's own file: up through
// testcontainers' DockerComposeEnvironment (each container waited for), log followers from the
// first second (a failed start still leaves its logs), teardown on failure and on down().
import { basename } from "node:path";
import { UserError } from "../../errors.ts";
import type { RunningStack, StackDriver, StackUpOptions, Topology } from "../types.ts";
import { forgetOnExit, removeOnExit, removeProject } from "./cleanup.ts";
import { testcontainersExecutable, type ComposeTool } from "./compose-cli.ts";
import { ComposeStack, type ComposeStackSpec } from "./compose-stack.ts";
import type { ProjectContainer } from "./containers.ts";
import { createComposeControl, type ComposeControl } from "./control.ts";
import { LogCollector } from "./log-collector.ts";

// testcontainers' reaper image cannot be pulled here; our own cleanup replaces it.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
// Every port rtsoak waits on is published on 127.0.0.1. When /.dockerenv exists (CI runners,
// dev containers) testcontainers would probe them on the bridge gateway instead and wait until
// its timeout; with a local daemon socket the ports are on loopback, so probe them there.
if (!process.env.DOCKER_HOST || process.env.DOCKER_HOST.startsWith("unix:")) process.env.TESTCONTAINERS_HOST_OVERRIDE ??= "127.0.0.1";

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

/** testcontainers' messages, made to name the stack and point at the logs. */
function startError(err: unknown, project: string, logDir: string): Error {
  const msg = (err as Error).message ?? String(err);
  if (/port is already allocated|address already in use/i.test(msg)) {
    return new UserError(`the proxy port is already taken (${msg.split("\n")[0]}); pick another with --port or leave it out.`);
  }
  return new Error(`compose stack ${project} did not start: ${msg.split("\n").slice(0, 3).join(" | ")} (container logs: ${logDir})`);
}

export interface UpPlan {
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
export async function bringUp(plan: UpPlan): Promise<ComposeRunningStack> {
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
    spec.onProgress(`compose up ${project} (${plan.tool.kind === "plugin" ? `docker compose ${plan.tool.version}` : `docker-compose ${plan.tool.version}`}; files ${spec.project.files.map((f) => basename(f)).join(", ")})`);
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
