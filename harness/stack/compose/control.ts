// Disruptions on a compose stack: the same StackControl as the local driver, done with
// signals into containers (through their init), docker stop/start and compose --scale.
// Worker pids are pids inside the app container (each container has its own pid namespace), so
// a pid alone is ambiguous across instances: pass the instance with it.
import { UserError } from "../../errors.ts";
import { alreadyAtCount, checkScaleCount } from "../scale-count.ts";
import type { StackControl, WorkerHandle } from "../types.ts";
import { ComposeStack, signalInContainer } from "./compose-stack.ts";
import { containerProcesses, mainAndWorkers, pollFor, type ProjectContainer } from "./containers.ts";
import { docker } from "./docker-cli.ts";

const REPLACE_BUDGET_MS = 60_000;
const HEALTH_BUDGET_MS = 90_000;

export interface ScaleOptions {
  /** Re-render and reload the proxy after the change (default true). false leaves it stale. */
  reload?: boolean;
  /**
   * Replace every app container, as a start-first deploy does: `instances` new containers (new
   * addresses) start next to the old ones, then the old ones are removed. With reload false the
   * proxy keeps the removed containers' addresses (stale upstreams).
   */
  recreate?: boolean;
}

/** StackControl plus the compose-only knobs. */
export interface ComposeControl extends StackControl {
  scale(instances: number, opts?: ScaleOptions): Promise<string>;
}

const running = (c: ProjectContainer) => c.state === "running";

async function workersOf(c: ProjectContainer): Promise<number[]> {
  if (!running(c)) return [];
  return mainAndWorkers(await containerProcesses(c.id)).workers.map((w) => w.pid);
}

