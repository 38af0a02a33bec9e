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

/**
 * Told how every ack ends, whichever way it was registered: one listener per tracker, so
 * track() needs no promise or closure of its own per ack.
 */
export interface AckListener {
  onAck(result: AckResult): void;
  onAckFailed(error: AckError): void;
}

interface Pending {
  sentAt: number;
  timer: TimerId;
  /** Set for register(); null for track(). */
  resolve: ((r: AckResult) => void) | null;
  reject: ((e: AckError) => void) | null;
}

export class AckTracker {
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly timers: Timers,
    private readonly now: Now,
    private readonly listener: AckListener | null = null,
  ) {}

  /** Reserves an ack id and starts its clock; the promise settles on ack, timeout or failAll. */
  register(timeoutMs: number): { id: number; result: Promise<AckResult> } {
    let id = 0;
    const result = new Promise<AckResult>((resolve, reject) => {
      id = this.start(timeoutMs, resolve, reject);
    });
    return { id, result };
  }

  /** Like register(), reporting only to the listener: no promise to settle. */
  track(timeoutMs: number): number {
    return this.start(timeoutMs, null, null);
  }

  private start(timeoutMs: number, resolve: Pending["resolve"], reject: Pending["reject"]): number {
    const id = this.nextId++;
    const sentAt = this.now();
    const timer = this.timers.setTimeout(() => {
      const p = this.pending.get(id);
      if (!p) return;
      this.pending.delete(id);
      this.fail(p, new AckError("timeout"));
    }, timeoutMs);
    this.pending.set(id, { sentAt, timer, resolve, reject });
    return id;
  }

  /** An ACK packet arrived. Returns false for an id nobody waits for (late or unknown). */
  resolve(id: number, args: unknown[]): boolean {
    const p = this.pending.get(id);
    if (!p) return false;
    this.pending.delete(id);
    this.timers.clearTimeout(p.timer);
    const result: AckResult = { args, rttMs: this.now() - p.sentAt };
    if (this.listener) this.listener.onAck(result);
    if (p.resolve) p.resolve(result);
    return true;
  }

  /** The connection is gone: every pending ack fails with "disconnected". */
  failAll(): void {
    if (this.pending.size === 0) return;
    const all = Array.from(this.pending.values());
    this.pending.clear();
    for (const p of all) {
      this.timers.clearTimeout(p.timer);
      this.fail(p, new AckError("disconnected"));
    }
  }

  get size(): number {
    return this.pending.size;
  }

  private fail(p: Pending, error: AckError): void {
    if (this.listener) this.listener.onAckFailed(error);
    if (p.reject) p.reject(error);
  }
}
