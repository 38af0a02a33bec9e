// The user's own compose file, driven with rtsoak's disruptions (their service names, their
// proxy config): see composeDriverForUserFile.
import { existsSync, mkdirSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { UserError } from "../../errors.ts";
import { isPortFree } from "../../net/ports.ts";
import type { StackUpOptions, Topology } from "../types.ts";
import { bringUp, type ComposeRunningStack, type ComposeStackDriver } from "./bring-up.ts";
import { newProjectName } from "./cleanup.ts";
import { detectCompose, type ComposeTool } from "./compose-cli.ts";
import type { ComposeStackSpec } from "./compose-stack.ts";
import { containerProcesses, waitHealthy } from "./containers.ts";
import { requireDaemon, run } from "./docker-cli.ts";

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
