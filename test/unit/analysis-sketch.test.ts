import { describe, expect, it } from "vitest";
import { QuantileSketch } from "../../harness/analysis/sketch.ts";
import { mulberry32 as rng } from "../support/prng.ts";

function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))];
}

const QS = [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999];

const distributions: Record<string, (r: () => number) => number> = {
  uniform: (r) => r() * 1000,
  exponential: (r) => -Math.log(1 - r()) * 40,
  lognormal: (r) => {
    const z = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    return Math.exp(3 + 1.5 * z);
  },
  "latency-like with long polls": (r) => (r() < 0.9 ? 2 + r() * 30 : 25_000 + r() * 50),
};

describe("QuantileSketch accuracy against exact quantiles", () => {
  for (const [name, gen] of Object.entries(distributions)) {
    it(`${name}: every quantile within 1 % relative error`, () => {
      const r = rng(name.length * 7919);
      const sketch = new QuantileSketch({ relativeAccuracy: 0.01 });
      const values: number[] = [];
      for (let i = 0; i < 50_000; i++) {
        const v = gen(r);
        values.push(v);
        sketch.add(v);
      }
      values.sort((a, b) => a - b);
      expect(sketch.count).toBe(values.length);
      for (const q of QS) {
        const exact = exactQuantile(values, q);
        const est = sketch.quantile(q);
        expect(Math.abs(est - exact) / exact, `q=${q} exact=${exact} est=${est}`).toBeLessThanOrEqual(0.01 + 1e-12);
      }
      expect(sketch.max).toBe(values[values.length - 1]);
      expect(sketch.min).toBe(values[0]);
      expect(sketch.quantile(1)).toBe(values[values.length - 1]);
    });
  }

  it("zeros are counted and reported as 0", () => {
    const s = new QuantileSketch();
    for (let i = 0; i < 60; i++) s.add(0);
    for (let i = 0; i < 40; i++) s.add(100);
    expect(s.quantile(0.5)).toBe(0);
    expect(Math.abs(s.quantile(0.9) - 100)).toBeLessThanOrEqual(1);
  });

  it("an empty sketch reports zeros", () => {
    expect(new QuantileSketch().percentiles()).toEqual({ count: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0 });
  });

  it("ignores NaN and infinities", () => {
    const s = new QuantileSketch();
    s.add(Number.NaN);
    s.add(Number.POSITIVE_INFINITY);
    s.add(5);
    expect(s.count).toBe(1);
  });

  it("merging two sketches equals one sketch fed both halves", () => {
    const r = rng(42);
    const a = new QuantileSketch();
    const b = new QuantileSketch();
    const whole = new QuantileSketch();
    for (let i = 0; i < 20_000; i++) {
      const v = distributions.lognormal(r);
      (i % 2 ? a : b).add(v);
      whole.add(v);
    }
    a.merge(b);
    expect(a.count).toBe(whole.count);
    for (const q of QS) expect(a.quantile(q)).toBe(whole.quantile(q));
  });

  it("stays within maxBuckets on a huge range and keeps the high quantiles accurate", () => {
    const s = new QuantileSketch({ maxBuckets: 200 });
    const values: number[] = [];
    // 1e-6 .. 1e6 would need ~1,400 buckets at 1 %.
    for (let e = -6; e <= 6; e += 0.001) {
      const v = Math.pow(10, e);
      values.push(v);
      s.add(v);
    }
    expect(s.bucketCount).toBeLessThanOrEqual(200);
    values.sort((x, y) => x - y);
    for (const q of [0.9, 0.95, 0.99]) {
      const exact = exactQuantile(values, q);
      expect(Math.abs(s.quantile(q) - exact) / exact).toBeLessThanOrEqual(0.01 + 1e-12);
    }
    // Values added below the retained range also stay within the cap.
    for (let i = 0; i < 100; i++) s.add(1e-8 * (i + 1));
    expect(s.bucketCount).toBeLessThanOrEqual(200);
    expect(s.count).toBe(values.length + 100);
  });

  it("bucket count is independent of the number of values", () => {
    const s = new QuantileSketch();
    const r = rng(7);
    for (let i = 0; i < 200_000; i++) s.add(1 + r() * 999);
    // log_gamma(1000) at 1 % ≈ 346 buckets.
    expect(s.bucketCount).toBeLessThan(360);
  });
});
