// summary.json against its published JSON Schema (reports/schema/run-summary.v1.json), checked
// by the small validator in reports/schema/validate.ts — which must itself catch broken input.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AnalysedRun } from "../../harness/analysis/types.ts";
import { buildRunSummary, RUN_SUMMARY_SCHEMA } from "../../reports/json.ts";
import { validateJson, type JsonSchema } from "../../reports/schema/validate.ts";

const root = join(import.meta.dirname, "../..");
const schema = JSON.parse(readFileSync(join(root, "reports/schema/run-summary.v1.json"), "utf8")) as JsonSchema;
const fixture = (name: string) => JSON.parse(readFileSync(join(root, "test/fixtures/reports", `${name}.json`), "utf8")) as AnalysedRun;
const summaryOf = (name: string) => JSON.parse(JSON.stringify(buildRunSummary(fixture(name)))) as Record<string, unknown>;

describe("run summary v1 schema", () => {
  it.each(["run-pass-sticky", "run-fail-rr", "run-partial"])("the summary of %s is valid", (name) => {
    const summary = summaryOf(name);
    expect(summary.schema).toBe(RUN_SUMMARY_SCHEMA);
    expect(validateJson(summary, schema)).toEqual([]);
  });

  it("every property the summary writes is declared in the schema, and every required one is written", () => {
    const summary = summaryOf("run-fail-rr");
    const props = Object.keys(schema.properties as object).sort();
    expect(Object.keys(summary).sort()).toEqual(props);
    expect([...(schema.required as string[])].sort()).toEqual(props);
  });

  it("rejects a summary with a missing key, a wrong type, an unknown key, a bad enum and an out-of-range share", () => {
    const s = summaryOf("run-fail-rr") as Record<string, any>;
    delete s.runId;
    s.partial = "no";
    s.extra = 1;
    s.verdict = "maybe";
    s.rates.errorRate = 1.5;
    s.totals.statuses["502"] = -1;
    s.events[0].recoveryMs = "soon";
    const errors = validateJson(s, schema);
    expect(errors).toEqual(
      expect.arrayContaining([
        "$: missing required property runId",
        "$.partial: expected boolean, got string",
        "$.extra: property not allowed",
        '$.verdict: expected one of ["pass","fail","error"], got "maybe"',
        "$.rates.errorRate: 1.5 is above the maximum 1",
        "$.totals.statuses.502: -1 is below the minimum 0",
        "$.events[0].recoveryMs: expected number or null, got string",
      ]),
    );
    expect(errors).toHaveLength(7);
  });

  it("accepts null where the schema allows it and an integer where it asks for a number", () => {
    const s = summaryOf("run-partial");
    expect(s.reconciliation).toBeNull();
    expect(validateJson(s, schema)).toEqual([]);
    expect(validateJson(3, { type: "number" })).toEqual([]);
    expect(validateJson(3.5, { type: "integer" })).toEqual(["$: expected integer, got number"]);
  });

  it("refuses schema keywords it does not implement instead of ignoring them", () => {
    expect(() => validateJson("x", { pattern: "^y$" })).toThrow(/pattern/);
    expect(() => validateJson(1, { $ref: "#/$defs/nope" })).toThrow(/nope/);
  });
});
