/**
 * What a training run is asked to do (TrainOptions, TrainHooks) and the checks that turn a bad request into a clear
 * error before any scale is estimated or model built.
 */
import type { EpochMetrics, ModelTask } from '../../../preload/contract';
import { parseLossSpec } from '../losses';
import { networkShape, parseModelConfig, type ModelConfig } from '../modelConfig';
import { trainedWithPatchScaling } from '../modelForInference';
import type { PatchStride } from '../patchIndex';
import { readModelCard } from '../registry/modelFiles';
import type { PatchSize } from '../tiling';
import type { EarlyStoppingOptions, PlateauOptions } from './schedule';
import type { GradientExchange } from './dataParallel';
import {
  checkCorruption,
  DEFAULT_CORRUPTION,
  inputChannelsOf,
  type AugmentationOptions,
  type CorruptionOptions,
} from './taskBatches';

export interface TrainOptions {
  /** The architecture to train; when fine-tuning (initialModelDir) the saved model's own config is used instead. */
  config: ModelConfig;
  task: ModelTask;
  /** A loss spec such as 'mse' or 'mse+0.1*spectral' (losses.ts). */
  loss: string;
  epochs: number;
  batchSize: number;
  /** Patch size: a number for square patches (64, 128, 256), or samples x traces. */
  patch: number | PatchSize;
  /** Distance between patch starts; half the patch by default. */
  stride?: number | PatchStride;
  learningRate: number;
  /** AdamW's decoupled weight decay. */
  weightDecay: number;
  /** Fraction of the lines held out for validation (whole lines: no patch of a validation line is trained on). */
  validationFraction: number;
  seed: number;
  plateau: PlateauOptions;
  earlyStopping: EarlyStoppingOptions;
  /** Caps the training batches of an epoch (large surveys, quick runs); all by default. */
  maxBatchesPerEpoch?: number;
  /** Caps the validation batches of an epoch; all by default. */
  maxValidationBatches?: number;
  /**
   * Wall-clock seconds of training batches in this call: the batch that passes it ends the epoch early, which is then
   * validated and checkpointed like any other, and training stops. Wall-clock rather than process CPU time because a
   * user's time box is wall time, and CPU time counts every thread of a multi-threaded backend.
   */
  timeBudgetSeconds?: number;
  checkpointDir: string;
  /** Continue from `<checkpointDir>/last` when it exists (a fresh start otherwise). */
  resume: boolean;
  /** Fine-tune: start from the weights of the model saved in this folder (a bundled or trained model), its architecture kept. */
  initialModelDir?: string;
  /**
   * Keep BatchNorm on its moving statistics (inference mode) while training, and those statistics unchanged. For
   * fine-tuning on a little data: tfjs's BatchNorm (momentum 0.9) otherwise replaces within a few small batches the
   * statistics the base model's weights were trained with, which costs more quality than a short fine-tuning gains.
   */
  freezeBatchNorm?: boolean;
  corruption?: Partial<CorruptionOptions>;
  augmentation?: Partial<AugmentationOptions>;
  /**
   * Divide each training pair by its input patch's own robust scale too (normalization.ts, scalePatches), as inference
   * then does. Default: the base model's choice when fine-tuning, off otherwise; a resumed run keeps its checkpoint's.
   */
  patchScaling?: boolean;
  /** What the model card says beyond what training knows. */
  card?: { name?: string; parentId?: string | null; notes?: string; command?: string | null; hardware?: string | null };
}

export interface TrainHooks {
  /** Checked between batches: cancelling stops within one batch, leaving the last complete checkpoint. */
  signal?: AbortSignal;
  onProgress?: (fraction: number, message: string) => void;
  /** Called after each epoch's checkpoint is written. */
  onEpoch?: (metrics: EpochMetrics) => void;
  /** This run is one worker of a data-parallel training (dataParallel.ts); only worker 0 writes checkpoints. */
  exchange?: GradientExchange;
}

export class TrainingOptionsError extends Error {
  readonly apiCode = 'invalid-argument';
}

export function patchSizeOf(patch: number | PatchSize): PatchSize {
  return typeof patch === 'number' ? { samples: patch, traces: patch } : patch;
}

