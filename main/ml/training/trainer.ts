/**
 * The training loop: patches from one or more sources, split by line into training and validation sets, corrupted for
 * the task, fed to a model built from its config (or fine-tuned from a saved model), optimised with AdamW under
 * reduce-on-plateau and early stopping, checkpointed after every epoch (checkpoint.ts) and resumable from there.
 *
 * Normalisation: every patch is divided by its source's robust amplitude scale (patchSource.ts, estimateSourceScale),
 * one scale per survey, never per section. Inference must do the same: estimate the scale of the survey
 * it processes with estimateSourceScale and divide every section of it by that scale. A per-section scale would lift
 * quiet sections (survey edges, sections crossing dead zones) to the level of loud ones, and the model, trained on
 * survey-scaled patches, would see noise levels and amplitude contrasts it never saw; with one survey scale, sections
 * of a survey keep their true relative amplitudes and blend without level jumps. The scales used in training are
 * recorded in the checkpoint state and in the model card (`config.normalization`).
 * Models for pre-stack data may add per-patch scaling on top (`patchScaling`, normalization.ts scalePatches): a gather
 * spans 40 dB and more from its first breaks to its late reflections, more than one survey scale can bring to the level
 * a model was trained at. Each pair is then divided by its noisy input patch's robust scale, as inference divides each
 * patch before the model and multiplies the prediction back; the card records it so inference does the same.
 *
 * Validation, each epoch: the loss is the training objective with the model in inference mode (dropout off, BatchNorm
 * on its moving averages); the SNR is metrics.signalToNoiseDb's definition over all validation patches together (energies
 * summed on the device), on normalised patches. Within one source the SNR is the same on raw amplitudes (the scale
 * cancels); across sources, normalised patches keep a loud survey from outweighing a quiet one. Both count only the
 * samples the targets weight (taskBatches.ts): live traces, or with blind-spot training the picked samples, whose
 * target is the noisy value itself, so its validation SNR is bounded by the data's own SNR (and its losses, means over
 * all samples of which only the picked ones count, are about 1/cell^2 of a plain MSE).
 *
 * Fine-tuning starts from the base model as the model to beat: before the first epoch the base is validated exactly as
 * the epochs are (same held-out lines, same fixed corruption seeds, inference mode) and saved as the best model, its
 * validation loss the best so far, so an epoch becomes best only by beating it and reduce-on-plateau and early stopping
 * count from it. The comparison needs no clean data: a masked sample's expected loss is the model's error against the
 * unknown clean sample plus the noise variance, the same for both models (Noise2Self, Batson & Royer 2019), so the
 * lower blind-spot loss is the better denoiser; hidden live traces likewise compare interpolators. Without it, adapting
 * to a survey the base already suits (Viking Graben shots in the quality benchmark) handed back its least bad epoch,
 * worse than the base. When no epoch beats the base, the result is the base model's weights (`keptBase`).
 *
 * Reproducibility: epoch e shuffles with seedFor(seed, e) and corrupts batch b with seedFor(seed, e, b); validation
 * batches use fixed seeds, so every epoch is measured on the same corrupted inputs. A resumed run therefore draws what
 * the uninterrupted run would have drawn. The starting weights are drawn from the seed too (buildWithSeededInitialisers);
 * dropout masks use tfjs's own generator.
 *
 * A GAN (architectures.ts) trains its discriminator alongside, in alternating updates on every batch (trainStep.ts,
 * adversarialTrainStep), with its own AdamW on the model's learning-rate schedule; checkpoints hold both networks and
 * both optimizers, and each epoch reports the discriminator's loss next to the generator's. The saved model, and what
 * validation measures, is the generator alone.
 *
 * Device traffic: one readback per epoch for the training loss and one for validation (loss and SNR energies summed on
 * the device), never one per step.
 *
 * Around the loop: trainOptions.ts holds the options and their checks, trainingReport.ts the progress messages and the
 * model cards, checkpoint.ts the checkpoint files and a run's state, fresh or resumed.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { EpochMetrics } from '../../../preload/contract';
import { checkpoint as yieldUnlessCancelled } from '../cancellation';
import { AdamWOptimizer } from '../adamw';
import { useDeviceDropout } from '../webgpu/dropout';
import { useClosedFormBatchNorm } from '../models/batchNormTraining';
import { buildModel, type BuiltModel, type Discriminator } from '../architectures';
import { buildWithSeededInitialisers } from '../seededInitialisers';
import { lossFromSpec } from '../losses';
import type { ModelConfig } from '../modelConfig';
import { applyPatchScales, scalePatches } from '../normalization';
import { shuffled, splitPatchIndexByLine, type PatchIndexEntry, type PatchIndexSplit } from '../patchIndex';
import type { PatchSize } from '../tiling';
import { adversarialTrainStep, RunningLoss, trainStep, trainingObjective, type TrainingLoss } from '../trainStep';
import { dataParallelStep, startFromRankZero } from './dataParallel';
import {
  CHECKPOINT_FILES,
  checkResumable,
  clearCheckpoints,
  freshState,
  loadStartingWeights,
  readLastState,
  restoreDiscriminator,
  restoreOptimizer,
  writeBestModel,
  writeLastCheckpoint,
  type DiscriminatorState,
  type TrainingState,
} from './checkpoint';
import { PatchSourceSet, type PatchSource } from './patchSource';
import { TrainingSchedule } from './schedule';
import {
  DEFAULT_AUGMENTATION,
  NO_AUGMENTATION,
  buildTaskBatch,
  seedFor,
  taskBatchTensors,
  type TaskBatch,
  type TaskOptions,
} from './taskBatches';
import { snrDbFromEnergies, trainingCard, TrainingProgress } from './trainingReport';
import {
  checkFits,
  checkOptions,
  corruptionOf,
  modelToTrain,
  patchSizeOf,
  strideOf,
  TrainingOptionsError,
  type TrainHooks,
  type TrainOptions,
} from './trainOptions';

export type StopReason = 'epochs' | 'early-stopping' | 'time-budget';

/** The base model's validation before fine-tuning, measured as the epochs' (valLoss and valSnrDb of EpochMetrics). */
export interface BaselineValidation {
  valLoss: number;
  valSnrDb: number;
}

