// Bundles a scenario with the harness's bundler and runs it with the real k6 binary,
// returning the exit code, k6's output and the parsed samples. For integration tests.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleScenario } from "../../../harness/k6/bundle.ts";
import { findK6 } from "../../../harness/k6/provision.ts";
import { readPoints, type K6Point } from "./k6-points.ts";

export interface K6Result {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  points: K6Point[];
}

export interface RunScenarioOptions {
  scenario: string;
  env: Record<string, string>;
  /** Kill k6 after this long (ms). */
  timeoutMs?: number;
  /** Called once k6 has started (e.g. to disrupt the server on a schedule). */
  onStart?: () => void;
}

let k6Path: string | null = null;

export async function k6Binary(): Promise<string> {
  if (k6Path) return k6Path;
  const found = await findK6();
  if (!found) throw new Error("k6 not found: run the harness once (it builds k6) or set K6_BIN");
  k6Path = found.path;
  return k6Path;
}

/** One temp dir per test file for bundles and sample files; removed by cleanup(). */
export function workDir(prefix = "rtsoak-scn-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function runScenario(dir: string, opts: RunScenarioOptions): Promise<K6Result> {
  const k6 = await k6Binary();
  const script = await bundleScenario(opts.scenario, join(dir, "dist"));
  const out = join(dir, `${opts.scenario}-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  const args = ["run", "--quiet", "--no-usage-report", "--out", `json=${out}`];
  for (const [k, v] of Object.entries(opts.env)) args.push("-e", `${k}=${v}`);
  args.push(script);
  const child = spawn(k6, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, K6_NO_USAGE_REPORT: "true" } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  opts.onStart?.();
  const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 90_000);
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on("exit", (code, sig) => resolve([code, sig])),
  );
  clearTimeout(timer);
  let points: K6Point[] = [];
  try {
    points = readPoints(out);
  } catch {
    // k6 failed before writing samples (e.g. a config error in init): no points.
  }
  return { exitCode, signal, stdout, stderr, points };
}
