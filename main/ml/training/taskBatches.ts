/**
 * Training pairs from patches: the task's corruption (noise for denoising, missing traces for interpolation) on an
 * augmented copy of the patch, and the patch as the target. Everything random is drawn from the seed handed in, so
 * a batch is the same whenever it is rebuilt from the same patches and seed (resume, reruns, the validation set).
 *
 * Two kinds of corruption (CorruptionOptions.kind):
 * - 'synthetic': denoising adds noise of a random model to the patch, interpolation hides live traces. Right for clean
 *   patches (synthetic training data) and, for interpolation, for field data too: hidden live traces are real truth.
 * - 'blind-spot' (denoising only; Noise2Void, Krull et al. 2019, applied to seismic random noise by Birnie et al.
 *   2021): no noise is added, since the patches are field data that is already noisy, and adding more noise with the
 *   noisy patch as target would teach the model to keep the field noise. Instead a few samples per patch (one per
 *   cell x cell block, stratified) are replaced in the input by a random other sample of their neighbourhood, and the
 *   loss is taken only at those samples against their original value. Noise that is independent from sample to sample
 *   cannot be predicted from the neighbours, signal can: the model learns to output the signal.
 * - 'recorrupted' (denoising only; Recorrupted-to-Recorrupted, Pang et al. 2021): fine-tuning a trained denoiser on
 *   noisy field data. White Gaussian noise z at the patch's own white-noise level is added to the input (y + alpha z)
 *   and subtracted from the target (y - z / alpha); for white Gaussian field noise the two then carry independent
 *   noise, and the loss is in expectation the supervised loss against the clean data, so the model sees every sample,
 *   as it was trained to. Blind-spot fine-tuning of a model trained to see every sample made it worse on the real data
 *   (BENCHMARKS.md). Coherent noise (swell) is in both input and target and is learnt as signal, as with blind-spot.
 *
 * Batches are NHWC ([batch, samples (time), traces, channels], see architectures.ts):
 * - inputs: denoise 1 channel (noisy amplitudes); interpolate 2 channels (amplitudes with the missing traces zeroed,
 *   then the mask: 1 recorded, 0 missing), as tiled inference feeds the models;
 * - targets: 2 channels, the target patch and then a per-sample loss weight (1 counts, 0 does not), which
 *   `weightedByTargets` (trainer) applies to both target and prediction. 'synthetic': 1 on traces that are live in the
 *   data, 0 on its dead traces (a dead trace's truth is unknown, it reads as zeros, and learning to output zeros there
 *   would teach an interpolation model to leave gaps). 'blind-spot': 1 only at the picked samples of live traces.
 */
import * as tf from '@tensorflow/tfjs-core';
import { TRAINING_CORRUPTIONS, type ModelTask, type TrainingCorruption } from '../../../preload/contract';
import {
  addNoiseAtSnr,
  applyTraceMask,
  bandLimitedNoise,
  gapTraceMask,
  gaussianNoise,
  intersectTraceMasks,
  liveTraceMask,
  maskChannel,
  randomTraceMask,
  regularTraceMask,
  spikeNoise,
  swellNoise,
  type TraceMask,
} from '../../signal/corruption';
import type { SectionShape } from '../../signal/metrics';
import { extractPatches, type PatchSize } from '../tiling';
import { gaussian, seededRandom } from '../../signal/random';
import { whiteNoiseRms } from '../sure';

export const NOISE_MODELS = ['gaussian', 'band-limited', 'swell', 'spikes'] as const;
export type NoiseModel = (typeof NOISE_MODELS)[number];

/**
 * 'regular' keeps every 2nd to 4th trace (50-75 % missing); 'decimation' drops every k-th trace, k from the missing
 * fraction (1/k of the traces missing), as in a survey shot at a coarser spacing than its grid.
 */
export const TRACE_MASK_KINDS = ['random', 'regular', 'gaps', 'decimation'] as const;
export type TraceMaskKind = (typeof TRACE_MASK_KINDS)[number];

export interface BlindSpotOptions {
  /** One sample is picked in every cell x cell block of the patch: 1/cell^2 of the samples (8: 1.6 %). */
  cell: number;
  /** A picked sample takes the value of a random other sample at most `radius` traces and samples away (2: 5 x 5). */
  radius: number;
}

export interface RecorruptedOptions {
  /** The split of the extra noise: input y + alpha z, target y - z / alpha (Pang et al. 2021 use 0.5). */
  alpha: number;
}