export interface TrainResult {
  bestModelDir: string;
  lastCheckpointDir: string;
  history: EpochMetrics[];
  stoppedBecause: StopReason;
  /** Fine-tuning with validation lines: the base model's validation, the loss every epoch had to beat; null otherwise. */
  baseline: BaselineValidation | null;
  /** No epoch beat the base model's validation loss, so bestModelDir holds the base model's weights. */
  keptBase: boolean;
}

/** The note a kept base model's card carries, and the job result repeats. */
const KEPT_BASE_NOTE =
  "fine-tuning did not beat the base model's validation loss on the held-out lines; these are the base model's weights";

/** A GAN's discriminator with its own optimizer (same learning rate schedule as the model's). */
interface Adversary {
  discriminator: Discriminator;
  optimizer: AdamWOptimizer;
}

function discriminatorState({ discriminator, optimizer }: Adversary): DiscriminatorState {
  return { network: discriminator.network, optimizer };
}

interface EpochRun {
  trainLoss: number;
  /** A GAN's mean discriminator loss over the epoch; null for other models. */
  discriminatorLoss: number | null;
  outOfTime: boolean;
}

interface StepOutcome {
  loss: tf.Scalar;
  discriminatorLoss: tf.Scalar | null;
  /** Whether the run is out of its time budget after this step (of data-parallel workers: any of them). */
  outOfTime: boolean;
}

interface Validation {
  loss: number;
  snrDb: number;
}

/** A batch with each pair divided by its input patch's robust scale: input amplitudes and the clean target alike. */
function scaledPerPatch(batch: TaskBatch): TaskBatch {
  const patchValues = batch.patch.samples * batch.patch.traces;
  const scales = scalePatches(batch.inputs, batch.count, patchValues, batch.inputChannels);
  applyPatchScales(batch.targets, scales, patchValues, 2, 'divide');
  return batch;
}

/**
 * The data loss counts only the samples the targets' weight channel marks (taskBatches.ts): target and prediction are
 * both zeroed elsewhere, so dead traces add nothing to a pointwise or per-trace spectral loss, and blind-spot training
 * learns only at its picked samples.
 */
export function weightedByTargets(objective: TrainingLoss): TrainingLoss {
  return (targets, outputs, inputs) => {
    const [target, weight] = tf.split(targets, 2, 3) as [tf.Tensor, tf.Tensor];
    const [prediction, ...auxiliary] = outputs;
    if (prediction === undefined) throw new Error('the model returned no output');
    return objective(tf.mul(target, weight), [tf.mul(prediction, weight), ...auxiliary], inputs);
  };
}

