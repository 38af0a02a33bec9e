// Reads the proxy access log while the run goes on, so a soak neither keeps the whole log on
// disk nor reads it all at the end. New bytes are read from the last offset every poll and
// complete lines go to `onLine`; an unfinished last line waits for the rest. Every `maxBytes`
// read, the stack cuts the log (RunningStack.rotateProxyLog) and calls back `drain`, and the
// follower reads the old file to its end. A new file at the path (another inode) is read from
// 0; the same file, with its read part freed, from where the follower was. A file shorter
// than what was read (truncated) starts over at 0. Every line is handed over exactly once.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

export const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;
const CHUNK_BYTES = 1 << 20;
const NEWLINE = 0x0a;

/** Cuts the log; calls `drain(file)` once, which returns where it stopped. See RunningStack. */
export type RotateLog = (drain: (file: string) => number) => Promise<void>;

export interface FollowerOptions {
  file: string;
  onLine: (line: string) => void;
  /** Rotate each time this many bytes were read (default 8 MiB). */
  maxBytes?: number;
  pollMs?: number;
  /** Absent: the file is read as it grows but never cut (said once through onNote). */
  rotate?: RotateLog;
  /** Lines for the operator: no rotation possible, a rotation that failed. */
  onNote?: (line: string) => void;
}

export interface FollowerTotals {
  lines: number;
  rotations: number;
}

export interface AccessLogFollower {
  /** Ends polling and rotating; waits for a rotation in progress. Reads nothing more. */
  stop(): Promise<void>;
  /** stop(), then reads the file to its end, the unfinished last line included. Once. */
  drain(): Promise<FollowerTotals>;
}

export function followAccessLog(o: FollowerOptions): AccessLogFollower {
  const maxBytes = o.maxBytes ?? DEFAULT_MAX_BYTES;
  const note = o.onNote ?? (() => {});
  let rotate = o.rotate;
  if (!rotate) note(`this stack cannot rotate ${o.file}: it is read as it grows, but grows for the whole run.`);
  const totals: FollowerTotals = { lines: 0, rotations: 0 };
  let offset = 0;
  let inode: number | undefined;
  let sinceCut = 0;
  let rest = Buffer.alloc(0);
  const buf = Buffer.allocUnsafe(CHUNK_BYTES);

  const emit = (bytes: Buffer) => {
    if (bytes.length === 0) return;
    totals.lines++;
    o.onLine(bytes.toString("utf8"));
  };

  const take = (chunk: Buffer) => {
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, nl);
      emit(rest.length ? Buffer.concat([rest, piece]) : piece);
      rest = Buffer.alloc(0);
      start = nl + 1;
    }
    if (start < chunk.length) rest = Buffer.concat([rest, chunk.subarray(start)]);
  };

  /** Reads `file` from `offset` to its end; returns the end. A missing file has nothing yet. */
  const readToEnd = (file: string): number => {
    let fd: number;
    try {
      fd = openSync(file, "r");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return offset;
      throw e;
    }
    try {
      const st = fstatSync(fd);
      if (st.ino !== inode || st.size < offset) {
        inode = st.ino;
        offset = 0;
      }
      for (let n; (n = readSync(fd, buf, 0, buf.length, offset)) > 0; ) {
        offset += n;
        sinceCut += n;
        take(buf.subarray(0, n));
      }
      return offset;
    } finally {
      closeSync(fd);
    }
  };

  // An unfinished line stays in `rest` across a cut: its writer carries on in the new file.
  const rotateNow = async (cut: RotateLog) => {
    try {
      await cut(readToEnd);
      totals.rotations++;
      sinceCut = 0;
    } catch (e) {
      rotate = undefined;
      note(`rotating ${o.file} failed, so it grows from now on: ${(e as Error).message}`);
    }
  };

  let stopped = false;
  let wake = () => {};
  let timer: NodeJS.Timeout | undefined;
  const loop = (async () => {
    while (!stopped) {
      try {
        readToEnd(o.file);
        if (rotate && sinceCut >= maxBytes) await rotateNow(rotate);
      } catch (e) {
        note(`following ${o.file} stopped: ${(e as Error).message}`);
        return;
      }
      await new Promise<void>((resolve) => {
        if (stopped) return resolve(); // stop() came during a rotation
        wake = resolve;
        timer = setTimeout(resolve, o.pollMs ?? 500);
        timer.unref();
      });
    }
  })();

  const stop = async () => {
    stopped = true;
    clearTimeout(timer);
    wake();
    await loop;
  };
  let drained: Promise<FollowerTotals> | undefined;
  return {
    stop,
    drain: () =>
      (drained ??= (async () => {
        await stop();
        readToEnd(o.file);
        emit(rest);
        rest = Buffer.alloc(0);
        return totals;
      })()),
  };
}
