// Disruptions on a local stack, with real signals and processes. Every action resolves
// once its effect is visible (new worker pids, refused port, reloaded proxy workers) and
// returns one short line saying what happened. Actions run one at a time.
import { UserError } from "../../errors.ts";
import { freePort } from "../../net/ports.ts";
import { alreadyAtCount, checkScaleCount } from "../scale-count.ts";
import type { StackControl, WorkerHandle } from "../types.ts";
import { HOST } from "./components.ts";
import type { Instance, LocalStack } from "./local-stack.ts";
import { pidAlive, pollUntil, signalGroup, signalPid, stopGroup, waitExit } from "./process-group.ts";
import { waitForRefused } from "./readiness.ts";

const REPLACE_BUDGET_MS = 60_000;

export function createControl(stack: LocalStack): StackControl {
  const t = stack.topology;
  const running = () => stack.instances.filter((i) => i.proc && !i.proc.exit);

  const needProxy = (what: string) => {
    if (!stack.proxy) throw new UserError(`topology ${t.name} has no proxy, so "${what}" cannot run; use a topology with proxy nginx or haproxy.`);
  };
  const needRedis = (what: string) => {
    if (!stack.redis) throw new UserError(`topology ${t.name} runs without Redis, so "${what}" cannot run; use a topology with redis: true.`);
  };

  const ownerOf = (pid: number): Instance => {
    const inst = running().find((i) => stack.workersOf(i).includes(pid));
    if (!inst) throw new UserError(`pid ${pid} is not a worker of this stack; pick one from \`rtsoak stack status\`.`);
    return inst;
  };

  /** Waits until `inst` has a full set of workers of which `fresh` are new (not in `old`). */
  const waitReplaced = async (inst: Instance, old: number[], fresh: number, what: string): Promise<number[]> => {
    let added: number[] = [];
    const ok = await pollUntil(() => {
      added = stack.workersOf(inst).filter((p) => !old.includes(p));
      return added.length >= fresh;
    }, REPLACE_BUDGET_MS, 100);
    if (!ok) throw new Error(`${what}: ${inst.id} started no replacement worker within ${REPLACE_BUDGET_MS / 1000} s; see ${stack.appLog(inst.id)}`);
    return added;
  };

  const recycleWorker = async (inst: Instance, pid: number): Promise<string> => {
    const old = stack.workersOf(inst);
    // node: the worker drains and the primary forks a replacement first;
    // gunicorn: the worker exits gracefully and the master forks a replacement.
    signalPid(pid, "SIGTERM");
    const added = await waitReplaced(inst, old, 1, "recycle");
    return `recycled worker ${pid} of ${inst.id} (SIGTERM; replaced by ${added.join(",")})`;
  };

  const recycleInstance = async (inst: Instance): Promise<string> => {
    const old = stack.workersOf(inst);
    signalPid(inst.proc!.pid, "SIGHUP"); // rolling restart (node primary) / reload workers (gunicorn)
    const added = await waitReplaced(inst, old, t.workersPerInstance, "recycle");
    return `${inst.id}: workers ${old.join(",")} → ${added.join(",")} (SIGHUP)`;
  };

  const pickDown = (id?: string): Instance => {
    if (id) return stack.instance(id);
    const live = running();
    if (live.length === 0) throw new UserError("every backend is already down; bring one up first (backend-up).");
    return live[0];
  };

  const startAgain = async (inst: Instance): Promise<void> => {
    await stack.startInstance(inst);
  };

  return {
    instances: () => stack.instances.map((i) => i.id),

    workers: async (): Promise<WorkerHandle[]> =>
      running().flatMap((i) => stack.workersOf(i).map((pid) => ({ instance: i.id, pid }))),

    recycle: (target) =>
      stack.serial(async () => {
        if (target?.pid !== undefined) {
          const inst = target.instance ? stack.instance(target.instance) : ownerOf(target.pid);
          return recycleWorker(inst, target.pid);
        }
        const targets = target?.instance ? [stack.instance(target.instance)] : running();
        if (targets.length === 0) throw new UserError("no instance is running, so there is nothing to recycle; bring a backend up first.");
        const done = await Promise.all(targets.map(recycleInstance));
        return `recycled ${done.join("; ")}`;
      }),

    kill: (target) =>
      stack.serial(async () => {
        if (target.pid !== undefined) {
          const inst = target.instance ? stack.instance(target.instance) : ownerOf(target.pid);
          const old = stack.workersOf(inst);
          signalPid(target.pid, "SIGKILL");
          const added = await waitReplaced(inst, old, 1, "kill");
          return `killed worker ${target.pid} of ${inst.id} (SIGKILL; replaced by ${added.join(",")})`;
        }
        const inst = target.instance ? stack.instance(target.instance) : running()[0];
        if (!inst?.proc || inst.proc.exit) throw new UserError(`${target.instance ?? "no instance"} is not running, so it cannot be killed; bring it up first.`);
        const pgid = inst.proc.pgid;
        inst.stopped = true;
        signalGroup(pgid, "SIGKILL");
        await stopGroup(pgid, { signal: "SIGKILL", name: inst.id });
        await waitExit(inst.proc);
        stack.changed();
        return `killed ${inst.id} (SIGKILL to process group ${pgid}; ${HOST}:${inst.port} refuses connections)`;
      }),

    scale: (count) =>
      stack.serial(async () => {
        needProxy("scale");
        checkScaleCount(count);
        const before = stack.instances.length;
        if (count === before) return alreadyAtCount(count);
        if (count > before) {
          const added: Instance[] = [];
          for (let n = before + 1; n <= count; n++) added.push({ id: `app${n}`, port: await freePort(HOST), stopped: false });
          stack.instances.push(...added);
          try {
            await Promise.all(added.map((i) => stack.startInstance(i)));
          } catch (err) {
            await Promise.allSettled(added.map((i) => stack.stopInstance(i)));
            stack.instances = stack.instances.filter((i) => !added.includes(i));
            throw err;
          }
          const reload = await stack.reloadProxy();
          return `scaled ${before} → ${count} instances (started ${added.map((i) => `${i.id} on ${HOST}:${i.port}`).join(", ")}); ${reload}`;
        }
        const removed = stack.instances.slice(count);
        stack.instances = stack.instances.slice(0, count);
        const reload = await stack.reloadProxy(); // stop routing to them first, then stop them
        await Promise.all(removed.map((i) => stack.stopInstance(i)));
        for (const i of removed) delete stack.endpoints.appLogs[i.id];
        return `scaled ${before} → ${count} instances (stopped ${removed.map((i) => i.id).join(", ")}); ${reload}`;
      }),

    redisStop: () =>
      stack.serial(async () => {
        needRedis("redis-stop");
        if (!stack.redis!.proc || stack.redis!.proc.exit) return "redis was already stopped";
        await stack.stopRedis();
        return `redis stopped (${HOST}:${stack.redis!.port} refuses connections)`;
      }),

    redisStart: () =>
      stack.serial(async () => {
        needRedis("redis-start");
        if (stack.redis!.proc && !stack.redis!.proc.exit) return "redis was already running";
        await stack.startRedis();
        return `redis started again on ${HOST}:${stack.redis!.port}`;
      }),

    proxyReload: () =>
      stack.serial(async () => {
        needProxy("proxy-reload");
        return stack.reloadProxy();
      }),

    backendDown: (instance) =>
      stack.serial(async () => {
        const inst = pickDown(instance);
        if (!inst.proc || inst.proc.exit) return `${inst.id} was already down`;
        const pids = [inst.proc.pid, ...stack.workersOf(inst)];
        await stack.stopInstance(inst);
        await waitForRefused(HOST, inst.port, 10_000);
        const left = pids.filter(pidAlive);
        if (left.length) throw new Error(`backend-down: ${inst.id} processes ${left.join(",")} are still alive`);
        return `${inst.id} down (stopped pids ${pids.join(",")}; ${HOST}:${inst.port} refuses connections)`;
      }),

    backendUp: (instance) =>
      stack.serial(async () => {
        const inst = instance ? stack.instance(instance) : stack.instances.find((i) => !i.proc || i.proc.exit);
        if (!inst) return "no backend was down";
        if (inst.proc && !inst.proc.exit) return `${inst.id} was already up`;
        await startAgain(inst);
        return `${inst.id} up again on ${HOST}:${inst.port} (pid ${inst.proc!.pid})`;
      }),

    staleUpstream: () =>
      stack.serial(async () => {
        needProxy("stale-upstream");
        const extra = stack.proxy!.extra;
        // a loopback address nothing listens on: connections to it are refused, like a
        // container IP that no longer exists after a recreate
        const address = `127.0.0.${2 + extra.length}:${await freePort(HOST)}`;
        extra.push({ id: `stale${extra.length + 1}`, address });
        const reload = await stack.reloadProxy();
        return `added dead upstream ${address} to ${t.proxy}; ${reload}`;
      }),
  };
}
