/*
 * A latency histogram with bounded memory and k6's percentile definition.
 *
 * Up to `exactLimit` values are kept as they are, so small runs get exactly the percentiles k6 prints.
 * Past that it switches to log-spaced buckets (the DDSketch mapping): every bucket spans a factor of
 * gamma = (1 + a) / (1 - a), and a bucket's representative value is within a = 0.5% of every value in
 * it. Memory is fixed (about 28 KB of buckets) whatever the number of samples, and two histograms
 * merge by adding bucket counts.
 */

/** Relative accuracy of the bucketed mode. */
export const HISTOGRAM_RELATIVE_ACCURACY = 0.005;
const GAMMA = (1 + HISTOGRAM_RELATIVE_ACCURACY) / (1 - HISTOGRAM_RELATIVE_ACCURACY);
const INV_LN_GAMMA = 1 / Math.log(GAMMA);
/** Values at or below this (ms) count as zero: 1 ns, below k6's resolution. */
const MIN_VALUE = 1e-6;
/** Bucket index of MIN_VALUE and of the largest value kept apart (1e9 ms, about 11 days). */
const MIN_INDEX = Math.floor(Math.log(MIN_VALUE) * INV_LN_GAMMA);
const MAX_INDEX = Math.ceil(Math.log(1e9) * INV_LN_GAMMA);
const BUCKETS = MAX_INDEX - MIN_INDEX + 1;

export class LatencyHistogram {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  private readonly exactLimit: number;
  private exact: Float64Array | null = null;
  private sorted = true;
  private buckets: Float64Array | null = null;
  /** Cleared bucket memory kept for reuse after reset(). */
  private spare: Float64Array | null = null;
  private zeros = 0;

  constructor(exactLimit = 4096) {
    this.exactLimit = exactLimit;
  }

  add(value: number): void {
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (this.buckets === null) {
      const n = this.count - 1;
      if (n < this.exactLimit) {
        if (this.exact === null) this.exact = new Float64Array(Math.min(this.exactLimit, 64));
        else if (n === this.exact.length) {
          const grown = new Float64Array(Math.min(this.exactLimit, this.exact.length * 4));
          grown.set(this.exact);
          this.exact = grown;
        }
        this.exact[n] = value;
        this.sorted = false;
        return;
      }
      this.toBuckets(this.exactLimit);
    }
    this.addToBucket(value, 1);
  }

  /** Adds another histogram's samples into this one. */
  merge(other: LatencyHistogram): void {
    if (other.count === 0) return;
    if (other.buckets === null) {
      const values = other.exact!;
      for (let i = 0; i < other.count; i++) this.add(values[i]!);
      return;
    }
    if (this.buckets === null) this.toBuckets(this.count);
    const mine = this.buckets!;
    const theirs = other.buckets;
    for (let i = 0; i < BUCKETS; i++) mine[i]! += theirs[i]!;
    this.zeros += other.zeros;
    this.count += other.count;
    this.sum += other.sum;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
  }

  /** Forgets every sample but keeps the allocated memory. */
  reset(): void {
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.sorted = true;
    if (this.buckets) {
      this.buckets.fill(0);
      this.spare = this.buckets;
    }
    this.buckets = null;
    this.zeros = 0;
  }

  /** True once the histogram stopped keeping every value (percentiles are then within 0.5%). */
  get approximate(): boolean {
    return this.buckets !== null;
  }

  get avg(): number | null {
    return this.count === 0 ? null : this.sum / this.count;
  }

  /**
   * The percentile the way k6's trend sink computes it: the value at rank q * (count - 1), linearly
   * interpolated between the two nearest samples. `q` is a fraction (0.95 for p(95)).
   */
  quantile(q: number): number | null {
    if (this.count === 0) return null;
    if (this.count === 1) return this.min;
    const rank = Math.min(Math.max(q, 0), 1) * (this.count - 1);
    const lo = Math.floor(rank);
    const hi = Math.ceil(rank);
    const a = this.valueAtRank(lo);
    const b = hi === lo ? a : this.valueAtRank(hi);
    return a + (b - a) * (rank - lo);
  }

  private valueAtRank(rank: number): number {
    if (rank <= 0) return this.min;
    if (rank >= this.count - 1) return this.max;
    if (this.buckets === null) {
      const values = this.exact!.subarray(0, this.count);
      if (!this.sorted) {
        values.sort();
        this.sorted = true;
      }
      return values[rank]!;
    }
    if (rank < this.zeros) return Math.max(this.min, 0);
    let seen = this.zeros;
    const buckets = this.buckets;
    for (let i = 0; i < BUCKETS; i++) {
      seen += buckets[i]!;
      if (seen > rank) {
        const value = (2 * Math.pow(GAMMA, i + MIN_INDEX)) / (GAMMA + 1);
        return Math.min(Math.max(value, this.min), this.max);
      }
    }
    return this.max;
  }

  /** Moves the first `kept` exact values into buckets. */
  private toBuckets(kept: number): void {
    this.buckets = this.spare ?? new Float64Array(BUCKETS);
    this.spare = null;
    this.zeros = 0;
    const values = this.exact;
    if (values) for (let i = 0; i < kept; i++) this.addToBucket(values[i]!, 1);
  }

  private addToBucket(value: number, n: number): void {
    if (!(value > MIN_VALUE)) {
      this.zeros += n;
      return;
    }
    let index = Math.ceil(Math.log(value) * INV_LN_GAMMA) - MIN_INDEX;
    if (index >= BUCKETS) index = BUCKETS - 1;
    this.buckets![index]! += n;
  }
}
