// The rtsoak CLI (exactly what bin/rtsoak.mjs runs) plus a counter of the k6 JSON lines the
// run's aggregator receives, for the soak benchmark's live stream rate. The run command does
// not expose its aggregator, so this wraps RunAggregator.prototype.addLine (one increment per
// line) and writes {at, lines, samples, points, skipped} to $RTSOAK_BENCH_STREAM every 5 s
// and once at the end. Everything else is the unmodified CLI in this same process.
//   node bin/run-ts.mjs bench/soak/counting-cli.ts soak --duration 20m …
import { writeFileSync } from "node:fs";
import { RunAggregator } from "../../harness/analysis/aggregator.ts";
import { main } from "../../harness/cli.ts";

export interface StreamCount {
  at: number;
  /** k6 JSON lines handed to the aggregator. */
  lines: number;
  /** Samples the aggregator kept (metrics it reads); points/skipped from its parser. */
  samples: number;
  points: number;
  skipped: number;
}

const file = process.env.RTSOAK_BENCH_STREAM;
let lines = 0;
let current: RunAggregator | null = null;
const addLine = RunAggregator.prototype.addLine;
RunAggregator.prototype.addLine = function (this: RunAggregator, line: string): void {
  lines++;
  current = this;
  addLine.call(this, line);
};

function write(): void {
  if (!file) return;
  const s = current?.stats();
  const count: StreamCount = { at: Date.now(), lines, samples: s?.samples ?? 0, points: s?.points ?? 0, skipped: s?.skipped ?? 0 };
  writeFileSync(file, JSON.stringify(count));
}

const timer = setInterval(write, 5000);
timer.unref();
process.exitCode = await main(process.argv.slice(2));
clearInterval(timer);
write();