function outputsOf(model: tfl.LayersModel, inputs: tf.Tensor): tf.Tensor[] {
  const output = model.apply(inputs, { training: false }) as tf.Tensor | tf.Tensor[];
  return Array.isArray(output) ? output : [output];
}

function batchCount(patches: number, batchSize: number, cap: number | undefined): number {
  const all = Math.ceil(patches / batchSize);
  return cap === undefined ? all : Math.min(all, cap);
}

/** One training run; `train` creates it and drives its epochs. */
class TrainingRun {
  private readonly patch: PatchSize;
  private readonly objective: TrainingLoss;
  private readonly trainTask: TaskOptions;
  private readonly validationTask: TaskOptions;
  private readonly progress: TrainingProgress;

  constructor(
    private readonly options: TrainOptions,
    private readonly hooks: TrainHooks,
    private readonly data: PatchSourceSet,
    private readonly split: { train: PatchIndexEntry[]; validation: PatchIndexEntry[] },
    private readonly built: BuiltModel,
    private readonly optimizer: AdamWOptimizer,
    private readonly adversary: Adversary | null,
    private schedule: TrainingSchedule,
    private state: TrainingState,
  ) {
    this.patch = patchSizeOf(options.patch);
    this.progress = new TrainingProgress(options, hooks.onProgress);
    this.objective = weightedByTargets(trainingObjective(lossFromSpec(options.loss), built.extraLoss));
    const corruption = corruptionOf(options);
    this.trainTask = {
      task: options.task,
      corruption,
      augmentation: { ...DEFAULT_AUGMENTATION, ...options.augmentation },
    };
    this.validationTask = { task: options.task, corruption, augmentation: NO_AUGMENTATION };
  }

  get history(): EpochMetrics[] {
    return this.state.history;
  }

  get baseline(): BaselineValidation | null {
    return this.state.baseline ?? null;
  }

  /** Whether the best model is still the base: no epoch beat its validation loss. */
  get keptBase(): boolean {
    return this.state.baseline !== undefined && this.schedule.state.bestEpoch === 0;
  }

  /**
   * Fine-tuning: validates the base model as the epochs are validated and makes it the best model so far (module
   * comment). Without validation lines, or with a loss that is not finite, the epochs compete among themselves as before.
   */
  async startFromBase(): Promise<void> {
    const started = performance.now();
    const validation = await this.validate(0);
    if (validation === null || !Number.isFinite(validation.loss)) return;
    const baseline = { valLoss: validation.loss, valSnrDb: validation.snrDb };
    this.schedule = new TrainingSchedule(this.options.plateau, this.options.earlyStopping, {
      ...this.schedule.state,
      bestLoss: validation.loss,
      bestEpoch: 0,
    });
    this.state = { ...this.state, baseline, schedule: this.schedule.state };
    const metrics: EpochMetrics = {
      epoch: 0,
      trainLoss: NaN,
      ...baseline,
      learningRate: this.optimizer.currentLearningRate,
      seconds: (performance.now() - started) / 1000,
    };
    if (writesCheckpoints(this.hooks)) {
      await writeBestModel(
        this.options.checkpointDir,
        this.built.model,
        trainingCard(this.options, this.state, this.patch, metrics, KEPT_BASE_NOTE),
      );
    }
    this.hooks.onProgress?.(0, `base model: validation SNR ${validation.snrDb.toFixed(2)} dB, the one to beat`);
  }

  /** Runs the remaining epochs; returns why it stopped. */
  async run(): Promise<StopReason> {
    if (this.state.schedule.epochsWithoutImprovement >= this.options.earlyStopping.patience) return 'early-stopping';
    for (let epoch = this.state.epoch + 1; epoch <= this.options.epochs; epoch++) {
      const epochStarted = performance.now();
      const run = await this.trainEpoch(epoch);
      const validation = await this.validate(epoch);
      const stop = await this.finishEpoch(epoch, run, validation, (performance.now() - epochStarted) / 1000);
      if (run.outOfTime) return 'time-budget';
      if (stop) return 'early-stopping';
    }
    return 'epochs';
  }

  private get totalBatchesPerEpoch(): number {
    return batchCount(this.split.train.length, this.options.batchSize, this.options.maxBatchesPerEpoch);
  }