export interface CorruptionOptions {
  /** 'synthetic' noise or hidden traces; 'blind-spot' or 'recorrupted' for denoising field data (module comment). */
  kind: TrainingCorruption;
  blindSpot: BlindSpotOptions;
  recorrupted: RecorruptedOptions;
  /** Denoising: one model drawn per patch. */
  noiseModels: readonly NoiseModel[];
  /** Denoising: the SNR of the noisy input (metrics.ts definition), uniform in [low, high] dB. */
  snrDbRange: readonly [number, number];
  /** Interpolation: one mask kind drawn per patch. */
  maskKinds: readonly TraceMaskKind[];
  /** Interpolation: fraction of traces removed by random and gap masks, uniform in [low, high]. */
  missingFractionRange: readonly [number, number];
}

export interface AugmentationOptions {
  /** Reverse the trace order with probability 1/2 (dips change sign, as in the other shooting direction). */
  flipTraces: boolean;
  /** Reverse time with probability 1/2 (wavelets mirror; a zero-phase Ricker stays itself). */
  flipTime: boolean;
  /** Invert the polarity with probability 1/2. */
  polarity: boolean;
  /** Standard deviation of extra white noise on the input (normalised amplitudes), on top of the task corruption. */
  noiseStd: number;
}

export const DEFAULT_BLIND_SPOT: BlindSpotOptions = { cell: 8, radius: 2 };
export const DEFAULT_RECORRUPTED: RecorruptedOptions = { alpha: 0.5 };

export const DEFAULT_CORRUPTION: CorruptionOptions = {
  kind: 'synthetic',
  blindSpot: DEFAULT_BLIND_SPOT,
  recorrupted: DEFAULT_RECORRUPTED,
  noiseModels: NOISE_MODELS,
  snrDbRange: [0, 20],
  maskKinds: ['random', 'regular', 'gaps'],
  missingFractionRange: [0.1, 0.5],
};

export const DEFAULT_AUGMENTATION: AugmentationOptions = {
  flipTraces: true,
  flipTime: true,
  polarity: true,
  noiseStd: 0,
};

/** Validation pairs keep the data as it is: only the task corruption, so epochs are measured on the same inputs. */
export const NO_AUGMENTATION: AugmentationOptions = {
  flipTraces: false,
  flipTime: false,
  polarity: false,
  noiseStd: 0,
};

export interface TaskOptions {
  task: ModelTask;
  corruption: CorruptionOptions;
  augmentation: AugmentationOptions;
}

/** One training pair, trace-major like the patch it was made from. */
export interface TrainingPair {
  /** The model's input channels: amplitudes, then (interpolation) the mask channel. */
  inputs: Float32Array[];
  target: Float32Array;
  /** Per-sample loss weight: 1 where the loss counts, 0 where it does not (dead traces; blind-spot: unpicked samples). */
  weight: Float32Array;
}

/** What a run records of its corruption (checkpoint state, model card), so that a resumed run continues the same way. */
export type CorruptionRecord =
  { kind: 'synthetic' } | ({ kind: 'blind-spot' } & BlindSpotOptions) | ({ kind: 'recorrupted' } & RecorruptedOptions);

export function corruptionRecord(corruption: CorruptionOptions): CorruptionRecord {
  if (corruption.kind === 'blind-spot') return { kind: 'blind-spot', ...corruption.blindSpot };
  if (corruption.kind === 'recorrupted') return { kind: 'recorrupted', ...corruption.recorrupted };
  return { kind: 'synthetic' };
}

export class TaskOptionsError extends Error {
  readonly apiCode = 'invalid-argument';
}

/**
 * Refuses combinations that cannot train: blind-spot or recorrupted pairs for interpolation, and blind-spot cells,
 * radius or a recorrupting alpha that make no sense.
 */
