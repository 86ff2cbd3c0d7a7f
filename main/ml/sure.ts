/**
 * How much of a denoiser's change to keep, decided from the noisy section alone with Stein's unbiased risk estimate
 * (SURE). For data x = y + n with white Gaussian noise of variance s^2 and any weakly differentiable result g(x),
 *
 *   E ||g(x) - y||^2 = E ||g(x) - x||^2 - N s^2 + 2 s^2 div g(x)            (Stein 1981)
 *
 * so the error against the unknown clean section can be estimated without it. The divergence (how much of a small
 * change of the input passes into the result) comes from one more run of the denoiser on x + eps b, b white Gaussian
 * (Monte Carlo SURE, Ramani, Blu and Unser 2008).
 *
 * The result is g = x - r_low - a r_high, where r = x - f(x) is what the denoiser f removes, split along time at a low
 * cut: below it (swell, other low-frequency noise that white-noise SURE knows nothing about) the removal is kept, as far
 * as it matches the trace (splitRemoval); above it, the strength a in [0, 1] minimises SURE. a = 1 is the denoiser, a = 0 leaves the input there. A model
 * that removes signal along with the noise (a synthetic-trained model on a survey unlike its training data, or on a
 * section that holds little noise) is turned down instead of damaging the section.
 *
 * The white-noise level s is estimated from the data: the median absolute 4th difference along time (normalised to
 * unit gain for white noise), which reflected signal, band-limited far below Nyquist, hardly reaches. If signal does
 * reach it, s comes out too high and the check errs towards the denoiser.
 */
import { STRENGTH_CHECK_LOW_CUT_HZ, type StrengthCheck } from '../../preload/contract';
import { bandpass, ormsbyGain, type BandpassOptions } from '../processing/bandpass';
import { fftSize } from '../signal/fft2d';
import { selectKth } from '../common/selectKth';
import { gaussian, seededRandom } from '../signal/random';
import type { TraceMask } from '../signal/corruption';
import type { SectionShape } from '../signal/metrics';

/** The denoiser checked: a section of the same shape in, the denoised section out (deterministic). */
export type Denoiser = (section: Float32Array) => Promise<Float32Array>;

/** processing/bandpass.ts's bandpass, wherever it runs (compute/ hands one that filters on worker threads). */
export type SectionBandpass = (
  section: Float32Array,
  shape: SectionShape,
  options: BandpassOptions,
) => Promise<Float32Array>;

export interface StrengthOptions {
  sampleIntervalS: number;
  /** Removals below this frequency are kept unchecked (0: check everything). Default 12 Hz. */
  lowCutHz?: number;
  /** Seed of the Monte Carlo probe. */
  seed?: number;
  /** Runs the check's lowpasses (each trace filtered on its own, so anywhere gives the same result). Default: here. */
  bandpass?: SectionBandpass;
}

const bandpassHere: SectionBandpass = async (section, shape, options) => bandpass(section, shape, options);

export type { StrengthCheck };

export interface StrengthResult {
  output: Float32Array;
  /** The denoiser's own result (full strength). */
  fullStrength: Float32Array;
  /**
   * SURE of the result's error above the low cut only, per live sample: the part of the error the check estimates
   * without assumptions about the low band (for comparing two denoisers on the same data).
   */
  checkedBandMse: number;
  /** What the result removed below the low cut (each trace's removal there scaled to what matches the trace). */
  lowRemoval: Float32Array;
  check: StrengthCheck;
}

/**
 * Swell and ground roll live below it, reflections mostly above. Measured with unet_denoise_v1 on the quality
 * benchmark's panels (SNR dB against the clean panel, low cut 8 / 12 / 16 Hz): swell at 0 dB on the synthetic hold-out
 * 8.6 / 11.8 / 12.4 (12.7 unchecked): lower cuts leave the swell above them in place; clean F3 inlines 21.0 / 17.2 /
 * 14.9 (3.4 unchecked): higher cuts let more of the model's damage to signal through. Gaussian cases move < 0.1 dB.
 * (Measured before the low part was matched to each trace, which raised every one of these cases by 0.1-0.7 dB.)
 */
export const DEFAULT_LOW_CUT_HZ = STRENGTH_CHECK_LOW_CUT_HZ;

