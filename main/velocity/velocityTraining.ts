/**
 * Training the velocity ensemble on shot/velocity pairs (OpenFWI layout): the seed's objective (velocityLoss.ts), AdamW,
 * cosine annealing with warm restarts by step (ml/training/schedule.ts), gradient clipping by global norm
 * (ml/trainStep.ts clippedStep), a checkpoint folder written after every epoch and resumed from.
 *
 * Why not ml/training/trainer.ts: that loop trains section models on patches of surveys (patch index by line, task
 * corruption, survey-scale normalisation, reduce-on-plateau, a SEG-Y model card), none of which a velocity sample has:
 * here an example is a whole sample (five shots in, one map out), the targets are maps in m/s and the loss needs the
 * raw shots for its physics term. What is shared is reused: AdamW, the gradient step, the learning-rate schedule, the
 * model folder format and the checkpoint's optimizer files and folder swap (ml/training/checkpoint.ts).
 *
 * Checkpoint folder: `last/` (model, optimizer state, state.json: epoch, step, history, options) swapped in whole after
 * every epoch, and `best/` (the model of the epoch with the lowest validation MAPE). Epoch e shuffles with
 * deriveSeed(seed, e), so a resumed run draws what the uninterrupted one would have.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelCard } from '../../preload/contract';
import { writeFileAtomically } from '../files/atomicFile';
import { AdamWOptimizer } from '../ml/adamw';
import { saveModelFolder } from '../ml/registry/modelFiles';
import {
  loadWeightsInto,
  recoverFolder,
  restoreOptimizer,
  swapIn,
  writeOptimizerState,
} from '../ml/training/checkpoint';
import { warmRestartLearningRate } from '../ml/training/schedule';
import { clippedStep, RunningLoss } from '../ml/trainStep';
import { deriveSeed, seededRandom } from '../signal/random';
import { rickerSourceWavelet } from '../wave/rickerSource';
import { DifferentiableModeller } from '../wave/differentiableModeller';
import { OPENFWI } from './openfwiLayout';
import { networkInput } from './shotNormalization';
import { buildVelocityEnsemble, memberWeights } from './velocityEnsemble';
import { buildWithSeededInitialisers } from '../ml/seededInitialisers';
import { velocityLoss, type LossWeights, type PhysicsSubsample } from './velocityLoss';
import { velocityMapQuality } from './velocityMetrics';
import type { VelocityEnsembleConfig } from './velocityNetworkConfig';

/** Samples to train or validate on: the shots [shot, time, receiver] and the true map [z, x] (m/s) of sample i. */
export interface VelocitySamples {
  readonly count: number;
  read(index: number): { shots: Float32Array; velocity: Float32Array };
}

export interface PhysicsOptions {
  /** Samples of each batch modelled (the first ones). */
  samples: number;
  /** Indices of the shots modelled (OpenFWI's source columns 0, 17, 34, 52, 69 are shots 0-4). */
  shots: number[];
  /** Time steps modelled from the start of the record. */
  steps: number;
  /** Absorbing cells around the model (the data were modelled with 120: a thinner border lets a little back). */
  borderCells: number;
}

export interface VelocityTrainOptions {
  epochs: number;
  batchSize: number;
  /** Peak of the cosine schedule (the seed's AdamW 1e-4). */
  learningRate: number;
  weightDecay: number;
  /** Steps of the first cosine cycle; each next one is twice as long. */
  firstCycleSteps: number;
  maxGradientNorm: number;
  weights: LossWeights;
  physics: PhysicsOptions;
  seed: number;
  checkpointDir: string;
  resume: boolean;
  /** What the model card says of the training: its data and the command that ran it. */
  provenance?: { data: string; command: string | null; hardware: string | null };
  onEpoch?: (epoch: VelocityEpoch) => void;
}

export interface VelocityEpoch {
  epoch: number;
  trainLoss: number;
  /** Validation loss terms and quality of the ensemble's map, OpenFWI units (velocityMetrics.ts). */
  valMape: number;
  valMae: number;
  valSsim: number;
  learningRate: number;
  memberWeights: number[];
  seconds: number;
  /** Of those seconds, the physics term's forward and backward modelling (measured separately, once per epoch). */
  physicsSecondsPerStep: number;
}

interface VelocityTrainingState {
  version: 1;
  config: VelocityEnsembleConfig;
  epoch: number;
  step: number;
  seed: number;
  bestValMape: number;
  history: VelocityEpoch[];
}

const FILES = { last: 'last', best: 'best', state: 'state.json' } as const;

export class VelocityTrainingError extends Error {}