export function checkCorruption(task: ModelTask, corruption: CorruptionOptions): void {
  if (!TRAINING_CORRUPTIONS.includes(corruption.kind)) {
    throw new TaskOptionsError(`unknown corruption '${String(corruption.kind)}' (${TRAINING_CORRUPTIONS.join(', ')})`);
  }
  if (corruption.kind === 'synthetic') return;
  if (task !== 'denoise') {
    throw new TaskOptionsError(
      `${corruption.kind} training is for denoising; interpolation models learn from hidden traces`,
    );
  }
  if (corruption.kind === 'recorrupted') {
    const { alpha } = corruption.recorrupted;
    if (!(Number.isFinite(alpha) && alpha > 0 && alpha <= 1)) {
      throw new TaskOptionsError(`recorrupting alpha must be in (0, 1], got ${alpha}`);
    }
    return;
  }
  const { cell, radius } = corruption.blindSpot;
  if (!(Number.isInteger(cell) && cell >= 2)) {
    throw new TaskOptionsError(`blind-spot cell must be a whole number >= 2, got ${cell}`);
  }
  if (!(Number.isInteger(radius) && radius >= 1)) {
    throw new TaskOptionsError(`blind-spot radius must be a whole number >= 1, got ${radius}`);
  }
}

export function inputChannelsOf(task: ModelTask): number {
  return task === 'interpolate' ? 2 : 1;
}