  private async readBatch(entries: readonly PatchIndexEntry[]): Promise<Float32Array[]> {
    return Promise.all(entries.map((entry) => this.data.readNormalizedPatch(entry, this.patch)));
  }

  private scaled(batch: TaskBatch): TaskBatch {
    return this.state.patchScaling ? scaledPerPatch(batch) : batch;
  }

  private async trainEpoch(epoch: number): Promise<EpochRun> {
    const { batchSize, seed } = this.options;
    const order = shuffled(this.split.train, seedFor(seed, epoch));
    const batches = this.totalBatchesPerEpoch;
    const running = new RunningLoss();
    const discriminatorRunning = new RunningLoss();
    const finish = async (outOfTime: boolean): Promise<EpochRun> => ({
      trainLoss: await running.mean(),
      discriminatorLoss: this.adversary === null ? null : await discriminatorRunning.mean(),
      outOfTime,
    });
    for (let b = 0; b < batches; b++) {
      if (this.hooks.signal) await yieldUnlessCancelled(this.hooks.signal);
      // Data-parallel workers each build the whole batch (its corruption is drawn patch after patch from one seed),
      // then train on their share of it.
      const clean = await this.readBatch(order.slice(b * batchSize, (b + 1) * batchSize));
      const { inputs, targets } = taskBatchTensors(
        this.scaled(buildTaskBatch(clean, this.patch, this.trainTask, seedFor(seed, epoch, b))),
      );
      const step = await this.step(inputs, targets);
      running.add(step.loss);
      if (step.discriminatorLoss !== null) discriminatorRunning.add(step.discriminatorLoss);
      tf.dispose([inputs, targets]);
      this.progress.batchTrained(epoch, b + 1, batches);
      if (step.outOfTime) return finish(true);
    }
    return finish(false);
  }

  /**
   * One optimisation step on a batch: the model's (this worker's share of it in data-parallel training), or a GAN's
   * generator step then its discriminator step.
   */
  private async step(inputs: tf.Tensor, targets: tf.Tensor): Promise<StepOutcome> {
    const { trainingModel } = this.built;
    const { exchange } = this.hooks;
    if (exchange !== undefined) {
      const { loss, anyOutOfTime } = await dataParallelStep(
        trainingModel,
        this.optimizer,
        inputs,
        targets,
        this.objective,
        exchange,
        this.progress.outOfTime,
      );
      return { loss, discriminatorLoss: null, outOfTime: anyOutOfTime };
    }
    if (this.adversary === null) {
      return {
        loss: trainStep(trainingModel, this.optimizer, inputs, targets, this.objective),
        discriminatorLoss: null,
        outOfTime: this.progress.outOfTime,
      };
    }
    const { discriminator, optimizer } = this.adversary;
    const losses = adversarialTrainStep(
      trainingModel,
      this.optimizer,
      discriminator,
      optimizer,
      inputs,
      targets,
      this.objective,
    );
    return { loss: losses.model, discriminatorLoss: losses.discriminator, outOfTime: this.progress.outOfTime };
  }

  /** Validation loss (the training objective in inference mode) and SNR over all validation patches together. */
  private async validate(epoch: number): Promise<Validation | null> {
    const { batchSize, seed } = this.options;
    const batches = batchCount(this.split.validation.length, batchSize, this.options.maxValidationBatches);
    if (batches === 0) return null;
    // [loss sum, signal energy, error energy], summed on the device and read back once.
    let totals: tf.Tensor1D = tf.zeros([3]);
    for (let b = 0; b < batches; b++) {
      if (this.hooks.signal) await yieldUnlessCancelled(this.hooks.signal);
      const clean = await this.readBatch(this.split.validation.slice(b * batchSize, (b + 1) * batchSize));
      const batch = this.scaled(buildTaskBatch(clean, this.patch, this.validationTask, seedFor(seed, 0x76616c, b)));
      const previous = totals;
      totals = tf.tidy(() => {
        const { inputs, targets } = taskBatchTensors(batch);
        return tf.keep(tf.add(previous, this.validationTotals(inputs, targets)));
      });
      previous.dispose();
      this.progress.batchValidated(epoch, b + 1, batches);
    }
    const [lossSum = NaN, signal = 0, noise = 0] = await totals.data();
    totals.dispose();
    return { loss: lossSum / batches, snrDb: snrDbFromEnergies(signal, noise) };
  }

