/**
 * f-x deconvolution (f-x prediction filtering), Canales (1984) with Gulunay's (1986) forward-backward averaging.
 *
 * Why it works: a linear event is, at each temporal frequency, a complex sinusoid across traces, which a short
 * complex linear prediction filter predicts exactly from the previous few traces; random noise is not predictable, so
 * the prediction keeps the events and drops most of the noise. Real events are only locally linear, hence the
 * filter is estimated over sliding spatial windows of traces and time windows of samples, both overlapping, with
 * tapers that sum to one (windows.ts).
 *
 * For each time window (zero-padded to a power of two) and each frequency in [fmin, fmax], and each spatial window,
 * the least-squares prediction filter a (length p) minimises sum_n |x[n] - sum_j a_j x[n - j]|^2 (normal equations
 * with the diagonal raised by `prewhitening` times its mean, for stability on noise-free data); each trace is
 * predicted from the p traces before it and, with the same method on the reversed sequence, from the p traces after
 * it, and the two predictions are averaged (only one exists within p traces of a window edge). Frequencies outside
 * [fmin, fmax] are zeroed, as in Canales' method: the output is band-limited to the analysis band. Windows with too
 * few traces to predict (fewer than p + 1) and slices without energy keep their input values.
 */
import type { SectionShape } from '../signal/metrics';
import { FxTransform } from '../signal/fft2d';
import { checkInRange, checkInteger, checkPositive, checkSection, ProcessingInputError } from './validation';
import { taperedWindows, type TaperedWindow } from '../signal/windows';

export interface FxDeconOptions {
  /** Sample interval in seconds. Default 0.004. */
  dt?: number;
  /** Lowest frequency processed, Hz. Default 1. */
  fmin?: number;
  /** Highest frequency processed, Hz. Default 0.8 x Nyquist (100 Hz at 4 ms). */
  fmax?: number;
  /** Prediction filter length in traces. Default 4. */
  filterLength?: number;
  /** Prewhitening: fraction of the mean zero-lag autocorrelation added to the diagonal. Default 0.01 (1 %). */
  prewhitening?: number;
  /** Traces per spatial window. Default 40. */
  windowTraces?: number;
  /** Traces shared by neighbouring spatial windows. Default 20. */
  overlapTraces?: number;
  /** Time window length, seconds. Default 0.5. */
  windowSeconds?: number;
  /** Time shared by neighbouring time windows, seconds. Default 0.2. */
  overlapSeconds?: number;
}

export const FX_DECON_DEFAULTS = {
  dt: 0.004,
  fmin: 1,
  nyquistFractionForFmax: 0.8,
  filterLength: 4,
  prewhitening: 0.01,
  windowTraces: 40,
  overlapTraces: 20,
  windowSeconds: 0.5,
  overlapSeconds: 0.2,
} as const;

interface FxDeconSettings {
  dt: number;
  fmin: number;
  fmax: number;
  filterLength: number;
  prewhitening: number;
  windowTraces: number;
  overlapTraces: number;
  windowSamples: number;
  overlapSamples: number;
}

function resolveSettings(options: FxDeconOptions): FxDeconSettings {
  const d = FX_DECON_DEFAULTS;
  const dt = checkPositive('dt', options.dt ?? d.dt);
  const nyquist = 0.5 / dt;
  const fmin = checkInRange('fmin', options.fmin ?? d.fmin, 0, nyquist);
  const fmax = checkInRange('fmax', options.fmax ?? d.nyquistFractionForFmax * nyquist, 0, nyquist);
  if (fmax < fmin) throw new ProcessingInputError(`fmax (${fmax} Hz) must be at least fmin (${fmin} Hz)`);
  const windowTraces = checkInteger('windowTraces', options.windowTraces ?? d.windowTraces, 2);
  const overlapTraces = checkInteger('overlapTraces', options.overlapTraces ?? d.overlapTraces, 0);
  if (overlapTraces >= windowTraces) {
    throw new ProcessingInputError(`overlapTraces (${overlapTraces}) must be less than windowTraces (${windowTraces})`);
  }
  const windowSeconds = checkPositive('windowSeconds', options.windowSeconds ?? d.windowSeconds);
  const overlapSeconds = checkInRange('overlapSeconds', options.overlapSeconds ?? d.overlapSeconds, 0, windowSeconds);
  const windowSamples = Math.max(1, Math.round(windowSeconds / dt));
  return {
    dt,
    fmin,
    fmax,
    filterLength: checkInteger('filterLength', options.filterLength ?? d.filterLength, 1),
    prewhitening: checkInRange('prewhitening', options.prewhitening ?? d.prewhitening, 0, 10),
    windowTraces,
    overlapTraces,
    windowSamples,
    overlapSamples: Math.min(windowSamples - 1, Math.round(overlapSeconds / dt)),
  };
}

