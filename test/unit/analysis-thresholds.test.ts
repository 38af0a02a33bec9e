// Threshold expressions: what parses, what each error says.
import { describe, expect, it } from "vitest";
import { UserError } from "../../harness/errors.ts";
import { compare, parseThresholdExpression, parseThresholdSpec, THRESHOLD_KEYS } from "../../harness/analysis/thresholds.ts";

function errorOf(fn: () => unknown): UserError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return err as UserError;
  }
  throw new Error("expected a UserError");
}

describe("parseThresholdExpression", () => {
  it.each([
    ["sessionUnknownRate", "<0.1%", "<", 0.001],
    ["sessionUnknownRate", " <= 2 % ", "<=", 0.02],
    ["connectSuccess", ">99%", ">", 0.99],
    ["connectSuccess", ">=0.995", ">=", 0.995],
    ["badGatewayRateOutsideEvents", "<.5%", "<", 0.005],
    ["httpP95Ms", "<500", "<", 500],
    ["httpP95Ms", "<= 2", "<=", 2],
    ["ackP99Ms", "<1000ms", "<", 1000],
    ["maxRecoveryMs", "<2.5s", "<", 2500],
    ["reconciliationMismatches", "==0", "==", 0],
  ])("%s %j", (key, raw, op, value) => {
    const e = parseThresholdExpression(key, raw);
    expect(e.op).toBe(op);
    expect(e.value).toBeCloseTo(value, 12);
    expect(e.text).toBe(raw.trim());
  });

  it("names the unknown key and lists the known ones", () => {
    const e = errorOf(() => parseThresholdExpression("sessionUnknown", "<1%"));
    expect(e.message).toBe(`Unknown threshold "sessionUnknown"; use one of: ${THRESHOLD_KEYS.join(", ")}.`);
  });

  it.each([
    ["sessionUnknownRate", "0.1%", 'Threshold sessionUnknownRate: "0.1%" is not valid; write a comparison with a percentage or a fraction, like "<0.1%" or "<=0.001".'],
    ["sessionUnknownRate", "<abc", 'Threshold sessionUnknownRate: "<abc" is not valid; write a comparison with a percentage or a fraction, like "<0.1%" or "<=0.001".'],
    ["sessionUnknownRate", "<5", 'Threshold sessionUnknownRate: "<5" is not valid (a fraction above 1; did you mean a percentage?); write a comparison with a percentage or a fraction, like "<0.1%" or "<=0.001".'],
    ["connectSuccess", ">101%", 'Threshold connectSuccess: ">101%" is not valid (more than 100 %); write a comparison with a percentage or a fraction, like "<0.1%" or "<=0.001".'],
    ["connectSuccess", ">99ms", 'Threshold connectSuccess: ">99ms" is not valid (a rate has no "ms"); write a comparison with a percentage or a fraction, like "<0.1%" or "<=0.001".'],
    ["httpP95Ms", "<10%", 'Threshold httpP95Ms: "<10%" is not valid (a latency is not a percentage); write a comparison in milliseconds (or seconds with "s"), like "<500" or "<2s".'],
    ["httpP95Ms", 500, 'Threshold httpP95Ms: 500 is not valid; write a comparison in milliseconds (or seconds with "s"), like "<500" or "<2s".'],
    ["httpP95Ms", "=<500", 'Threshold httpP95Ms: "=<500" is not valid; write a comparison in milliseconds (or seconds with "s"), like "<500" or "<2s".'],
    ["httpP95Ms", "<-5", 'Threshold httpP95Ms: "<-5" is not valid; write a comparison in milliseconds (or seconds with "s"), like "<500" or "<2s".'],
    ["reconciliationMismatches", "<1.5", 'Threshold reconciliationMismatches: "<1.5" is not valid (not a whole number); write a comparison with a whole number, like "<=0".'],
  ])("%s %j → one clear sentence", (key, raw, message) => {
    expect(errorOf(() => parseThresholdExpression(key, raw)).message).toBe(message);
  });
});

describe("parseThresholdSpec", () => {
  it("accepts a map and returns it", () => {
    expect(parseThresholdSpec({ httpP95Ms: "<500", connectSuccess: ">99%" })).toEqual({ httpP95Ms: "<500", connectSuccess: ">99%" });
    expect(parseThresholdSpec(undefined)).toEqual({});
  });

  it("rejects a non-map and the first bad entry", () => {
    expect(errorOf(() => parseThresholdSpec(["<1%"])).message).toBe('Thresholds must be a map of name to comparison (e.g. sessionUnknownRate: "<0.1%"), got ["<1%"].');
    expect(errorOf(() => parseThresholdSpec({ httpP95Ms: "<500", bogus: "<1" })).message).toMatch(/^Unknown threshold "bogus"/);
  });
});

describe("compare", () => {
  it("applies each operator", () => {
    const e = (op: string, value: number) => ({ op: op as "<", value, text: "" });
    expect(compare(1, e("<", 2))).toBe(true);
    expect(compare(2, e("<", 2))).toBe(false);
    expect(compare(2, e("<=", 2))).toBe(true);
    expect(compare(3, e(">", 2))).toBe(true);
    expect(compare(2, e(">=", 2))).toBe(true);
    expect(compare(0, e("==", 0))).toBe(true);
    expect(compare(Infinity, e("<=", 5000))).toBe(false);
  });
});