function batchTensors(samples: VelocitySamples, indices: readonly number[], params: VelocityEnsembleConfig['params']) {
  const inputSize = params.samples * params.receivers * params.shots;
  const mapSize = params.output_size * params.output_size;
  const inputs = new Float32Array(indices.length * inputSize);
  const raw = new Float32Array(indices.length * inputSize);
  const truth = new Float32Array(indices.length * mapSize);
  indices.forEach((index, k) => {
    const { shots, velocity } = samples.read(index);
    raw.set(shots, k * inputSize);
    inputs.set(networkInput(shots, params), k * inputSize);
    truth.set(velocity, k * mapSize);
  });
  const n = indices.length;
  return {
    inputs: tf.tensor4d(inputs, [n, params.samples, params.receivers, params.shots]),
    recorded: tf.tensor4d(raw, [n, params.shots, params.samples, params.receivers]),
    truth: tf.tensor4d(truth, [n, params.output_size, params.output_size, 1]),
  };
}

function shuffled(count: number, seed: number): number[] {
  const random = seededRandom(seed);
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

function physicsSubsample(options: PhysicsOptions, config: VelocityEnsembleConfig): PhysicsSubsample {
  const params = config.params;
  const modeller = new DifferentiableModeller({
    nx: params.output_size,
    nz: params.output_size,
    spacingM: OPENFWI.spacingM,
    stepS: OPENFWI.sampleIntervalS,
    steps: options.steps,
    borderCells: options.borderCells,
    wavelet: rickerSourceWavelet(OPENFWI.peakHz, options.steps, OPENFWI.sampleIntervalS),
    minVelocity: params.min_velocity,
    maxVelocity: params.max_velocity,
    receiverRow: OPENFWI.surfaceRow,
  });
  const sources = options.shots.map((shot) => {
    const column = OPENFWI.sourceColumns[shot];
    if (column === undefined) throw new VelocityTrainingError(`shot ${shot}: OpenFWI samples have shots 0 to 4`);
    return { shot, point: { x: column, z: OPENFWI.surfaceRow } };
  });
  return { modeller, sources, samples: options.samples };
}

/** Mean quality of the ensemble's maps over the validation samples (inference mode). */
async function validate(
  model: tfl.LayersModel,
  samples: VelocitySamples,
  config: VelocityEnsembleConfig,
  batchSize: number,
): Promise<{ mape: number; mae: number; ssim: number }> {
  const totals = { mape: 0, mae: 0, ssim: 0 };
  for (let first = 0; first < samples.count; first += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, samples.count - first) }, (_, k) => first + k);
    const { inputs, recorded, truth } = batchTensors(samples, indices, config.params);
    const [ensemble] = model.predict(inputs) as tf.Tensor[];
    const predicted = (await ensemble!.data()) as Float32Array;
    const expected = (await truth.data()) as Float32Array;
    const mapSize = config.params.output_size ** 2;
    indices.forEach((_, k) => {
      const quality = velocityMapQuality(
        expected.subarray(k * mapSize, (k + 1) * mapSize),
        predicted.subarray(k * mapSize, (k + 1) * mapSize),
      );
      totals.mape += quality.mape;
      totals.mae += quality.mae;
      totals.ssim += quality.ssim;
    });
    tf.dispose([inputs, recorded, truth, ensemble!]);
  }
  const n = samples.count;
  return { mape: totals.mape / n, mae: totals.mae / n, ssim: totals.ssim / n };
}

/** The model card of a checkpoint: what the ensemble is, how it was trained, and its validation figures. */
function velocityCard(state: VelocityTrainingState, provenance: VelocityTrainOptions['provenance']): ModelCard {
  const last = state.history[state.history.length - 1];
  return {
    name: 'velocity ensemble',
    task: 'velocity',
    architecture: state.config.architecture,
    config: state.config,
    training: {
      data: provenance?.data ?? '',
      seed: state.seed,
      epochs: state.epoch,
      command: provenance?.command ?? null,
      durationSeconds: state.history.reduce((sum, epoch) => sum + epoch.seconds, 0),
      hardware: provenance?.hardware ?? null,
      backend: tf.getBackend(),
    },
    metrics: last === undefined ? {} : { valMape: last.valMape, valMae: last.valMae, valSsim: last.valSsim },
    parentId: null,
    createdAt: new Date().toISOString(),
    notes: 'Velocity map (70 x 70 cells at 10 m) from five shot gathers in the OpenFWI layout.',
  };
}

async function writeCheckpoint(
  dir: string,
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
  state: VelocityTrainingState,
  card: ModelCard,
): Promise<void> {
  const staged = path.join(dir, `${FILES.last}.staging`);
  await rm(staged, { recursive: true, force: true });
  await saveModelFolder(staged, model, card);
  await writeOptimizerState(staged, optimizer);
  await writeFileAtomically(path.join(staged, FILES.state), JSON.stringify(state, null, 1));
  await swapIn(staged, path.join(dir, FILES.last));
}

async function writeBest(dir: string, model: tfl.LayersModel, card: ModelCard): Promise<void> {
  const staged = path.join(dir, `${FILES.best}.staging`);
  await rm(staged, { recursive: true, force: true });
  await saveModelFolder(staged, model, card);
  await swapIn(staged, path.join(dir, FILES.best));
}