/** Perturbation of the Monte Carlo divergence, relative to the noise RMS: small enough to stay local. */
const PROBE_SCALE = 0.01;

/** 4th difference [1 -4 6 -4 1] / sqrt(70): unit gain for white noise, gain (2 sin(w/2))^4 / 8.4 for a sinusoid. */
const FOURTH_DIFFERENCE = [1, -4, 6, -4, 1].map((c) => c / Math.sqrt(70));

/** Gaussian noise RMS from the median absolute 4th difference along time of the live traces (0 when too short). */
export function whiteNoiseRms(section: Float32Array, shape: SectionShape, live: TraceMask): number {
  const taps = FOURTH_DIFFERENCE.length;
  if (shape.samples < taps) return 0;
  const perTrace = shape.samples - taps + 1;
  const values = new Float64Array(shape.traces * perTrace);
  const [c0, c1, c2, c3, c4] = FOURTH_DIFFERENCE as [number, number, number, number, number];
  let count = 0;
  for (let t = 0; t < shape.traces; t++) {
    if (!live[t]) continue;
    const base = t * shape.samples;
    for (let i = base; i < base + perTrace; i++) {
      const sum =
        c0 * section[i]! + c1 * section[i + 1]! + c2 * section[i + 2]! + c3 * section[i + 3]! + c4 * section[i + 4]!;
      values[count++] = Math.abs(sum);
    }
  }
  if (count === 0) return 0;
  const median = selectKth(values, count >> 1, count);
  return median / 0.6744897501960817; // the median of |N(0, 1)|
}

/** A lowpass along time and the diagonal of its matrix (the same for every sample). */
interface Lowpass {
  apply(section: Float32Array): Promise<Float32Array>;
  diagonal: number;
}

/** Lowpass below `lowCutHz`, with a linear ramp over the octave below it. */
function lowpass(lowCutHz: number, shape: SectionShape, dt: number, filter: SectionBandpass): Lowpass {
  const corners = [0, 0, lowCutHz / 2, lowCutHz] as const;
  // bandpass pads each trace to fftSize(2 samples) and truncates: the diagonal of that operator is the mean gain over
  // every bin of the padded transform (it is a section of a circulant matrix).
  const size = fftSize(2 * shape.samples);
  let gainSum = 0;
  for (let k = 0; k < size; k++) gainSum += ormsbyGain(Math.min(k, size - k) / (size * dt), corners);
  return { apply: (section) => filter(section, shape, { corners, dt }), diagonal: gainSum / size };
}

/** The denoiser applied at the SURE-optimal strength (see the header), and the figures of the check. */
export async function denoiseAtCheckedStrength(
  denoise: Denoiser,
  section: Float32Array,
  shape: SectionShape,
  live: TraceMask,
  options: StrengthOptions,
): Promise<StrengthResult> {
  const noiseRms = whiteNoiseRms(section, shape, live);
  const variance = noiseRms ** 2;
  const denoised = await denoise(section);
  const low = lowpassFor(shape, options);
  // The removal's lowpass (on worker threads where compute/ has some) overlaps the probe's run of the denoiser.
  const [{ lowApplied, lowScale, high }, divergence] = await Promise.all([
    splitRemoval(section, denoised, shape, low),
    variance > 0
      ? probeDivergences(denoise, section, denoised, shape, live, low, noiseRms, options.seed ?? 1)
      : { high: 0, lowPerTrace: new Float64Array(shape.traces) },
  ]);

  const { lowHigh, highEnergy, lowEnergy, liveSamples } = removalProducts(lowApplied, high, shape, live);
  // div of the applied low removal: sum over traces of scale_t (tr L_t - div(L f)_t), the scales taken as fixed.
  let lowRemovalDivergence = 0;
  for (let t = 0; t < shape.traces; t++) {
    if (!live[t]) continue;
    lowRemovalDivergence += lowScale[t]! * (shape.samples * (low?.diagonal ?? 0) - divergence.lowPerTrace[t]!);
  }
  if (liveSamples === 0) {
    const check = { noiseRms, strength: 1, estimatedMse: 0, fullStrengthMse: 0 };
    return {
      output: Float32Array.from(section),
      fullStrength: denoised,
      check,
      checkedBandMse: 0,
      lowRemoval: lowApplied,
    };
  }
  // div r_high = tr H - div(H f) over the live samples (H = I - L).
  const highTrace = liveSamples * (1 - (low?.diagonal ?? 0));
  const highRemovalDivergence = highTrace - divergence.high;
  const strength =
    highEnergy > 0 ? Math.min(1, Math.max(0, (variance * highRemovalDivergence - lowHigh) / highEnergy)) : 1;
  // SURE per live sample: ||g - x||^2 / N + s^2 - 2 s^2 (div r_low + a div r_high) / N.
  const sure = (a: number): number =>
    (lowEnergy + 2 * a * lowHigh + a * a * highEnergy) / liveSamples +
    variance -
    (2 * variance * (lowRemovalDivergence + a * highRemovalDivergence)) / liveSamples;
  // SURE of x_H - a r_H against y_H alone: a^2 ||r_H||^2 + s^2 tr H - 2 s^2 a div r_H.
  const checkedBandMse =
    (strength * strength * highEnergy + variance * highTrace - 2 * variance * strength * highRemovalDivergence) /
    liveSamples;
  return {
    output: blend(section, lowApplied, high, strength, shape, live),
    fullStrength: denoised,
    check: { noiseRms, strength, estimatedMse: sure(strength), fullStrengthMse: sure(1) },
    checkedBandMse,
    lowRemoval: lowApplied,
  };
}