  private validationTotals(inputs: tf.Tensor, targets: tf.Tensor): tf.Tensor1D {
    const outputs = outputsOf(this.built.trainingModel, inputs);
    const loss = this.objective(targets, outputs, inputs);
    const [target, weight] = tf.split(targets, 2, 3) as [tf.Tensor, tf.Tensor];
    const truth = tf.mul(target, weight);
    const prediction = tf.mul(outputs[0]!, weight);
    const signal = tf.sum(tf.square(truth));
    const noise = tf.sum(tf.squaredDifference(truth, prediction));
    return tf.stack([loss, signal, noise]) as tf.Tensor1D;
  }

  /** Schedule, state, checkpoints and the epoch hook; returns whether early stopping ends the run. */
  private async finishEpoch(
    epoch: number,
    { trainLoss, discriminatorLoss }: EpochRun,
    validation: Validation | null,
    seconds: number,
  ): Promise<boolean> {
    // Without validation lines (validationFraction 0) the schedule and the best model follow the training loss.
    const monitored = validation?.loss ?? trainLoss;
    const learningRate = this.optimizer.currentLearningRate;
    const decision = this.schedule.observe(epoch, monitored);
    this.optimizer.setLearningRate(decision.learningRate);
    this.adversary?.optimizer.setLearningRate(decision.learningRate);
    const metrics: EpochMetrics = {
      epoch,
      trainLoss,
      ...(discriminatorLoss === null ? {} : { discriminatorLoss }),
      valLoss: validation?.loss ?? NaN,
      valSnrDb: validation?.snrDb ?? NaN,
      learningRate,
      seconds,
    };
    this.state = {
      ...this.state,
      epoch,
      schedule: this.schedule.state,
      optimizerIterations: this.optimizer.iterations,
      history: [...this.state.history, metrics],
      trainingSeconds: this.state.trainingSeconds + seconds,
    };
    const card = trainingCard(this.options, this.state, this.patch, metrics);
    // Best before last: the checkpoint's state names this epoch as the best, so a kill between the two writes must not
    // leave a checkpoint whose best model was never saved (a resumed run would finish without it).
    if (!writesCheckpoints(this.hooks)) {
      this.hooks.onEpoch?.(metrics);
      return decision.stop;
    }
    if (decision.improved) await writeBestModel(this.options.checkpointDir, this.built.model, card);
    await writeLastCheckpoint(this.options.checkpointDir, {
      model: this.built.model,
      card,
      optimizer: this.optimizer,
      state: this.state,
      ...(this.adversary === null ? {} : { discriminator: discriminatorState(this.adversary) }),
    });
    this.hooks.onEpoch?.(metrics);
    return decision.stop;
  }
}

/** Whether this run writes the checkpoints: a lone run does, and of data-parallel workers only worker 0. */
function writesCheckpoints(hooks: TrainHooks): boolean {
  return hooks.exchange === undefined || hooks.exchange.rank === 0;
}

/** The patch index split by line into training and validation patches (patchIndex.ts), as training uses it. */
export function splitTrainingData(
  data: PatchSourceSet,
  options: Pick<TrainOptions, 'patch' | 'stride' | 'validationFraction' | 'seed'>,
): PatchIndexSplit {
  const patch = patchSizeOf(options.patch);
  return splitPatchIndexByLine(
    data.lines,
    patch,
    strideOf(options.stride, patch),
    options.validationFraction,
    options.seed,
  );
}

/** The sources with their scales: the checkpoint's when resuming (so amplitudes do not shift), estimated otherwise. */
async function sourceSet(sources: readonly PatchSource[], resumed: TrainingState | null): Promise<PatchSourceSet> {
  if (resumed === null) return PatchSourceSet.withEstimatedScales(sources);
  const names = sources.map((source) => source.name);
  const saved = resumed.normalization.map((entry) => entry.source);
  if (names.join('\n') !== saved.join('\n')) {
    throw new TrainingOptionsError(`the checkpoint was trained on ${saved.join(', ')}, not on ${names.join(', ')}`);
  }
  return new PatchSourceSet(
    sources,
    resumed.normalization.map((entry) => entry.scale),
  );
}

/**
 * Makes every BatchNorm layer of `model` ignore the `training` flag (always its moving statistics, never updating them),
 * as inference.ts does for Monte Carlo dropout; the model is disposed after training, so the patch is not undone.
 */
