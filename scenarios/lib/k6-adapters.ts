// The thin seam between rtsoak's pure client modules and k6's runtime: timers from
// k6/timers behind the Timers interface, cancellable sleeps, and the run's clock.
// Everything that needs k6 timing goes through here.

import { clearTimeout as importedClearTimeout, setTimeout as importedSetTimeout } from "k6/timers";
import type { Now, TimerId, Timers } from "./clock.ts";

// Read k6 module bindings once: k6 rebuilds a module's whole export table on every access of
// an imported name (~370 bytes of garbage per call, several calls per emit).
const k6SetTimeout = importedSetTimeout;
const k6ClearTimeout = importedClearTimeout;

export const k6Timers: Timers = {
  setTimeout: (fn, ms) => k6SetTimeout(fn, Math.max(0, ms)),
  clearTimeout: (id: TimerId) => k6ClearTimeout(id as number),
};

export const now: Now = () => Date.now();

/** A sleep that can be cut short; k6 waits for pending timers, so cancel the ones you abandon. */
export interface Sleep {
  promise: Promise<void>;
  /** Resolves the sleep now and clears its timer. */
  cancel(): void;
}

export function sleepFor(ms: number, timers: Timers = k6Timers): Sleep {
  let timer: TimerId | null = null;
  let done: () => void = () => {};
  const promise = new Promise<void>((resolve) => {
    done = resolve;
    timer = timers.setTimeout(() => {
      timer = null;
      resolve();
    }, ms);
  });
  return {
    promise,
    cancel() {
      if (timer !== null) {
        timers.clearTimeout(timer);
        timer = null;
      }
      done();
    },
  };
}

/** Plain awaitable sleep (not cancellable). */
export function sleep(ms: number): Promise<void> {
  return sleepFor(ms).promise;
}
