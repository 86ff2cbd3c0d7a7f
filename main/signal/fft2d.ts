/**
 * The f-x and f-k transforms behind the classical methods, on fft.js with every instance and buffer allocated once.
 *
 * f-x: each trace (or a time window of it) is zero-padded to a power of two and transformed along time; only the
 * non-negative frequencies 0..size/2 are kept because the traces are real (the others are their complex conjugates).
 * The f-x data are stored frequency-major, complex interleaved: value of trace t at frequency bin f at
 * [2 (f traces + t), 2 (f traces + t) + 1], so that each frequency slice (all traces at one frequency) is contiguous.
 *
 * f-k: each frequency slice is zero-padded to a power of two of traces and transformed across traces.
 */
import FFT from 'fft.js';

/** Smallest power of two >= n, and at least 2 (fft.js's smallest transform). */
export function fftSize(n: number): number {
  return Math.max(2, 2 ** Math.ceil(Math.log2(Math.max(1, n))));
}

/** Forward and inverse time transforms of `traces` traces over windows of `windowSamples` samples. */
export class FxTransform {
  /** Padded window length (power of two). */
  readonly size: number;
  /** Frequency bins kept: 0..size/2; bin f is f / (size dt) Hz. */
  readonly frequencies: number;
  private readonly fft: FFT;
  private readonly real: Float64Array;
  private readonly spectrum: Float64Array;
  private readonly inverseHalf: RealInverse;

  constructor(
    readonly traces: number,
    readonly windowSamples: number,
  ) {
    this.size = fftSize(windowSamples);
    this.frequencies = this.size / 2 + 1;
    this.fft = new FFT(this.size);
    this.real = new Float64Array(this.size);
    this.spectrum = new Float64Array(2 * this.size);
    this.inverseHalf = new RealInverse(this.size);
  }

  /** A zeroed f-x array for this transform. */
  createFx(): Float64Array {
    return new Float64Array(2 * this.frequencies * this.traces);
  }

  /**
   * Writes into `fx` the spectra of samples [firstSample, firstSample + windowSamples) of every trace of `section`
   * (trace-major, `samples` per trace), multiplied by `taper` (one weight per window sample) when given; samples past
   * the end of a trace count as zero.
   */
  forward(section: Float32Array, samples: number, firstSample: number, fx: Float64Array, taper?: Float64Array): void {
    const count = Math.max(0, Math.min(this.windowSamples, samples - firstSample));
    for (let t = 0; t < this.traces; t++) {
      const base = t * samples + firstSample;
      for (let i = 0; i < count; i++) this.real[i] = section[base + i]! * (taper ? taper[i]! : 1);
      this.real.fill(0, count);
      this.fft.realTransform(this.spectrum, this.real);
      for (let f = 0; f < this.frequencies; f++) {
        const at = 2 * (f * this.traces + t);
        fx[at] = this.spectrum[2 * f]!;
        fx[at + 1] = this.spectrum[2 * f + 1]!;
      }
    }
  }

  /**
   * The inverse: writes `windowSamples` samples per trace into `window` (trace-major, windowSamples per trace). The
   * spectrum is taken as that of a real signal (the negative frequencies are the conjugates of the positive ones).
   */
  inverse(fx: Float64Array, window: Float64Array): void {
    for (let t = 0; t < this.traces; t++) {
      for (let f = 0; f < this.frequencies; f++) {
        const at = 2 * (f * this.traces + t);
        this.spectrum[2 * f] = fx[at]!;
        this.spectrum[2 * f + 1] = fx[at + 1]!;
      }
      this.inverseHalf.transform(this.spectrum, window, t * this.windowSamples, this.windowSamples);
    }
  }
}

/**
 * The inverse transform of the spectrum of a real signal of `size` samples (a power of two) through one complex
 * transform of half the size, half the work of a complex one of the full size: the even samples are its real parts,
 * the odd ones its imaginary parts. With X the spectrum and M = size / 2, the even samples' spectrum is
 * E[k] = (X[k] + conj X[M - k]) / 2 and the odd ones' O[k] = (X[k] - conj X[M - k]) e^(2 pi i k / size) / 2, so the
 * half-size inverse of E + i O interleaves them. That inverse is taken as a forward transform with real and imaginary
 * parts swapped on the way in and out, the 1 / M folded into the packing (fft.js's own inverse divides every value
 * after the transform). Like the real part of a
 * full complex inverse, it ignores the imaginary parts of bins 0 and M.
 */
