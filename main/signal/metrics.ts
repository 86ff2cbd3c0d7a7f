/**
 * Quality metrics for reconstructed seismic sections, as geophysicists report them: MSE, SNR and SNR gain in dB, SSIM,
 * trace coherence, and a local coherence that reveals signal leaking into the removed noise.
 *
 * A section is a Float32Array of traces x samples, trace-major (trace t occupies [t*samples, (t+1)*samples)), with its
 * shape given explicitly. Sums run in float64 so that energies of large sections stay exact enough for dB values.
 */

/** Size of a section (or of a line of a survey): traces x samples, stored trace-major. */
export interface SectionShape {
  traces: number;
  samples: number;
}

/** Every quality metric of one reconstruction, as returned by QC. */
export interface QualityReport {
  mse: number;
  snrDb: number;
  snrGainDb: number;
  ssim: number;
  coherence: number;
}

function assertSameLength(a: Float32Array, b: Float32Array): void {
  if (a.length !== b.length) throw new Error(`sections differ in size: ${a.length} and ${b.length} samples`);
}

function assertShape(values: Float32Array, shape: SectionShape): void {
  if (values.length !== shape.traces * shape.samples) {
    throw new Error(
      `section of ${values.length} samples does not match ${shape.traces} traces x ${shape.samples} samples`,
    );
  }
}

/** Mean squared error; 0 for empty sections. */
export function meanSquaredError(clean: Float32Array, processed: Float32Array): number {
  assertSameLength(clean, processed);
  if (clean.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < clean.length; i++) {
    const error = clean[i]! - processed[i]!;
    sum += error * error;
  }
  return sum / clean.length;
}

/**
 * Signal-to-noise ratio of `processed` against the reference `clean`, in dB:
 *   SNR = 10 log10( sum(clean^2) / sum((clean - processed)^2) ).
 * The "noise" is everything that differs from the reference. Identical inputs give +Infinity (no noise at all), also
 * when both are zero. A zero reference that differs from `processed` gives -Infinity (there is noise and no signal).
 * The result is never NaN.
 */
export function signalToNoiseDb(clean: Float32Array, processed: Float32Array): number {
  assertSameLength(clean, processed);
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < clean.length; i++) {
    const c = clean[i]!;
    const error = c - processed[i]!;
    signal += c * c;
    noise += error * error;
  }
  if (noise === 0) return Infinity;
  if (signal === 0) return -Infinity;
  return 10 * Math.log10(signal / noise);
}

/**
 * SNR gain in dB: SNR(clean, processed) - SNR(clean, noisy), how much the processing improved the data. When both SNRs
 * are the same infinity (the noisy input was already clean and stayed clean) the gain is 0 rather than NaN.
 */
export function snrGainDb(clean: Float32Array, noisy: Float32Array, processed: Float32Array): number {
  const after = signalToNoiseDb(clean, processed);
  const before = signalToNoiseDb(clean, noisy);
  if (after === before) return 0;
  return after - before;
}

const SSIM_SIGMA = 1.5;
const SSIM_RADIUS = 5; // an 11 x 11 window, as in Wang et al. (2004)
const SSIM_K1 = 0.01;
const SSIM_K2 = 0.03;

function gaussianKernel(radius: number, sigma: number): Float64Array {
  const kernel = new Float64Array(2 * radius + 1);
  for (let k = -radius; k <= radius; k++) kernel[k + radius] = Math.exp(-(k * k) / (2 * sigma * sigma));
  return kernel;
}

function dataRange(values: Float32Array): number {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return values.length === 0 ? 0 : max - min;
}

/**
 * Local window moments along the samples of each trace: for every sample, the Gaussian-weighted sums of x, y, x^2, y^2
 * and xy over the samples of the same trace, the window truncated at the trace ends and renormalised to sum to one.
 * Five float64 maps, each trace-major like the section.
 */
function momentsAlongSamples(x: Float32Array, y: Float32Array, shape: SectionShape, kernel: Float64Array) {
  const { traces, samples } = shape;
  const radius = (kernel.length - 1) / 2;
  const maps = Array.from({ length: 5 }, () => new Float64Array(traces * samples));
  const [mx, my, mxx, myy, mxy] = maps as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  for (let t = 0; t < traces; t++) {
    const base = t * samples;
    for (let s = 0; s < samples; s++) {
      const from = Math.max(0, s - radius);
      const to = Math.min(samples - 1, s + radius);
      let weightSum = 0;
      let sx = 0;
      let sy = 0;
      let sxx = 0;
      let syy = 0;
      let sxy = 0;
      for (let j = from; j <= to; j++) {
        const w = kernel[j - s + radius]!;
        const xv = x[base + j]!;
        const yv = y[base + j]!;
        weightSum += w;
        sx += w * xv;
        sy += w * yv;
        sxx += w * xv * xv;
        syy += w * yv * yv;
        sxy += w * xv * yv;
      }
      const i = base + s;
      mx[i] = sx / weightSum;
      my[i] = sy / weightSum;
      mxx[i] = sxx / weightSum;
      myy[i] = syy / weightSum;
      mxy[i] = sxy / weightSum;
    }
  }
  return { mx, my, mxx, myy, mxy };
}

