// The access-log follower on a real local stack: a small HTTP load through nginx (rename +
// SIGUSR1) and HAProxy (holes punched in the read part), a 20 KB limit so the log is cut many
// times, and every request must show up exactly once while the log on disk stays small.
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { followAccessLog } from "../../harness/run/access-log-follower.ts";
import { localDriver, type LocalStack } from "../../harness/stack/local/driver.ts";
import { resolveTopology } from "../../harness/stack/topology.ts";

const LIMIT = 20_000;
const REQUESTS = 2400;
const CONCURRENCY = 6;

let stack: LocalStack | undefined;
let workDir: string | undefined;
afterEach(async () => {
  await stack?.down();
  stack = undefined;
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  workDir = undefined;
});

/** Bytes the file takes on disk (a punched hole takes none). */
const onDisk = (file: string) => {
  try {
    return statSync(file).blocks * 512;
  } catch {
    return 0;
  }
};

/** REQUESTS GETs of /healthz?n=<i>, CONCURRENCY at a time; returns how many answered 200. */
async function load(baseUrl: string): Promise<number> {
  let next = 0;
  let ok = 0;
  const worker = async () => {
    while (next < REQUESTS) {
      const n = next++;
      const res = await fetch(`${baseUrl}/healthz?n=${n}`, { signal: AbortSignal.timeout(15_000) });
      await res.arrayBuffer();
      if (res.status === 200) ok++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return ok;
}

for (const topology of ["nginx-iphash-2x1", "haproxy-rr-2x1"]) {
  describe(`access log of ${topology} followed during the load`, () => {
    it("sees every request exactly once across many rotations; the file stays near the limit and no rotated file lingers", async () => {
      workDir = mkdtempSync(join(tmpdir(), "rtsoak-log-rotation-"));
      stack = await localDriver.up(resolveTopology(topology), { workDir, readyTimeoutMs: 60_000 });
      const file = stack.endpoints.proxyAccessLog!;
      const seen = new Map<string, number>();
      let otherLines = 0;
      const notes: string[] = [];
      const rotationMs: number[] = [];
      const follower = followAccessLog({
        file,
        maxBytes: LIMIT,
        pollMs: 50,
        onLine: (line) => {
          const n = /n=(\d+)/.exec((JSON.parse(line) as { args: string }).args)?.[1];
          if (n === undefined) otherLines++;
          else seen.set(n, (seen.get(n) ?? 0) + 1);
        },
        rotate: async (drain) => {
          const t0 = performance.now();
          await stack!.rotateProxyLog(drain);
          rotationMs.push(performance.now() - t0);
        },
        onNote: (l) => notes.push(l),
      });
      // the log on disk: the live file plus a renamed one not yet deleted
      let biggest = 0;
      const sampler = setInterval(() => (biggest = Math.max(biggest, onDisk(file) + onDisk(`${file}.1`))), 10);
      let ok: number;
      try {
        ok = await load(stack.endpoints.baseUrl);
      } finally {
        clearInterval(sampler);
        await follower.stop();
      }
      const atEnd = statSync(file);
      await stack.down();
      const totals = await follower.drain();


      expect(ok).toBe(REQUESTS);
      expect(notes).toEqual([]);
      expect(seen.size).toBe(REQUESTS);
      expect([...seen.values()].every((c) => c === 1)).toBe(true);
      expect(totals.lines).toBe(REQUESTS + otherLines);
      // ~200 bytes a line: the whole log is ~500 KB, cut every 20 KB
      expect(totals.rotations).toBeGreaterThanOrEqual(10);
      expect(biggest).toBeLessThan(6 * LIMIT);
      expect(atEnd.blocks * 512).toBeLessThan(6 * LIMIT);
      expect(existsSync(`${file}.1`)).toBe(false);
      // nginx starts a new file at each rotation; HAProxy's keeps its apparent size, in holes
      if (topology.startsWith("nginx")) expect(atEnd.size).toBeLessThan(6 * LIMIT);
      const sorted = [...rotationMs].sort((a, b) => a - b);
      console.log(
        `${topology}: ${totals.lines} lines, ${totals.rotations} rotations, largest log on disk ${biggest} bytes, apparent size at the end ${atEnd.size}; rotation took median ${sorted[sorted.length >> 1]?.toFixed(1)} ms, max ${sorted.at(-1)?.toFixed(1)} ms`,
      );
    });
  });
}