export class RealInverse {
  private readonly half: number;
  /** fft.js has no transform of size 1 (size 2): that one is the identity. */
  private readonly fft: FFT | null;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly packed: Float64Array;
  private readonly transformed: Float64Array;

  constructor(readonly size: number) {
    this.half = size / 2;
    this.fft = this.half >= 2 ? new FFT(this.half) : null;
    this.cos = Float64Array.from({ length: this.half }, (_, k) => Math.cos((2 * Math.PI * k) / size));
    this.sin = Float64Array.from({ length: this.half }, (_, k) => Math.sin((2 * Math.PI * k) / size));
    this.packed = new Float64Array(2 * this.half);
    this.transformed = new Float64Array(2 * this.half);
  }

  /**
   * Writes the first `count` samples of the signal whose spectrum bins 0..size/2 are `spectrum` (complex interleaved)
   * into `signal` from `offset`.
   */
  transform(spectrum: Float64Array, signal: Float64Array | Float32Array, offset: number, count: number): void {
    const { half, packed } = this;
    // The 1 / 2 of E and O and the 1 / M of the inverse.
    const scale = 0.5 / half;
    for (let k = 0; k < half; k++) {
      // X[k] and conj X[M - k]; bins 0 and M count as real.
      const re = spectrum[2 * k]!;
      const im = k === 0 ? 0 : spectrum[2 * k + 1]!;
      const mirrorRe = spectrum[2 * (half - k)]!;
      const mirrorIm = k === 0 ? 0 : -spectrum[2 * (half - k) + 1]!;
      const evenRe = (re + mirrorRe) * scale;
      const evenIm = (im + mirrorIm) * scale;
      // (X[k] - conj X[M - k]) / 2 turned by e^(2 pi i k / size).
      const diffRe = (re - mirrorRe) * scale;
      const diffIm = (im - mirrorIm) * scale;
      const oddRe = diffRe * this.cos[k]! - diffIm * this.sin[k]!;
      const oddIm = diffRe * this.sin[k]! + diffIm * this.cos[k]!;
      // E + i O, real and imaginary parts swapped.
      packed[2 * k] = evenIm + oddRe;
      packed[2 * k + 1] = evenRe - oddIm;
    }
    const transformed = this.fft ? this.transformed : packed;
    this.fft?.transform(transformed, packed);
    // Swapped back: sample 2m is the real part of value m, sample 2m + 1 its imaginary part.
    const end = Math.min(count, this.size);
    for (let i = 0; i < end; i++) signal[offset + i] = transformed[i ^ 1]!;
  }
}

/**
 * Transform across traces of one frequency slice, zero-padded to `size` traces. `space` holds the slice (complex per
 * padded trace), `spectrum` its wavenumbers: bin k is k / size cycles per trace for k < size / 2, (k - size) / size
 * above. Both buffers are owned and reused.
 */
export class WavenumberTransform {
  readonly size: number;
  readonly space: Float64Array;
  readonly spectrum: Float64Array;
  private readonly fft: FFT;

  constructor(readonly traces: number) {
    this.size = fftSize(traces);
    this.fft = new FFT(this.size);
    this.space = new Float64Array(2 * this.size);
    this.spectrum = new Float64Array(2 * this.size);
  }

  /** Copies frequency slice `frequency` of `fx` into `space`, zero beyond the last trace. */
  loadSlice(fx: Float64Array, frequency: number): void {
    const from = 2 * frequency * this.traces;
    this.space.set(fx.subarray(from, from + 2 * this.traces));
    this.space.fill(0, 2 * this.traces);
  }

  /** Copies the first `traces` values of `space` back into frequency slice `frequency` of `fx`. */
  storeSlice(fx: Float64Array, frequency: number): void {
    fx.set(this.space.subarray(0, 2 * this.traces), 2 * frequency * this.traces);
  }

  forward(): void {
    this.fft.transform(this.spectrum, this.space);
  }

  inverse(): void {
    this.fft.inverseTransform(this.space, this.spectrum);
  }

  /** Signed wavenumber of bin k in cycles per trace. */
  wavenumber(k: number): number {
    return (k < this.size / 2 ? k : k - this.size) / this.size;
  }
}
