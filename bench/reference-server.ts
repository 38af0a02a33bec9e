// The Node reference app (compose/apps/node/server.mjs) as the benchmarks' one server:
// one worker, no ticks, on a free loopback port, in its own process group so stop() ends
// the primary and its worker together (by pid, never by name).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { freePort } from "../harness/net/ports.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

export interface BenchServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

async function answersHandshake(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/socket.io/?EIO=4&transport=polling`, { signal: AbortSignal.timeout(2000) });
    return res.status === 200 && (await res.text()).startsWith("0{");
  } catch {
    return false;
  }
}

export async function startReferenceServer(extraEnv: Record<string, string> = {}): Promise<BenchServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [`${ROOT}compose/apps/node/server.mjs`], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", WORKERS: "1", TICK_MS: "0", ...extraEnv },
    detached: true,
    // Its per-connection log lines are not needed; errors still show on our stderr.
    stdio: ["ignore", "ignore", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const group = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // already gone
    }
  };
  const server: BenchServer = {
    url,
    pid: child.pid!,
    async stop() {
      group("SIGTERM");
      const timer = setTimeout(() => group("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
      group("SIGKILL");
    },
  };
  const deadline = Date.now() + 30_000;
  while (!(await answersHandshake(url))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await server.stop();
      throw new Error(`the reference server at ${url} did not answer an Engine.IO handshake within 30 s`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return server;
}
