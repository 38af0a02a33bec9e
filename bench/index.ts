// `npm run bench [-- <which>] [flags]`: rtsoak's benchmarks. They print figures and ratios
// measured side by side in one run and never assert on a timing.
//   npm run bench                          all: client, then analysis throughput + soak
//   npm run bench -- client [--concurrency 20 --seconds 15 --rounds 2 --hold 1000,2000 --hold-seconds 30 --per-vu 100]
//                           [--baseline <git rev>]  also hold with the websocket scenario as it was at <rev>
//                           [--hold-only]           skip the session loop
//   npm run bench -- soak [--minutes 20 --clients 150 --recycle-every 5m|none --out <dir>]
//   npm run bench -- analysis [--requests 200000]
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { CLIENT_DEFAULTS, clientBench } from "./client/client-bench.ts";
import { SOAK_DEFAULTS, soakBench } from "./soak/soak-bench.ts";
import { main as analysisThroughput } from "./analysis-throughput.ts";

const WHICH = ["all", "client", "soak", "analysis"] as const;
type Which = (typeof WHICH)[number];

const USAGE = `usage: npm run bench -- [${WHICH.join("|")}] [--concurrency N] [--seconds N] [--rounds N] [--hold N,N] [--hold-seconds N] [--per-vu N] [--baseline REV] [--hold-only] [--minutes N] [--clients N] [--recycle-every 5m|none] [--requests N] [--out DIR]`;

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!(n > 0)) throw new Error(`--${name} ${raw} is not a positive number; ${USAGE}`);
  return n;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      concurrency: { type: "string" },
      seconds: { type: "string" },
      rounds: { type: "string" },
      hold: { type: "string" },
      "hold-seconds": { type: "string" },
      "per-vu": { type: "string" },
      baseline: { type: "string" },
      "hold-only": { type: "boolean" },
      minutes: { type: "string" },
      clients: { type: "string" },
      "recycle-every": { type: "string" },
      requests: { type: "string" },
      out: { type: "string" },
    },
  });
  const which = (positionals[0] ?? "all") as Which;
  if (!WHICH.includes(which) || positionals.length > 1) throw new Error(USAGE);
  const log = (line: string) => console.log(line);
  const started = new Date();
  log(`rtsoak bench ${which} — ${started.toISOString()}, ${cpus().length} CPUs, Node ${process.version}`);

  if (which === "analysis") {
    analysisThroughput(positive("requests", values.requests, SOAK_DEFAULTS.analysisRequests));
    return;
  }
  if (which === "all" || which === "client") {
    await clientBench({
      concurrency: positive("concurrency", values.concurrency, CLIENT_DEFAULTS.concurrency),
      seconds: positive("seconds", values.seconds, CLIENT_DEFAULTS.seconds),
      rounds: positive("rounds", values.rounds, CLIENT_DEFAULTS.rounds),
      holdSizes: values.hold ? values.hold.split(",").map((s) => positive("hold", s, 0)) : CLIENT_DEFAULTS.holdSizes,
      holdSeconds: positive("hold-seconds", values["hold-seconds"], CLIENT_DEFAULTS.holdSeconds),
      perVu: positive("per-vu", values["per-vu"], CLIENT_DEFAULTS.perVu),
      baseline: values.baseline,
      holdOnly: values["hold-only"] ?? false,
      payloadBytes: CLIENT_DEFAULTS.payloadBytes,
      log,
    });
  }
  if (which === "all" || which === "soak") {
    if (which === "all") log("");
    const recycle = values["recycle-every"] ?? SOAK_DEFAULTS.recycleEvery;
    await soakBench({
      ...SOAK_DEFAULTS,
      minutes: positive("minutes", values.minutes, SOAK_DEFAULTS.minutes),
      clients: positive("clients", values.clients, SOAK_DEFAULTS.clients),
      recycleEvery: recycle === "none" ? null : recycle,
      analysisRequests: positive("requests", values.requests, SOAK_DEFAULTS.analysisRequests),
      outDir: values.out,
      log,
    });
  }
  log(`\nrtsoak bench ${which}: done in ${((Date.now() - started.getTime()) / 60_000).toFixed(1)} min`);
}

try {
  await main();
} catch (err) {
  console.error(`bench: ${(err as Error).message}`);
  process.exitCode = 1;
}
