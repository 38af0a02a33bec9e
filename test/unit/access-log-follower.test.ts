// The access-log follower on real files: a writer appends numbered lines (some split over two
// writes, like a line caught half-written), the log is cut several times while it writes, in
// each way a stack may do it (rename + reopen like nginx, holes punched in the read part like
// for HAProxy, truncate in place under an O_APPEND writer), and every line must arrive
// exactly once, in order, with the file on disk kept near the limit.
import { execFileSync } from "node:child_process";
import { closeSync, existsSync, fstatSync, mkdtempSync, openSync, renameSync, rmSync, statSync, truncateSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { followAccessLog, type RotateLog } from "../../harness/run/access-log-follower.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Writes `total` numbered lines, a few per tick; every 7th line in two writes. Flags "a":
 * O_APPEND like nginx; "w": at its own offset like HAProxy's stdout.
 */
class Writer {
  private fd: number;
  written = 0;
  biggest = 0;
  private half: string | null = null;
  private breakNext = false;
  private timer: NodeJS.Timeout;
  readonly done: Promise<void>;

  constructor(
    readonly file: string,
    readonly total: number,
    readonly flags: "a" | "w" = "a",
  ) {
    this.fd = openSync(file, flags);
    let finish = () => {};
    this.done = new Promise((r) => (finish = r));
    this.timer = setInterval(() => {
      for (let k = 0; k < 4; k++) this.step();
      this.biggest = Math.max(this.biggest, fstatSync(this.fd).blocks * 512);
      if (this.written === this.total && this.half === null) {
        clearInterval(this.timer);
        finish();
      }
    }, 1);
  }

  private step(): void {
    if (this.half !== null) {
      writeSync(this.fd, this.half);
      this.half = null;
      return;
    }
    if (this.written === this.total) return;
    const line = lineFor(this.written++) + "\n";
    if (this.written % 7 === 0 || this.breakNext) {
      this.breakNext = false;
      writeSync(this.fd, line.slice(0, 20));
      this.half = line.slice(20); // the rest comes next tick, maybe into a fresh file
    } else {
      writeSync(this.fd, line);
    }
  }

  /** Writes `n` whole lines at once (after a pending half). */
  burst(n: number): void {
    for (let i = 0; i < n && this.written < this.total; i++) {
      this.step();
      if (this.half !== null) this.step();
    }
  }

  /** Writes the head of the next line now; its rest comes next tick (after the cut). */
  breakLine(): void {
    if (this.half !== null) return;
    this.breakNext = true;
    this.step();
  }

  /** What nginx does on SIGUSR1: reopen the path (a fresh file after a rename). */
  reopen(): void {
    closeSync(this.fd);
    this.fd = openSync(this.file, "a");
  }

  close(): void {
    clearInterval(this.timer);
    closeSync(this.fd);
  }
}

const lineFor = (i: number) => JSON.stringify({ n: i, uri: "/socket.io/", pad: "x".repeat(40 + (i % 30)) });
const expected = (n: number) => Array.from({ length: n }, (_, i) => lineFor(i));

let dir: string;
let writer: Writer | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "rtsoak-follower-"));
});
afterEach(() => {
  writer?.close();
  writer = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** Rename to .1, let the writer go on into it a little, reopen, read .1 to its end, delete it. */
const renameRotation =
  (file: string, w: () => Writer): RotateLog =>
  async (drain) => {
    renameSync(file, `${file}.1`);
    await sleep(3);
    w().breakLine(); // a line cut in two by the reopen
    w().reopen();
    w().burst(250); // the new file grows past the old one's read offset before the next poll
    await sleep(3);
    drain(`${file}.1`);
    unlinkSync(`${file}.1`);
  };

/** Punch out what was read: the writer goes on at its own offset after it. */
const punchRotation =
  (file: string, w: () => Writer): RotateLog =>
  async (drain) => {
    await sleep(3);
    w().breakLine(); // a line half read when the hole is punched
    const read = drain(file);
    execFileSync("fallocate", ["--punch-hole", "--offset", "0", "--length", String(read), file]);
  };

/** Truncate in place (the writer appends, so it goes on at 0); no write between drain and cut. */
const truncateRotation =
  (file: string, w: () => Writer): RotateLog =>
  async (drain) => {
    await sleep(3);
    w().breakLine(); // a line cut in two by the truncate
    drain(file);
    truncateSync(file, 0);
  };

describe("followAccessLog", () => {
  for (const [name, flags, make] of [
    ["rename + reopen", "a", (file: string) => renameRotation(file, () => writer!)],
    ["holes punched", "w", (file: string) => punchRotation(file, () => writer!)],
    ["truncate in place", "a", (file: string) => truncateRotation(file, () => writer!)],
  ] as const) {
    it(`hands over every line exactly once across several rotations (${name})`, async () => {
      const file = join(dir, "access.log");
      writer = new Writer(file, 4000, flags);
      const seen: string[] = [];
      const notes: string[] = [];
      const follower = followAccessLog({ file, onLine: (l) => seen.push(l), maxBytes: 20_000, pollMs: 5, rotate: make(file), onNote: (l) => notes.push(l) });
      await writer.done;
      const totals = await follower.drain();
      expect(notes).toEqual([]);
      expect(seen.length).toBe(4000);
      expect(seen).toEqual(expected(4000));
      expect(totals.lines).toBe(4000);
      expect(totals.rotations).toBeGreaterThanOrEqual(5);
      expect(existsSync(`${file}.1`)).toBe(false);
      // the whole log is ~400 KB; on disk the file stays near the limit
      expect(writer.biggest).toBeLessThan(100_000);
      expect(statSync(file).blocks * 512).toBeLessThan(100_000);
    });
  }

  it("keeps an unfinished line until its end arrives, and hands over the last one at the final drain", async () => {
    const file = join(dir, "access.log");
    const fd = openSync(file, "a");
    const seen: string[] = [];
    const follower = followAccessLog({ file, onLine: (l) => seen.push(l), pollMs: 5 });
    writeSync(fd, '{"a":1}\n{"b":');
    await sleep(40);
    expect(seen).toEqual(['{"a":1}']);
    writeSync(fd, '2}\n\n{"c":3}');
    await sleep(40);
    expect(seen).toEqual(['{"a":1}', '{"b":2}']);
    await follower.stop();
    writeSync(fd, "\n{\"d\":4}");
    closeSync(fd);
    // stop() reads nothing more; drain() reads to the end, the unterminated line included
    expect(seen).toEqual(['{"a":1}', '{"b":2}']);
    expect(await follower.drain()).toEqual({ lines: 4, rotations: 0 });
    expect(seen).toEqual(['{"a":1}', '{"b":2}', '{"c":3}', '{"d":4}']);
    expect(await follower.drain()).toEqual({ lines: 4, rotations: 0 });
    expect(seen.length).toBe(4);
  });

  it("without a rotation hook reads the growing file, says once that it cannot cut it", async () => {
    const file = join(dir, "access.log");
    writer = new Writer(file, 1500);
    const seen: string[] = [];
    const notes: string[] = [];
    const follower = followAccessLog({ file, onLine: (l) => seen.push(l), maxBytes: 10_000, pollMs: 5, onNote: (l) => notes.push(l) });
    await writer.done;
    await follower.drain();
    expect(seen).toEqual(expected(1500));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/cannot rotate/);
    expect(statSync(file).size).toBeGreaterThan(100_000);
  });

  it("a rotation that fails is said once; the file is then read as it grows, nothing lost", async () => {
    const file = join(dir, "access.log");
    writer = new Writer(file, 1500);
    const seen: string[] = [];
    const notes: string[] = [];
    let calls = 0;
    const follower = followAccessLog({
      file,
      onLine: (l) => seen.push(l),
      maxBytes: 10_000,
      pollMs: 5,
      rotate: async () => {
        calls++;
        throw new Error("proxy gone");
      },
      onNote: (l) => notes.push(l),
    });
    await writer.done;
    expect((await follower.drain()).rotations).toBe(0);
    expect(seen).toEqual(expected(1500));
    expect(calls).toBe(1);
    expect(notes).toEqual([expect.stringMatching(/rotating .* failed.*proxy gone/)]);
  });

  it("starts before the proxy has created the file", async () => {
    const file = join(dir, "later.log");
    const seen: string[] = [];
    const follower = followAccessLog({ file, onLine: (l) => seen.push(l), pollMs: 5 });
    await sleep(20);
    writer = new Writer(file, 50);
    await writer.done;
    await follower.drain();
    expect(seen).toEqual(expected(50));
  });
});
