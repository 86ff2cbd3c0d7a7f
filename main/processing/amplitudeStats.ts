import type { AmplitudeStats } from '../../preload/contract';

const HISTOGRAM_BINS = 8192;

/**
 * Streaming amplitude statistics (min, max, mean, RMS, 99th percentile of |a|) over any number of chunks in O(1) memory.
 * The percentile comes from a histogram of |a| over [0, range], where range is fixed by the first chunk and widened
 * (re-binning) when a larger value arrives, so its error is at most one bin (range / 8192).
 */
export class AmplitudeStatsAccumulator {
  private count = 0;
  private min = Infinity;
  private max = -Infinity;
  private sum = 0;
  private sumSquares = 0;
  private range = 0;
  private histogram = new Float64Array(HISTOGRAM_BINS);

  add(values: ArrayLike<number>): void {
    let chunkMaxAbs = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (Number.isNaN(v)) continue;
      const a = Math.abs(v);
      if (a > chunkMaxAbs) chunkMaxAbs = a;
    }
    if (chunkMaxAbs > this.range) this.widen(chunkMaxAbs * 1.5);
    const scale = this.range > 0 ? HISTOGRAM_BINS / this.range : 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (Number.isNaN(v)) continue;
      this.count++;
      if (v < this.min) this.min = v;
      if (v > this.max) this.max = v;
      this.sum += v;
      this.sumSquares += v * v;
      this.histogram[Math.min(HISTOGRAM_BINS - 1, Math.floor(Math.abs(v) * scale))]!++;
    }
  }

  private widen(range: number): void {
    const old = this.histogram;
    const oldRange = this.range;
    this.histogram = new Float64Array(HISTOGRAM_BINS);
    this.range = range;
    if (oldRange === 0) return;
    for (let bin = 0; bin < HISTOGRAM_BINS; bin++) {
      const centre = ((bin + 0.5) * oldRange) / HISTOGRAM_BINS;
      this.histogram[Math.min(HISTOGRAM_BINS - 1, Math.floor((centre * HISTOGRAM_BINS) / range))]! += old[bin]!;
    }
  }

  private percentileAbs(fraction: number): number {
    const target = fraction * this.count;
    let seen = 0;
    for (let bin = 0; bin < HISTOGRAM_BINS; bin++) {
      seen += this.histogram[bin]!;
      if (seen >= target) return ((bin + 1) * this.range) / HISTOGRAM_BINS;
    }
    return this.range;
  }

  result(): AmplitudeStats {
    if (this.count === 0) return { count: 0, min: 0, max: 0, mean: 0, rms: 0, p99Abs: 0 };
    return {
      count: this.count,
      min: this.min,
      max: this.max,
      mean: this.sum / this.count,
      rms: Math.sqrt(this.sumSquares / this.count),
      p99Abs: this.percentileAbs(0.99),
    };
  }
}
