// The timer and clock seam: pure modules take these instead of importing k6/timers, so
// Node unit tests can drive them with fake time. k6-adapters.ts provides the real ones.

export type TimerId = unknown;

export interface Timers {
  setTimeout(fn: () => void, ms: number): TimerId;
  clearTimeout(id: TimerId): void;
}

/** Milliseconds since some fixed point (Date.now in k6). */
export type Now = () => number;