/**
 * The products of the applied low removal and the high removal over the live traces that SURE is made of. A function
 * of its own so that the sums stay in registers (variables a closure captures, like `sure`'s, live on the heap).
 */
function removalProducts(
  lowApplied: Float32Array,
  high: Float32Array,
  shape: SectionShape,
  live: TraceMask,
): { lowHigh: number; highEnergy: number; lowEnergy: number; liveSamples: number } {
  let lowHigh = 0;
  let highEnergy = 0;
  let lowEnergy = 0;
  let liveSamples = 0;
  for (let t = 0; t < shape.traces; t++) {
    if (!live[t]) continue;
    liveSamples += shape.samples;
    for (let i = t * shape.samples; i < (t + 1) * shape.samples; i++) {
      lowHigh += lowApplied[i]! * high[i]!;
      highEnergy += high[i]! * high[i]!;
      lowEnergy += lowApplied[i]! ** 2;
    }
  }
  return { lowHigh, highEnergy, lowEnergy, liveSamples };
}

/**
 * Monte Carlo divergences of the denoiser's high and low parts from one more run on x + eps b: b . H (f(x + eps b) -
 * f(x)) / eps, and the same for L per trace (each trace's low removal is scaled by its own factor).
 */
async function probeDivergences(
  denoise: Denoiser,
  section: Float32Array,
  denoised: Float32Array,
  shape: SectionShape,
  live: TraceMask,
  low: Lowpass | null,
  noiseRms: number,
  seed: number,
): Promise<{ high: number; lowPerTrace: Float64Array }> {
  const probe = probeNoise(shape, live, seed);
  const epsilon = PROBE_SCALE * noiseRms;
  const probed = new Float32Array(section.length);
  for (let i = 0; i < section.length; i++) probed[i] = section[i]! + epsilon * probe[i]!;
  const response = await denoise(probed);
  const change = new Float32Array(response.length);
  for (let i = 0; i < response.length; i++) change[i] = (response[i]! - denoised[i]!) / epsilon;
  const changeLow = low ? await low.apply(change) : new Float32Array(change.length);
  let high = 0;
  const lowPerTrace = new Float64Array(shape.traces);
  for (let t = 0; t < shape.traces; t++) {
    let lowOfTrace = 0;
    for (let i = t * shape.samples; i < (t + 1) * shape.samples; i++) {
      high += probe[i]! * (change[i]! - changeLow[i]!);
      lowOfTrace += probe[i]! * changeLow[i]!;
    }
    lowPerTrace[t] = lowOfTrace;
  }
  return { high, lowPerTrace };
}

/**
 * Another result of the same denoiser (a Monte Carlo dropout mean) at a strength found by `denoiseAtCheckedStrength`,
 * applied the same way.
 */
