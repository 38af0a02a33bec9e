// rtsoak.config.yaml in the working folder, through the real CLI: the file overrides the profile's
// scenario, clients, duration, events and thresholds, and flags override the file.
//   file:  scenario polling, clients 3, duration 24s, events [proxy-reload at 8s], httpP95Ms <1234, ackP99Ms <3s
//   flags: --clients 5, --threshold ackP99Ms=<2500
// (Without the file the gate profile would run "mixed" for 90 s with a recycle at 40 s.)
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { proxyAccessLog, runForFile } from "./support/run-cli.ts";

const CONFIG = `# rtsoak.config.yaml written by run-config-file.test.ts
scenario: polling
clients: 3
duration: 24s
topology: nginx-iphash-2x1
events:
  - at: 8s
    action: proxy-reload
thresholds:
  httpP95Ms: "<1234"
  ackP99Ms: "<3s"
`;

const run = runForFile("config", ["run", "--clients", "5", "--threshold", "ackP99Ms=<2500"], {
  label: "run from rtsoak.config.yaml",
  files: { "rtsoak.config.yaml": CONFIG },
  timeoutMs: 120_000,
  hookTimeoutMs: 150_000,
});

describe("rtsoak.config.yaml is honoured and flags win (real CLI)", () => {
  it("ran the file's scenario for the file's duration", () => {
    expect([0, 1], run.result.stderr.slice(-2000)).toContain(run.result.code);
    expect(run.watch.survivors()).toEqual([]);
    expect(readdirSync(join(run.dir, "k6"))).toContain("polling.js");
    expect(existsSync(join(run.dir, "k6", "mixed.js"))).toBe(false);
    const keys = run.analysed.breakdown.map((r) => r.key);
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) expect(k, "a polling-only scenario").toMatch(/^polling\//);
    expect(run.analysed.totals.wsDials ?? 0).toBe(0);
    // 24 s of load (+ k6's graceful stop), not the gate profile's 90 s
    expect(run.analysed.windows.length).toBeGreaterThanOrEqual(20);
    expect(run.analysed.windows.length).toBeLessThanOrEqual(32);
  });

  it("fired the file's events instead of the profile's", () => {
    const events = run.analysed.events.map((e) => e.event);
    expect(events.map((e) => e.name)).toEqual(["proxy-reload"]);
    expect(events[0].ok).toBe(true);
    const offset = events[0].start - run.analysed.windows[0].start;
    expect(offset).toBeGreaterThan(6_000);
    expect(offset).toBeLessThan(11_000);
  });

  it("took the file's threshold, the flag's threshold over the file's, and kept the profile's others", () => {
    const expr = Object.fromEntries(run.summary.thresholds.map((t) => [t.name, t.expression]));
    expect(expr.http_p95_ms).toBe("<1234");
    expect(expr.ack_p99_ms).toBe("<2500");
    expect(expr.bad_gateway_rate_outside_events).toBe("<0.1%");
    expect(run.junit).toContain('name="http_p95_ms"');
  });

  it("ran the flag's 5 clients, not the file's 3", () => {
    expect(run.result.stderr).toContain("rtsoak gate: polling × 5 clients for 24s");
    expect(run.summary.totals.sessionsOpened).toBeGreaterThanOrEqual(5);
    // ground truth: the Engine.IO sessions nginx saw before the first event (nothing was lost yet,
    // so no client had reconnected): one per client
    const firstSeen = new Map<string, number>();
    for (const l of proxyAccessLog(run.dir)) {
      const sid = /(?:^|&)sid=([^&]+)/.exec(l.args)?.[1];
      if (sid && !firstSeen.has(sid)) firstSeen.set(sid, l.time);
    }
    const beforeEvent = [...firstSeen.values()].filter((t) => t < run.analysed.events[0].event.start).length;
    expect(beforeEvent).toBe(5);
    console.log(`sessions: ${run.summary.totals.sessionsOpened} opened (k6), ${firstSeen.size} sids in the nginx log, ${beforeEvent} before the event`);
  });
});