/**
 * Mean structural similarity (Wang, Bovik, Sheikh & Simoncelli 2004) of `processed` against `clean` over the 2D section.
 * Window: Gaussian 11 x 11 (sigma 1.5 samples/traces), the paper's choice. At the section edges the window is truncated
 * and renormalised instead of dropping border samples, so that every sample counts and sections narrower than the window
 * (even one trace) have an SSIM. Data range L = max(clean) - min(clean); when the reference is constant, the range of
 * `processed`, and 1 when both are constant, so the result is never NaN. C1 = (0.01 L)^2, C2 = (0.03 L)^2.
 * SSIM(x, x) = 1; the value falls towards 0 (or below, for anti-correlated data) as `processed` departs from `clean`.
 */
export function structuralSimilarity(clean: Float32Array, processed: Float32Array, shape: SectionShape): number {
  assertSameLength(clean, processed);
  assertShape(clean, shape);
  if (clean.length === 0) return 1;
  const range = dataRange(clean) || dataRange(processed) || 1;
  const c1 = (SSIM_K1 * range) ** 2;
  const c2 = (SSIM_K2 * range) ** 2;
  const kernel = gaussianKernel(SSIM_RADIUS, SSIM_SIGMA);
  const { mx, my, mxx, myy, mxy } = momentsAlongSamples(clean, processed, shape, kernel);
  const { traces, samples } = shape;
  let total = 0;
  for (let t = 0; t < traces; t++) {
    const from = Math.max(0, t - SSIM_RADIUS);
    const to = Math.min(traces - 1, t + SSIM_RADIUS);
    let weightSum = 0;
    for (let k = from; k <= to; k++) weightSum += kernel[k - t + SSIM_RADIUS]!;
    for (let s = 0; s < samples; s++) {
      let ux = 0;
      let uy = 0;
      let exx = 0;
      let eyy = 0;
      let exy = 0;
      for (let k = from; k <= to; k++) {
        const w = kernel[k - t + SSIM_RADIUS]!;
        const i = k * samples + s;
        ux += w * mx[i]!;
        uy += w * my[i]!;
        exx += w * mxx[i]!;
        eyy += w * myy[i]!;
        exy += w * mxy[i]!;
      }
      ux /= weightSum;
      uy /= weightSum;
      const varX = exx / weightSum - ux * ux;
      const varY = eyy / weightSum - uy * uy;
      const covariance = exy / weightSum - ux * uy;
      total += ((2 * ux * uy + c1) * (2 * covariance + c2)) / ((ux * ux + uy * uy + c1) * (varX + varY + c2));
    }
  }
  return total / clean.length;
}

/**
 * Trace coherence: the mean over traces of the zero-lag normalised cross-correlation
 *   sum(c * p) / sqrt(sum(c^2) * sum(p^2))
 * between each clean trace c and processed trace p (no mean removal: seismic traces are zero-mean by nature, and a DC
 * shift is an error the metric should see). In [-1, 1]: 1 for a positively scaled copy, -1 for a polarity reversal.
 * Traces that are zero in both sections are skipped (nothing to compare); a trace that is zero in only one of them
 * scores 0. With no trace to compare the coherence is 1 (the sections are identical).
 */
