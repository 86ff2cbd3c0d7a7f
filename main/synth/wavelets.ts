/**
 * Source wavelets for convolutional synthetics: Ricker and Ormsby, with a constant phase rotation and a constant-Q
 * attenuation that lowers the dominant frequency with travel time.
 *
 * A wavelet is built once on a fine grid (the output sample interval / `oversampling`) and kept as a table, so that a
 * reflection at a fractional time is placed by table look-up (no staircase on dipping events). Phase rotation and
 * attenuation are applied in the frequency domain of that fine wavelet:
 *  - rotation by phi multiplies positive frequencies by e^{i phi} and negative ones by e^{-i phi}, the same as
 *    w cos(phi) - H[w] sin(phi) with H the Hilbert transform (a 90 degree wavelet is odd);
 *  - attenuation after a two-way time t multiplies the amplitude spectrum by exp(-pi f t / Q) (constant-Q amplitude
 *    loss, Kjartansson 1979). The dispersion phase is left out, as after the inverse-Q phase correction of processing.
 * Every table is scaled to a peak |amplitude| of 1: post-stack data have had their amplitude loss compensated (gain),
 * what remains of attenuation is the loss of bandwidth.
 */
import FFT from 'fft.js';
import { rickerAt } from '../signal/ricker';

export type WaveletSpec =
  | { readonly kind: 'ricker'; readonly peakHz: number; readonly phaseDeg?: number }
  | {
      readonly kind: 'ormsby';
      /** Corner frequencies f1 < f2 <= f3 < f4 (Hz): zero below f1 and above f4, flat from f2 to f3. */
      readonly cornersHz: readonly [number, number, number, number];
      readonly phaseDeg?: number;
    };

/** A wavelet on a fine grid: values[centre + k] is the wavelet at time k * sampleIntervalMs / oversampling. */
export interface WaveletTable {
  readonly values: Float32Array;
  readonly centre: number;
  readonly oversampling: number;
  /** Half-length in output samples (centre / oversampling): the wavelet is below 1e-3 of its peak beyond it. */
  readonly halfSamples: number;
}

export interface WaveletTableOptions {
  /** Fine samples per output sample (default 16: the placement error is at most 1/32 of a sample). */
  readonly oversampling?: number;
  /** Constant-Q quality factor; undefined or Infinity = no attenuation. */
  readonly q?: number;
  /** Two-way travel time that the attenuation has acted over, ms. */
  readonly travelTimeMs?: number;
}

const DEFAULT_OVERSAMPLING = 16;
/** Half-width of the window the fine wavelet is built in, ms; Ormsby wavelets are Hann-tapered to it. */
const BUILD_HALF_WINDOW_MS = 400;
const TRIM_THRESHOLD = 1e-3;

export function describeWavelet(spec: WaveletSpec): string {
  const shape = spec.kind === 'ricker' ? `RICKER ${spec.peakHz} HZ` : `ORMSBY ${spec.cornersHz.join('-')} HZ`;
  return `${shape}, PHASE ${spec.phaseDeg ?? 0} DEG`;
}

export function checkWaveletSpec(spec: WaveletSpec, sampleIntervalMs: number): void {
  const nyquistHz = 500 / sampleIntervalMs;
  const highest = spec.kind === 'ricker' ? spec.peakHz * 2.5 : spec.cornersHz[3];
  if (spec.kind === 'ricker' && !(spec.peakHz > 0)) throw new RangeError(`Ricker peak frequency must be > 0 Hz`);
  if (spec.kind === 'ormsby') {
    const [f1, f2, f3, f4] = spec.cornersHz;
    if (!(f1 >= 0 && f1 < f2 && f2 <= f3 && f3 < f4)) {
      throw new RangeError(`Ormsby corners must satisfy 0 <= f1 < f2 <= f3 < f4, got ${spec.cornersHz.join('-')} Hz`);
    }
  }
  if (highest > nyquistHz) {
    throw new RangeError(
      `the wavelet reaches ${highest} Hz, above the ${nyquistHz} Hz Nyquist frequency of ${sampleIntervalMs} ms sampling`,
    );
  }
}

/** pi f^2 sinc^2(pi f t): the time response of a triangle spectrum from 0 to f, the Ormsby building block. */
function sincSquaredTerm(f: number, tS: number): number {
  const x = Math.PI * f * tS;
  const sinc = x === 0 ? 1 : Math.sin(x) / x;
  return Math.PI * f * f * sinc * sinc;
}

