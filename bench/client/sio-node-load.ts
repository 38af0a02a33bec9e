// The yardstick client: socket.io-client 4.8 in Node, run as its own process so its memory
// and CPU are measured like k6's. Two modes, given as one JSON argument:
//   loop — `concurrency` loops of whole sessions (connect → namespace CONNECT → echo with
//          ack → disconnect) for `durationMs`, like bench/k6/session-loop.ts;
//   hold — `sessions` clients connected and held for `holdMs`, each emitting `echo` with
//          an ack every `emitIntervalMs`, like scenarios/websocket.ts.
// Prints one JSON line (LoadResult) on stdout. Ack round trips use Date.now(), the same
// 1 ms clock the k6 client has, into the analysis' QuantileSketch.
//   node bin/run-ts.mjs bench/client/sio-node-load.ts '{"mode":"loop",…}'
import { io, type Socket } from "socket.io-client";
import { QuantileSketch } from "../../harness/analysis/sketch.ts";

export interface LoadSpec {
  mode: "loop" | "hold";
  target: string;
  transport: "websocket" | "polling";
  payloadBytes: number;
  /** loop */
  concurrency?: number;
  durationMs?: number;
  /** hold */
  sessions?: number;
  holdMs?: number;
  emitIntervalMs?: number;
  /** hold: connects spread over this long */
  startJitterMs?: number;
}

export interface LoadResult {
  sessions: number;
  failed: number;
  elapsedMs: number;
  rtt: { count: number; p50: number; p95: number; p99: number };
  /** hold: most sessions connected at once */
  peakConnected: number;
  cpuMs: number;
}

const ACK_TIMEOUT_MS = 10_000;

function connect(spec: LoadSpec): Socket {
  return io(spec.target, { transports: [spec.transport], forceNew: true, reconnection: false, timeout: 10_000 });
}

/** One whole session; the ack round trip in ms, or null when any step failed. */
function oneSession(spec: LoadSpec, seq: number, payload: string): Promise<number | null> {
  return new Promise((resolve) => {
    const socket = connect(spec);
    const end = (rtt: number | null) => {
      socket.disconnect();
      resolve(rtt);
    };
    socket.once("connect_error", () => end(null));
    socket.once("connect", () => {
      const sent = Date.now();
      socket
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck("echo", seq, payload)
        .then(
          () => end(Date.now() - sent),
          () => end(null),
        );
    });
  });
}

async function loop(spec: LoadSpec, payload: string, sketch: QuantileSketch): Promise<Omit<LoadResult, "rtt" | "cpuMs">> {
  const started = Date.now();
  const deadline = started + (spec.durationMs ?? 20_000);
  let sessions = 0;
  let failed = 0;
  let seq = 0;
  const worker = async () => {
    while (Date.now() < deadline) {
      const rtt = await oneSession(spec, seq++, payload);
      if (rtt === null) failed++;
      else {
        sessions++;
        sketch.add(rtt);
      }
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency ?? 10 }, worker));
  return { sessions, failed, elapsedMs: Date.now() - started, peakConnected: 0 };
}

async function hold(spec: LoadSpec, payload: string, sketch: QuantileSketch): Promise<Omit<LoadResult, "rtt" | "cpuMs">> {
  const started = Date.now();
  const holdMs = spec.holdMs ?? 30_000;
  const jitter = spec.startJitterMs ?? 0;
  let connected = 0;
  let peakConnected = 0;
  let sessions = 0;
  let failed = 0;
  const timers: NodeJS.Timeout[] = [];
  const sockets: Socket[] = [];
  for (let i = 0; i < (spec.sessions ?? 1000); i++) {
    timers.push(
      setTimeout(() => {
        const socket = connect(spec);
        sockets.push(socket);
        socket.once("connect_error", () => failed++);
        socket.once("connect", () => {
          sessions++;
          connected++;
          peakConnected = Math.max(peakConnected, connected);
          let seq = 0;
          const tick = setInterval(() => {
            const sent = Date.now();
            socket
              .timeout(ACK_TIMEOUT_MS)
              .emitWithAck("echo", seq++, payload)
              .then(
                () => sketch.add(Date.now() - sent),
                () => undefined,
              );
          }, spec.emitIntervalMs ?? 1000);
          timers.push(tick);
          socket.once("disconnect", () => {
            connected--;
            clearInterval(tick);
          });
        });
      }, Math.floor(Math.random() * jitter)),
    );
  }
  await new Promise((r) => setTimeout(r, holdMs));
  for (const t of timers) clearTimeout(t);
  for (const s of sockets) s.disconnect();
  return { sessions, failed, elapsedMs: Date.now() - started, peakConnected };
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? "{}") as LoadSpec;
  const payload = "x".repeat(spec.payloadBytes);
  const sketch = new QuantileSketch();
  const cpu0 = process.cpuUsage();
  const r = spec.mode === "hold" ? await hold(spec, payload, sketch) : await loop(spec, payload, sketch);
  const cpu = process.cpuUsage(cpu0);
  const result: LoadResult = {
    ...r,
    rtt: { count: sketch.count, p50: sketch.quantile(0.5), p95: sketch.quantile(0.95), p99: sketch.quantile(0.99) },
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  // Sockets still closing must not hold the process.
  setTimeout(() => process.exit(0), 200).unref();
}

await main();
