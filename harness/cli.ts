// Every rtsoak command, declared in one place. Each command's work lives in one handler
// module (harness/commands/*), imported lazily so `rtsoak --help` stays fast.
// Handlers never call process.exit: they return an exit code or throw; main() maps errors.
import { Command, CommanderError, Option } from "commander";
import { EXIT, GateFailedError, UserError, exitCodeFor } from "./errors.ts";

const collect = (value: string, previous: string[] = []) => [...previous, value];

function addRunOptions(cmd: Command, withProfile: boolean): Command {
  if (withProfile) cmd.addOption(new Option("-p, --profile <name>", "smoke | gate | soak").choices(["smoke", "gate", "soak"]));
  return cmd
    .option("-c, --config <file>", "config file (rtsoak.config.ts|json|yaml; default: one of those in cwd)")
    .option("-d, --duration <time>", "load duration, e.g. 90s, 2m, 1h")
    .option("-s, --scenario <name>", "scenario: mixed, polling, websocket, upgrade, keepalive, match")
    .option("--clients <n>", "concurrent k6 VUs")
    .option("--clients-per-vu <n>", "Socket.IO sessions each VU holds")
    .option("-e, --env <NAME=VALUE>", "scenario environment (repeatable; see scenarios/README.md)", collect)
    .option("-t, --topology <preset|file>", "built-in replica shape, e.g. nginx-rr-2x1 (see `rtsoak stack presets`)")
    .option("--stack <driver>", "local (processes) or compose (docker)")
    .option("--target <url>", "load a service you run yourself instead of the built-in replica")
    .option("--allow-remote", "allow a --target that is not a loopback address")
    .option("--event <spec>", 'disruption, e.g. "30s:recycle", "45s:backend-down app2", "every 60s:kill" (repeatable)', collect)
    .option("--no-events", "no disruptions (overrides the profile's timeline)")
    .option("--threshold <name=expr>", 'threshold override, e.g. "sessionUnknownRate=<0.1%" (repeatable)', collect)
    .option("--window <time>", "analysis window, e.g. 1s")
    .option("--settle <time>", "time after each event still counted as the event's (default: the profile's)")
    .option("-o, --out <dir>", "run folder (default rtsoak-runs/<time>-<profile>)")
    .option("--port <n>", "fixed port for the replica's proxy")
    .option("--source-addresses <n>", "loopback source addresses k6 spreads over (--local-ips)")
    .option("--compose-file <file>", "your own docker compose stack (with --proxy-service, --app-service)")
    .option("--proxy-service <name>", "proxy service in --compose-file")
    .option("--app-service <name>", "app service in --compose-file")
    .option("--redis-service <name>", "Redis service in --compose-file")
    .option("--proxy-port <n>", "container port the proxy service listens on (default 80)");
}

/** Wraps a handler so its returned exit code reaches main(). */
type Handler = (...args: any[]) => Promise<number>;
let actionExitCode: number = EXIT.ok;
const act =
  (fn: Handler) =>
  async (...args: any[]) => {
    actionExitCode = await fn(...args);
  };

export function buildProgram(): Command {
  const program = new Command("rtsoak")
    .description("Load and soak tests for Socket.IO / WebSocket services behind proxies, with disruptions on a timeline")
    .version("0.1.0")
    .showHelpAfterError("(run with --help for usage)");

  const runLike = (name: string, description: string, forced?: "gate" | "soak") =>
    addRunOptions(program.command(name).description(description), !forced).action(
      act(async (flags) => {
        const { runCommand } = await import("./commands/run.ts");
        return runCommand(flags, { forcedProfile: forced, argv: process.argv.slice(2) });
      }),
    );
  runLike("run", "run load (+ disruptions) against the built-in replica or a --target, then report");
  runLike("gate", "CI gate: the gate profile; exit 1 when a threshold fails", "gate");
  runLike("soak", "long run with coarse windows and periodic disruptions", "soak");

  program
    .command("doctor")
    .description("show (and if needed install) k6 and the replica's components")
    .action(act(async () => (await import("./commands/doctor.ts")).doctorCommand({})));

  program
    .command("bundle")
    .description("bundle the k6 scenarios into k6-ready files")
    .option("-o, --out <dir>", "output folder", "dist/scenarios")
    .option("-s, --scenario <name>", "only this scenario")
    .action(act(async (opts) => (await import("./commands/bundle.ts")).bundleCommand(opts)));

  const stack = program.command("stack").description("bring the built-in replica up or down without load");
  for (const action of ["up", "down", "status", "logs", "presets"] as const) {
    const sub = stack
      .command(action)
      .option("-t, --topology <preset|file>", "replica shape", "nginx-iphash-2x1")
      .option("--stack <driver>", "local or compose", "local")
      .option("--work-dir <dir>", "folder for configs and logs");
    if (action === "up") sub.option("--port <n>", "fixed proxy port").option("--detach", "leave it running and return");
    if (action === "logs") sub.option("-f, --follow", "keep printing new lines");
    sub.action(
      act(async (opts) => {
        const { stackCommand } = await import("./commands/stack.ts");
        return stackCommand(action, { ...opts, port: opts.port ? Number(opts.port) : undefined });
      }),
    );
  }

  program
    .command("report <runDir>")
    .description("re-render the reports of a stored run")
    .action(
      act(async (runDir: string) => {
        const { reportCommand } = await import("./commands/report.ts");
        console.log(await reportCommand(runDir));
        return EXIT.ok;
      }),
    );

  program
    .command("compare <runA> <runB>")
    .description("regressions of run B against run A (exit 1 when there are any)")
    .addOption(new Option("--format <format>", "text or markdown").choices(["text", "markdown"]).default("text"))
    .action(
      act(async (a: string, b: string, opts: { format: "text" | "markdown" }) => {
        const { compareCommand } = await import("./commands/report.ts");
        const result = await compareCommand(a, b, opts);
        console.log(result.text);
        return result.regressions > 0 ? EXIT.gateFailed : EXIT.ok;
      }),
    );

  program
    .command("images")
    .description("container images for --stack compose")
    .command("build")
    .option("--base-image <image>", "base image (default: an offline-built Debian when no registry is reachable)")
    .option("--force", "rebuild even when nothing changed")
    .action(act(async (opts) => (await import("./commands/images.ts")).imagesBuildCommand(opts)));

  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.exitOverride();
  actionExitCode = EXIT.ok;
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are not errors; usage mistakes are "cannot run".
      return err.exitCode === 0 ? EXIT.ok : EXIT.cannotRun;
    }
    if (err instanceof GateFailedError) {
      process.stderr.write(`rtsoak: ${err.message}${err.reportPath ? ` (report: ${err.reportPath})` : ""}\n`);
      return err.exitCode;
    }
    if (err instanceof UserError) {
      process.stderr.write(`rtsoak: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`rtsoak: internal error, please report it: ${(err as Error).stack ?? err}\n`);
    return exitCodeFor(err);
  }
  return actionExitCode;
}