/**
 * Solves the Hermitian positive definite system A x = b in place by complex Cholesky (A = L L^H); A is n x n complex
 * interleaved, row-major. Returns false when A is not numerically positive definite.
 */
function solveHermitian(a: Float64Array, b: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let diagonal = a[2 * (j * n + j)]!;
    for (let k = 0; k < j; k++) diagonal -= a[2 * (j * n + k)]! ** 2 + a[2 * (j * n + k) + 1]! ** 2;
    if (!(diagonal > 0)) return false;
    const pivot = Math.sqrt(diagonal);
    a[2 * (j * n + j)] = pivot;
    a[2 * (j * n + j) + 1] = 0;
    for (let i = j + 1; i < n; i++) {
      // L[i][j] = (A[i][j] - sum_k L[i][k] conj(L[j][k])) / L[j][j]
      let re = a[2 * (i * n + j)]!;
      let im = a[2 * (i * n + j) + 1]!;
      for (let k = 0; k < j; k++) {
        const ar = a[2 * (i * n + k)]!;
        const ai = a[2 * (i * n + k) + 1]!;
        const br = a[2 * (j * n + k)]!;
        const bi = a[2 * (j * n + k) + 1]!;
        re -= ar * br + ai * bi;
        im -= ai * br - ar * bi;
      }
      a[2 * (i * n + j)] = re / pivot;
      a[2 * (i * n + j) + 1] = im / pivot;
    }
  }
  // Forward substitution L y = b, then back substitution L^H x = y.
  for (let i = 0; i < n; i++) {
    let re = b[2 * i]!;
    let im = b[2 * i + 1]!;
    for (let k = 0; k < i; k++) {
      const lr = a[2 * (i * n + k)]!;
      const li = a[2 * (i * n + k) + 1]!;
      re -= lr * b[2 * k]! - li * b[2 * k + 1]!;
      im -= lr * b[2 * k + 1]! + li * b[2 * k]!;
    }
    const pivot = a[2 * (i * n + i)]!;
    b[2 * i] = re / pivot;
    b[2 * i + 1] = im / pivot;
  }
  for (let i = n - 1; i >= 0; i--) {
    let re = b[2 * i]!;
    let im = b[2 * i + 1]!;
    for (let k = i + 1; k < n; k++) {
      // conj(L[k][i]) x[k]
      const lr = a[2 * (k * n + i)]!;
      const li = a[2 * (k * n + i) + 1]!;
      re -= lr * b[2 * k]! + li * b[2 * k + 1]!;
      im -= lr * b[2 * k + 1]! - li * b[2 * k]!;
    }
    const pivot = a[2 * (i * n + i)]!;
    b[2 * i] = re / pivot;
    b[2 * i + 1] = im / pivot;
  }
  return true;
}

/**
 * Complex prediction over one spatial window of one frequency slice. The window's values are read through a
 * direction: forward reads trace start + n as element n, backward reads them in reverse, so that the same forward
 * predictor serves both Canales' forward and Gulunay's backward predictions. Predictions accumulate into `sum` and
 * the number of predictions per trace into `count`.
 */
class WindowPredictor {
  private readonly normal: Float64Array;
  private readonly filter: Float64Array;
  readonly sum: Float64Array;
  readonly count: Uint8Array;

  constructor(
    private readonly length: number,
    private readonly prewhitening: number,
    maxTraces: number,
  ) {
    this.normal = new Float64Array(2 * length * length);
    this.filter = new Float64Array(2 * length);
    this.sum = new Float64Array(2 * maxTraces);
    this.count = new Uint8Array(maxTraces);
  }

  reset(traces: number): void {
    this.sum.fill(0, 0, 2 * traces);
    this.count.fill(0, 0, traces);
  }

  /** Designs the filter on `values` (complex, `traces` long) read in `direction` and adds its predictions. */
  predict(values: Float64Array, traces: number, direction: 1 | -1): void {
    const p = this.length;
    if (traces <= p || !this.design(values, traces, direction)) return;
    for (let n = p; n < traces; n++) {
      let re = 0;
      let im = 0;
      for (let j = 1; j <= p; j++) {
        const at = direction > 0 ? n - j : traces - 1 - (n - j);
        const ar = this.filter[2 * (j - 1)]!;
        const ai = this.filter[2 * (j - 1) + 1]!;
        re += ar * values[2 * at]! - ai * values[2 * at + 1]!;
        im += ar * values[2 * at + 1]! + ai * values[2 * at]!;
      }
      const target = direction > 0 ? n : traces - 1 - n;
      this.sum[2 * target]! += re;
      this.sum[2 * target + 1]! += im;
      this.count[target]!++;
    }
  }

