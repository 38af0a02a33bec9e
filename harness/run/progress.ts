// The live progress line: elapsed / total, clients, requests per second, current 400 and
// 502 rates, next event. On a terminal it rewrites one line; in CI logs it prints a line
// every few seconds so the job log stays readable.
import { formatDuration } from "../config/duration.ts";

export interface ProgressState {
  elapsedMs: number;
  totalMs: number;
  clients: number;
  rps: number;
  rate400: number;
  rate502: number;
  sessions?: number;
  next?: { source: string; inMs: number } | null;
}

export function formatProgress(p: ProgressState): string {
  const pct = (r: number) => `${(r * 100).toFixed(r > 0 && r < 0.001 ? 3 : 1)}%`;
  const parts = [
    `${formatDuration(p.elapsedMs)}/${formatDuration(p.totalMs)}`,
    `${p.clients} clients`,
    `${Math.round(p.rps)} req/s`,
    `400 ${pct(p.rate400)}`,
    `502 ${pct(p.rate502)}`,
  ];
  if (p.sessions !== undefined) parts.push(`${p.sessions} sessions`);
  if (p.next) parts.push(`next: ${p.next.source} in ${formatDuration(p.next.inMs)}`);
  return parts.join(" │ ");
}

export interface ProgressPrinter {
  update(p: ProgressState): void;
  /** A line that must stay in the log (stack ready, event fired). */
  log(line: string): void;
  done(): void;
}

export function progressPrinter(stream: NodeJS.WriteStream = process.stderr, plainEveryMs = 10_000): ProgressPrinter {
  const tty = stream.isTTY === true;
  let lastPlain = 0;
  let live = false;
  const clear = () => {
    if (tty && live) stream.write("\r\x1b[2K");
    live = false;
  };
  return {
    update(p) {
      const line = formatProgress(p);
      if (tty) {
        stream.write(`\r\x1b[2K${line.slice(0, (stream.columns ?? 120) - 1)}`);
        live = true;
      } else if (p.elapsedMs - lastPlain >= plainEveryMs) {
        lastPlain = p.elapsedMs;
        stream.write(`${line}\n`);
      }
    },
    log(line) {
      clear();
      stream.write(`${line}\n`);
    },
    done() {
      clear();
    },
  };
}
