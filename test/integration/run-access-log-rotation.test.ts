// `rtsoak run` end to end with the proxy access log cut every 4 KB (RTSOAK_ACCESS_LOG_MAX_BYTES):
// the log is followed and rotated during the load, through a recycle, and k6's counts must
// still reconcile with the proxy's with 0 mismatches, on nginx and on HAProxy.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const base = mkdtempSync(join(tmpdir(), "rtsoak-run-rotation-"));
afterAll(() => rmSync(base, { recursive: true, force: true }));

interface Reconciliation {
  mismatches: number;
  k6Total: number;
  proxyTotal: number;
}

function runCli(topology: string) {
  const out = join(base, topology);
  const args = ["bin/rtsoak.mjs", "run", "--profile", "smoke", "--topology", topology, "--duration", "20s", "--clients", "6", "--event", "10s:recycle", "--out", out];
  const r = spawnSync(process.execPath, args, {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 150_000,
    env: { ...process.env, RTSOAK_ACCESS_LOG_MAX_BYTES: "4000" },
  });
  const analysed = JSON.parse(readFileSync(join(out, "analysed.json"), "utf8")) as { reconciliation: Reconciliation };
  return { code: r.status, stderr: r.stderr, out, reconciliation: analysed.reconciliation, accessLog: join(out, "stack", "logs", "proxy-access.log") };
}

describe("rtsoak run with the access log rotated every 4 KB", () => {
  for (const topology of ["nginx-rr-2x1", "haproxy-rr-2x1"]) {
    it(`${topology}: reconciles with 0 mismatches, no rotated file left`, () => {
      const run = runCli(topology);
      expect([0, 1], run.stderr.slice(-3000)).toContain(run.code);
      expect(run.stderr).not.toMatch(/access log: /); // no rotation failed, none was impossible
      const r = run.reconciliation;
      expect(r.mismatches).toBe(0);
      expect(r.k6Total).toBeGreaterThan(50);
      // nginx saw what k6 sent plus the readiness probe(s)
      expect(r.proxyTotal - r.k6Total).toBeGreaterThanOrEqual(0);
      expect(r.proxyTotal - r.k6Total).toBeLessThanOrEqual(5);
      expect(existsSync(`${run.accessLog}.1`)).toBe(false);
      const st = statSync(run.accessLog);
      if (topology.startsWith("nginx")) {
        // one "signal 10 (SIGUSR1) received" per rotation
        const reopens = readFileSync(join(run.out, "stack", "logs", "proxy-error.log"), "utf8").match(/signal 10 \(SIGUSR1\) received/g) ?? [];
        expect(reopens.length).toBeGreaterThanOrEqual(3);
        expect(st.size).toBeLessThan(20_000);
      } else {
        // HAProxy's file keeps its apparent size; what was read is a hole
        expect(st.size).toBeGreaterThan(20_000);
        expect(st.blocks * 512).toBeLessThan(st.size / 2);
      }
      console.log(`${topology}: exit ${run.code}, k6 ${r.k6Total} / proxy ${r.proxyTotal} requests, ${r.mismatches} mismatches; access log ${st.size} bytes, ${st.blocks * 512} on disk`);
    });
  }
});
