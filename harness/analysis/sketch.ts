// A bounded-memory quantile sketch (DDSketch-style logarithmic buckets).
// Every positive value x lands in bucket i = ceil(log_gamma(x)), gamma = (1+a)/(1-a); the bucket's
// representative 2*gamma^i/(gamma+1) is within relative accuracy `a` of every value in it.
// Memory: one counter per occupied bucket between the smallest and largest index, capped at
// maxBuckets (the lowest buckets collapse into one when the cap is hit, so only the low
// quantiles lose accuracy). 1 % accuracy covers 1 µs .. 10^7 ms in about 1,400 buckets.
import type { Percentiles } from "./types.ts";

export interface SketchOptions {
  /** Relative accuracy, 0 < a < 1. Default 0.01 (1 %). */
  relativeAccuracy?: number;
  /** Cap on the number of buckets. Default 2048. */
  maxBuckets?: number;
}

/** Values at or below this are counted in the zero bucket (latencies are ≥ 0 ms). */
const MIN_INDEXABLE = 1e-9;

export class QuantileSketch {
  readonly relativeAccuracy: number;
  readonly maxBuckets: number;
  private readonly gamma: number;
  private readonly logGamma: number;
  /** counts[k] is the count of bucket index offset + k. */
  private counts: Float64Array;
  private offset = 0;
  /** Number of slots in use in counts (from offset). */
  private span = 0;
  private zeroCount = 0;
  private n = 0;
  private sum = 0;
  private minV = Infinity;
  private maxV = -Infinity;

  constructor(opts: SketchOptions = {}) {
    const a = opts.relativeAccuracy ?? 0.01;
    if (!(a > 0 && a < 1)) throw new RangeError(`relativeAccuracy must be in (0, 1), got ${a}`);
    this.relativeAccuracy = a;
    this.maxBuckets = Math.max(16, opts.maxBuckets ?? 2048);
    this.gamma = (1 + a) / (1 - a);
    this.logGamma = Math.log(this.gamma);
    this.counts = new Float64Array(64);
  }

  get count(): number {
    return this.n;
  }

  get min(): number {
    return this.n ? this.minV : 0;
  }

  get max(): number {
    return this.n ? this.maxV : 0;
  }

  get mean(): number {
    return this.n ? this.sum / this.n : 0;
  }

  /** Occupied bucket slots (for memory checks). */
  get bucketCount(): number {
    return this.span;
  }

  add(value: number, weight = 1): void {
    if (!Number.isFinite(value) || !(weight > 0)) return;
    this.n += weight;
    this.sum += value * weight;
    if (value < this.minV) this.minV = value;
    if (value > this.maxV) this.maxV = value;
    if (value <= MIN_INDEXABLE) {
      this.zeroCount += weight;
      return;
    }
    this.addToBucket(Math.ceil(Math.log(value) / this.logGamma), weight);
  }

  private addToBucket(index: number, weight: number): void {
    if (this.span === 0) {
      this.offset = index;
      this.span = 1;
      this.counts[0] = weight;
      return;
    }
    if (index < this.offset) {
      const highest = this.offset + this.span - 1;
      if (highest - index + 1 > this.maxBuckets) {
        // Below the range the cap allows: fold into the lowest retained bucket.
        this.growDown(highest - this.maxBuckets + 1);
        this.counts[0] += weight;
        return;
      }
      this.growDown(index);
    } else if (index >= this.offset + this.span) {
      this.growUp(index);
    }
    this.counts[index - this.offset] += weight;
  }

  /** Extends the range down to `index` (which keeps the span within maxBuckets). */
  private growDown(index: number): void {
    if (index >= this.offset) return;
    const shift = this.offset - index;
    const next = this.ensure(this.span + shift);
    next.copyWithin(shift, 0, this.span);
    next.fill(0, 0, shift);
    this.counts = next;
    this.offset = index;
    this.span += shift;
  }

  private growUp(index: number): void {
    const newSpan = index - this.offset + 1;
    if (newSpan > this.maxBuckets) {
      // Collapse the lowest buckets so the span fits again.
      const drop = newSpan - this.maxBuckets;
      let folded = 0;
      for (let k = 0; k < Math.min(drop + 1, this.span); k++) folded += this.counts[k];
      if (drop >= this.span) {
        this.counts.fill(0, 0, this.span);
        this.offset = index - this.maxBuckets + 1;
        this.span = 1;
        this.counts[0] = folded;
      } else {
        this.counts.copyWithin(0, drop, this.span);
        this.counts.fill(0, this.span - drop, this.span);
        this.counts[0] = folded;
        this.offset += drop;
        this.span -= drop;
      }
    }
    const need = index - this.offset + 1;
    this.counts = this.ensure(need);
    this.span = Math.max(this.span, need);
  }

  private ensure(slots: number): Float64Array {
    if (slots <= this.counts.length) return this.counts;
    let len = this.counts.length;
    while (len < slots) len *= 2;
    const next = new Float64Array(Math.min(len, Math.max(slots, this.maxBuckets)));
    next.set(this.counts.subarray(0, this.span));
    return next;
  }

  /** Adds every value of another sketch with the same accuracy. */
  merge(other: QuantileSketch): void {
    if (other.relativeAccuracy !== this.relativeAccuracy) throw new RangeError("cannot merge sketches of different accuracy");
    if (other.n === 0) return;
    this.n += other.n;
    this.sum += other.sum;
    this.zeroCount += other.zeroCount;
    if (other.minV < this.minV) this.minV = other.minV;
    if (other.maxV > this.maxV) this.maxV = other.maxV;
    // Highest first, so a cap collapse never has to move a bucket added earlier in this merge downwards.
    for (let k = other.span - 1; k >= 0; k--) {
      const c = other.counts[k];
      if (c > 0) this.addToBucket(other.offset + k, c);
    }
  }

  /** The q-quantile (0..1): the value at 0-based rank floor(q*(count-1)), within the relative accuracy. */
  quantile(q: number): number {
    if (this.n === 0) return 0;
    if (q <= 0) return this.minV;
    if (q >= 1) return this.maxV;
    const rank = Math.floor(q * (this.n - 1));
    let seen = this.zeroCount;
    if (rank < seen) return this.clamp(0);
    for (let k = 0; k < this.span; k++) {
      seen += this.counts[k];
      if (seen > rank) return this.clamp((2 * Math.pow(this.gamma, this.offset + k)) / (this.gamma + 1));
    }
    return this.maxV;
  }

  private clamp(v: number): number {
    return Math.min(this.maxV, Math.max(this.minV, v));
  }

  percentiles(): Percentiles {
    if (this.n === 0) return emptyPercentiles();
    return {
      count: this.n,
      p50: this.quantile(0.5),
      p90: this.quantile(0.9),
      p95: this.quantile(0.95),
      p99: this.quantile(0.99),
      max: this.maxV,
    };
  }
}

export function emptyPercentiles(): Percentiles {
  return { count: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0 };
}
