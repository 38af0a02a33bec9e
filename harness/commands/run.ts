// `rtsoak run | gate | soak`: config → stack up → k6 + timeline → analysis → reports → verdict.
// The stack always comes down, and an interrupted run still writes its partial report.
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { EXIT, UserError } from "../errors.ts";
import { findConfig } from "../config/load.ts";
import { resolveSettings, type RunFlags } from "../config/resolve.ts";
import type { ProfileName } from "../config/profiles.ts";
import type { RunSettings } from "../config/settings.ts";
import { formatDuration } from "../config/duration.ts";
import { ensureK6 } from "../k6/provision.ts";
import { assertScenarioExists, bundleScenario } from "../k6/bundle.ts";
import { runK6 } from "../k6/spawn.ts";
import { parseEventSpec } from "../events/spec.ts";
import { startTimeline, type TimelineRun } from "../events/timeline.ts";
import { localIps } from "../net/local-ips.ts";
import { assertPortFree } from "../net/ports.ts";
import { progressPrinter, type ProgressPrinter } from "../run/progress.ts";
import { checkTargetAnswers } from "../run/target-check.ts";
import { startStack } from "../run/stack-start.ts";
import { analyseRun, createAggregator, followProxyLog } from "../run/analysis-bridge.ts";
import type { AccessLogFollower } from "../run/access-log-follower.ts";
import type { RunEvent } from "../analysis/types.ts";
import { parseThresholdSpec } from "../analysis/thresholds.ts";
import type { RunningStack } from "../stack/types.ts";

export interface RunContext {
  forcedProfile?: ProfileName;
  argv: string[];
  /** Where progress goes (stderr by default). */
  progress?: ProgressPrinter;
  /** Lets tests and embedders interrupt the run like Ctrl-C does. */
  signal?: AbortSignal;
}

function runFolder(s: RunSettings): string {
  if (s.outDir) return resolve(s.outDir);
  const stamp = new Date().toISOString().replace(/[:.]/g, "-").replace("T", "_").slice(0, 19);
  return resolve("rtsoak-runs", `${stamp}-${s.profile}`);
}

/** k6 environment for the scenario: the run's shape first, the user's --env on top. */
export function scenarioEnv(s: RunSettings, target: string): Record<string, string> {
  return {
    TARGET: target,
    DURATION: `${Math.round(s.durationMs / 1000)}s`,
    VUS: String(s.clients),
    CLIENTS_PER_VU: String(s.clientsPerVu),
    GRACEFUL_STOP: "5s",
    SCENARIO_NAME: s.scenario,
    ...s.env,
  };
}

