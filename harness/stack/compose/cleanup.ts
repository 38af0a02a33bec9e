// Teardown without Ryuk (its image cannot be pulled here): every compose project rtsoak starts
// is named rtsoak-<owner pid>-<random>, so leftovers are found by the compose project label
// and their owner's liveness, on every exit path:
//   - RunningStack.down()                 compose down, then anything left by label
//   - process exit without down()         a synchronous `docker rm -f` from an exit hook
//   - the owner was SIGKILLed             `rtsoak stack down --stack compose` → composeStackDown()
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { dockerMaybe } from "./docker-cli.ts";
import { PROJECT_LABEL } from "./containers.ts";

export const PROJECT_PREFIX = "rtsoak-";

/** A fresh project name owned by this process: rtsoak-<pid>-<6 hex>. */
export function newProjectName(kind = ""): string {
  return `${PROJECT_PREFIX}${kind ? `${kind}-` : ""}${process.pid}-${randomBytes(3).toString("hex")}`;
}

/** The pid in a project name made by newProjectName, or undefined for other names. */
export function ownerPid(project: string): number | undefined {
  const m = /^rtsoak-(?:[a-z]+-)?(\d+)-[0-9a-f]{6}$/.exec(project);
  return m ? Number(m[1]) : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

interface Found {
  containers: Map<string, string[]>; // project -> container names
  networks: Map<string, string[]>; // project -> network names
}

async function findRtsoakProjects(): Promise<Found> {
  const found: Found = { containers: new Map(), networks: new Map() };
  const ps = await dockerMaybe(["ps", "-a", "--filter", `label=${PROJECT_LABEL}`, "--format", `{{.Label "${PROJECT_LABEL}"}}\t{{.Names}}`], { timeoutMs: 30_000 });
  for (const line of (ps ?? "").split("\n")) {
    const [project, name] = line.trim().split("\t");
    if (!project?.startsWith(PROJECT_PREFIX) || !name) continue;
    found.containers.set(project, [...(found.containers.get(project) ?? []), name]);
  }
  const nets = await dockerMaybe(["network", "ls", "--filter", `label=${PROJECT_LABEL}`, "--format", `{{.Label "${PROJECT_LABEL}"}}\t{{.Name}}`], { timeoutMs: 30_000 });
  for (const line of (nets ?? "").split("\n")) {
    const [project, name] = line.trim().split("\t");
    if (!project?.startsWith(PROJECT_PREFIX) || !name) continue;
    found.networks.set(project, [...(found.networks.get(project) ?? []), name]);
  }
  return found;
}

/** Removes every container and network of one project (force); returns what went. */
export async function removeProject(project: string): Promise<string[]> {
  const removed: string[] = [];
  const ids = (await dockerMaybe(["ps", "-a", "-q", "--filter", `label=${PROJECT_LABEL}=${project}`], { timeoutMs: 30_000 }))?.split("\n").map((s) => s.trim()).filter(Boolean) ?? [];
  if (ids.length) {
    const names = (await dockerMaybe(["inspect", "--format", "{{.Name}}", ...ids], { timeoutMs: 30_000 }))?.split("\n").map((s) => s.trim().replace(/^\//, "")).filter(Boolean) ?? ids;
    await dockerMaybe(["rm", "-f", "-v", ...ids], { timeoutMs: 60_000 });
    removed.push(...names.map((n) => `container ${n}`));
  }
  const nets = (await dockerMaybe(["network", "ls", "-q", "--filter", `label=${PROJECT_LABEL}=${project}`], { timeoutMs: 30_000 }))?.split("\n").map((s) => s.trim()).filter(Boolean) ?? [];
  for (const id of nets) {
    const name = (await dockerMaybe(["network", "inspect", "--format", "{{.Name}}", id], { timeoutMs: 15_000 }))?.trim() ?? id;
    if ((await dockerMaybe(["network", "rm", id], { timeoutMs: 30_000 })) !== undefined) removed.push(`network ${name}`);
  }
  return removed;
}

export interface StackDownOptions {
  /** Also remove projects whose owner process is still alive (default: only orphans). */
  includeLive?: boolean;
  /** One line per project left alone because its owner lives. */
  onSkip?: (line: string) => void;
}

/**
 * Removes what crashed rtsoak runs left in Docker: every container and network of an rtsoak-*
 * compose project whose owner process is gone. Projects of a live owner (another run, another
 * test file) are left alone unless `includeLive`. Returns the removed items
 * ("container rtsoak-123-ab12cd_app_1", "network rtsoak-123-ab12cd_default").
 */
export async function composeStackDown(opts: StackDownOptions = {}): Promise<string[]> {
  const found = await findRtsoakProjects();
  const projects = new Set([...found.containers.keys(), ...found.networks.keys()]);
  const removed: string[] = [];
  for (const project of [...projects].sort()) {
    const pid = ownerPid(project);
    if (!opts.includeLive && pid !== undefined && pid !== process.pid && alive(pid)) {
      opts.onSkip?.(`${project}: left running (its owner, pid ${pid}, is alive; stop that run or pass includeLive)`);
      continue;
    }
    removed.push(...(await removeProject(project)));
  }
  return removed;
}

/** Project names with containers or networks in Docker now (for status and tests). */
export async function rtsoakProjects(): Promise<string[]> {
  const found = await findRtsoakProjects();
  return [...new Set([...found.containers.keys(), ...found.networks.keys()])].sort();
}

// ---- exit hook: a process that exits without down() still removes its projects ----

const liveProjects = new Set<string>();
let hookInstalled = false;

function removeSync(project: string): void {
  const ps = spawnSync("docker", ["ps", "-a", "-q", "--filter", `label=${PROJECT_LABEL}=${project}`], { encoding: "utf8", timeout: 15_000 });
  const ids = (ps.stdout ?? "").split("\n").map((s) => s.trim()).filter(Boolean);
  if (ids.length) spawnSync("docker", ["rm", "-f", "-v", ...ids], { timeout: 60_000, stdio: "ignore" });
  const nets = spawnSync("docker", ["network", "ls", "-q", "--filter", `label=${PROJECT_LABEL}=${project}`], { encoding: "utf8", timeout: 15_000 });
  for (const id of (nets.stdout ?? "").split("\n").map((s) => s.trim()).filter(Boolean)) spawnSync("docker", ["network", "rm", id], { timeout: 30_000, stdio: "ignore" });
}

/** Registers a project for removal at process exit (until forgetOnExit). */
export function removeOnExit(project: string): void {
  liveProjects.add(project);
  if (hookInstalled) return;
  hookInstalled = true;
  process.on("exit", () => {
    for (const p of liveProjects) removeSync(p);
    liveProjects.clear();
  });
}

export function forgetOnExit(project: string): void {
  liveProjects.delete(project);
}
