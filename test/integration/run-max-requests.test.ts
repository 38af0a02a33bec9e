// Recycles nobody scheduled: the apps' own max-requests limit restarts workers under load,
// and the run finds them in the app logs and reports them as events (real CLI, k6, nginx).
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readRun, runCli, tempCwd } from "./support/run-cli.ts";

const cwd = tempCwd("max-requests");
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe("max-requests recycling under load (real CLI)", () => {
  it("detects the apps' own recycles from their logs and reports them as events", async () => {
    writeFileSync(join(cwd, "topology.yaml"), "extends: nginx-iphash-2x1\nmaxRequests: 60\nmaxRequestsJitter: 10\n");
    const runDir = join(cwd, "run");
    const r = await runCli(
      ["run", "--profile", "smoke", "--scenario", "polling", "--duration", "20s", "--clients", "6", "--topology", "topology.yaml", "--env", "EMIT_INTERVAL=200ms", "--out", runDir],
      { cwd, timeoutMs: 120_000 },
    );
    expect([0, 1], r.stderr).toContain(r.code);
    const { analysed, html } = readRun(runDir);
    const recycles = analysed.events.filter((e) => e.event.name === "max-requests-recycle");
    // 6 polling clients emitting every 200 ms pass 70 requests per worker within seconds.
    expect(recycles.length).toBeGreaterThan(0);
    for (const e of recycles) {
      expect(e.event.start).toBeGreaterThanOrEqual(analysed.startedAt);
      expect(e.event.start).toBeLessThanOrEqual(analysed.endedAt);
      expect(e.event.target ?? e.event.detail ?? "").toMatch(/app[12]|max_requests/);
    }
    expect(html).toContain("max-requests-recycle");
  }, 180_000);
});
