// Memory and CPU of one process, read from Linux /proc: VmRSS / VmHWM (peak RSS) from
// /proc/<pid>/status, user+system CPU time from /proc/<pid>/stat. A sampler polls one pid
// every few seconds and keeps the last reading, the peak and a timeline.
import { readFileSync, readdirSync } from "node:fs";

export interface ProcReading {
  /** Epoch ms of the reading. */
  at: number;
  rssKb: number;
  /** Peak RSS so far (the kernel's high-water mark). */
  hwmKb: number;
  /** User + system CPU time, ms. */
  cpuMs: number;
}

const TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux x86-64

function kbField(status: string, name: string): number {
  const m = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status);
  return m ? Number(m[1]) : 0;
}

/** One reading, or null once the process is gone. */
export function readProc(pid: number): ProcReading | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(rest[11]) + Number(rest[12]);
    return { at: Date.now(), rssKb: kbField(status, "VmRSS"), hwmKb: kbField(status, "VmHWM"), cpuMs: (ticks * 1000) / TICKS_PER_SECOND };
  } catch {
    return null;
  }
}

/** Pid of a direct child of `parent` whose command name is `comm`, or null. */
export function findChild(parent: number, comm: string): number | null {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === parent && name === comm) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

export class ProcSampler {
  readonly timeline: ProcReading[] = [];
  last: ProcReading | null = null;
  peakRssKb = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private pid: number | (() => number | null),
    private readonly everyMs: number,
    /** Keep every reading in `timeline` (soak: a few hundred); off for short runs. */
    private readonly keepTimeline = false,
  ) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.everyMs);
    return this;
  }

  /** Takes a reading now; false when the process is not (or no longer) there. */
  sample(): boolean {
    const pid = typeof this.pid === "number" ? this.pid : this.pid();
    if (pid === null) return false;
    if (typeof this.pid !== "number") this.pid = pid;
    const r = readProc(pid);
    if (!r) return false;
    this.last = r;
    this.peakRssKb = Math.max(this.peakRssKb, r.rssKb, r.hwmKb);
    if (this.keepTimeline) this.timeline.push(r);
    return true;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

export const mb = (kb: number): number => kb / 1024;