export async function applyStrength(
  section: Float32Array,
  denoised: Float32Array,
  shape: SectionShape,
  live: TraceMask,
  strength: number,
  options: StrengthOptions,
): Promise<Float32Array> {
  const { lowApplied, high } = await splitRemoval(section, denoised, shape, lowpassFor(shape, options));
  return blend(section, lowApplied, high, strength, shape, live);
}

function lowpassFor(shape: SectionShape, options: StrengthOptions): Lowpass | null {
  const lowCutHz = options.lowCutHz ?? DEFAULT_LOW_CUT_HZ;
  return lowCutHz > 0 ? lowpass(lowCutHz, shape, options.sampleIntervalS, options.bandpass ?? bandpassHere) : null;
}

/**
 * The denoiser's removal r = x - f(x) split at the low cut: the high part, and the low part as it is applied. The low
 * part is not checked by SURE, so it is only allowed to take away what the input holds: each trace's low removal is
 * scaled by the least-squares factor that best matches it to the trace, clamped to 0..1 (the scalar of adaptive
 * subtraction). A swell burst the model removes matches the trace (factor near 1); low-frequency energy the model
 * invents does not (factor near 0), so it is not added to the section.
 */
async function splitRemoval(
  section: Float32Array,
  denoised: Float32Array,
  shape: SectionShape,
  low: Lowpass | null,
): Promise<{ lowApplied: Float32Array; lowScale: Float64Array; high: Float32Array }> {
  const removed = difference(section, denoised);
  const lowApplied = low ? await low.apply(removed) : new Float32Array(removed.length);
  const high = difference(removed, lowApplied);
  const lowScale = new Float64Array(shape.traces);
  for (let t = 0; t < shape.traces; t++) {
    let match = 0;
    let energy = 0;
    for (let i = t * shape.samples; i < (t + 1) * shape.samples; i++) {
      match += section[i]! * lowApplied[i]!;
      energy += lowApplied[i]! ** 2;
    }
    const scale = energy > 0 ? Math.min(1, Math.max(0, match / energy)) : 0;
    lowScale[t] = scale;
    for (let i = t * shape.samples; i < (t + 1) * shape.samples; i++) lowApplied[i]! *= scale;
  }
  return { lowApplied, lowScale, high };
}

/** x - r_low - a r_high on the live traces; dead traces keep the input (denoising puts nothing where nothing was). */
function blend(
  section: Float32Array,
  lowApplied: Float32Array,
  high: Float32Array,
  strength: number,
  shape: SectionShape,
  live: TraceMask,
): Float32Array {
  const output = new Float32Array(section.length);
  for (let i = 0; i < section.length; i++) output[i] = section[i]! - lowApplied[i]! - strength * high[i]!;
  for (let t = 0; t < shape.traces; t++) {
    if (!live[t]) output.set(section.subarray(t * shape.samples, (t + 1) * shape.samples), t * shape.samples);
  }
  return output;
}

/** Median and range of the strengths of several sections (a file's panels, a volume's inlines); null for none. */
export function strengthSummary(strengths: readonly number[]): { median: number; min: number; max: number } | null {
  if (strengths.length === 0) return null;
  const sorted = [...strengths].sort((a, b) => a - b);
  return { median: sorted[sorted.length >> 1]!, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/**
 * a - b, sample by sample. The arithmetic of the check is written as plain loops: Float32Array.from(array, fn) goes
 * through the iterator protocol (a 1000 x 1500 section's check spent more time in the garbage collector than in its
 * filters), and a shared helper calling a function per sample is not inlined (a third of the check's own time).
 */
function difference(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! - b[i]!;
  return out;
}

/** Unit white Gaussian noise on the live traces, zero on the dead ones (they are not denoised). */
function probeNoise(shape: SectionShape, live: TraceMask, seed: number): Float32Array {
  const normal = gaussian(seededRandom(seed));
  const probe = new Float32Array(shape.traces * shape.samples);
  for (let t = 0; t < shape.traces; t++) {
    if (!live[t]) continue;
    for (let i = t * shape.samples; i < (t + 1) * shape.samples; i++) probe[i] = normal();
  }
  return probe;
}
