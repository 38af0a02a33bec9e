// How fast the analysis eats k6's JSON stream: lines/s and samples/s, parsed + aggregated,
// next to a bare JSON.parse of the same lines as the yardstick. Prints; asserts nothing.
//   node bin/run-ts.mjs bench/analysis-throughput.ts [requests]
import { fileURLToPath } from "node:url";
import { RunAggregator } from "../harness/analysis/aggregator.ts";
import { K6JsonParser } from "../harness/analysis/k6-json.ts";
import type { Sample } from "../harness/analysis/types.ts";

/** k6 writes these for every HTTP request; the analysis reads the first two. */
const PER_REQUEST = [
  "http_reqs",
  "http_req_duration",
  "http_req_blocked",
  "http_req_connecting",
  "http_req_tls_handshaking",
  "http_req_sending",
  "http_req_waiting",
  "http_req_receiving",
  "http_req_failed",
  "data_sent",
  "data_received",
];

function goTime(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "417093Z");
}

/** Lines of a synthetic run: `requests` polling requests over an hour, plus custom metrics. */
export function syntheticLines(requests: number): string[] {
  const t0 = Date.parse("2026-03-01T00:00:00Z");
  const lines: string[] = [];
  const ops = ["handshake", "poll", "poll", "post", "post"];
  for (let i = 0; i < requests; i++) {
    const time = goTime(t0 + Math.floor((i / requests) * 3_600_000));
    const op = ops[i % ops.length];
    const status = i % 50 === 0 ? "400" : "200";
    const tags = `{"expected_response":"${status === "200"}","group":"","method":"${op === "post" ? "POST" : "GET"}","name":"socket.io ${op}","op":"${op}","proto":"HTTP/1.1","scenario":"polling","status":"${status}","transport":"polling"}`;
    for (const metric of PER_REQUEST) {
      const value = metric === "http_reqs" ? 1 : metric === "http_req_duration" ? (op === "poll" ? 25_000 : 2 + (i % 40)) : 0.5;
      lines.push(`{"metric":"${metric}","type":"Point","data":{"time":"${time}","value":${value},"tags":${tags}}}`);
    }
    if (status === "400") lines.push(`{"metric":"sio_failures","type":"Point","data":{"time":"${time}","value":1,"tags":{"kind":"session_unknown","op":"${op}","scenario":"polling","transport":"polling"}}}`);
    if (i % 5 === 0) lines.push(`{"metric":"sio_ack_rtt","type":"Point","data":{"time":"${time}","value":${5 + (i % 90)},"tags":{"scenario":"polling","transport":"polling"}}}`);
  }
  return lines;
}

/** Best of three runs (the first also warms the JIT up). */
function timed(fn: () => void): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t = process.hrtime.bigint();
    fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e9);
  }
  return best;
}

export function main(requests = 200_000): void {
  const lines = syntheticLines(requests);
  console.log(`analysis throughput: ${lines.length.toLocaleString("en")} k6 JSON lines (${requests.toLocaleString("en")} requests, ${PER_REQUEST.length} built-in samples each)`);

  let sink = 0;
  const bare = timed(() => {
    for (const l of lines) sink += (JSON.parse(l) as { data: { value: number } }).data.value;
  });

  const parser = new K6JsonParser();
  const parseAll = timed(() => {
    for (const l of lines) if (parser.parse(l)) sink++;
  });

  let samplesRead = 0;
  const full = timed(() => {
    const agg = new RunAggregator({ windowMs: 10_000 });
    for (const l of lines) agg.addLine(l);
    samplesRead = agg.stats().samples;
  });

  const samples: Sample[] = [];
  const pre = new K6JsonParser(["http_reqs", "http_req_duration", "sio_failures", "sio_ack_rtt"]);
  for (const l of lines) {
    const s = pre.parse(l);
    if (s) samples.push(s);
  }
  const addOnly = timed(() => {
    const agg = new RunAggregator({ windowMs: 10_000 });
    for (const s of samples) agg.add(s);
  });

  const row = (label: string, secs: number, count: number, unit: string) =>
    console.log(`  ${label.padEnd(44)} ${(count / secs / 1e3).toFixed(0).padStart(7)} k${unit}/s  (${(secs * 1000).toFixed(0)} ms)`);
  row("JSON.parse every line (yardstick)", bare, lines.length, "lines");
  row("K6JsonParser, every metric", parseAll, lines.length, "lines");
  row("RunAggregator.addLine (filter+parse+aggregate)", full, lines.length, "lines");
  row("  of which samples read", full, samplesRead, "samples");
  row("RunAggregator.add (pre-parsed samples)", addOnly, samples.length, "samples");
  console.log(`  ratio addLine / bare JSON.parse: ${(bare / full).toFixed(2)}× faster (only ${((samplesRead / lines.length) * 100).toFixed(0)} % of lines are parsed)`);
  if (sink === -1) console.log(sink);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(Number(process.argv[2] ?? 200_000));
}