async function readState(dir: string): Promise<VelocityTrainingState> {
  const last = path.join(dir, FILES.last);
  await recoverFolder(last);
  try {
    return JSON.parse(await readFile(path.join(last, FILES.state), 'utf8')) as VelocityTrainingState;
  } catch (error) {
    throw new VelocityTrainingError(
      `${dir} holds no velocity training checkpoint to resume (${error instanceof Error ? error.message : error})`,
    );
  }
}

/** The physics term alone on one batch, forward and backward: its share of a step, for the epoch report. */
function timePhysics(subsample: PhysicsSubsample, recorded: tf.Tensor, truth: tf.Tensor): number {
  const started = performance.now();
  tf.tidy(() => {
    const variable = tf.variable(truth, true);
    const { grads } = tf.variableGrads(() => velocityLossPhysicsOnly(variable, recorded, subsample), [variable]);
    tf.dispose(Object.values(grads));
    variable.dispose();
  });
  return (performance.now() - started) / 1000;
}

function velocityLossPhysicsOnly(map: tf.Tensor, recorded: tf.Tensor, subsample: PhysicsSubsample): tf.Scalar {
  const weights = { mape: 0, l2: 0, gradient: 0, physics: 1 };
  return velocityLoss(map, map, map, { min: 1, max: 2 }, weights, { recorded, subsample }).total;
}

export interface TrainedVelocityEnsemble {
  bestModelDir: string;
  history: VelocityEpoch[];
}

export async function trainVelocityEnsemble(
  config: VelocityEnsembleConfig,
  training: VelocitySamples,
  validation: VelocitySamples,
  options: VelocityTrainOptions,
): Promise<TrainedVelocityEnsemble> {
  if (training.count === 0 || validation.count === 0) {
    throw new VelocityTrainingError('velocity training needs at least one training and one validation sample');
  }
  await mkdir(options.checkpointDir, { recursive: true });
  const state: VelocityTrainingState = options.resume
    ? await readState(options.checkpointDir)
    : { version: 1, config, epoch: 0, step: 0, seed: options.seed, bestValMape: Infinity, history: [] };
  const model = buildWithSeededInitialisers(state.seed, () => buildVelocityEnsemble(state.config.params));
  const optimizer = new AdamWOptimizer({ learningRate: options.learningRate, weightDecay: options.weightDecay });
  const subsample = options.weights.physics > 0 ? physicsSubsample(options.physics, state.config) : null;
  const range = { min: state.config.params.min_velocity, max: state.config.params.max_velocity };
  const schedule = {
    maxLearningRate: options.learningRate,
    minLearningRate: options.learningRate / 100,
    firstCycleSteps: options.firstCycleSteps,
    cycleGrowth: 2,
  };
  try {
    if (options.resume) {
      const last = path.join(options.checkpointDir, FILES.last);
      await loadWeightsInto(model, last);
      await restoreOptimizer(optimizer, last);
    }
    for (let epoch = state.epoch + 1; epoch <= options.epochs; epoch++) {
      const started = performance.now();
      const running = new RunningLoss();
      const order = shuffled(training.count, deriveSeed(state.seed, epoch));
      let physicsSecondsPerStep = 0;
      for (let first = 0; first < order.length; first += options.batchSize) {
        const { inputs, recorded, truth } = batchTensors(
          training,
          order.slice(first, first + options.batchSize),
          state.config.params,
        );
        if (first === 0 && subsample !== null) physicsSecondsPerStep = timePhysics(subsample, recorded, truth);
        optimizer.setLearningRate(warmRestartLearningRate(state.step, schedule));
        const { loss, gradientNorm } = clippedStep(
          model,
          optimizer,
          () => {
            const [ensemble, members] = model.apply(inputs, { training: true }) as [tf.Tensor, tf.Tensor];
            const physics = subsample === null ? null : { recorded, subsample };
            return velocityLoss(truth, ensemble, members, range, options.weights, physics).total;
          },
          options.maxGradientNorm,
        );
        running.add(loss);
        gradientNorm.dispose();
        tf.dispose([inputs, recorded, truth]);
        state.step += 1;
      }
      const quality = await validate(model, validation, state.config, options.batchSize);
      const record: VelocityEpoch = {
        epoch,
        trainLoss: await running.mean(),
        valMape: quality.mape,
        valMae: quality.mae,
        valSsim: quality.ssim,
        learningRate: optimizer.currentLearningRate,
        memberWeights: memberWeights(model),
        seconds: (performance.now() - started) / 1000,
        physicsSecondsPerStep,
      };
      state.epoch = epoch;
      state.history.push(record);
      if (quality.mape < state.bestValMape) {
        state.bestValMape = quality.mape;
        await writeBest(options.checkpointDir, model, velocityCard(state, options.provenance));
      }
      await writeCheckpoint(options.checkpointDir, model, optimizer, state, velocityCard(state, options.provenance));
      options.onEpoch?.(record);
    }
    return { bestModelDir: path.join(options.checkpointDir, FILES.best), history: state.history };
  } finally {
    model.dispose();
    optimizer.dispose();
    subsample?.modeller.dispose();
  }
}
