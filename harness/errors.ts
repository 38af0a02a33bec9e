// Typed errors, mapped to exit codes in one place (harness/cli.ts).
// A UserError is something the user can fix; its message is one sentence saying what and how.

export const EXIT = {
  ok: 0,
  /** The system under test failed the gate (a threshold did not hold). */
  gateFailed: 1,
  /** The run could not happen: bad input, missing tool, port taken, target down. */
  cannotRun: 2,
  /** rtsoak itself broke (a bug). */
  internal: 3,
  /** Interrupted by SIGINT/SIGTERM (128 + 2). */
  interrupted: 130,
} as const;

/** A problem the user can fix. The message names the problem and the fix. */
export class UserError extends Error {
  readonly exitCode: number = EXIT.cannotRun;
  constructor(message: string) {
    super(message);
    this.name = "UserError";
  }
}

/** Thresholds did not hold. Carries the names of the failing thresholds. */
export class GateFailedError extends Error {
  readonly exitCode: number = EXIT.gateFailed;
  constructor(readonly failing: string[], readonly reportPath?: string) {
    super(`gate failed: ${failing.join(", ")}`);
    this.name = "GateFailedError";
  }
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof UserError || err instanceof GateFailedError) return err.exitCode;
  return EXIT.internal;
}
