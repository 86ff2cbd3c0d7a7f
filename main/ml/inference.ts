/**
 * Reconstruction of one section by a trained model: normalised with the survey's scale, cut into overlapping patches,
 * predicted in batches (optionally with flip test-time augmentation), blended with normalised Hann weights, brought
 * back to the survey's amplitudes. Monte Carlo dropout ensembles give a mean and a standard-deviation section.
 * For interpolation, live traces keep their samples exactly: only dead or missing traces take the prediction.
 * Denoising can be applied at the strength Stein's unbiased risk estimate finds best for the section (sure.ts), and
 * interpolation with the blend of the model and classical methods that best restores hidden live traces (blendCheck.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { type BlendCheck, classicalInterpolators, interpolateAtCheckedBlend } from './blendCheck';
import type { TraceMask } from '../signal/corruption';
import { maskChannel } from '../signal/corruption';
import type { SectionShape } from '../signal/metrics';
import {
  denormalizeSection,
  normalizeSection,
  applyPatchScales,
  scalePatches,
  type AmplitudeScale,
} from './normalization';
import { withDropoutSamplingPredictor, withGraphPredictor } from './parallelInference';
import { applyStrength, denoiseAtCheckedStrength, type StrengthCheck, type StrengthOptions } from './sure';
import { EnsembleAccumulator, predictTiled, TilePlan, withFlipAugmentation, type PatchPredictor } from './tiling';

export interface ReconstructionOptions {
  task: 'denoise' | 'interpolate';
  /** The survey's amplitude scale (the same convention the model was trained with). */
  scale: AmplitudeScale;
  patch: number;
  overlap?: number;
  batchSize?: number;
  /** Average the predictions of the four flips (traces, time, both, none). */
  tta?: boolean;
  /** Monte Carlo dropout passes; more than 1 also gives the standard deviation. */
  ensemble?: number;
  /** Scale every patch by its own robust scale too (normalization.ts), for models trained that way. */
  patchScaling?: boolean;
  /**
   * Denoising: apply the model at the strength SURE finds best for this section (two deterministic passes; an
   * ensemble's mean is then applied at that strength). Absent or null: full strength.
   */
  strengthCheck?: StrengthOptions | null;
  /**
   * Interpolation: fill the gaps with the blend of the model, POCS and linear interpolation that best restores live
   * traces hidden from them (blendCheck.ts). Absent or null, or with an ensemble: the model alone.
   */
  blendCheck?: { sampleIntervalS: number } | null;
  /** Hears of every batch of patches predicted (all passes: checks, ensembles), for progress. */
  onPatches?: (count: number) => void;
}

export interface Reconstruction {
  output: Float32Array;
  /** Standard deviation of the ensemble passes (null without an ensemble), at full strength. */
  uncertainty: Float32Array | null;
  /** The strength check's figures (null when it was not asked for, or for interpolation). */
  strength: StrengthCheck | null;
  /** With the strength check: the model's result at full strength (the signal estimate of the leakage QC). */
  fullStrengthOutput: Float32Array | null;
  /** The blend check's choice and figures (null when it was not asked for, or for denoising). */
  blend: BlendCheck | null;
}

/** Patches the tiling hands the network at a time (joined into larger batches on a GPU: parallelInference.ts). */
export const INFERENCE_BATCH = 16;

type Forward = (input: tf.Tensor4D) => tf.Tensor;

function modelPredictor(forward: Forward, patch: number, channels: number): PatchPredictor {
  return async (batch, count) => {
    const output = tf.tidy(() => forward(tf.tensor4d(batch, [count, patch, patch, channels])));
    const values = (await output.data()) as Float32Array;
    output.dispose();
    return values;
  };
}

/**
 * Monte Carlo dropout needs dropout on and BatchNorm on its moving statistics; tfjs switches both with one `training`
 * flag, so for the ensemble passes each BatchNorm layer is told to ignore it (restored afterwards).
 */
async function withFrozenBatchNorm<T>(model: tfl.LayersModel, work: () => Promise<T>): Promise<T> {
  type Call = (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];
  const patched: { layer: { call: Call }; call: Call }[] = [];
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const target = layer as unknown as { call: Call };
    const call = target.call.bind(layer);
    patched.push({ layer: target, call: target.call });
    target.call = (inputs, kwargs) => call(inputs, { ...kwargs, training: false });
  }
  try {
    return await work();
  } finally {
    for (const { layer, call } of patched) layer.call = call;
  }
}

export async function reconstructSection(
  model: tfl.LayersModel,
  section: Float32Array,
  shape: SectionShape,
  live: TraceMask,
  options: ReconstructionOptions,
): Promise<Reconstruction> {
  const blendCheck = options.task === 'interpolate' && (options.ensemble ?? 1) <= 1 ? options.blendCheck : null;
  if (blendCheck) {
    const { output, check: blend } = await interpolateAtCheckedBlend(
      {
        model: async (input, inputLive) => (await predictSection(model, input, shape, inputLive, options)).output,
        ...classicalInterpolators(shape, blendCheck.sampleIntervalS),
      },
      section,
      shape,
      live,
    );
    return { output, uncertainty: null, strength: null, fullStrengthOutput: null, blend };
  }
  const check = options.task === 'denoise' ? options.strengthCheck : null;
  if (!check) {
    const predicted = await predictSection(model, section, shape, live, options);
    return { ...predicted, strength: null, fullStrengthOutput: null, blend: null };
  }
  const deterministic = { ...options, ensemble: 1 };
  const checked = await denoiseAtCheckedStrength(
    async (input) => (await predictSection(model, input, shape, live, deterministic)).output,
    section,
    shape,
    live,
    check,
  );
  if ((options.ensemble ?? 1) <= 1) {
    return {
      output: checked.output,
      uncertainty: null,
      strength: checked.check,
      fullStrengthOutput: checked.fullStrength,
      blend: null,
    };
  }
  const { output, uncertainty } = await predictSection(model, section, shape, live, options);
  return {
    output: await applyStrength(section, output, shape, live, checked.check.strength, check),
    uncertainty,
    strength: checked.check,
    fullStrengthOutput: output,
    blend: null,
  };
}

