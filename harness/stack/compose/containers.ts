// The containers of one compose project as the driver sees them (compose labels, never names,
// so v1 `proj_app_1` and v2 `proj-app-1` read the same), their processes, and readiness waits.
import { docker, dockerMaybe, run } from "./docker-cli.ts";

export const PROJECT_LABEL = "com.docker.compose.project";
const SERVICE_LABEL = "com.docker.compose.service";
const NUMBER_LABEL = "com.docker.compose.container-number";

export interface ProjectContainer {
  id: string;
  /** Container name without the leading slash; resolvable by Docker's DNS on the project network. */
  name: string;
  service: string;
  /** Replica number compose gave it (1, 2, …). */
  number: number;
  /** created | running | paused | restarting | exited | dead */
  state: string;
  /** healthy | unhealthy | starting, or undefined without a health check. */
  health?: string;
  /** First network address (the project's network), when it has one. */
  ip?: string;
  network?: string;
  /** In-container PID 1's host pid (0 when not running). */
  pid: number;
}

interface InspectJson {
  Id: string;
  Name: string;
  Config: { Labels: Record<string, string> | null };
  State: { Status: string; Pid: number; Health?: { Status: string } };
  NetworkSettings: { Networks: Record<string, { IPAddress: string }> | null };
}

export async function inspectContainers(ids: string[]): Promise<ProjectContainer[]> {
  if (ids.length === 0) return [];
  const out = await dockerMaybe(["inspect", ...ids], { timeoutMs: 30_000 });
  if (!out) {
    // one of them vanished between listing and inspecting: inspect them one by one
    const each = await Promise.all(ids.map((id) => dockerMaybe(["inspect", id], { timeoutMs: 30_000 })));
    return each.flatMap((o) => (o ? parseInspect(o) : []));
  }
  return parseInspect(out);
}