/** Zero-phase Ormsby wavelet (trapezoid amplitude spectrum f1-f2-f3-f4) at time tMs, unnormalised. */
export function ormsbyAt(tMs: number, [f1, f2, f3, f4]: readonly [number, number, number, number]): number {
  const t = tMs * 1e-3;
  const high = (sincSquaredTerm(f4, t) - sincSquaredTerm(f3, t)) / (f4 - f3);
  const low = (sincSquaredTerm(f2, t) - sincSquaredTerm(f1, t)) / (f2 - f1);
  return high - low;
}

/** Dominant frequency of a Ricker wavelet of peak f0 after two-way time t in a constant-Q medium: the maximum of
 * f^2 exp(-f^2/f0^2) exp(-pi f t / Q), i.e. the positive root of f^2 + b f - f0^2 = 0 with b = pi t f0^2 / (2 Q). */
export function rickerPeakAfterQ(peakHz: number, travelTimeMs: number, q: number): number {
  const b = (Math.PI * travelTimeMs * 1e-3 * peakHz * peakHz) / (2 * q);
  return (-b + Math.sqrt(b * b + 4 * peakHz * peakHz)) / 2;
}

/** The zero-phase wavelet on the fine grid, time zero at index points / 2. */
function fineWavelet(spec: WaveletSpec, fineIntervalMs: number, points: number): Float64Array {
  const values = new Float64Array(points);
  const centre = points / 2;
  for (let j = 0; j < points; j++) {
    const tMs = (j - centre) * fineIntervalMs;
    if (spec.kind === 'ricker') {
      values[j] = rickerAt(tMs, spec.peakHz);
    } else if (Math.abs(tMs) < BUILD_HALF_WINDOW_MS) {
      // Hann taper: the Ormsby wavelet decays only as 1/t^2, so it is cut smoothly, as wavelets are in practice.
      values[j] = ormsbyAt(tMs, spec.cornersHz) * Math.cos((Math.PI * tMs) / (2 * BUILD_HALF_WINDOW_MS)) ** 2;
    }
  }
  return values;
}

/** Phase rotation and constant-Q amplitude loss, applied to the spectrum of the fine wavelet. */
function rotateAndAttenuate(values: Float64Array, fineIntervalMs: number, phaseRad: number, qLoss: number): void {
  const size = values.length;
  const fft = new FFT(size);
  const spectrum: number[] = fft.createComplexArray();
  fft.realTransform(spectrum, values);
  fft.completeSpectrum(spectrum);
  const durationS = size * fineIntervalMs * 1e-3;
  for (let k = 0; k < size; k++) {
    const signedBin = k <= size / 2 ? k : k - size;
    const frequencyHz = Math.abs(signedBin) / durationS;
    const gain = Math.exp(-Math.PI * frequencyHz * qLoss);
    // DC and Nyquist stay real: a rotation scales them by cos(phi) (the Hilbert transform removes them).
    const realBin = signedBin === 0 || 2 * k === size;
    const angle = realBin ? 0 : Math.sign(signedBin) * phaseRad;
    const cos = realBin ? Math.cos(phaseRad) : Math.cos(angle);
    const sin = Math.sin(angle);
    const re = spectrum[2 * k]! * gain;
    const im = spectrum[2 * k + 1]! * gain;
    spectrum[2 * k] = re * cos - im * sin;
    spectrum[2 * k + 1] = re * sin + im * cos;
  }
  const rotated: number[] = fft.createComplexArray();
  fft.inverseTransform(rotated, spectrum);
  for (let j = 0; j < size; j++) values[j] = rotated[2 * j]!;
}

/** Cuts the fine wavelet where it stays below TRIM_THRESHOLD of its peak, keeps whole output samples, peak -> 1. */
function trimmedTable(values: Float64Array, oversampling: number): WaveletTable {
  const centre = values.length / 2;
  let peak = 0;
  for (const v of values) peak = Math.max(peak, Math.abs(v));
  let reach = 0;
  for (let j = 0; j < values.length; j++) {
    if (Math.abs(values[j]!) > TRIM_THRESHOLD * peak) reach = Math.max(reach, Math.abs(j - centre));
  }
  const halfSamples = Math.max(1, Math.ceil(reach / oversampling));
  const half = Math.min(centre - 1, halfSamples * oversampling);
  const table = new Float32Array(2 * half + 1);
  for (let k = -half; k <= half; k++) table[k + half] = values[centre + k]! / peak;
  return { values: table, centre: half, oversampling, halfSamples: half / oversampling };
}