function freezeBatchNorm(model: tfl.LayersModel): void {
  type Call = (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const target = layer as unknown as { call: Call };
    const call = target.call.bind(layer);
    target.call = (inputs, kwargs) => call(inputs, { ...kwargs, training: false });
  }
}

/** The model built from `config`, its BatchNorm and dropout layers set up for training. */
function buildModelToTrain(config: ModelConfig, frozenBatchNorm: boolean, seed: number): BuiltModel {
  const built = buildWithSeededInitialisers(seed, () => buildModel(config));
  // Fewer kernel calls per step on every backend (models/batchNormTraining.ts); frozen layers never train anyway.
  if (frozenBatchNorm) freezeBatchNorm(built.trainingModel);
  else useClosedFormBatchNorm(built.trainingModel);
  // tfjs draws dropout masks in JavaScript; on a GPU that alone took half of a step (webgpu/dropout.ts).
  if (tf.getBackend() === 'webgpu') useDeviceDropout(built.trainingModel);
  return built;
}

/** trainingModel's first output is model's output, so it holds every layer of model: disposing it frees both. */
function disposeModel(built: BuiltModel): void {
  built.trainingModel.dispose();
  built.discriminator?.network.dispose();
}

/**
 * Trains a model on patches of `sources` (checkpoint layout in checkpoint.ts). Rejects with JobCancelledError when
 * `hooks.signal` aborts, after the batch in progress; `<checkpointDir>/last` then holds the last completed epoch.
 */
export async function train(
  sources: readonly PatchSource[],
  options: TrainOptions,
  hooks: TrainHooks = {},
): Promise<TrainResult> {
  checkOptions(options);
  const resumed = options.resume ? await readLastState(options.checkpointDir) : null;
  if (resumed === null && writesCheckpoints(hooks)) await clearCheckpoints(options.checkpointDir);
  // A resumed run continues as its checkpoint says (checkpoints from before per-patch scaling did not scale).
  const { config, patchScaling } =
    resumed === null
      ? await modelToTrain(options)
      : { config: resumed.config, patchScaling: resumed.patchScaling === true };
  const patch = patchSizeOf(options.patch);
  checkFits(config, options, patch);
  hooks.onProgress?.(0, 'estimating amplitude scales and indexing patches');
  const data = await sourceSet(sources, resumed);
  const split = splitTrainingData(data, options);
  if (split.train.length === 0) throw new TrainingOptionsError('no training patches: every line went to validation');
  if (resumed !== null) checkResumable(resumed, options, split.validationLines);
  const state = resumed ?? freshState(options, config, data, split.validationLines, patchScaling);
  const built = buildModelToTrain(config, options.freezeBatchNorm === true, options.seed);
  const newOptimizer = () =>
    new AdamWOptimizer({ learningRate: state.schedule.learningRate, weightDecay: options.weightDecay });
  const optimizer = newOptimizer();
  const adversary =
    built.discriminator === undefined ? null : { discriminator: built.discriminator, optimizer: newOptimizer() };
  if (adversary !== null) useClosedFormBatchNorm(adversary.discriminator.network);
  if (adversary !== null && hooks.exchange !== undefined) {
    throw new TrainingOptionsError('a GAN trains on one GPU: data-parallel training of its two networks is not built');
  }
  try {
    await loadStartingWeights(built.model, options, resumed);
    if (resumed !== null) {
      const last = path.join(options.checkpointDir, CHECKPOINT_FILES.last);
      await restoreOptimizer(optimizer, last);
      if (adversary !== null) await restoreDiscriminator(discriminatorState(adversary), last);
    }
    if (hooks.exchange !== undefined) await startFromRankZero(built.trainingModel, hooks.exchange);
    const schedule = new TrainingSchedule(options.plateau, options.earlyStopping, state.schedule);
    const run = new TrainingRun(options, hooks, data, split, built, optimizer, adversary, schedule, state);
    // A resumed run keeps the baseline (and best model) its fresh start recorded.
    if (resumed === null && options.initialModelDir !== undefined) await run.startFromBase();
    const stoppedBecause = await run.run();
    return {
      bestModelDir: path.join(options.checkpointDir, CHECKPOINT_FILES.best),
      lastCheckpointDir: path.join(options.checkpointDir, CHECKPOINT_FILES.last),
      history: run.history,
      stoppedBecause,
      baseline: run.baseline,
      keptBase: run.keptBase,
    };
  } finally {
    disposeModel(built);
    optimizer.dispose();
    adversary?.optimizer.dispose();
  }
}
