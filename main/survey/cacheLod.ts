/**
 * The downsampled volume for the 3D view: each cell is the mean of the live traces' samples in a factor^3 box. A box
 * mean rather than picking every factor-th sample, because picking aliases steep dips and random noise into the
 * picture; dead traces are left out of the mean so gaps in the survey do not darken their neighbourhood.
 */
import { lodFactor, lodShape, type VolumeShape } from './cacheLayout';

export class LodAccumulator {
  readonly factor: number;
  readonly shape: [number, number, number];
  private readonly sums: Float32Array;
  /** Live traces that fell in each (inline, crossline) cell of the downsampled grid. */
  private readonly liveCounts: Uint32Array;

  /**
   * `factor`: given instead of derived from `maxBytes` for a block of whole inlines of a larger volume (starting at a
   * multiple of the factor), whose means are then exactly the block's rows of the whole volume's.
   */
  constructor(
    private readonly volumeShape: VolumeShape,
    maxBytes: number,
    factor = lodFactor(volumeShape, maxBytes),
  ) {
    this.factor = factor;
    this.shape = lodShape(volumeShape, this.factor);
    this.sums = new Float32Array(this.shape[0] * this.shape[1] * this.shape[2]);
    this.liveCounts = new Uint32Array(this.shape[0] * this.shape[1]);
  }

  /** Adds a block of whole inlines (trace-major, [inline][crossline][sample]) starting at inline `firstInline`. */
  addInlines(values: Float32Array, firstInline: number, inlineCount: number, liveMask: Uint8Array): void {
    const [, crosslines, samples] = this.volumeShape;
    for (let li = 0; li < inlineCount; li++) {
      const inline = firstInline + li;
      for (let xl = 0; xl < crosslines; xl++) {
        if (liveMask[inline * crosslines + xl] !== 1) continue;
        const cell = Math.floor(inline / this.factor) * this.shape[1] + Math.floor(xl / this.factor);
        this.liveCounts[cell]!++;
        this.addTrace(values, (li * crosslines + xl) * samples, cell * this.shape[2]);
      }
    }
  }

  reset(): void {
    this.sums.fill(0);
    this.liveCounts.fill(0);
  }

  /** The means; consumes the accumulator (its sums become the result). */
  means(): Float32Array {
    const [, , samples] = this.volumeShape;
    const lodSamples = this.shape[2];
    for (let cell = 0; cell < this.liveCounts.length; cell++) {
      const traces = this.liveCounts[cell]!;
      if (traces === 0) continue;
      for (let c = 0; c < lodSamples; c++) {
        const window = Math.min(this.factor, samples - c * this.factor);
        this.sums[cell * lodSamples + c]! /= traces * window;
      }
    }
    return this.sums;
  }

  private addTrace(values: Float32Array, from: number, to: number): void {
    const samples = this.volumeShape[2];
    for (let k0 = 0, c = to; k0 < samples; k0 += this.factor, c++) {
      let sum = 0;
      const k1 = Math.min(k0 + this.factor, samples);
      for (let k = k0; k < k1; k++) sum += values[from + k]!;
      this.sums[c]! += sum;
    }
  }
}
