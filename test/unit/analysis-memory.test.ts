// Memory stays bounded over a 24 h soak: 2M synthetic samples spread over 24 h. Asserts on
// structure sizes (windows, breakdown rows, sketch buckets) and on retained heap after forced
// GCs with generous bounds — never on timings.
import { runInNewContext } from "node:vm";
import { setFlagsFromString } from "node:v8";
import { describe, expect, it } from "vitest";
import { RunAggregator } from "../../harness/analysis/aggregator.ts";
import type { Sample } from "../../harness/analysis/types.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function heapMb(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1e6;
}

const T0 = Date.parse("2026-03-01T00:00:00Z");
const DAY = 24 * 3600 * 1000;
const N = 2_000_000;

const OPS = ["handshake", "poll", "post"];
const STATUSES = ["200", "200", "200", "200", "200", "200", "400", "502"];

/** The i-th of N samples, evenly over 24 h; one reused object per call site (nothing is kept). */
function* samples(n: number, span: number): Generator<Sample> {
  const tags: Record<string, string> = { status: "200", op: "poll", transport: "polling", scenario: "soak" };
  const s: Sample = { metric: "http_reqs", time: 0, value: 1, tags };
  for (let i = 0; i < n; i++) {
    s.time = T0 + Math.floor((i / n) * span);
    tags.op = OPS[i % 3];
    // A misbehaving tag: every 1000th sample has a unique op, which must not grow the breakdown.
    if (i % 1000 === 999) tags.op = `poll-${i}`;
    tags.status = STATUSES[i % 8];
    switch (i % 10) {
      case 0:
      case 1:
      case 2:
      case 3:
        s.metric = "http_reqs";
        s.value = 1;
        break;
      case 4:
      case 5:
      case 6:
        s.metric = "http_req_duration";
        s.value = 1 + (i % 997);
        break;
      case 7:
        s.metric = "sio_failures";
        s.value = 1;
        tags.kind = i % 20 === 7 ? "session_unknown" : `ws_close_${1000 + (i % 7)}`;
        break;
      case 8:
        s.metric = "sio_ack_rtt";
        s.value = 5 + (i % 300);
        break;
      default:
        s.metric = i % 20 === 9 ? "sio_sessions_opened" : "ws_sessions";
        s.value = 1;
    }
    yield s;
  }
}

describe("bounded memory over a 24 h soak", () => {
  it("2M samples at 10 s windows: 8,640 windows, capped breakdown, bounded sketches, small heap", () => {
    const agg = new RunAggregator({ startedAt: T0, windowMs: 10_000 });
    const before = heapMb();
    let requests = 0;
    for (const s of samples(N, DAY)) {
      if (s.metric === "http_reqs") requests++;
      agg.add(s);
    }
    const after = heapMb();
    const st = agg.stats();
    expect(st.samples).toBe(N);
    expect(st.windowMs).toBe(10_000);
    expect(st.windows).toBe(8640);
    expect(st.breakdownKeys).toBeLessThanOrEqual(32);
    expect(st.sketchBuckets).toBeLessThan(32 * 2048 + 4 * 2048);
    // Windows hold a few small maps each (~1 KB; a status Record keyed "502" alone would be 5 KB).
    // Keeping even 16 bytes per sample would add 32 MB.
    expect(after - before).toBeLessThan(16);
    expect(((after - before) * 1e6) / st.windows).toBeLessThan(2000);

    const run = agg.finish();
    expect(run.windows).toHaveLength(8640);
    expect(run.totals.requests).toBe(requests);
    expect(run.breakdown.some((r) => r.key === "other")).toBe(true);
    expect(run.notes.some((n) => n.includes('grouped as "other"'))).toBe(true);
  });

  it("1 s windows capped at 1,000: windows double, counts are conserved, heap flat once capped", () => {
    const agg = new RunAggregator({ startedAt: T0, windowMs: 1000, maxWindows: 1000 });
    let requests = 0;
    let fed = 0;
    let midHeap = 0;
    for (const s of samples(N, DAY)) {
      if (s.metric === "http_reqs") requests++;
      agg.add(s);
      if (++fed === N / 2) midHeap = heapMb();
    }
    const endHeap = heapMb();
    const st = agg.stats();
    // 86,400 one-second windows would be needed; 128 s windows give 675 ≤ 1,000.
    expect(st.windowMs).toBe(128_000);
    expect(st.windows).toBeLessThanOrEqual(1000);
    // The second half of the day adds windows at the same coarse size (≤ ~340 more), nothing per sample.
    expect(endHeap - midHeap).toBeLessThan(2);
    const run = agg.finish();
    expect(run.windowMs).toBe(128_000);
    expect(run.windows.length).toBeLessThanOrEqual(1000);
    expect(run.windows.reduce((n, w) => n + w.requests, 0)).toBe(requests);
    expect(run.totals.requests).toBe(requests);
    expect(run.notes[0]).toBe("Windows were widened from 1000 ms to 128000 ms to keep at most 1000 windows.");
    for (let i = 1; i < run.windows.length; i++) expect(run.windows[i].start - run.windows[i - 1].start).toBe(128_000);
  });

  it("parsing lines keeps nothing either: 200k k6 lines over 24 h", () => {
    const agg = new RunAggregator({ startedAt: T0, windowMs: 10_000 });
    const before = heapMb();
    for (let i = 0; i < 200_000; i++) {
      const t = new Date(T0 + Math.floor((i / 200_000) * DAY)).toISOString().replace("Z", "123456Z");
      agg.addLine(`{"metric":"http_reqs","type":"Point","data":{"time":"${t}","value":1,"tags":{"status":"200","op":"poll","transport":"polling","url":"http://x/?sid=${i}"}}}`);
      if (i % 2 === 0) agg.addLine(`{"metric":"http_req_blocked","type":"Point","data":{"time":"${t}","value":0.1,"tags":{}}}`);
    }
    const after = heapMb();
    const st = agg.stats();
    expect(st.points).toBe(200_000);
    expect(st.skipped).toBe(100_000);
    expect(st.windows).toBe(8640);
    expect(after - before).toBeLessThan(8);
  });
});
