// Reconnection policy: exponential backoff with jitter and a bounded number of attempts,
// shaped like socket.io-client's (delay = base·2^(attempt-1), ± jitter, capped).
// Pure: the caller owns the timers.

export interface ReconnectPolicy {
  /** Attempts after a loss (or a failed first connect) before giving up; 0 disables reconnection. */
  attempts: number;
  /** Delay before the first attempt, ms. */
  baseDelayMs: number;
  /** Upper bound of any delay, ms. */
  maxDelayMs: number;
  /** 0..1: the delay varies by up to this fraction either way. */
  jitter: number;
}

export const DEFAULT_RECONNECT: ReconnectPolicy = {
  attempts: 3,
  baseDelayMs: 1000,
  maxDelayMs: 5000,
  jitter: 0.5,
};

/**
 * Delay before attempt number `attempt` (1-based). `random` returns [0, 1).
 * Never negative, never above maxDelayMs.
 */
export function backoffDelay(attempt: number, policy: ReconnectPolicy, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(attempt));
  // 2^30 is far past any cap; avoids Infinity for silly attempt counts.
  let ms = policy.baseDelayMs * Math.pow(2, Math.min(n - 1, 30));
  if (policy.jitter > 0) {
    const r = random();
    const deviation = Math.floor(r * policy.jitter * ms);
    ms = Math.floor(r * 10) % 2 === 0 ? ms - deviation : ms + deviation;
  }
  return Math.max(0, Math.min(ms, policy.maxDelayMs));
}

/** True while another attempt is allowed after `attemptsMade` failed ones. */
export function shouldRetry(attemptsMade: number, policy: ReconnectPolicy): boolean {
  return attemptsMade < policy.attempts;
}
