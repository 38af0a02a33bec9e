// Engine.IO v4 heartbeat watchdog. The SERVER pings every pingInterval; the client answers
// each ping with a pong (the session does that) and declares the link dead when no ping
// arrives within pingInterval + pingTimeout. The client never sends a ping of its own.

import type { TimerId, Timers } from "./clock.ts";

export class Heartbeat {
  private timer: TimerId | null = null;
  private budgetMs = 0;
  private stopped = false;

  constructor(
    private readonly timers: Timers,
    private readonly onTimeout: () => void,
  ) {}

  /** Arms the watchdog from the handshake values. */
  start(pingInterval: number, pingTimeout: number): void {
    this.budgetMs = pingInterval + pingTimeout;
    this.stopped = false;
    this.arm();
  }

  /** A ping arrived: the link is alive, restart the budget. */
  onPing(): void {
    if (!this.stopped) this.arm();
  }

  /** Disarms for good (session closed). Safe to call twice. */
  stop(): void {
    this.stopped = true;
    this.clear();
  }

  get active(): boolean {
    return this.timer !== null;
  }

  private arm(): void {
    this.clear();
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      if (this.stopped) return;
      this.stopped = true;
      this.onTimeout();
    }, this.budgetMs);
  }

  private clear(): void {
    if (this.timer !== null) {
      this.timers.clearTimeout(this.timer);
      this.timer = null;
    }
  }
}
