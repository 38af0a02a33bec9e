// `backend-down app2` then `backend-up app2` on a sticky replica (nginx ip_hash), through the real
// CLI. With two backends nginx retries a refused connect on the other one (proxy_next_upstream,
// protocol.md), so the client sees `session_unknown` from app1 where a single backend would give 502:
// the access log shows both ("502, 400"). Every error must fall inside an event window
// (start..end+settle), none outside, and each event gets a measured recovery time.
//
// settle comes from rtsoak.config.yaml (8 s; there is no flag for it) so that the run has time
// outside the windows on both sides. Timing: down at 8 s ejects app2 from nginx for its
// fail_timeout (10 s); up at 14 s; nginx sends app2's clients back at ~19 s, inside up's window.
import { describe, expect, it } from "vitest";
import { eventRanges, nginxUpstreams, proxyAccessLog, runForFile, touches, windowsByEvents, windowTrouble } from "./support/run-cli.ts";

const run = runForFile(
  "backend",
  ["gate", "--topology", "nginx-iphash-2x1", "--duration", "32s", "--clients", "10", "--event", "8s:backend-down app2", "--event", "14s:backend-up app2"],
  { label: "backend-down/up on nginx-iphash-2x1 32 s", files: { "rtsoak.config.yaml": "settle: 8s\n" }, timeoutMs: 150_000 },
);

describe("backend-down / backend-up app2 on nginx-iphash-2x1 (real CLI)", () => {
  it("runs both events against app2, with the settle from the config file", () => {
    expect([0, 1], run.result.stderr.slice(-2000)).toContain(run.result.code);
    expect(run.watch.survivors()).toEqual([]);
    expect(run.analysed.settings!.settleMs).toBe(8_000);
    const [down, up] = run.analysed.events.map((e) => e.event);
    expect(down).toMatchObject({ name: "backend-down", target: "app2", ok: true });
    expect(down.detail).toMatch(/^app2 down \(stopped pids [\d,]+; 127\.0\.0\.1:\d+ refuses connections\)$/);
    expect(up).toMatchObject({ name: "backend-up", target: "app2", ok: true });
    expect(up.detail).toMatch(/^app2 up again on 127\.0\.0\.1:\d+ \(pid \d+\)$/);
    const loadStart = run.analysed.windows[0].start;
    expect(down.start - loadStart).toBeGreaterThan(6_000);
    expect(up.start - down.start).toBeGreaterThan(5_000);
    expect(up.start - down.start).toBeLessThan(7_000);
  });

  it("errors only inside the event windows, none outside (k6's view)", () => {
    const { inside, outside } = windowsByEvents(run.analysed);
    const start = run.analysed.windows[0].start;
    const at = (w: { start: number }) => `${Math.round((w.start - start) / 1000)}s`;
    const troubleOutside = outside.map((w) => ({ at: at(w), ...windowTrouble(w) })).filter((t) => Object.keys(t).length > 1);
    expect(outside.length, "time outside the windows on both sides").toBeGreaterThanOrEqual(10);
    expect(troubleOutside).toEqual([]);
    expect(run.analysed.rates!.errorRateOutsideEvents.numerator).toBe(0);
    const troubleInside = inside.map((w) => ({ at: at(w), ...windowTrouble(w) })).filter((t) => Object.keys(t).length > 1);
    console.log(`errors by window: ${JSON.stringify(troubleInside)}`);
    expect(troubleInside.length, "stopping a backend is visible to the clients").toBeGreaterThan(0);
  });

  it("the proxy's ground truth agrees: app2 refused inside backend-down's window, nothing failed outside the windows", () => {
    const ranges = eventRanges(run.analysed);
    const { app1, app2 } = nginxUpstreams(run.dir);
    expect(app1).toMatch(/^127\.0\.0\.1:\d+$/);
    const log = proxyAccessLog(run.dir);
    // end of the load: k6 stops its pending long-polls (nginx 499): not an answer to anything
    const lastWindowEnd = run.analysed.windows.at(-1)!.start + run.analysed.windowMs;
    const failed = log.filter((l) => (l.status >= 400 && l.status !== 499) || /\b50\d\b/.test(l.upstreamStatus));
    // a request is logged when it ends: it may have started up to its request time earlier
    const outsideFailures = failed.filter((l) => !touches(ranges, l.time - 1_000, l.time) && l.time < lastWindowEnd);
    expect(outsideFailures).toEqual([]);

    const refused = log.filter((l) => l.upstream.startsWith(`${app2},`) && l.upstreamStatus.startsWith("502"));
    expect(refused.length, "nginx tried the stopped app2 and moved on").toBeGreaterThan(0);
    const [down] = ranges;
    for (const l of refused) {
      expect(touches([down], l.time - 1_000, l.time), `refused at +${l.time - down.start} ms`).toBe(true);
      // retried on app1, which answers 400 (session unknown) or serves a new session: never a 502 with two backends
      expect(l.upstream).toBe(`${app2}, ${app1}`);
      expect([200, 400]).toContain(l.status);
    }
  });

  it("each event has a measured recovery time in analysed.json and summary.json", () => {
    const byName = Object.fromEntries(run.analysed.events.map((e) => [e.event.name, e]));
    expect(byName["backend-up"].recoveryMs).toEqual(expect.any(Number));
    expect(byName["backend-down"].recoveryMs).toEqual(expect.any(Number));
    expect(byName["backend-down"].sessionsLost).toBeGreaterThan(0);
    const summaryEvents = run.summary.events as Array<{ name: string; recoveryMs: number | null }>;
    expect(summaryEvents.find((e) => e.name === "backend-up")!.recoveryMs).toBe(byName["backend-up"].recoveryMs);
    console.log(`recovery: backend-down ${byName["backend-down"].recoveryMs} ms, backend-up ${byName["backend-up"].recoveryMs} ms`);
  });
});