  /** Normal equations R a = r, R[i][j] = sum_n conj(x[n-i]) x[n-j], r[i] = sum_n conj(x[n-i]) x[n], i, j = 1..p. */
  private design(values: Float64Array, traces: number, direction: 1 | -1): boolean {
    const p = this.length;
    const { normal, filter } = this;
    normal.fill(0);
    filter.fill(0);
    const index = (n: number) => 2 * (direction > 0 ? n : traces - 1 - n);
    for (let n = p; n < traces; n++) {
      const x = index(n);
      for (let i = 1; i <= p; i++) {
        const u = index(n - i);
        const ur = values[u]!;
        const ui = values[u + 1]!;
        filter[2 * (i - 1)]! += ur * values[x]! + ui * values[x + 1]!;
        filter[2 * (i - 1) + 1]! += ur * values[x + 1]! - ui * values[x]!;
        for (let j = 1; j <= p; j++) {
          const v = index(n - j);
          const at = 2 * ((i - 1) * p + (j - 1));
          normal[at]! += ur * values[v]! + ui * values[v + 1]!;
          normal[at + 1]! += ur * values[v + 1]! - ui * values[v]!;
        }
      }
    }
    let trace = 0;
    for (let i = 0; i < p; i++) trace += normal[2 * (i * p + i)]!;
    if (!(trace > 0)) return false;
    for (let i = 0; i < p; i++) normal[2 * (i * p + i)]! += (this.prewhitening * trace) / p;
    return solveHermitian(normal, filter, p);
  }
}

/**
 * Replaces one frequency slice (`traces` complex values, contiguous) by its blended forward-backward prediction over
 * the spatial windows. `input` is a scratch copy of the slice.
 */
function predictSlice(
  slice: Float64Array,
  input: Float64Array,
  spatialWindows: readonly TaperedWindow[],
  predictor: WindowPredictor,
): void {
  input.set(slice);
  slice.fill(0);
  for (const window of spatialWindows) {
    const values = input.subarray(2 * window.start, 2 * (window.start + window.length));
    predictor.reset(window.length);
    predictor.predict(values, window.length, 1);
    predictor.predict(values, window.length, -1);
    for (let n = 0; n < window.length; n++) {
      const predictions = predictor.count[n]!;
      const weight = window.weights[n]!;
      const at = 2 * (window.start + n);
      // A trace no filter could predict keeps its value.
      slice[at]! += weight * (predictions ? predictor.sum[2 * n]! / predictions : values[2 * n]!);
      slice[at + 1]! += weight * (predictions ? predictor.sum[2 * n + 1]! / predictions : values[2 * n + 1]!);
    }
  }
}

/** Noise-attenuated copy of the section (trace-major, traces x samples) by f-x deconvolution. */
export function fxDecon(section: Float32Array, shape: SectionShape, options: FxDeconOptions = {}): Float32Array {
  checkSection(section, shape);
  const settings = resolveSettings(options);
  const { traces, samples } = shape;
  const result = new Float32Array(section.length);
  if (section.length === 0) return result;
  const timeWindows = taperedWindows(samples, settings.windowSamples, settings.overlapSamples);
  const spatialWindows = taperedWindows(traces, settings.windowTraces, settings.overlapTraces);
  const transform = new FxTransform(traces, timeWindows[0]!.length);
  const fx = transform.createFx();
  const predicted = new Float64Array(traces * transform.windowSamples);
  const scratch = new Float64Array(2 * traces);
  const predictor = new WindowPredictor(settings.filterLength, settings.prewhitening, spatialWindows[0]!.length);
  const binHz = 1 / (transform.size * settings.dt);
  for (const timeWindow of timeWindows) {
    transform.forward(section, samples, timeWindow.start, fx, timeWindow.weights);
    for (let f = 0; f < transform.frequencies; f++) {
      const slice = fx.subarray(2 * f * traces, 2 * (f + 1) * traces);
      const frequency = f * binHz;
      if (frequency < settings.fmin || frequency > settings.fmax) slice.fill(0);
      else predictSlice(slice, scratch, spatialWindows, predictor);
    }
    transform.inverse(fx, predicted);
    for (let t = 0; t < traces; t++) {
      for (let j = 0; j < timeWindow.length; j++) {
        result[t * samples + timeWindow.start + j]! += predicted[t * timeWindow.length + j]!;
      }
    }
  }
  return result;
}
