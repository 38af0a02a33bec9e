// The `local` stack driver: the topology as processes on 127.0.0.1 (redis-server, the apps,
// nginx or HAProxy), started in order, each waited for, torn down on any failure.
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { UserError } from "../../errors.ts";
import { assertPortFree, freePorts } from "../../net/ports.ts";
import type { StackDriver, Topology } from "../types.ts";
import { GUNICORN, HOST } from "./components.ts";
import { createControl } from "./control.ts";
import { LocalStack, layoutFor, type LocalUpOptions } from "./local-stack.ts";

export type { LocalUpOptions } from "./local-stack.ts";
export { LocalStack } from "./local-stack.ts";

const INSTALL_HINT: Record<string, string> = {
  "redis-server": "apt-get install redis-server",
  nginx: "apt-get install nginx-light",
  haproxy: "apt-get install haproxy",
  [GUNICORN]: "apt-get install gunicorn python3-flask-socketio python3-gevent python3-gevent-websocket python3-redis",
};

function onPath(binary: string): boolean {
  const dirs = binary.includes("/") ? [""] : (process.env.PATH ?? "").split(delimiter);
  return dirs.some((d) => {
    try {
      accessSync(d ? join(d, binary) : binary, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Every program the topology needs, found before anything starts. */
export function checkBinaries(t: Topology): void {
  const needed = [t.redis ? "redis-server" : "", t.proxy === "none" ? "" : t.proxy, t.app === "flask" ? GUNICORN : ""].filter(Boolean);
  for (const b of needed) {
    if (!onPath(b)) throw new UserError(`${b} is not installed but topology ${t.name} needs it; install it (${INSTALL_HINT[b]}) or use --stack compose.`);
  }
}

async function up(topology: Topology, options: LocalUpOptions): Promise<LocalStack> {
  const t0 = Date.now();
  checkBinaries(topology);
  if (options.proxyPort !== undefined) await assertPortFree(options.proxyPort, "--port", HOST);
  const wanted = (topology.redis ? 1 : 0) + topology.instances + (topology.proxy === "none" ? 0 : 1);
  const free = await freePorts(wanted, HOST);
  const take = () => free.shift()!;
  const redis = topology.redis ? take() : undefined;
  let instancePorts: number[];
  let proxy: number | undefined;
  if (topology.proxy === "none") {
    instancePorts = [options.proxyPort ?? take()];
  } else {
    instancePorts = Array.from({ length: topology.instances }, take);
    proxy = options.proxyPort ?? take();
  }
  options.onProgress?.(`starting ${topology.name} in ${options.workDir}`);
  const stack = new LocalStack(topology, layoutFor(options.workDir, topology), options, { redis, instances: instancePorts, proxy });
  try {
    await stack.startRedis();
    const started = await Promise.allSettled(stack.instances.map((i) => stack.startInstance(i)));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
    await stack.startProxy();
  } catch (err) {
    try {
      await stack.down();
    } catch (cleanup) {
      const line = `cleanup after the failed start also failed: ${(cleanup as Error).message}`;
      if (options.onProgress) options.onProgress(line);
      else process.stderr.write(`${line}\n`);
    }
    throw err;
  }
  stack.control = createControl(stack);
  stack.changed();
  options.onProgress?.(`stack ${topology.name} up in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${stack.endpoints.baseUrl}`);
  return stack;
}

export const localDriver: StackDriver & { up(topology: Topology, options: LocalUpOptions): Promise<LocalStack> } = {
  name: "local",
  up,
};
