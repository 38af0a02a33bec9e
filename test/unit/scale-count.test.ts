import { describe, expect, it } from "vitest";
import { UserError } from "../../harness/errors.ts";
import { alreadyAtCount, checkScaleCount } from "../../harness/stack/scale-count.ts";

describe("scale count (both drivers)", () => {
  it("takes whole numbers from 1 to 64", () => {
    for (const n of [1, 2, 64]) expect(() => checkScaleCount(n)).not.toThrow();
  });

  it("refuses anything else with one sentence", () => {
    for (const n of [0, -1, 65, 2.5, Number.NaN]) {
      expect(() => checkScaleCount(n)).toThrow(UserError);
      expect(() => checkScaleCount(n)).toThrow(`scale needs an instance count from 1 to 64, got ${n}.`);
    }
  });

  it("says when nothing changes", () => {
    expect(alreadyAtCount(1)).toBe("already 1 instance");
    expect(alreadyAtCount(3)).toBe("already 3 instances");
  });
});
