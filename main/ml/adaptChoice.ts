/**
 * Did adapting a denoiser to the survey pay? Blind-spot fine-tuning ("Adapt to this survey") keeps the epoch with the
 * lowest blind-spot loss on held-out lines, and the base model unless an epoch beats it there; but that loss scores the
 * base on masked inputs it never saw, and on the quality benchmark's Viking shots the adapted model won it while losing
 * 2-3 dB of true SNR. Here both models run as the app runs them, at checked strength (sure.ts), on a few lines of the
 * survey, and Stein's unbiased risk estimate of their error above the low cut decides: no clean data needed, and
 * unbiased for white noise. The base is kept unless the adapted model's estimate is clearly (5 %) lower.
 */
import { liveTraceMask } from './corruption';
import { reconstructSection } from './inference';
import type { SectionShape } from './metrics';
import type { InferenceModel } from './modelForInference';
import type { AmplitudeScale } from './normalization';
import { denoiseAtCheckedStrength } from './sure';
import { evenlySpacedLines, type PatchSource } from './training/patchSource';

export interface AdaptComparison {
  keepBase: boolean;
  /** SURE estimates of each model's error above the low cut, mean over the lines, per live sample. */
  baseMse: number;
  adaptedMse: number;
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

async function checkedBandError(
  loaded: InferenceModel,
  section: Float32Array,
  shape: SectionShape,
  scale: AmplitudeScale,
  sampleIntervalS: number,
): Promise<number> {
  const live = liveTraceMask(section, shape);
  const options = { task: 'denoise', scale, patch: loaded.patch, patchScaling: loaded.patchScaling } as const;
  const denoise = async (input: Float32Array): Promise<Float32Array> =>
    (await reconstructSection(loaded.model, input, shape, live, options)).output;
  return (await denoiseAtCheckedStrength(denoise, section, shape, live, { sampleIntervalS })).checkedBandMse;
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
  let adaptedMse = 0;
  for (const line of lines) {
    const shape = { traces: line.traces, samples: line.samples };
    const section = await source.readPatch({ line: line.line, traceStart: 0, sampleStart: 0 }, shape);
    const scale = scaleOf(section, shape);
    baseMse += await checkedBandError(base, section, shape, scale, sampleIntervalS);
    adaptedMse += await checkedBandError(adapted, section, shape, scale, sampleIntervalS);
  }
  const count = Math.max(1, lines.length);
  return {
    keepBase: !(adaptedMse < CLEAR_GAIN * baseMse),
    baseMse: baseMse / count,
    adaptedMse: adaptedMse / count,
    lines: lines.length,
  };
}
