// A start that fails half-way tears down what it had started and rethrows the original
// error, whose message names the target and the budget (or the process that died).
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { UserError } from "../../harness/errors.ts";
import { localDriver } from "../../harness/stack/local/driver.ts";
import { resolveTopology } from "../../harness/stack/topology.ts";
import { isPortFree } from "../../harness/net/ports.ts";
import { pidAlive } from "../../harness/stack/local/process-group.ts";

const workDir = () => mkdtempSync(join(tmpdir(), "rtsoak-fail-"));

/** Live processes whose command line or environment contains `text`. */
function processesMentioning(text: string): number[] {
  const found: number[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      const seen = readFileSync(`/proc/${d}/cmdline`, "utf8") + readFileSync(`/proc/${d}/environ`, "utf8");
      if (seen.includes(text) && pidAlive(Number(d))) found.push(Number(d));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

afterEach(() => {
  delete process.env.GRACEFUL_TIMEOUT_MS;
});

describe("failed start", () => {
  it("an app that dies before it is ready: the error names it and shows its log; Redis is stopped again", async () => {
    process.env.GRACEFUL_TIMEOUT_MS = "soon"; // the Node app refuses this value and exits with code 2
    const progress: string[] = [];
    const dir = workDir();
    const err = await localDriver.up(resolveTopology("nginx-rr-2x1"), { workDir: dir, onProgress: (l) => progress.push(l) }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/^app[12] exited \(code 2\) before http:\/\/127\.0\.0\.1:\d+\/healthz answered 200; see .*app[12]\.log:\n.*GRACEFUL_TIMEOUT_MS=soon/);
    expect(progress.some((l) => l.startsWith("redis ready"))).toBe(true);
    expect(progress.some((l) => l.startsWith("nginx ready"))).toBe(false);
    // nothing of this stack runs any more: redis had the work dir on its command line, the
    // apps had REDIS_URL with redis' port in their environment
    const port = Number(/redis ready on 127\.0\.0\.1:(\d+)/.exec(progress.join("\n"))![1]);
    expect(await isPortFree(port)).toBe(true);
    expect(processesMentioning(dir)).toEqual([]);
    expect(processesMentioning(`REDIS_URL=redis://127.0.0.1:${port}`)).toEqual([]);
  });

  it("a readiness budget that runs out: the message names the target and the budget; nothing is left", async () => {
    const progress: string[] = [];
    const dir = workDir();
    const err = await localDriver
      .up(resolveTopology("nginx-rr-2x1"), { workDir: dir, onProgress: (l) => progress.push(l), readyTimeoutMs: 1 })
      .catch((e: unknown) => e as Error);
    // usually redis is not up within 1 ms; on a busy machine it may be, and then an app is not
    const m = /^no (?:PONG from redis at |200 from http:\/\/)127\.0\.0\.1:(\d+)\S* after 0 s/.exec((err as Error).message);
    expect(m, (err as Error).message).not.toBeNull();
    expect(err).toBeInstanceOf(UserError);
    expect(await isPortFree(Number(m![1]))).toBe(true);
    expect(processesMentioning(dir)).toEqual([]);
  });
});