export function strideOf(stride: number | PatchStride | undefined, patch: PatchSize): PatchStride {
  if (stride === undefined) return { samples: Math.max(1, patch.samples / 2), traces: Math.max(1, patch.traces / 2) };
  return typeof stride === 'number' ? { samples: stride, traces: stride } : stride;
}

/** The loss terms that judge whole sections, by architecture: a sparse blind-spot weight leaves them nothing to judge. */
const WHOLE_SECTION_TERMS: Partial<Record<ModelConfig['architecture'], string>> = {
  gan: "the discriminator's adversarial term",
  pinn: 'the wave-equation residual',
};

export function checkFits(config: ModelConfig, options: TrainOptions, patch: PatchSize): void {
  const { task } = options;
  const wholeSectionTerm = WHOLE_SECTION_TERMS[config.architecture];
  if (wholeSectionTerm !== undefined && corruptionOf(options).kind === 'blind-spot') {
    throw new TrainingOptionsError(
      `blind-spot training weighs a few scattered samples, but ${wholeSectionTerm} of a ${config.architecture} needs whole sections: use synthetic or recorrupted pairs`,
    );
  }
  const { levels, inChannels, outChannels } = networkShape(config);
  const multiple = 2 ** levels;
  if (patch.samples % multiple !== 0 || patch.traces % multiple !== 0) {
    throw new TrainingOptionsError(
      `a ${config.architecture} with ${levels} levels needs patches in multiples of ${multiple}, got ${patch.samples} x ${patch.traces}`,
    );
  }
  const channels = inputChannelsOf(task);
  if (inChannels !== channels || outChannels !== 1) {
    throw new TrainingOptionsError(
      `${task} models take ${channels} input channel(s) and return 1; this model takes ${inChannels} and returns ${outChannels}`,
    );
  }
}

/** The corruption options of a run: the defaults with the run's overrides. */
export function corruptionOf(options: TrainOptions): CorruptionOptions {
  return { ...DEFAULT_CORRUPTION, ...options.corruption };
}

/** Losses that compare sample by sample, so that a sparse weight (blind-spot picks) means the same to them. */
const POINTWISE_LOSSES = ['mse', 'l1'];

export function checkOptions(options: TrainOptions): void {
  const terms = parseLossSpec(options.loss); // a typo in the loss fails here, before scales are estimated and models built
  const corruption = corruptionOf(options);
  checkCorruption(options.task, corruption);
  if (corruption.kind === 'blind-spot' && terms.some((term) => !POINTWISE_LOSSES.includes(term.name))) {
    throw new TrainingOptionsError(
      `blind-spot training weighs a few scattered samples, which only a sample-by-sample loss can use (${POINTWISE_LOSSES.join(', ')}); got '${options.loss}'`,
    );
  }
  if (corruption.kind === 'recorrupted' && terms.some((term) => term.name !== 'mse')) {
    // The independent noises of input and target cancel out of the expected loss only for the squared error.
    throw new TrainingOptionsError(`recorrupted training needs the mse loss, got '${options.loss}'`);
  }
  const whole = { epochs: options.epochs, batchSize: options.batchSize };
  for (const [name, value] of Object.entries(whole)) {
    if (!(Number.isInteger(value) && value >= 1))
      throw new TrainingOptionsError(`${name} must be a whole number >= 1, got ${value}`);
  }
  if (!(options.learningRate > 0))
    throw new TrainingOptionsError(`learning rate must be > 0, got ${options.learningRate}`);
}

/**
 * The config to train and whether pairs are scaled per patch. Fine-tuning keeps the saved model's own config (its weights
 * only fit its architecture) and, unless asked otherwise, its per-patch scaling; a fresh model scales only when asked.
 */
export async function modelToTrain(options: TrainOptions): Promise<{ config: ModelConfig; patchScaling: boolean }> {
  if (options.initialModelDir === undefined) {
    return { config: options.config, patchScaling: options.patchScaling ?? false };
  }
  const card = await readModelCard(options.initialModelDir);
  return {
    config: parseModelConfig(card.config, `${options.initialModelDir} model card`),
    patchScaling: options.patchScaling ?? trainedWithPatchScaling(card),
  };
}
