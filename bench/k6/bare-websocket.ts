// Bench-only k6 entry (runs INSIDE k6): the floor under rtsoak's websocket client — bare
// k6/websockets sockets holding Socket.IO sessions with the least possible script: open,
// send CONNECT (`40`), answer pings (`2` → `3`), emit `echo` with an ack id every
// EMIT_INTERVAL, ignore every answer. Its memory next to scenarios/websocket.ts tells what
// k6 costs per socket and what rtsoak's client adds on top.
//   env: TARGET, CLIENTS, CLIENTS_PER_VU, DURATION, EMIT_INTERVAL, START_JITTER, PAYLOAD_BYTES
// Counter bench_ws_open: sockets opened.
import exec from "k6/execution";
import { Counter } from "k6/metrics";
import { clearInterval, setInterval, setTimeout } from "k6/timers";
import { WebSocket } from "k6/websockets";
import { durationVar, intVar, targetVar, toWsBase } from "../../scenarios/lib/config.ts";
import { buildOptions } from "../../scenarios/lib/options.ts";

declare const __ENV: Record<string, string | undefined>;

const url = `${toWsBase(targetVar(__ENV))}/socket.io/?EIO=4&transport=websocket`;
const perVu = intVar(__ENV, "CLIENTS_PER_VU", 100, 1);
const clients = intVar(__ENV, "CLIENTS", 100, 1);
const durationMs = durationVar(__ENV, "DURATION", "40s", 1000);
const emitMs = durationVar(__ENV, "EMIT_INTERVAL", "5s", 1);
const jitterMs = durationVar(__ENV, "START_JITTER", "10s");
const payload = "x".repeat(intVar(__ENV, "PAYLOAD_BYTES", 16, 0, 1_000_000));
const opened = new Counter("bench_ws_open");

export const options = buildOptions({ websocket: { vus: Math.ceil(clients / perVu), durationMs, gracefulStopMs: 10_000 } });

function hold(until: number): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    let id = 0;
    let emitter: ReturnType<typeof setInterval> | null = null;
    ws.addEventListener("open", () => {
      opened.add(1);
      ws.send("40");
      emitter = setInterval(() => ws.send(`42${id++}["echo",${id},"${payload}"]`), emitMs);
      setTimeout(() => ws.close(), Math.max(0, until - Date.now()));
    });
    ws.addEventListener("message", (ev) => {
      if ((ev as { data: unknown }).data === "2") ws.send("3");
    });
    ws.addEventListener("close", () => {
      if (emitter !== null) clearInterval(emitter);
      resolve();
    });
    ws.addEventListener("error", () => undefined);
  });
}

export default async function (): Promise<void> {
  const until = exec.scenario.startTime + durationMs;
  const sockets: Array<Promise<void>> = [];
  for (let i = 0; i < perVu; i++) {
    sockets.push(new Promise<void>((r) => setTimeout(r, Math.floor(Math.random() * jitterMs))).then(() => hold(until)));
  }
  await Promise.all(sockets);
}
