// Log output for `rtsoak stack logs`: the last lines of each component's log, then (with
// --follow) new lines as they are written, prefixed with the component name, until Ctrl-C.
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { logTail } from "./local/readiness.ts";

const size = (file: string) => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

/** Prints the tail of every log; returns where each file ended. */
export function printLogTails(files: Record<string, string>, print: (l: string) => void, lines = 20): Record<string, number> {
  const offsets: Record<string, number> = {};
  for (const [name, file] of Object.entries(files)) {
    print(`==> ${name}: ${file}`);
    const tail = logTail(file, lines);
    if (tail) for (const l of tail.split("\n")) print(l);
    offsets[name] = size(file);
  }
  return offsets;
}

function readFrom(file: string, offset: number, end: number): string {
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.alloc(end - offset);
    readSync(fd, buf, 0, buf.length, offset);
    return buf.toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/** Prints new lines every 250 ms until SIGINT/SIGTERM. */
export function followLogs(files: Record<string, string>, offsets: Record<string, number>, print: (l: string) => void): Promise<void> {
  const partial: Record<string, string> = {};
  const width = Math.max(...Object.keys(files).map((n) => n.length));
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      for (const [name, file] of Object.entries(files)) {
        const end = size(file);
        const start = end < (offsets[name] ?? 0) ? 0 : offsets[name] ?? 0; // truncated: start over
        if (end === start) continue;
        const text = (partial[name] ?? "") + readFrom(file, start, end);
        offsets[name] = end;
        const parts = text.split("\n");
        partial[name] = parts.pop() ?? "";
        for (const l of parts) print(`${name.padEnd(width)} | ${l}`);
      }
    }, 250);
    const stop = () => {
      clearInterval(timer);
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
