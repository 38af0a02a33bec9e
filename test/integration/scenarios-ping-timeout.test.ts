// A server that stops answering: the Node app's process group is SIGSTOPped after the
// sessions opened (pingInterval 1 s + pingTimeout 1 s), then SIGCONTed. Clients must see
// no ping within pingInterval + pingTimeout and record ping_timeout, on both transports.
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { startNodeApp, type RunningApp } from "./support/apps.ts";
import { sum, sumBy } from "./support/k6-points.ts";
import { runScenario, workDir } from "./support/k6-run.ts";
import { METRIC } from "../../scenarios/lib/metrics.ts";

const work = workDir();
let app: RunningApp | undefined;
const timers: NodeJS.Timeout[] = [];

beforeEach(async () => {
  app = await startNodeApp({ workers: 1, pingIntervalMs: 1000, pingTimeoutMs: 1000, tickMs: 0 });
});

afterEach(async () => {
  for (const t of timers.splice(0)) clearTimeout(t);
  // stop() sends SIGCONT before ending the group, so a paused server cannot linger.
  await app?.stop();
  app = undefined;
});

afterAll(() => work.cleanup());

describe("ping timeout", () => {
  for (const scenario of ["websocket", "polling"] as const) {
    it(`${scenario}: a stopped server is detected as ping_timeout`, async () => {
      const running = app!;
      const r = await runScenario(work.dir, {
        scenario,
        env: {
          TARGET: running.url,
          DURATION: "9s",
          VUS: "1",
          CLIENTS_PER_VU: "3",
          EMIT_INTERVAL: "500ms",
          START_JITTER: "200ms",
          // Reconnect attempts during the stop must not give up before the server is back.
          RECONNECT_ATTEMPTS: "5",
          RECONNECT_DELAY: "500ms",
          RECONNECT_DELAY_MAX: "1s",
          CONNECT_TIMEOUT: "3s",
        },
        onStart: () => {
          timers.push(setTimeout(() => running.pause(), 2500));
          timers.push(setTimeout(() => running.resume(), 6500));
        },
        timeoutMs: 90_000,
      });
      expect(r.exitCode, r.stderr.slice(-2000)).toBe(0);
      const kinds = sumBy(r.points, METRIC.failures, "kind", { transport: scenario });
      expect(kinds.ping_timeout ?? 0, JSON.stringify(kinds)).toBeGreaterThan(0);
      expect(sum(r.points, METRIC.sessionsLost, { kind: "ping_timeout" })).toBe(kinds.ping_timeout);
      // Clients reconnect once the server is back (new sessions on top of the first three).
      expect(sum(r.points, METRIC.reconnects), JSON.stringify(kinds)).toBeGreaterThan(0);
      expect(sum(r.points, METRIC.sessionsOpened)).toBeGreaterThan(3);
    });
  }
});