async function predictSection(
  model: tfl.LayersModel,
  section: Float32Array,
  shape: SectionShape,
  live: TraceMask,
  options: ReconstructionOptions,
): Promise<Pick<Reconstruction, 'output' | 'uncertainty'>> {
  const normalized = normalizeSection(section, options.scale);
  const sources =
    options.task === 'interpolate' ? [maskedTraces(normalized, shape, live), maskChannel(live, shape)] : [normalized];
  const patch = { samples: options.patch, traces: options.patch };
  const tiling = {
    patch,
    overlap: options.overlap ?? 0.5,
    batchSize: options.batchSize ?? INFERENCE_BATCH,
    onPatches: options.onPatches,
  };
  const runWith = (plain: PatchPredictor, inFlight: number): Promise<Float32Array> => {
    const scaled = options.patchScaling ? withPatchScaling(plain, options.patch, sources.length) : plain;
    const predictor = options.tta ? withFlipAugmentation(scaled, patch, sources.length) : scaled;
    return predictTiled(sources, shape, { ...tiling, inFlight }, predictor);
  };
  const run = (forward: Forward) => runWith(modelPredictor(forward, options.patch, sources.length), 1);
  const passes = Math.max(1, options.ensemble ?? 1);
  let mean: Float32Array;
  let spread: Float32Array | null = null;
  if (passes === 1) {
    // The folded inference graph (the same result, fewer and faster kernels), on wasm over both cores.
    mean = await withGraphPredictor(model, options.patch, sources.length, runWith);
  } else {
    const ensemble = new EnsembleAccumulator(section.length);
    const onOnnx = await withDropoutSamplingPredictor(
      model,
      options.patch,
      sources.length,
      async (predict, inFlight) => {
        for (let pass = 0; pass < passes; pass++) ensemble.add(await runWith(predict, inFlight));
      },
    );
    if (onOnnx === null) {
      const sample: Forward = (input) => model.apply(input, { training: true }) as tf.Tensor;
      await withFrozenBatchNorm(model, async () => {
        for (let pass = 0; pass < passes; pass++) ensemble.add(await run(sample));
      });
    }
    mean = ensemble.mean();
    spread = denormalizeSection(ensemble.standardDeviation(), options.scale);
  }
  const output = denormalizeSection(mean, options.scale);
  if (options.task === 'interpolate') keepLiveTraces(output, section, shape, live);
  return { output, uncertainty: spread };
}

function withPatchScaling(predict: PatchPredictor, patch: number, channels: number): PatchPredictor {
  const patchValues = patch * patch;
  return async (batch, count) => {
    const scaled = batch.slice(0, count * patchValues * channels);
    const scales = scalePatches(scaled, count, patchValues, channels);
    const prediction = await predict(scaled, count);
    applyPatchScales(prediction, scales, patchValues, 1, 'multiply');
    return prediction;
  };
}

function maskedTraces(section: Float32Array, shape: SectionShape, live: TraceMask): Float32Array {
  const masked = Float32Array.from(section);
  for (let t = 0; t < shape.traces; t++) if (!live[t]) masked.fill(0, t * shape.samples, (t + 1) * shape.samples);
  return masked;
}

function keepLiveTraces(output: Float32Array, section: Float32Array, shape: SectionShape, live: TraceMask): void {
  for (let t = 0; t < shape.traces; t++) {
    if (live[t]) output.set(section.subarray(t * shape.samples, (t + 1) * shape.samples), t * shape.samples);
  }
}

/**
 * How many times a reconstruction with these options runs the model over the whole section: the strength check's two
 * passes, the blend check's (at most two folds and the final fill), the ensemble's. With the blend check this is the
 * most it runs (fewer where too few traces can be hidden, or where the model takes no share of the chosen blend).
 */
export function plannedModelPasses(
  options: Pick<ReconstructionOptions, 'task' | 'ensemble' | 'strengthCheck' | 'blendCheck'>,
): number {
  const ensemble = Math.max(1, options.ensemble ?? 1);
  if (options.task === 'interpolate') return options.blendCheck && ensemble === 1 ? 3 : ensemble;
  if (!options.strengthCheck) return ensemble;
  return ensemble > 1 ? 2 + ensemble : 2;
}

/** Patches of one pass over a section of `shape` (the tile plan's). */
export function patchesPerPass(shape: SectionShape, patch: number, overlap = 0.5): number {
  return new TilePlan(shape, { samples: patch, traces: patch }, overlap).origins.length;
}