/** A bijective 32-bit finaliser (murmur3-style): close inputs give unrelated outputs. */
function mix32(value: number): number {
  let x = value >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * A seed for one part of a run (an epoch, a batch, a patch) from the run's seed and the part's keys. For a given
 * prefix, distinct keys give distinct seeds (multiplying by an odd constant and mixing are both bijections).
 */
export function seedFor(seed: number, ...keys: readonly number[]): number {
  let hash = mix32(seed);
  for (const key of keys) hash = mix32((hash ^ 0x9e3779b9) + Math.imul(key, 0x85ebca6b));
  return hash;
}

function uniform(random: () => number, [low, high]: readonly [number, number]): number {
  return low + random() * (high - low);
}

function pick<T>(random: () => number, items: readonly T[], what: string): T {
  if (items.length === 0) throw new Error(`no ${what} to choose from`);
  return items[Math.floor(random() * items.length)]!;
}

function nextSeed(random: () => number): number {
  return Math.floor(random() * 2 ** 32);
}

/** A copy of a trace-major patch, reversed along traces and/or time and possibly sign-flipped. */
function augmented(clean: Float32Array, shape: SectionShape, random: () => number, options: AugmentationOptions) {
  const reverseTraces = options.flipTraces && random() < 0.5;
  const reverseTime = options.flipTime && random() < 0.5;
  const sign = options.polarity && random() < 0.5 ? -1 : 1;
  const result = new Float32Array(clean.length);
  for (let t = 0; t < shape.traces; t++) {
    const from = (reverseTraces ? shape.traces - 1 - t : t) * shape.samples;
    for (let s = 0; s < shape.samples; s++) {
      result[t * shape.samples + s] = sign * clean[from + (reverseTime ? shape.samples - 1 - s : s)]!;
    }
  }
  return result;
}

function noiseSection(model: NoiseModel, shape: SectionShape, random: () => number): Float32Array {
  const seed = nextSeed(random);
  switch (model) {
    case 'gaussian':
      return gaussianNoise(shape, seed);
    case 'band-limited': {
      const low = 0.1 * random();
      return bandLimitedNoise(shape, seed, { low, high: Math.min(0.5, low + 0.05 + 0.3 * random()) });
    }
    case 'swell':
      return swellNoise(shape, seed, {
        bursts: 1 + Math.floor(3 * random()),
        maxTraces: Math.max(1, Math.round(shape.traces / 8)),
        maxSamples: Math.max(1, Math.round(shape.samples / 2)),
      });
    case 'spikes':
      return spikeNoise(shape, seed, {
        density: 0.002 + 0.01 * random(),
        maxBurstSamples: 1 + Math.floor(4 * random()),
      });
  }
}

function energy(values: Float32Array): number {
  let sum = 0;
  for (const v of values) sum += v * v;
  return sum;
}

/**
 * clean + noise of a random model at a random SNR. Dead traces stay dead (zero), as they are in real data. A patch with
 * no energy (all dead, or silent) cannot be given an SNR and comes back unchanged: the model learns that silence stays.
 */
function noisyInput(
  clean: Float32Array,
  shape: SectionShape,
  live: TraceMask,
  random: () => number,
  options: CorruptionOptions,
) {
  const model = pick(random, options.noiseModels, 'noise model');
  const snrDb = uniform(random, options.snrDbRange);
  const noise = applyTraceMask(noiseSection(model, shape, random), shape, live);
  if (energy(clean) === 0 || energy(noise) === 0) return clean.slice();
  return addNoiseAtSnr(clean, noise, snrDb);
}

/** gaps x width missing traces for about `fraction` of the patch, leaving at least one live trace. */
function gapMask(traces: number, fraction: number, random: () => number): TraceMask {
  const gaps = traces >= 6 ? 1 + Math.floor(3 * random()) : 1;
  const widest = Math.max(1, Math.floor((traces - gaps) / gaps));
  const width = Math.min(widest, Math.max(1, Math.round((fraction * traces) / gaps)));
  return gapTraceMask(traces, gaps, width, nextSeed(random));
}

function syntheticMask(traces: number, random: () => number, options: CorruptionOptions): TraceMask {
  const kind = pick(random, options.maskKinds, 'trace mask kind');
  const fraction = uniform(random, options.missingFractionRange);
  switch (kind) {
    case 'random':
      return randomTraceMask(traces, fraction, nextSeed(random));
    case 'regular': {
      const keepEvery = 2 + Math.floor(3 * random());
      return regularTraceMask(traces, keepEvery, Math.floor(random() * keepEvery));
    }
    case 'gaps':
      return traces >= 2 ? gapMask(traces, fraction, random) : new Uint8Array(traces).fill(1);
    case 'decimation': {
      const dropEvery = Math.max(2, Math.round(1 / Math.max(fraction, 0.01)));
      return regularTraceMask(traces, dropEvery, Math.floor(random() * dropEvery)).map((kept) => 1 - kept);
    }
  }
}

function addWhiteNoise(values: Float32Array, shape: SectionShape, live: TraceMask, std: number, random: () => number) {
  if (std <= 0) return;
  const normal = gaussian(random);
  for (let t = 0; t < shape.traces; t++) {
    if (!live[t]) continue;
    for (let i = t * shape.samples; i < (t + 1) * shape.samples; i++) values[i]! += std * normal();
  }
}

/** A random offset in the (2 radius + 1)^2 window to a sample inside the patch on a live trace, never (0, 0). */
function neighbourOf(
  trace: number,
  sample: number,
  shape: SectionShape,
  live: TraceMask,
  radius: number,
  random: () => number,
): number {
  // Terminates: the samples above or below on the same (live) trace qualify, as patches hold more than one sample.
  for (;;) {
    const t = trace + Math.floor(random() * (2 * radius + 1)) - radius;
    const s = sample + Math.floor(random() * (2 * radius + 1)) - radius;
    const inside = t >= 0 && t < shape.traces && s >= 0 && s < shape.samples;
    if (inside && live[t] && (t !== trace || s !== sample)) return t * shape.samples + s;
  }
}

/**
 * The blind-spot input and loss weight for a (noisy) patch: in every cell x cell block one random sample of a live
 * trace is picked, its input value replaced by a random neighbour's original value, and only it is weighted.
 */
export function blindSpotPair(
  patch: Float32Array,
  shape: SectionShape,
  live: TraceMask,
  options: BlindSpotOptions,
  random: () => number,
): { input: Float32Array; weight: Float32Array } {
  if (shape.samples < 2) throw new TaskOptionsError('blind-spot patches need at least 2 samples per trace');
  const input = patch.slice();
  const weight = new Float32Array(patch.length);
  const { cell, radius } = options;
  for (let firstTrace = 0; firstTrace < shape.traces; firstTrace += cell) {
    for (let firstSample = 0; firstSample < shape.samples; firstSample += cell) {
      const trace = firstTrace + Math.floor(random() * Math.min(cell, shape.traces - firstTrace));
      const sample = firstSample + Math.floor(random() * Math.min(cell, shape.samples - firstSample));
      if (!live[trace]) continue;
      const picked = trace * shape.samples + sample;
      input[picked] = patch[neighbourOf(trace, sample, shape, live, radius, random)]!;
      weight[picked] = 1;
    }
  }
  return { input, weight };
}

/**
 * The recorrupted pair for a (noisy) patch (Recorrupted-to-Recorrupted, Pang et al. 2021): with z white Gaussian noise
 * of the patch's own white-noise level sigma, the input is y + alpha z and the target y - z / alpha. For noise that is
 * white and Gaussian their errors are independent, so the expected loss is the supervised loss against the clean patch
 * for noise of sigma sqrt(1 + alpha^2), plus a constant: the model keeps learning as it was trained, on the survey.
 */
function recorruptedPair(
  patch: Float32Array,
  shape: SectionShape,
  live: TraceMask,
  options: RecorruptedOptions,
  random: () => number,
): { input: Float32Array; target: Float32Array } {
  const sigma = whiteNoiseRms(patch, shape, live);
  const normal = gaussian(random);
  const input = patch.slice();
  const target = patch.slice();
  for (let t = 0; t < shape.traces; t++) {
    if (!live[t]) continue;
    for (let i = t * shape.samples; i < (t + 1) * shape.samples; i++) {
      const z = sigma * normal();
      input[i]! += options.alpha * z;
      target[i]! -= z / options.alpha;
    }
  }
  return { input, target };
}

/** The training pair for one patch (trace-major, patch.traces x patch.samples), reproducible from `seed`. */
export function makeTrainingPair(
  clean: Float32Array,
  patch: PatchSize,
  options: TaskOptions,
  seed: number,
): TrainingPair {
  const shape: SectionShape = { traces: patch.traces, samples: patch.samples };
  const random = seededRandom(seed);
  const target = augmented(clean, shape, random, options.augmentation);
  const liveTraces = liveTraceMask(target, shape);
  const liveWeight = maskChannel(liveTraces, shape);
  if (options.task === 'denoise' && options.corruption.kind === 'blind-spot') {
    const { input, weight } = blindSpotPair(target, shape, liveTraces, options.corruption.blindSpot, random);
    addWhiteNoise(input, shape, liveTraces, options.augmentation.noiseStd, random);
    return { inputs: [input], target, weight };
  }
  if (options.task === 'denoise' && options.corruption.kind === 'recorrupted') {
    const { input, target: noisierTarget } = recorruptedPair(
      target,
      shape,
      liveTraces,
      options.corruption.recorrupted,
      random,
    );
    return { inputs: [input], target: noisierTarget, weight: liveWeight };
  }
  if (options.task === 'denoise') {
    const noisy = noisyInput(target, shape, liveTraces, random, options.corruption);
    addWhiteNoise(noisy, shape, liveTraces, options.augmentation.noiseStd, random);
    return { inputs: [noisy], target, weight: liveWeight };
  }
  const mask = intersectTraceMasks(syntheticMask(shape.traces, random, options.corruption), liveTraces);
  const masked = applyTraceMask(target, shape, mask);
  addWhiteNoise(masked, shape, mask, options.augmentation.noiseStd, random);
  return { inputs: [masked, maskChannel(mask, shape)], target, weight: liveWeight };
}

/** A batch as flat NHWC arrays, ready to become tensors. */
export interface TaskBatch {
  count: number;
  patch: PatchSize;
  /** [count, patch.samples, patch.traces, inputChannels] */
  inputs: Float32Array;
  inputChannels: number;
  /** [count, patch.samples, patch.traces, 2]: the target patch, then the per-sample loss weight. */
  targets: Float32Array;
}

const ORIGIN = [{ trace: 0, sample: 0 }];

/** Training pairs for `cleanPatches`, patch i drawn from seedFor(seed, i), laid out NHWC. */
export function buildTaskBatch(
  cleanPatches: readonly Float32Array[],
  patch: PatchSize,
  options: TaskOptions,
  seed: number,
): TaskBatch {
  checkCorruption(options.task, options.corruption);
  const shape: SectionShape = { traces: patch.traces, samples: patch.samples };
  const inputChannels = inputChannelsOf(options.task);
  const patchValues = patch.traces * patch.samples;
  const inputs = new Float32Array(cleanPatches.length * patchValues * inputChannels);
  const targets = new Float32Array(cleanPatches.length * patchValues * 2);
  cleanPatches.forEach((clean, n) => {
    const pair = makeTrainingPair(clean, patch, options, seedFor(seed, n));
    const inputSlot = inputs.subarray(n * patchValues * inputChannels, (n + 1) * patchValues * inputChannels);
    extractPatches(pair.inputs, shape, patch, ORIGIN, inputSlot);
    extractPatches(
      [pair.target, pair.weight],
      shape,
      patch,
      ORIGIN,
      targets.subarray(n * patchValues * 2, (n + 1) * patchValues * 2),
    );
  });
  return { count: cleanPatches.length, patch, inputs, inputChannels, targets };
}

/** The batch as tensors; the caller disposes them. */
export function taskBatchTensors(batch: TaskBatch): { inputs: tf.Tensor4D; targets: tf.Tensor4D } {
  const { count, patch } = batch;
  return {
    inputs: tf.tensor4d(batch.inputs, [count, patch.samples, patch.traces, batch.inputChannels]),
    targets: tf.tensor4d(batch.targets, [count, patch.samples, patch.traces, 2]),
  };
}
