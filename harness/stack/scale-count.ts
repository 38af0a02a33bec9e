// The instance count a scale disruption may ask for, and its answer when nothing changes:
// one rule for the local and the compose driver.
import { UserError } from "../errors.ts";

/** Throws a UserError unless `count` is a whole number from 1 to 64. */
export function checkScaleCount(count: number): void {
  if (!Number.isInteger(count) || count < 1 || count > 64) throw new UserError(`scale needs an instance count from 1 to 64, got ${count}.`);
}

/** What a scale to the current count says. */
export const alreadyAtCount = (count: number): string => `already ${count} instance${count > 1 ? "s" : ""}`;