/** The wavelet as a fine table for placing reflections at fractional times. */
export function waveletTable(
  spec: WaveletSpec,
  sampleIntervalMs: number,
  options: WaveletTableOptions = {},
): WaveletTable {
  const oversampling = options.oversampling ?? DEFAULT_OVERSAMPLING;
  const fineIntervalMs = sampleIntervalMs / oversampling;
  const points = 2 ** Math.ceil(Math.log2((4 * BUILD_HALF_WINDOW_MS) / fineIntervalMs));
  const values = fineWavelet(spec, fineIntervalMs, points);
  const q = options.q ?? Infinity;
  const qLoss = Number.isFinite(q) ? ((options.travelTimeMs ?? 0) * 1e-3) / q : 0;
  const phaseRad = ((spec.phaseDeg ?? 0) * Math.PI) / 180;
  if (qLoss > 0 || phaseRad !== 0) rotateAndAttenuate(values, fineIntervalMs, phaseRad, qLoss);
  return trimmedTable(values, oversampling);
}

/** The wavelet at the output sample interval, samples -halfSamples..halfSamples (index halfSamples = time zero). */
export function sampledWavelet(table: WaveletTable): Float32Array {
  const half = Math.floor(table.halfSamples);
  return Float32Array.from(
    { length: 2 * half + 1 },
    (_, k) => table.values[table.centre + (k - half) * table.oversampling]!,
  );
}

/**
 * Adds amplitude x wavelet centred at the fractional sample `atSample` into `trace`. The hot loop of every synthetic:
 * the table index advances by `oversampling` per output sample.
 */
export function addWavelet(trace: Float32Array, atSample: number, amplitude: number, table: WaveletTable): void {
  const first = Math.max(0, Math.ceil(atSample - table.halfSamples));
  const last = Math.min(trace.length - 1, Math.floor(atSample + table.halfSamples));
  const { values, oversampling } = table;
  let index = table.centre + Math.round((first - atSample) * oversampling);
  for (let n = first; n <= last; n++, index += oversampling) trace[n]! += amplitude * values[index]!;
}

/** Two-way time between the wavelets of a time-variant bank: the dominant frequency changes by ~2% or less. */
const BANK_STEP_MS = 100;

/**
 * Time-variant wavelets: one table every BANK_STEP_MS of two-way time, each attenuated by exp(-pi f t / Q) for its
 * time, so that deeper reflections come out with lower frequencies. Without Q there is one table for all times.
 */
export class WaveletBank {
  private readonly tables: WaveletTable[];
  /** The longest half-length of all tables, in output samples. */
  readonly halfSamples: number;

  constructor(spec: WaveletSpec, sampleIntervalMs: number, durationMs: number, q?: number) {
    checkWaveletSpec(spec, sampleIntervalMs);
    if (q !== undefined && !(q > 0)) throw new RangeError(`the quality factor Q must be > 0, not ${q}`);
    const attenuated = q !== undefined && Number.isFinite(q);
    const levels = attenuated ? Math.max(1, Math.ceil(durationMs / BANK_STEP_MS) + 1) : 1;
    this.tables = Array.from({ length: levels }, (_, level) =>
      waveletTable(spec, sampleIntervalMs, { q, travelTimeMs: level * BANK_STEP_MS }),
    );
    this.halfSamples = Math.max(...this.tables.map((table) => table.halfSamples));
  }

  /** The wavelet of a reflection at two-way time `timeMs` (the nearest level of the bank). */
  at(timeMs: number): WaveletTable {
    const level = Math.min(this.tables.length - 1, Math.max(0, Math.round(timeMs / BANK_STEP_MS)));
    return this.tables[level]!;
  }
}

/** A random wavelet of the kinds field data shows: Ricker 15-45 Hz or a broad Ormsby, any phase within +-90 deg. */
export function randomWavelet(random: () => number): WaveletSpec {
  const between = (a: number, b: number): number => a + (b - a) * random();
  const phaseDeg = between(-90, 90);
  return random() < 0.7
    ? { kind: 'ricker', peakHz: between(15, 45), phaseDeg }
    : { kind: 'ormsby', cornersHz: [5, 10, between(35, 50), between(55, 70)], phaseDeg };
}
