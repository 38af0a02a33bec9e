// Emit-with-ack bookkeeping for one Socket.IO namespace connection: ack ids, the time each
// emit left, a timeout per ack, and failing every pending ack when the connection goes.

import type { Now, TimerId, Timers } from "./clock.ts";

export interface AckResult {
  /** The arguments the server acknowledged with. */
  args: unknown[];
  /** Emit to ack, ms. */
  rttMs: number;
}

/** Why an ack will never come. */
export class AckError extends Error {
  constructor(readonly reason: "timeout" | "disconnected") {
    super(reason === "timeout" ? "ack timeout" : "disconnected before the ack");
    this.name = "AckError";
  }
}

interface Pending {
  sentAt: number;
  timer: TimerId;
  resolve: (r: AckResult) => void;
  reject: (e: AckError) => void;
}

export class AckTracker {
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly timers: Timers,
    private readonly now: Now,
  ) {}

  /** Reserves an ack id and starts its clock; the promise settles on ack, timeout or failAll. */
  register(timeoutMs: number): { id: number; result: Promise<AckResult> } {
    const id = this.nextId++;
    const sentAt = this.now();
    const result = new Promise<AckResult>((resolve, reject) => {
      const timer = this.timers.setTimeout(() => {
        if (this.pending.delete(id)) reject(new AckError("timeout"));
      }, timeoutMs);
      this.pending.set(id, { sentAt, timer, resolve, reject });
    });
    return { id, result };
  }

  /** An ACK packet arrived. Returns false for an id nobody waits for (late or unknown). */
  resolve(id: number, args: unknown[]): boolean {
    const p = this.pending.get(id);
    if (!p) return false;
    this.pending.delete(id);
    this.timers.clearTimeout(p.timer);
    p.resolve({ args, rttMs: this.now() - p.sentAt });
    return true;
  }

  /** The connection is gone: every pending ack fails with "disconnected". */
  failAll(): void {
    const all = Array.from(this.pending.values());
    this.pending.clear();
    for (const p of all) {
      this.timers.clearTimeout(p.timer);
      p.reject(new AckError("disconnected"));
    }
  }

  get size(): number {
    return this.pending.size;
  }
}
