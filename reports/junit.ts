// JUnit XML for CI test tabs: one <testcase> per threshold (classname "rtsoak.thresholds"),
// failing ones carry a <failure> with the measured value and the expression; one more
// testcase ("rtsoak.run") errors when the run itself did not complete.
import type { AnalysedRun, ThresholdResult } from "../harness/analysis/types.ts";
import { formatInstant } from "./format.ts";

/** Escapes text for XML content and attribute values; drops characters XML 1.0 forbids. */
export function xmlEscape(s: string): string {
  return s
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    .replace(/\n/g, "&#10;")
    .replace(/\r/g, "&#13;")
    .replace(/\t/g, "&#9;");
}

/** Escapes element text (newlines kept as newlines). */
function xmlText(s: string): string {
  return xmlEscape(s).replace(/&#10;/g, "\n").replace(/&#9;/g, "\t");
}

function attrs(a: Record<string, string | number>): string {
  return Object.entries(a)
    .map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`)
    .join("");
}

/** "measured 30.9 %, expected session_unknown_rate < 0.1% (all requests)". */
export function thresholdMessage(t: ThresholdResult): string {
  return `measured ${t.display}, expected ${t.name} ${t.expression}${t.scope ? ` (${t.scope})` : ""}`;
}

function thresholdCase(t: ThresholdResult): string[] {
  const head = `    <testcase${attrs({ classname: "rtsoak.thresholds", name: t.name, time: 0 })}`;
  if (t.pass) return [`${head}/>`];
  const body = [`${t.name} ${t.expression}`, `measured: ${t.display} (raw value ${t.measured})`];
  if (t.scope) body.push(`scope: ${t.scope}`);
  return [
    `${head}>`,
    `      <failure${attrs({ message: thresholdMessage(t), type: "threshold" })}>${xmlText(body.join("\n"))}</failure>`,
    "    </testcase>",
  ];
}

function runCase(run: AnalysedRun, seconds: string): string[] {
  const head = `    <testcase${attrs({ classname: "rtsoak.run", name: "run completed", time: seconds })}`;
  if (run.verdict !== "error" && !run.partial) return [`${head}/>`];
  const message = run.partial
    ? "the run is partial: it was interrupted or k6 failed before the planned end"
    : "the run ended in an error";
  const body = run.notes.length ? run.notes.join("\n") : message;
  return [`${head}>`, `      <error${attrs({ message, type: "run" })}>${xmlText(body)}</error>`, "    </testcase>"];
}

/** The JUnit XSD's timestamp has no zone designator: UTC, "2025-03-14T10:00:00". */
function junitTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 19);
}

export function renderJunit(run: AnalysedRun): string {
  const seconds = (Math.max(0, run.endedAt - run.startedAt) / 1000).toFixed(3);
  const failures = run.thresholds.filter((t) => !t.pass).length;
  const errors = run.verdict === "error" || run.partial ? 1 : 0;
  const tests = run.thresholds.length + 1;
  const properties: Record<string, string> = {
    runId: run.runId,
    profile: run.profile,
    target: run.target,
    verdict: run.verdict,
    partial: String(run.partial),
    startedAt: formatInstant(run.startedAt),
    command: run.command,
  };
  const counts = { tests, failures, errors, skipped: 0, time: seconds };
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: "rtsoak", ...counts })}>`,
    `  <testsuite${attrs({ name: `rtsoak ${run.profile}`, ...counts, timestamp: junitTimestamp(run.startedAt) })}>`,
    "    <properties>",
    ...Object.entries(properties).map(([name, value]) => `      <property${attrs({ name, value })}/>`),
    "    </properties>",
    ...runCase(run, seconds),
    ...run.thresholds.flatMap(thresholdCase),
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}
