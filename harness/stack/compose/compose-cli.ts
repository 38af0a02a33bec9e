// Which compose is installed, and running it for one project. `docker compose` (v2 plugin) is
// preferred; otherwise a standalone `docker-compose` (v1 here, from Debian; v2 standalone works
// the same way). Detected once per process, never configured by hand.
import { UserError } from "../../errors.ts";
import { run, type RunOptions } from "./docker-cli.ts";

export interface ComposeTool {
  kind: "plugin" | "standalone";
  /** The program to spawn: "docker" for the plugin, the docker-compose path otherwise. */
  executable: string;
  /** Arguments before compose's own ("compose" for the plugin). */
  prefix: string[];
  version: string;
  /** v1 names containers <project>_<service>_<n>, v2 <project>-<service>-<n>. */
  separator: "_" | "-";
}

let detected: Promise<ComposeTool> | undefined;

async function which(cmd: string): Promise<string | undefined> {
  const res = await run("sh", ["-c", `command -v ${cmd}`], { timeoutMs: 5_000 }).catch(() => undefined);
  return res && res.code === 0 ? res.stdout.trim() : undefined;
}

/** Reads a version number out of `… version …` output ("v2.24.6", "1.29.2, build unknown"). */
export function parseComposeVersion(text: string): string | undefined {
  return /v?(\d+\.\d+\.\d+)/.exec(text)?.[1];
}

export function detectCompose(): Promise<ComposeTool> {
  detected ??= (async () => {
    const plugin = await run("docker", ["compose", "version"], { timeoutMs: 15_000 }).catch(() => undefined);
    if (plugin && plugin.code === 0 && /compose/i.test(plugin.stdout)) {
      // a source build says "version dev": still the v2 plugin
      const version = parseComposeVersion(plugin.stdout) ?? plugin.stdout.trim().split(/\s+/).pop() ?? "unknown";
      return { kind: "plugin", executable: "docker", prefix: ["compose"], version, separator: "-" } as ComposeTool;
    }
    const path = await which("docker-compose");
    if (path) {
      const res = await run(path, ["version"], { timeoutMs: 15_000 }).catch(() => undefined);
      const version = res && res.code === 0 ? parseComposeVersion(res.stdout) : undefined;
      if (version) {
        return { kind: "standalone", executable: path, prefix: [], version, separator: version.startsWith("1.") ? "_" : "-" } as ComposeTool;
      }
    }
    detected = undefined;
    throw new UserError("neither `docker compose` nor `docker-compose` is installed; install one (on Debian: apt-get install docker-compose) or use --stack local.");
  })();
  return detected;
}

/** testcontainers' executable option for the detected tool. */
export function testcontainersExecutable(tool: ComposeTool): { standalone: true; executablePath: string } | { executablePath: string } {
  return tool.kind === "standalone" ? { standalone: true, executablePath: tool.executable } : { executablePath: "docker" };
}

export interface ComposeProject {
  name: string;
  /** Folder the compose files are relative to (compose's working directory). */
  dir: string;
  files: string[];
  env: Record<string, string>;
}

/** `compose -p <name> -f … <args>` for a project; rejects with compose's last words on failure. */
export async function composeRun(project: ComposeProject, args: string[], opts: RunOptions = {}): Promise<string> {
  const tool = await detectCompose();
  const fileArgs = project.files.flatMap((f) => ["-f", f]);
  const res = await run(tool.executable, [...tool.prefix, "-p", project.name, ...fileArgs, ...args], {
    timeoutMs: 180_000,
    ...opts,
    cwd: project.dir,
    env: { ...process.env, COMPOSE_PROJECT_NAME: project.name, ...project.env, ...opts.env },
  });
  if (res.code !== 0) {
    const why = (res.stderr || res.stdout).trim().split("\n").slice(-4).join(" | ");
    throw new Error(`compose ${args.slice(0, 2).join(" ")} (project ${project.name}) failed (exit ${res.code}): ${why}`);
  }
  return res.stdout;
}
