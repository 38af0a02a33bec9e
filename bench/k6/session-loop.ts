// Bench-only k6 entry (runs INSIDE k6): each iteration is one whole Socket.IO session with
// rtsoak's client — handshake → namespace CONNECT → one echo emit with ack → close — and
// each VU loops it for DURATION. The scenarios cannot say "one ack then close, at once, in
// a loop" (their sessions nap EMIT_INTERVAL first and cool down between sessions), so the
// client benchmark drives scenarios/lib/client.ts directly from here.
//   env: TARGET, MODE (websocket | polling), VUS, DURATION, PAYLOAD_BYTES
// Counters: bench_sessions (all four steps done), bench_failed (any step failed).
// The round trip is the client's own sio_ack_rtt Trend.
import { Counter } from "k6/metrics";
import { SioClient } from "../../scenarios/lib/client.ts";
import { durationVar, intVar, targetVar, toWsBase } from "../../scenarios/lib/config.ts";
import { buildOptions } from "../../scenarios/lib/options.ts";

declare const __ENV: Record<string, string | undefined>;
declare const __ITER: number;

const mode = __ENV.MODE === "polling" ? "polling" : "websocket";
const target = targetVar(__ENV);
const payload = "x".repeat(intVar(__ENV, "PAYLOAD_BYTES", 16, 0, 1_000_000));

const sessions = new Counter("bench_sessions");
const failed = new Counter("bench_failed");

export const options = buildOptions({
  [mode]: { vus: intVar(__ENV, "VUS", 10, 1), durationMs: durationVar(__ENV, "DURATION", "20s", 1000), gracefulStopMs: 10_000 },
});

export default async function (): Promise<void> {
  const client = new SioClient({
    httpBase: target,
    wsBase: toWsBase(target),
    path: "/socket.io/",
    mode,
    namespace: "/",
    scenario: mode,
    connectTimeoutMs: 10_000,
    upgradeTimeoutMs: 10_000,
    pollTimeoutMs: 0,
    ackTimeoutMs: 10_000,
    // A failed session counts as failed; no retry inside the loop.
    reconnect: { attempts: 0, baseDelayMs: 0, maxDelayMs: 0, jitter: 0 },
  });
  let ok = false;
  if (await client.connect()) {
    try {
      await client.emitWithAck("echo", __ITER, payload);
      ok = true;
    } catch {
      // ack timeout or lost session: counted below
    }
  }
  await client.close();
  (ok ? sessions : failed).add(1);
}
