// Reads a saved AnalysedRun (a run folder's analysed.json) back, checking its shape, so
// `rtsoak report` and `rtsoak compare` fail with one clear sentence instead of a stack trace.
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { AnalysedRun } from "../harness/analysis/types.ts";
import { UserError } from "../harness/errors.ts";
import { REPORT_FILES } from "./write.ts";

type Check = [path: string, ok: (v: unknown) => boolean, expected: string];

const isObject = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v);
const isNumber = (v: unknown) => typeof v === "number" && Number.isFinite(v);
const isString = (v: unknown) => typeof v === "string";
const isArray = (v: unknown) => Array.isArray(v);

const CHECKS: Check[] = [
  ["runId", isString, "a string"],
  ["profile", isString, "a string"],
  ["startedAt", isNumber, "a number"],
  ["endedAt", isNumber, "a number"],
  ["partial", (v) => typeof v === "boolean", "true or false"],
  ["command", isString, "a string"],
  ["target", isString, "a string"],
  ["windowMs", (v) => isNumber(v) && (v as number) > 0, "a positive number"],
  ["windows", isArray, "a list"],
  ["totals", isObject, "an object"],
  ["totals.requests", isNumber, "a number"],
  ["totals.statuses", isObject, "an object"],
  ["totals.failures", isObject, "an object"],
  ["totals.keepalive", isObject, "an object"],
  ["totals.wsCloses", isObject, "an object"],
  ["breakdown", isArray, "a list"],
  ["latency", isObject, "an object"],
  ["latency.http", isObject, "an object"],
  ["latency.connect", isObject, "an object"],
  ["latency.ackRtt", isObject, "an object"],
  ["latency.keepalive", isObject, "an object"],
  ["events", isArray, "a list"],
  ["reconciliation", (v) => v === null || isObject(v), "an object or null"],
  ["thresholds", isArray, "a list"],
  ["verdict", (v) => v === "pass" || v === "fail" || v === "error", '"pass", "fail" or "error"'],
  ["notes", isArray, "a list"],
];

function get(obj: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((o, k) => (isObject(o) ? (o as Record<string, unknown>)[k] : undefined), obj);
}

/** The first problem with a parsed value that should be an AnalysedRun, or null when it looks right. */
export function analysedRunProblem(value: unknown): string | null {
  if (!isObject(value)) return "it is not a JSON object";
  const version = (value as Record<string, unknown>).schemaVersion;
  if (version !== 1) return `its schemaVersion is ${JSON.stringify(version)}, and this rtsoak reads version 1`;
  for (const [path, ok, expected] of CHECKS) {
    const v = get(value, path);
    if (!ok(v)) return `${path} should be ${expected} but is ${v === undefined ? "missing" : JSON.stringify(v).slice(0, 40)}`;
  }
  return null;
}

/** Reads runDirOrFile (a run folder, or an analysed.json file) into an AnalysedRun. */
export async function readAnalysedRun(runDirOrFile: string): Promise<{ run: AnalysedRun; file: string; runDir: string }> {
  const info = await stat(runDirOrFile).catch(() => null);
  if (!info) {
    throw new UserError(`There is no run folder at ${runDirOrFile}; pass the folder a run wrote (the one holding analysed.json, printed at the end of \`rtsoak run\`).`);
  }
  const file = info.isDirectory() ? join(runDirOrFile, REPORT_FILES.analysed) : runDirOrFile;
  const runDir = info.isDirectory() ? runDirOrFile : join(runDirOrFile, "..");
  const text = await readFile(file, "utf8").catch(() => null);
  if (text === null) {
    throw new UserError(`${runDirOrFile} holds no ${REPORT_FILES.analysed}; pass a folder written by \`rtsoak run\` (runs that stopped before the analysis have none, so run the test again).`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${file} is not valid JSON (${(err as Error).message}); pass a run folder or the analysed.json it holds (a file cut short needs the test run again).`);
  }
  const problem = analysedRunProblem(parsed);
  if (problem) throw new UserError(`${file} is not an rtsoak analysed run (${problem}); pass the analysed.json that \`rtsoak run\` wrote.`);
  return { run: parsed as AnalysedRun, file, runDir };
}