function parseInspect(out: string): ProjectContainer[] {
  return (JSON.parse(out) as InspectJson[]).map((c) => {
    const labels = c.Config.Labels ?? {};
    const nets = Object.entries(c.NetworkSettings.Networks ?? {});
    const net = nets.find(([, n]) => n.IPAddress) ?? nets[0];
    return {
      id: c.Id,
      name: c.Name.replace(/^\//, ""),
      service: labels[SERVICE_LABEL] ?? "",
      number: Number(labels[NUMBER_LABEL] ?? "1"),
      state: c.State.Status,
      health: c.State.Health?.Status,
      ip: net?.[1].IPAddress || undefined,
      network: net?.[0],
      pid: c.State.Pid,
    };
  });
}

/** Every container of `project` (running or not), sorted by service then replica number. */
export async function projectContainers(project: string): Promise<ProjectContainer[]> {
  const ids = (await docker(["ps", "-a", "-q", "--no-trunc", "--filter", `label=${PROJECT_LABEL}=${project}`], { timeoutMs: 30_000 }))
    .split("\n")
    .map((s) => s.trim())
    .filter(Boolean);
  const list = await inspectContainers(ids);
  return list.sort((a, b) => a.service.localeCompare(b.service) || a.number - b.number);
}

export async function serviceContainers(project: string, service: string): Promise<ProjectContainer[]> {
  return (await projectContainers(project)).filter((c) => c.service === service);
}

export interface ContainerProcess {
  pid: number;
  ppid: number;
  comm: string;
}

/** Processes inside a running container (its own pid namespace), read from /proc. */
export async function containerProcesses(containerId: string): Promise<ContainerProcess[]> {
  const script = 'for f in /proc/[0-9]*/stat; do read -r l < "$f" 2>/dev/null && echo "$l"; done';
  const out = await docker(["exec", containerId, "sh", "-c", script], { timeoutMs: 20_000 });
  const procs: ContainerProcess[] = [];
  for (const line of out.split("\n")) {
    // pid (comm) state ppid …   — comm may hold spaces and parentheses: split at the last ")"
    const m = /^(\d+) \((.*)\) \S+ (\d+)/.exec(line.trim());
    if (m) procs.push({ pid: Number(m[1]), comm: m[2], ppid: Number(m[3]) });
  }
  return procs;
}

/**
 * The app's main process and its workers: PID 1 is the init (`init: true`), its child the
 * server's primary (node cluster primary / gunicorn master), whose children are the workers.
 * Without an init, PID 1 is the primary itself. `docker exec` processes (ppid 0) are ignored.
 */
export function mainAndWorkers(procs: ContainerProcess[]): { main?: ContainerProcess; workers: ContainerProcess[] } {
  const pid1 = procs.find((p) => p.pid === 1);
  const isInit = pid1 && /^(docker-init|tini|dumb-init|s6-svscan)$/.test(pid1.comm);
  let main = isInit ? procs.find((p) => p.ppid === 1) : pid1;
  // a shell wrapper that did not exec: step down while the main process has a single shell child chain
  while (main && /^(sh|bash|dash)$/.test(main.comm)) {
    const kids = procs.filter((p) => p.ppid === main!.pid);
    if (kids.length !== 1) break;
    main = kids[0];
  }
  const workers = main ? procs.filter((p) => p.ppid === main!.pid) : [];
  return { main, workers };
}

/** Polls `check` every `everyMs` until it returns a value (not undefined) or `budgetMs` ends. */
export async function pollFor<T>(check: () => Promise<T | undefined>, budgetMs: number, everyMs = 250): Promise<T | undefined> {
  const end = Date.now() + budgetMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() >= end) return undefined;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * True when a process in the container listens on a TCP port reachable from other containers
 * (from /proc/net/tcp*). Loopback listeners do not count: Docker's embedded DNS listens on
 * 127.0.0.11 inside every container of a user-defined network.
 */
export async function listensOnTcp(containerId: string): Promise<boolean> {
  const out = await dockerMaybe(["exec", containerId, "sh", "-c", "cat /proc/net/tcp /proc/net/tcp6 2>/dev/null"], { timeoutMs: 15_000 });
  return (out ?? "").split("\n").some((line) => {
    // columns: sl local_address rem_address st …; st 0A = LISTEN; addresses are little-endian hex
    const [, local, , st] = line.trim().split(/\s+/);
    if (st !== "0A" || !local) return false;
    const addr = local.split(":")[0];
    const loopback4 = addr.length === 8 && addr.endsWith("7F");
    const loopback6 = addr === "00000000000000000000000001000000";
    return !loopback4 && !loopback6;
  });
}

/**
 * Resolves once the container runs and, if it has a health check, reports healthy; without a
 * health check (a user's service), once it listens on a TCP port.
 */
export async function waitHealthy(id: string, label: string, budgetMs = 60_000): Promise<ProjectContainer> {
  const end = Date.now() + budgetMs;
  let last: ProjectContainer | undefined;
  for (;;) {
    [last] = await inspectContainers([id]);
    if (last && last.state === "running" && last.health === "healthy") return last;
    if (last && last.state === "running" && last.health === undefined && (await listensOnTcp(id))) return last;
    const over = !last || last.state === "exited" || last.state === "dead" || Date.now() >= end;
    if (over) {
      const seen = last ? `${last.state}${last.health ? `, ${last.health}` : ""}` : "gone";
      throw new Error(`${label} did not become healthy within ${budgetMs / 1000} s (it is ${seen}); see its log in the run folder`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Runs the image's own probe (`rtsoak-healthcheck`, rtsoak's images only) every 150 ms until it
 * passes: faster than waiting for Docker's health status, which is checked every 5 s.
 */
export async function waitProbe(id: string, label: string, budgetMs = 60_000): Promise<ProjectContainer> {
  const end = Date.now() + budgetMs;
  let last: ProjectContainer | undefined;
  let said = "";
  for (;;) {
    [last] = await inspectContainers([id]);
    if (last?.state === "running") {
      const res = await run("docker", ["exec", id, "rtsoak-healthcheck"], { timeoutMs: 10_000 }).catch(() => undefined);
      if (res?.code === 0) return last;
      said = (res?.stdout || res?.stderr || "").trim().split("\n").pop() ?? "";
    }
    if (!last || last.state === "exited" || last.state === "dead" || Date.now() >= end) {
      const seen = last ? last.state : "gone";
      throw new Error(`${label} did not pass its health probe within ${budgetMs / 1000} s (it is ${seen}${said ? `; probe said: ${said}` : ""}); see its log in the run folder`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Published host address of a container port, e.g. "127.0.0.1:49153". */
export async function publishedAddress(id: string, containerPort: string): Promise<string> {
  const out = await docker(["port", id, containerPort], { timeoutMs: 15_000 });
  const first = out.split("\n").map((l) => l.trim()).find((l) => /^[\d.]+:\d+$/.test(l));
  if (!first) throw new Error(`container ${id.slice(0, 12)} publishes no IPv4 address for ${containerPort} (docker port said: ${out.trim() || "nothing"})`);
  return first.replace(/^0\.0\.0\.0:/, "127.0.0.1:");
}
