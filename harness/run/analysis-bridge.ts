// Connects a run to the analysis: the streaming aggregator k6's samples flow into, and,
// after the load, the ground truth from the proxy access log and the app logs.
import { createReadStream, existsSync } from "node:fs";
import { basename } from "node:path";
import { createInterface } from "node:readline";
import { RunAggregator } from "../analysis/aggregator.ts";
import { detectRecyclesFromLogs, type LogLine } from "../analysis/recycles.ts";
import { parseThresholdSpec } from "../analysis/thresholds.ts";
import type { AnalysedRun, RunEvent } from "../analysis/types.ts";
import type { RunSettings } from "../config/settings.ts";
import type { RunningStack } from "../stack/types.ts";
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
    const accessLog = stack.endpoints.proxyAccessLog;
    if (accessLog && existsSync(accessLog)) {
      for await (const line of lines(accessLog)) aggregator.addAccessLogLine(line);
    } else if (stack.topology.proxy !== "none") {
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
