// k6.log stops growing at its limit: the real k6 prints warning lines (like one per failed
// request in a soak) far past a small limit; the file ends with one line saying it stopped,
// and the in-memory tail used for error messages still has k6's last lines.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runK6 } from "../../harness/k6/spawn.ts";
import { k6Binary, workDir } from "./support/k6-run.ts";

const { dir, cleanup } = workDir("rtsoak-k6-log-");
afterAll(cleanup);

describe("k6.log cap", () => {
  it("keeps k6.log under its limit with a last line saying so, the tail stays current", async () => {
    const script = join(dir, "noisy.js");
    // ~3000 warnings of ~120 bytes: ~400 KB of output against a 50 KB limit
    writeFileSync(
      script,
      `export const options = { vus: 1, iterations: 1 };
       export default function () {
         for (let i = 0; i < 3000; i++) console.warn("request failed " + i + " " + "x".repeat(60));
         console.warn("the very last line");
       }`,
    );
    const logFile = join(dir, "k6.log");
    const result = await runK6({ k6: await k6Binary(), script, env: {}, fifoPath: join(dir, "samples.fifo"), onLine: () => {}, logFile, logLimitBytes: 50_000 });
    expect(result.exitCode).toBe(0);
    const log = readFileSync(logFile, "utf8");
    expect(log.length).toBeLessThanOrEqual(50_000 + 200);
    expect(log.length).toBeGreaterThan(50_000 - 200);
    expect(log).toContain("request failed 0 ");
    expect(log).not.toContain("the very last line");
    const lines = log.trimEnd().split("\n");
    expect(lines.at(-1)).toMatch(/^\[rtsoak\] k6\.log stopped here at 50000 bytes/);
    expect(lines.filter((l) => l.startsWith("[rtsoak]"))).toHaveLength(1);
    // the log ends with a whole k6 line
    expect(lines.at(-2)).toMatch(/^time=.*msg="request failed \d+ x+" source=console$/);
    expect(result.tail).toContain("the very last line");
  });
});