export async function runCommand(flags: RunFlags & { config?: string }, ctx: RunContext): Promise<number> {
  const found = await findConfig(flags.config);
  const settings = resolveSettings(flags, found?.config ?? null, `rtsoak ${ctx.argv.join(" ")}`, ctx.forcedProfile);
  const out = ctx.progress ?? progressPrinter();
  // Checks first: a typo, a dead target, a taken --port or a missing k6 is one sentence on
  // stderr and leaves no run folder behind.
  await assertScenarioExists(settings.scenario);
  parseThresholdSpec(settings.thresholds);
  if (settings.target) await checkTargetAnswers(settings.target);
  else if (settings.port !== undefined) await assertPortFree(settings.port);
  const k6 = await ensureK6((line) => out.log(line));
  const runDir = runFolder(settings);
  await mkdir(runDir, { recursive: true });
  out.log(`rtsoak ${settings.profile}: ${settings.scenario} × ${settings.clients * settings.clientsPerVu} clients for ${formatDuration(settings.durationMs)} → ${runDir}`);

  const script = await bundleScenario(settings.scenario, join(runDir, "k6"));
  const timelineEntries = settings.events.map((e) => parseEventSpec(e));

  // Ctrl-C / SIGTERM: stop k6 gracefully, fire no further events, keep what was measured.
  const abort = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupts++;
    if (interrupts === 1) {
      out.log(`${sig}: stopping the load, writing a partial report and tearing the stack down (again to force)…`);
      abort.abort();
    } else {
      out.log(`${sig} again: forcing teardown.`);
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  ctx.signal?.addEventListener("abort", () => abort.abort(), { once: true });

  let stack: RunningStack | null = null;
  let accessLog: AccessLogFollower | null = null;
  let timeline: TimelineRun | null = null;
  const events: RunEvent[] = [];
  const startedAt = Date.now();
  const aggregator = createAggregator(settings, startedAt);
  let k6Result: Awaited<ReturnType<typeof runK6>> | null = null;
  let target = settings.target ?? "";
  let topologyDescription: unknown = settings.target ? { target: settings.target } : settings.topology;
  let ticker: NodeJS.Timeout | undefined;
  try {
    if (!settings.target) {
      stack = await startStack(settings, join(runDir, "stack"), (line) => out.log(`  ${line}`), abort.signal);
      target = stack.endpoints.baseUrl;
      topologyDescription = stack.topology;
      out.log(`stack ready: ${target}`);
      accessLog = followProxyLog(stack, aggregator, (line) => out.log(line));
    }
    if (abort.signal.aborted) throw new UserError("interrupted before the load started; nothing was measured.");

    const loadStart = Date.now();
    if (stack && timelineEntries.length) {
      timeline = startTimeline({
        entries: timelineEntries,
        durationMs: settings.durationMs,
        control: stack.control,
        startedAt: loadStart,
        signal: abort.signal,
        onEvent: (e) => {
          events.push(e);
          out.log(`event ${e.name}${e.target ? ` ${e.target}` : ""} at ${formatDuration(e.start - loadStart)}: ${e.ok ? "" : "FAILED "}${e.detail ?? ""} (${e.end - e.start} ms)`);
        },
      });
    }
    ticker = setInterval(() => {
      const snap = aggregator.snapshot();
      out.update({
        elapsedMs: Date.now() - loadStart,
        totalMs: settings.durationMs,
        clients: settings.clients * settings.clientsPerVu,
        rps: snap.rps,
        rate400: snap.rate400,
        rate502: snap.rate502,
        next: timeline?.next() ?? null,
      });
    }, 1_000);

    k6Result = await runK6({
      k6: k6.path,
      script,
      env: scenarioEnv(settings, target),
      localIps: isLoopback(target) ? localIps(settings.sourceAddresses) : undefined,
      fifoPath: join(runDir, "k6-samples.fifo"),
      onLine: (line) => aggregator.addLine(line),
      logFile: join(runDir, "k6.log"),
      signal: abort.signal,
    });
  } finally {
    if (ticker) clearInterval(ticker);
    out.done();
    // No event may fire once the load is over.
    if (!abort.signal.aborted) abort.abort();
    if (timeline) await timeline.done.catch(() => []);
    // No more rotation: the proxy goes down next. The rest of the log is read in the analysis.
    await accessLog?.stop();
    if (stack) {
      out.log("tearing the stack down…");
      await stack.down().catch((err) => out.log(`teardown problem: ${(err as Error).message}`));
    }
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }

  const interrupted = interrupts > 0 || ctx.signal?.aborted === true;
  const k6Failed = k6Result !== null && k6Result.exitCode !== 0 && !k6Result.aborted;
  if (k6Failed && aggregator.sampleCount() === 0) {
    const why = lastK6Error(k6Result!.tail);
    throw new UserError(`k6 could not run the ${settings.scenario} scenario (${why}); see ${join(runDir, "k6.log")}.`);
  }
  await writeFile(join(runDir, "events.json"), JSON.stringify(events, null, 2));
  const { run, reportPaths } = await analyseRun({
    settings,
    aggregator,
    events,
    stack,
    accessLog,
    runDir,
    target,
    topology: topologyDescription,
    startedAt,
    partial: interrupted || k6Failed,
  });
  for (const line of summaryLines(run.thresholds, run.verdict)) out.log(line);
  out.log(`report: ${reportPaths.html}`);
  if (interrupted) return EXIT.interrupted;
  if (run.verdict === "fail") return EXIT.gateFailed;
  if (run.verdict === "error") return EXIT.cannotRun;
  return EXIT.ok;
}

function isLoopback(url: string): boolean {
  try {
    return /^(127\.|localhost$)/.test(new URL(url).hostname);
  } catch {
    return false;
  }
}

/** The last meaningful error line k6 printed (level=error or a thrown exception). */
function lastK6Error(tail: string): string {
  const lines = tail.trim().split("\n").filter(Boolean);
  const err = [...lines].reverse().find((l) => /level=error|Error|error/.test(l)) ?? lines.at(-1) ?? "no output";
  const msg = /msg="((?:[^"\\]|\\.)*)"/.exec(err)?.[1] ?? err;
  return msg.replace(/\\"/g, '"').replace(/\s+at .*$/, "").slice(0, 300);
}

function summaryLines(thresholds: Array<{ name: string; expression: string; display: string; pass: boolean }>, verdict: string): string[] {
  const lines = thresholds.map((t) => `  ${t.pass ? "✓" : "✗"} ${t.name} ${t.expression} (measured ${t.display})`);
  return [`verdict: ${verdict.toUpperCase()}`, ...lines];
}
