// Connects a run to the analysis: the streaming aggregator k6's samples flow into, the proxy
// access log followed while the load runs (the ground truth), and the app logs afterwards.
import { createReadStream, existsSync } from "node:fs";
import { basename } from "node:path";
import { createInterface } from "node:readline";
import { RunAggregator } from "../analysis/aggregator.ts";
import { detectRecyclesFromLogs, type LogLine } from "../analysis/recycles.ts";
import { parseThresholdSpec } from "../analysis/thresholds.ts";
import type { AnalysedRun, RunEvent } from "../analysis/types.ts";
import type { RunSettings } from "../config/settings.ts";
import type { RunningStack } from "../stack/types.ts";
import { followAccessLog, type AccessLogFollower } from "./access-log-follower.ts";
import { writeReports, type WrittenReports } from "../../reports/write.ts";

export function createAggregator(settings: RunSettings, startedAt: number): RunAggregator {
  // Thresholds are validated before any load runs: a typo must not cost a whole run.
  parseThresholdSpec(settings.thresholds);
  return new RunAggregator({
    profile: settings.profile,
    command: settings.command,
    startedAt,
    windowMs: settings.windowMs,
    settleMs: settings.settleMs,
  });
}

/**
 * Feeds the proxy access log to the aggregator while the run goes on, and lets the stack cut
 * it every `maxBytes` (8 MiB by default, or $RTSOAK_ACCESS_LOG_MAX_BYTES). Null without a proxy.
 */
export function followProxyLog(stack: RunningStack, aggregator: RunAggregator, log: (line: string) => void, maxBytes?: number): AccessLogFollower | null {
  const file = stack.endpoints.proxyAccessLog;
  if (!file) return null;
  const fromEnv = Number(process.env.RTSOAK_ACCESS_LOG_MAX_BYTES);
  return followAccessLog({
    file,
    maxBytes: maxBytes ?? (fromEnv > 0 ? fromEnv : undefined),
    onLine: (line) => aggregator.addAccessLogLine(line),
    rotate: stack.rotateProxyLog?.bind(stack),
    onNote: (line) => log(`access log: ${line}`),
  });
}

async function* lines(file: string): AsyncGenerator<string> {
  const rl = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  for await (const line of rl) if (line) yield line;
}

/** App log lines, tagged with their instance, for max-requests recycle detection. */
async function appLogLines(stack: RunningStack): Promise<LogLine[]> {
  const out: LogLine[] = [];
  for (const [instance, file] of Object.entries(stack.endpoints.appLogs)) {
    if (!existsSync(file)) continue;
    for await (const text of lines(file)) {
      // Only lines that can mark a recycle are kept: app logs can be long.
      if (/worker_recycle|Autorestarting worker/.test(text)) out.push({ text, source: instance || basename(file) });
    }
  }
  return out;
}

export interface AnalyseInput {
  settings: RunSettings;
  aggregator: RunAggregator;
  events: RunEvent[];
  stack: RunningStack | null;
  /** The proxy log followed during the run (followProxyLog); null when the stack has none. */
  accessLog?: AccessLogFollower | null;
  runDir: string;
  target: string;
  topology: unknown;
  startedAt: number;
  partial: boolean;
}

export async function analyseRun(input: AnalyseInput): Promise<{ run: AnalysedRun; reportPaths: WrittenReports }> {
  const { aggregator, stack } = input;
  const notes: string[] = [];
  const events = [...input.events];
  if (stack) {
    // Followed since the stack came up (followProxyLog): only the rest is read now.
    await input.accessLog?.drain();
    const accessLog = stack.endpoints.proxyAccessLog;
    if (!(accessLog && existsSync(accessLog)) && stack.topology.proxy !== "none") {
      notes.push("The proxy access log was not found, so counts could not be reconciled with it.");
    }
    events.push(...detectRecyclesFromLogs(await appLogLines(stack)));
  } else {
    notes.push(`Target ${input.target} was run by the user: no proxy log to reconcile and no disruptions.`);
  }
  if (input.partial) notes.push("The run was interrupted or k6 stopped early: this report covers only what was measured.");
  const run = aggregator.finish({
    events,
    endedAt: Date.now(),
    partial: input.partial,
    thresholds: parseThresholdSpec(input.settings.thresholds),
    notes,
  });
  run.runId = basename(input.runDir);
  run.target = input.target;
  run.topology = input.topology;
  const reportPaths = await writeReports(run, input.runDir);
  return { run, reportPaths };
}