export function traceCoherence(clean: Float32Array, processed: Float32Array, shape: SectionShape): number {
  assertSameLength(clean, processed);
  assertShape(clean, shape);
  const { traces, samples } = shape;
  let sum = 0;
  let compared = 0;
  for (let t = 0; t < traces; t++) {
    let cc = 0;
    let pp = 0;
    let cp = 0;
    for (let i = t * samples; i < (t + 1) * samples; i++) {
      const c = clean[i]!;
      const p = processed[i]!;
      cc += c * c;
      pp += p * p;
      cp += c * p;
    }
    if (cc === 0 && pp === 0) continue;
    compared++;
    if (cc > 0 && pp > 0) sum += clamp(cp / Math.sqrt(cc * pp), -1, 1);
  }
  return compared === 0 ? 1 : sum / compared;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** Summed-area table of f(a[i], b[i]) over the section, (traces + 1) x (samples + 1) with a zero first row/column. */
function summedArea(
  a: Float32Array,
  b: Float32Array,
  shape: SectionShape,
  product: (x: number, y: number) => number,
): Float64Array {
  const { traces, samples } = shape;
  const stride = samples + 1;
  const table = new Float64Array((traces + 1) * stride);
  for (let t = 0; t < traces; t++) {
    let rowSum = 0;
    for (let s = 0; s < samples; s++) {
      const i = t * samples + s;
      rowSum += product(a[i]!, b[i]!);
      table[(t + 1) * stride + s + 1] = table[t * stride + s + 1]! + rowSum;
    }
  }
  return table;
}

function windowSum(table: Float64Array, stride: number, t0: number, s0: number, t1: number, s1: number): number {
  return table[t1 * stride + s1]! - table[t0 * stride + s1]! - table[t1 * stride + s0]! + table[t0 * stride + s0]!;
}

/** Relative energy below which a window counts as empty: summed-area differences leave rounding residue of this order. */
const EMPTY_WINDOW_ENERGY = 1e-12;

/**
 * Local coherence between two sections, the signal-leakage indicator: pass the removed noise (noisy - result) and the
 * result. For every window position (window.traces x window.samples, sliding by one trace and one sample, fully inside
 * the section; the window is shrunk to the section when larger) it takes the zero-lag normalised cross-correlation
 * sum(a b) / sqrt(sum(a^2) sum(b^2)) over the window, and returns the mean over windows, in [-1, 1]. Near 0 means the
 * removed noise is unrelated to the result; clearly positive means signal leaked into what was removed. Windows where
 * either section has no energy are skipped; with none left the result is 0.
 */
export function localCoherence(a: Float32Array, b: Float32Array, shape: SectionShape, window: SectionShape): number {
  assertSameLength(a, b);
  assertShape(a, shape);
  const height = Math.max(1, Math.min(window.traces, shape.traces));
  const width = Math.max(1, Math.min(window.samples, shape.samples));
  if (a.length === 0) return 0;
  const ab = summedArea(a, b, shape, (x, y) => x * y);
  const aa = summedArea(a, a, shape, (x) => x * x);
  const bb = summedArea(b, b, shape, (_, y) => y * y);
  const stride = shape.samples + 1;
  const emptyA = EMPTY_WINDOW_ENERGY * aa[aa.length - 1]!;
  const emptyB = EMPTY_WINDOW_ENERGY * bb[bb.length - 1]!;
  let sum = 0;
  let windows = 0;
  for (let t0 = 0; t0 + height <= shape.traces; t0++) {
    for (let s0 = 0; s0 + width <= shape.samples; s0++) {
      const ea = windowSum(aa, stride, t0, s0, t0 + height, s0 + width);
      const eb = windowSum(bb, stride, t0, s0, t0 + height, s0 + width);
      if (ea <= emptyA || eb <= emptyB) continue;
      sum += clamp(windowSum(ab, stride, t0, s0, t0 + height, s0 + width) / Math.sqrt(ea * eb), -1, 1);
      windows++;
    }
  }
  return windows === 0 ? 0 : sum / windows;
}

/** Window of the signal-leakage measure: about one wavelet long and a few traces wide. */
export const SIGNAL_LEAKAGE_WINDOW: SectionShape = { traces: 5, samples: 31 };

/**
 * Signal leakage of a denoising: the local coherence (localCoherence, SIGNAL_LEAKAGE_WINDOW) between what was removed
 * (`noisy` - `result`) and the signal: the result, or for a result that keeps part of the noise on purpose (a model
 * at checked strength, ml/sure.ts) the denoiser's full-strength output, since the noise kept in the result is the same
 * noise that was partly removed and would correlate with it by construction. Near 0 when the removed part is unrelated
 * to the signal.
 */
export function signalLeakage(
  noisy: Float32Array,
  result: Float32Array,
  shape: SectionShape,
  signal: Float32Array = result,
): number {
  assertSameLength(noisy, result);
  assertSameLength(noisy, signal);
  const removed = noisy.map((v, i) => v - result[i]!);
  return localCoherence(removed, signal, shape, SIGNAL_LEAKAGE_WINDOW);
}

/** All quality metrics of `processed` (made from `noisy`) against the reference `clean`. */
export function qualityReport(
  clean: Float32Array,
  noisy: Float32Array,
  processed: Float32Array,
  shape: SectionShape,
): QualityReport {
  return {
    mse: meanSquaredError(clean, processed),
    snrDb: signalToNoiseDb(clean, processed),
    snrGainDb: snrGainDb(clean, noisy, processed),
    ssim: structuralSimilarity(clean, processed, shape),
    coherence: traceCoherence(clean, processed, shape),
  };
}
