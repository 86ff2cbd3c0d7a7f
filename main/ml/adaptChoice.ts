/**
 * Did adapting a denoiser to the survey pay? Fine-tuning on the noisy survey ("Adapt to this survey") keeps the epoch
 * with the lowest loss on held-out lines, and the base model unless an epoch beats it there; but with blind-spot pairs
 * that loss scored the base on masked inputs it never saw, and on the quality benchmark's Viking shots the adapted model
 * won it while losing 2-3 dB of true SNR. Here both models run as the app runs them, at checked strength (sure.ts), on
 * a few lines of the survey, and Stein's unbiased risk estimate of their error above the low cut decides: no clean data
 * needed, and unbiased for white noise. The base is kept unless the adapted model's estimate is clearly (5 %) lower.
 *
 * Below the low cut SURE has nothing to say, and that is where fine-tuning on the noisy survey does harm: it learns
 * coherent low-frequency noise such as swell as signal (it is in the targets too) and unlearns the base's removal of it
 * (F3 with swell: 0.1 dB adapted against 6.0 dB for the base, BENCHMARKS.md). So the base's removal there, which the
 * strength check already limits to what matches each trace, is taken as right, and the adapted model's estimate is
 * charged with what it leaves of it: trace by trace, the energy by which its low-band removal falls short of the
 * base's. Removing more than the base there costs nothing (white noise has energy below the low cut too, and an
 * adapted model that learnt it better should not pay for that).
 */
import { liveTraceMask, type TraceMask } from '../signal/corruption';
import { reconstructSection } from './inference';
import type { SectionShape } from '../signal/metrics';
import type { InferenceModel } from './modelForInference';
import type { AmplitudeScale } from './normalization';
import { denoiseAtCheckedStrength, type StrengthResult } from './sure';
import { evenlySpacedLines, type PatchSource } from './training/patchSource';

export interface AdaptComparison {
  keepBase: boolean;
  /**
   * Estimates of each model's error, mean over the lines, per live sample: SURE above the low cut, and for the adapted
   * model also `adaptedLowShortfall`.
   */
  baseMse: number;
  adaptedMse: number;
  /** Energy by which the adapted model's removal below the low cut falls short of the base's, per live sample. */
  adaptedLowShortfall: number;
  lines: number;
}

/**
 * The adapted model must lower the estimate by 5 % to replace the base: SURE sees only the band above the low cut, and
 * near ties there can hide a loss below it (on the Mobil gather with swell an adapted model 2 % better above 12 Hz had
 * learnt the swell as signal: 0.04 dB against the base's 17.7).
 */
const CLEAR_GAIN = 0.95;

/** Lines compared: enough to average out one line's noise, few enough to take seconds on a CPU. */
const COMPARED_LINES = 8;

async function checkedDenoise(
  loaded: InferenceModel,
  section: Float32Array,
  shape: SectionShape,
  live: TraceMask,
  scale: AmplitudeScale,
  sampleIntervalS: number,
): Promise<StrengthResult> {
  const options = { task: 'denoise', scale, patch: loaded.patch, patchScaling: loaded.patchScaling } as const;
  const denoise = async (input: Float32Array): Promise<Float32Array> =>
    (await reconstructSection(loaded.model, input, shape, live, options)).output;
  return denoiseAtCheckedStrength(denoise, section, shape, live, { sampleIntervalS });
}

/** Sum over the live traces of how much less energy `removal` has than `reference`, per live sample. */
function energyShortfall(removal: Float32Array, reference: Float32Array, shape: SectionShape, live: TraceMask): number {
  let shortfall = 0;
  let count = 0;
  for (let t = 0; t < shape.traces; t++) {
    if (!live[t]) continue;
    count += shape.samples;
    let difference = 0;
    for (let i = t * shape.samples; i < (t + 1) * shape.samples; i++)
      difference += reference[i]! ** 2 - removal[i]! ** 2;
    shortfall += Math.max(0, difference);
  }
  return count > 0 ? shortfall / count : 0;
}

export async function compareAdaptedDenoiser(
  base: InferenceModel,
  adapted: InferenceModel,
  source: PatchSource,
  scaleOf: (section: Float32Array, shape: SectionShape) => AmplitudeScale,
  sampleIntervalS: number,
): Promise<AdaptComparison> {
  const lines = evenlySpacedLines(source.lines, COMPARED_LINES);
  let baseMse = 0;
  let adaptedBandMse = 0;
  let lowShortfall = 0;
  for (const line of lines) {
    const shape = { traces: line.traces, samples: line.samples };
    const section = await source.readPatch({ line: line.line, traceStart: 0, sampleStart: 0 }, shape);
    const live = liveTraceMask(section, shape);
    const scale = scaleOf(section, shape);
    const byBase = await checkedDenoise(base, section, shape, live, scale, sampleIntervalS);
    const byAdapted = await checkedDenoise(adapted, section, shape, live, scale, sampleIntervalS);
    baseMse += byBase.checkedBandMse;
    adaptedBandMse += byAdapted.checkedBandMse;
    lowShortfall += energyShortfall(byAdapted.lowRemoval, byBase.lowRemoval, shape, live);
  }
  const count = Math.max(1, lines.length);
  const adaptedMse = adaptedBandMse + lowShortfall;
  return {
    keepBase: !(adaptedMse < CLEAR_GAIN * baseMse),
    baseMse: baseMse / count,
    adaptedMse: adaptedMse / count,
    adaptedLowShortfall: lowShortfall / count,
    lines: lines.length,
  };
}
