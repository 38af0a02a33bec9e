// Ctrl-C in the middle of a run, through the real CLI: SIGINT ~10 s into a 40 s load. rtsoak must
// exit 130, still write report.html and summary.json marked partial, and leave no process it
// started alive (nginx, redis, the Node apps and their workers, k6, the watchdog).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanUpWatchedRun, eventually, kindOf, readRun, sleep, startWatchedRun, stillAlive, type WatchedRun } from "./support/run-cli.ts";

let watched: WatchedRun | undefined;
afterAll(() => cleanUpWatchedRun(watched));

describe("SIGINT during rtsoak run (real CLI)", () => {
  it("exits 130 with a partial report and nothing left running", async () => {
    watched = startWatchedRun("sigint", ["run", "--topology", "nginx-iphash-2x1", "--duration", "40s", "--clients", "8", "--event", "30s:recycle"], { timeoutMs: 120_000 });
    const { cli, watch, runDir } = watched;

    const ready = await eventually(() => cli.output().includes("stack ready:"), 60_000);
    expect(ready, cli.output()).toBe(true);
    await sleep(10_000);
    // the load is running: k6 and every part of the stack are up
    const running = new Set(watch.seen().filter(stillAlive).map((p) => kindOf(p.cmd)));
    expect([...running].sort()).toEqual(expect.arrayContaining(["k6", "nginx", "node", "redis", "watchdog"]));
    const sentAt = Date.now();
    cli.child.kill("SIGINT");
    const r = await cli.result;
    watch.stop();
    const kinds = watch.seen().reduce<Record<string, number>>((m, p) => ((m[kindOf(p.cmd)] = (m[kindOf(p.cmd)] ?? 0) + 1), m), {});
    console.log(`SIGINT after ~10 s of load: exit ${r.code} ${Date.now() - sentAt} ms later; processes seen: ${JSON.stringify(kinds)}`);

    expect(r.code, r.stderr.slice(-2000)).toBe(130);
    expect(r.stderr).toContain("SIGINT: stopping the load");
    // nothing the run started survives it: checked right at exit, not after a grace period
    expect(watch.survivors()).toEqual([]);
    expect(watch.seen().length).toBeGreaterThanOrEqual(8); // nginx ×2, redis, 2 apps + 2 workers, k6, watchdog

    expect(existsSync(join(runDir, "report.html"))).toBe(true);
    const run = readRun(runDir);
    expect(run.summary.partial).toBe(true);
    expect(run.analysed.partial).toBe(true);
    expect(run.html).toContain('class="banner partial"');
    expect(run.summary.totals.requests).toBeGreaterThan(0);
    // the 30 s recycle never fired: the run stopped at ~10 s of load
    expect(run.analysed.events.filter((e) => e.event.name === "recycle")).toEqual([]);
    expect(run.analysed.windows.length).toBeLessThan(25);

    // and a second look a few seconds later: nothing came back (no restart by a supervisor)
    await sleep(2_000);
    expect(watch.survivors()).toEqual([]);
  }, 150_000);
});