export function createComposeControl(stack: ComposeStack): ComposeControl {
  const t = stack.topology;
  const { services } = stack.spec;
  const needProxy = (what: string) => {
    if (!services.proxy) throw new UserError(`this stack has no proxy, so "${what}" cannot run; use a topology with proxy nginx or haproxy (or name the proxy service).`);
  };
  const needRedis = (what: string) => {
    if (!services.redis) throw new UserError(`this stack runs without Redis, so "${what}" cannot run; use a topology with redis: true (or name the Redis service).`);
  };

  /** The container owning `pid`: the named instance, or the only running one that has it. */
  const ownerOf = async (pid: number, instance?: string): Promise<ProjectContainer> => {
    if (instance) return stack.appContainer(instance);
    const owners: ProjectContainer[] = [];
    for (const c of (await stack.appContainers()).filter(running)) if ((await workersOf(c)).includes(pid)) owners.push(c);
    if (owners.length === 1) return owners[0];
    if (owners.length === 0) throw new UserError(`pid ${pid} is not a worker of this stack; pick one from \`rtsoak stack status\`.`);
    throw new UserError(`pid ${pid} is a worker in ${owners.map(ComposeStack.instanceId).join(" and ")} (each container has its own pids); name the instance too.`);
  };

  const waitReplaced = async (c: ProjectContainer, old: number[], fresh: number, what: string): Promise<number[]> => {
    const added = await pollFor(async () => {
      const now = (await workersOf(c)).filter((p) => !old.includes(p));
      return now.length >= fresh ? now : undefined;
    }, REPLACE_BUDGET_MS, 200);
    if (!added) throw new Error(`${what}: ${ComposeStack.instanceId(c)} started no replacement worker within ${REPLACE_BUDGET_MS / 1000} s; see ${stack.logs.fileFor(ComposeStack.instanceId(c))}`);
    return added;
  };

  const recycleInstance = async (c: ProjectContainer): Promise<string> => {
    const old = await workersOf(c);
    // through the init: SIGHUP reaches the node primary (rolling restart) / gunicorn master (reload)
    await docker(["kill", "--signal", "HUP", c.id], { timeoutMs: 15_000 });
    const added = await waitReplaced(c, old, Math.max(1, old.length), "recycle");
    return `${ComposeStack.instanceId(c)}: workers ${old.join(",")} → ${added.join(",")} (SIGHUP)`;
  };

  const pickRunning = async (instance?: string): Promise<ProjectContainer | undefined> => {
    if (instance) return stack.appContainer(instance);
    return (await stack.appContainers()).find(running);
  };

  const dnsDiscovery = stack.spec.mode === "rtsoak" && stack.spec.discovery === "dns" && t.proxy === "haproxy";
  const reloadIfStatic = async (): Promise<string> => {
    if (!services.proxy) return "no proxy to reload";
    if (dnsDiscovery) return "HAProxy finds the new set through Docker's DNS (no reload)";
    return stack.reloadProxy();
  };

  const doScale = async (count: number, opts: ScaleOptions = {}): Promise<string> => {
    needProxy("scale");
    checkScaleCount(count);
    const reload = opts.reload ?? true;
    const before = await stack.appContainers();
    if (count === before.length && !opts.recreate) return alreadyAtCount(count);
    const ips = (list: ProjectContainer[]) => list.map((c) => `${ComposeStack.instanceId(c)}@${stack.lastAddress(c) ?? "?"}`).join(" ");
    const scaleTo = (n: number) => stack.compose(["up", "-d", "--no-deps", "--no-recreate", "--scale", `${services.app}=${n}`, services.app], 300_000);
    const startFresh = async (): Promise<ProjectContainer[]> => {
      const fresh = (await stack.appContainers()).filter((c) => !before.some((b) => b.id === c.id));
      await Promise.all(fresh.map((c) => stack.waitReady(c, HEALTH_BUDGET_MS)));
      await stack.followAll();
      return fresh;
    };
    let reloaded = "";
    if (opts.recreate) {
      // a start-first deploy: `count` new containers (new addresses) next to the old ones,
      // then the old ones go. Reloading before they go makes it seamless; not reloading
      // leaves the proxy with the removed containers' addresses.
      await scaleTo(before.length + count);
      const fresh = await startFresh();
      if (reload) reloaded = dnsDiscovery ? await reloadIfStatic() : await stack.reloadProxy({ only: (c) => fresh.some((f) => f.id === c.id) });
      await docker(["stop", "-t", "5", ...before.map((c) => c.id)], { timeoutMs: 60_000 });
      await docker(["rm", "-f", ...before.map((c) => c.id)], { timeoutMs: 60_000 });
      const after = await stack.appContainers();
      return `replaced ${before.length} app containers with ${after.length} new ones: ${ips(before)} ⇒ ${ips(after)}; ${reload ? reloaded : "proxy not reloaded (it still routes to the removed addresses)"}`;
    }
    const shrinking = count < before.length;
    const keep = before.slice(0, count).map((c) => c.id);
    // shrinking: stop routing to the replicas that go before they go
    if (shrinking && reload && !dnsDiscovery) reloaded = await stack.reloadProxy({ only: (c) => keep.includes(c.id) });
    await scaleTo(count);
    await startFresh();
    const after = await stack.appContainers();
    // compose chose other replicas to remove than the ones routed away from: route to what is left
    if (shrinking && reload && !dnsDiscovery && after.some((c) => !keep.includes(c.id))) reloaded = await stack.reloadProxy();
    if (reload && !reloaded) reloaded = await reloadIfStatic();
    return `scaled ${before.length} → ${after.length} instances: ${ips(before)} ⇒ ${ips(after)}; ${reload ? reloaded : "proxy not reloaded (it does not know the new set)"}`;
  };

  const control: ComposeControl = {
    instances: () => [...stack.instanceIds],

    workers: async (): Promise<WorkerHandle[]> => {
      const out: WorkerHandle[] = [];
      for (const c of (await stack.appContainers()).filter(running)) {
        for (const pid of await workersOf(c)) out.push({ instance: ComposeStack.instanceId(c), pid });
      }
      return out;
    },

    recycle: (target) =>
      stack.serial(async () => {
        if (target?.pid !== undefined) {
          const c = await ownerOf(target.pid, target.instance);
          const old = await workersOf(c);
          if (!old.includes(target.pid)) throw new UserError(`pid ${target.pid} is not a worker of ${ComposeStack.instanceId(c)} (its workers: ${old.join(", ")}); pick one of those.`);
          await signalInContainer(c.id, target.pid, "TERM");
          const added = await waitReplaced(c, old, 1, "recycle");
          return `recycled worker ${target.pid} of ${ComposeStack.instanceId(c)} (SIGTERM; replaced by ${added.join(",")})`;
        }
        const targets = target?.instance ? [await stack.appContainer(target.instance)] : (await stack.appContainers()).filter(running);
        if (targets.length === 0) throw new UserError("no app container is running, so there is nothing to recycle; bring a backend up first.");
        const done = await Promise.all(targets.map(recycleInstance));
        return `recycled ${done.join("; ")}`;
      }),

    kill: (target) =>
      stack.serial(async () => {
        if (target.pid !== undefined) {
          const c = await ownerOf(target.pid, target.instance);
          const old = await workersOf(c);
          await signalInContainer(c.id, target.pid, "KILL");
          const added = await waitReplaced(c, old, 1, "kill");
          return `killed worker ${target.pid} of ${ComposeStack.instanceId(c)} (SIGKILL; replaced by ${added.join(",")})`;
        }
        const c = await pickRunning(target.instance);
        if (!c || !running(c)) throw new UserError(`${target.instance ?? "no instance"} is not running, so it cannot be killed; bring it up first.`);
        await docker(["kill", c.id], { timeoutMs: 15_000 });
        return `killed ${ComposeStack.instanceId(c)} (SIGKILL to container ${c.name}; its address ${c.ip ?? "?"} no longer answers)`;
      }),

    scale: (count, opts = {}) => stack.serial(() => doScale(count, opts)),

    redisStop: () =>
      stack.serial(async () => {
        needRedis("redis-stop");
        const r = await stack.single(services.redis, "Redis");
        if (!running(r)) return "redis was already stopped";
        await docker(["stop", "-t", "2", r.id], { timeoutMs: 30_000 });
        return `redis stopped (container ${r.name})`;
      }),

    redisStart: () =>
      stack.serial(async () => {
        needRedis("redis-start");
        const r = await stack.single(services.redis, "Redis");
        if (running(r)) return "redis was already running";
        await docker(["start", r.id], { timeoutMs: 30_000 });
        const now = await stack.waitReady(r, HEALTH_BUDGET_MS);
        await stack.followAll();
        return `redis started again (container ${r.name} at ${now.ip ?? "?"})`;
      }),

    proxyReload: () =>
      stack.serial(async () => {
        needProxy("proxy-reload");
        return stack.reloadProxy();
      }),

    backendDown: (instance) =>
      stack.serial(async () => {
        const c = await pickRunning(instance);
        if (!c) throw new UserError("every backend is already down; bring one up first (backend-up).");
        if (!running(c)) return `${ComposeStack.instanceId(c)} was already down`;
        await docker(["stop", "-t", "5", c.id], { timeoutMs: 30_000 });
        return `${ComposeStack.instanceId(c)} down (container ${c.name} stopped; its address ${c.ip ?? "?"} no longer answers, the proxy still lists it)`;
      }),

    backendUp: (instance) =>
      stack.serial(async () => {
        const apps = await stack.appContainers();
        const c = instance ? await stack.appContainer(instance) : apps.find((a) => !running(a));
        if (!c) return "no backend was down";
        if (running(c)) return `${ComposeStack.instanceId(c)} was already up`;
        const oldIp = stack.lastAddress(c);
        await docker(["start", c.id], { timeoutMs: 30_000 });
        const now = await stack.waitReady(c, HEALTH_BUDGET_MS);
        await stack.followAll();
        let note = "";
        if (services.proxy && oldIp && now.ip && oldIp !== now.ip) note = `; its address changed ${oldIp} → ${now.ip}: ${await reloadIfStatic()}`;
        return `${ComposeStack.instanceId(c)} up again (container ${c.name} at ${now.ip ?? "?"})${note}`;
      }),

    staleUpstream: () =>
      stack.serial(async () => {
        needProxy("stale-upstream");
        if (stack.spec.mode === "user") {
          // the user's proxy config is theirs: make it stale the way a deploy does
          const n = (await stack.appContainers()).length;
          return doScale(n, { recreate: true, reload: false });
        }
        if (dnsDiscovery) {
          throw new UserError("stale-upstream needs a static proxy config, but this HAProxy finds its servers through DNS; run with static discovery.");
        }
        const ip = await stack.unusedAddress();
        const id = `stale${stack.staleExtras.length + 1}`;
        stack.staleExtras.push({ id, address: `${ip}:8000` });
        const reloaded = await stack.reloadProxy();
        return `added ${id} ${ip}:8000 to ${t.proxy} (an address of the stack's network no container holds, like a removed container's); ${reloaded}`;
      }),
  };

  return control;
}
