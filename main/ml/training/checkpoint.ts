/**
 * Training checkpoints. Layout of a checkpoint folder:
 *
 *   <checkpointDir>/last/   the state after the last completed epoch, everything needed to resume:
 *       model.json, weights.bin, card.json    the model (registry format, saveModelFolder)
 *       optimizer.bin, optimizer.json         AdamW's iteration count and moments (tf.io.encodeWeights data + specs)
 *       discriminator.bin/.json,              a GAN's discriminator: its weights (BatchNorm statistics included)
 *       discriminator-optimizer.bin/.json     and its own AdamW state, so that both networks resume where they were
 *       state.json                            TrainingState: epoch, schedule, seed, history, normalisation, split
 *   <checkpointDir>/best/   the model (model.json, weights.bin, card.json) of the epoch with the lowest validation loss
 *
 * Each folder is written complete under `<name>.staging/` and then swapped in by two renames (`<name>` ->
 * `<name>.previous`, staging -> `<name>`), so a kill at any moment leaves either the old or the new folder, each whole;
 * `recoverFolder` puts the previous one back when the kill fell between the renames. Keeping state.json inside `last/`
 * makes model, optimizer and counters one unit that cannot disagree.
 *
 * A run's state starts here too: freshState for a new run, checkResumable before continuing from `last/`, and
 * loadStartingWeights for the weights either begins with.
 */
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { EpochMetrics, ModelCard, ModelTask } from '../../../preload/contract';
import { renameDurably, writeFileAtomically } from '../../files/atomicFile';
import type { ModelConfig } from '../modelConfig';
import { loadModelFolder, saveModelFolder } from '../registry/modelFiles';
import type { PatchSourceSet, SourceNormalization } from './patchSource';
import { TrainingSchedule, type ScheduleState } from './schedule';
import { corruptionRecord, type CorruptionRecord } from './taskBatches';
import { corruptionOf, TrainingOptionsError, type TrainOptions } from './trainOptions';

export const CHECKPOINT_FILES = {
  last: 'last',
  best: 'best',
  state: 'state.json',
  optimizerWeights: 'optimizer.bin',
  optimizerSpecs: 'optimizer.json',
  discriminatorWeights: 'discriminator.bin',
  discriminatorSpecs: 'discriminator.json',
  discriminatorOptimizerWeights: 'discriminator-optimizer.bin',
  discriminatorOptimizerSpecs: 'discriminator-optimizer.json',
} as const;

/** A tensor with its label, as optimizers' getWeights returns them. */
type NamedTensor = { name: string; tensor: tf.Tensor };

/** The two files of one set of tensors: tf.io.encodeWeights data and its specs. */
export interface TensorFiles {
  weights: string;
  specs: string;
}

const OPTIMIZER_FILES: TensorFiles = {
  weights: CHECKPOINT_FILES.optimizerWeights,
  specs: CHECKPOINT_FILES.optimizerSpecs,
};
const DISCRIMINATOR_FILES: TensorFiles = {
  weights: CHECKPOINT_FILES.discriminatorWeights,
  specs: CHECKPOINT_FILES.discriminatorSpecs,
};
const DISCRIMINATOR_OPTIMIZER_FILES: TensorFiles = {
  weights: CHECKPOINT_FILES.discriminatorOptimizerWeights,
  specs: CHECKPOINT_FILES.discriminatorOptimizerSpecs,
};

export const TRAINING_STATE_VERSION = 1;

/** Everything about a run that is not a tensor, as saved after each epoch. */
export interface TrainingState {
  version: typeof TRAINING_STATE_VERSION;
  /** Epochs completed; a resumed run starts with epoch + 1. */
  epoch: number;
  task: ModelTask;
  config: ModelConfig;
  /** The run's seed: epoch e shuffles and corrupts with seeds derived from (seed, e), so resuming replays no draw. */
  seed: number;
  schedule: ScheduleState;
  optimizerIterations: number;
  history: EpochMetrics[];
  normalization: SourceNormalization[];
  /** Lines of the set (PatchSourceSet numbering) held out for validation; checked on resume against the data. */
  validationLines: number[];
  /** How pairs are made (synthetic corruption or blind-spot); checked on resume, so a run continues the same way. */
  corruption: CorruptionRecord;
  /** Pairs scaled per patch (trainer.ts); absent in checkpoints from before it existed, which did not. */
  patchScaling?: boolean;
  /** Fine-tuning: the base model's validation, the loss to beat (trainer.ts); absent otherwise and in older checkpoints. */
  baseline?: { valLoss: number; valSnrDb: number };
  trainingSeconds: number;
}

export class CheckpointError extends Error {
  readonly apiCode = 'invalid-argument';
}

async function exists(target: string): Promise<boolean> {
  return stat(target).then(
    () => true,
    () => false,
  );
}

/** If a swap was interrupted between its two renames, the previous folder becomes current again. */
export async function recoverFolder(dir: string): Promise<void> {
  const previous = `${dir}.previous`;
  if (!(await exists(dir)) && (await exists(previous))) await renameDurably(previous, dir);
  await rm(previous, { recursive: true, force: true });
}

/** Replaces `dir` by the complete folder `staged` with two renames (see the module comment). */
export async function swapIn(staged: string, dir: string): Promise<void> {
  const previous = `${dir}.previous`;
  await rm(previous, { recursive: true, force: true });
  if (await exists(dir)) await renameDurably(dir, previous);
  await renameDurably(staged, dir);
  await rm(previous, { recursive: true, force: true });
}

/** JSON has no Infinity or NaN (a perfect validation SNR is +Infinity dB): they travel as strings. */
function stringifyState(state: TrainingState): string {
  return JSON.stringify(
    state,
    (_, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value),
    2,
  );
}

/** A state as read from disk: checkpoints written before blind-spot training existed have no `corruption`. */
type StoredTrainingState = Omit<TrainingState, 'corruption'> & Partial<Pick<TrainingState, 'corruption'>>;

function parseState(text: string): StoredTrainingState {
  const special: Record<string, number> = { Infinity, '-Infinity': -Infinity, NaN };
  return JSON.parse(text, (_, value: unknown) =>
    typeof value === 'string' && value in special ? special[value] : value,
  ) as StoredTrainingState;
}

/** Writes tensors in order; names are only labels for tfjs, so an index prefix keeps them unique and ordered. */
export async function writeTensors(dir: string, files: TensorFiles, tensors: NamedTensor[]): Promise<void> {
  const named = tensors.map(({ name, tensor }, index) => ({
    name: `${String(index).padStart(5, '0')}:${name}`,
    tensor,
  }));
  const { data, specs } = await tf.io.encodeWeights(named);
  await writeFileAtomically(path.join(dir, files.weights), new Uint8Array(data));
  await writeFileAtomically(path.join(dir, files.specs), JSON.stringify(specs));
}

/** What writeTensors wrote, in its order, with the names it was given; the caller disposes the tensors. */
export async function readTensors(dir: string, files: TensorFiles): Promise<NamedTensor[]> {
  const specs = JSON.parse(await readFile(path.join(dir, files.specs), 'utf8')) as tf.io.WeightsManifestEntry[];
  const bytes = await readFile(path.join(dir, files.weights));
  const decoded = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), specs);
  return specs.map(({ name }) => ({ name: name.slice(name.indexOf(':') + 1), tensor: decoded[name]! }));
}

/** AdamW's weights: [iterations, first moments..., second moments...] in the optimizer's order. */
async function writeOptimizer(dir: string, files: TensorFiles, optimizer: tf.Optimizer): Promise<void> {
  const weights = await optimizer.getWeights();
  await writeTensors(dir, files, weights);
  weights[0]?.tensor.dispose(); // the iteration count is a fresh scalar; the moments are the optimizer's own variables
}

async function restoreOptimizerFrom(optimizer: tf.Optimizer, dir: string, files: TensorFiles): Promise<void> {
  const weights = await readTensors(dir, files);
  await optimizer.setWeights(weights);
  tf.dispose(weights.map(({ tensor }) => tensor)); // setWeights made variables of them, which hold their own references
}

/** Writes the optimizer's state into `dir` under the names restoreOptimizer reads. */
export async function writeOptimizerState(dir: string, optimizer: tf.Optimizer): Promise<void> {
  await writeOptimizer(dir, OPTIMIZER_FILES, optimizer);
}

/** Restores what writeLastCheckpoint saved of the optimizer: iteration count, bias corrections and moments. */
export async function restoreOptimizer(optimizer: tf.Optimizer, dir: string): Promise<void> {
  await restoreOptimizerFrom(optimizer, dir, OPTIMIZER_FILES);
}

/** A GAN's discriminator and its optimizer, as a checkpoint holds them. */
export interface DiscriminatorState {
  network: tfl.LayersModel;
  optimizer: tf.Optimizer;
}

/** Restores the discriminator's weights and its optimizer from the checkpoint folder `dir`. */
export async function restoreDiscriminator(discriminator: DiscriminatorState, dir: string): Promise<void> {
  const weights = await readTensors(dir, DISCRIMINATOR_FILES);
  try {
    if (weights.length !== discriminator.network.weights.length) {
      throw new CheckpointError(
        `${dir}: its discriminator has ${weights.length} weight tensors, this one ${discriminator.network.weights.length}`,
      );
    }
    discriminator.network.setWeights(weights.map(({ tensor }) => tensor));
  } finally {
    tf.dispose(weights.map(({ tensor }) => tensor));
  }
  await restoreOptimizerFrom(discriminator.optimizer, dir, DISCRIMINATOR_OPTIMIZER_FILES);
}

export interface CheckpointContent {
  model: tfl.LayersModel;
  card: ModelCard;
  optimizer: tf.Optimizer;
  state: TrainingState;
  discriminator?: DiscriminatorState;
}

/** Writes `<checkpointDir>/last` (model, optimizer, state) as one unit. */
export async function writeLastCheckpoint(checkpointDir: string, content: CheckpointContent): Promise<void> {
  const dir = path.join(checkpointDir, CHECKPOINT_FILES.last);
  const staged = `${dir}.staging`;
  await mkdir(checkpointDir, { recursive: true });
  await saveModelFolder(staged, content.model, content.card);
  await writeOptimizerState(staged, content.optimizer);
  if (content.discriminator !== undefined) {
    const { network, optimizer } = content.discriminator;
    const weights = network.weights.map((weight) => ({ name: weight.originalName, tensor: weight.read() }));
    await writeTensors(staged, DISCRIMINATOR_FILES, weights);
    await writeOptimizer(staged, DISCRIMINATOR_OPTIMIZER_FILES, optimizer);
  }
  await writeFileAtomically(path.join(staged, CHECKPOINT_FILES.state), stringifyState(content.state));
  await swapIn(staged, dir);
}

/** Writes `<checkpointDir>/best` (the model and its card). */
export async function writeBestModel(checkpointDir: string, model: tfl.LayersModel, card: ModelCard): Promise<void> {
  const dir = path.join(checkpointDir, CHECKPOINT_FILES.best);
  const staged = `${dir}.staging`;
  await saveModelFolder(staged, model, card);
  await swapIn(staged, dir);
}

/** The state of `<checkpointDir>/last`, or null when there is no checkpoint yet. */
export async function readLastState(checkpointDir: string): Promise<TrainingState | null> {
  const dir = path.join(checkpointDir, CHECKPOINT_FILES.last);
  await recoverFolder(dir);
  await recoverFolder(path.join(checkpointDir, CHECKPOINT_FILES.best));
  const file = path.join(dir, CHECKPOINT_FILES.state);
  if (!(await exists(file))) return null;
  const state = parseState(await readFile(file, 'utf8'));
  if (state.version !== TRAINING_STATE_VERSION) {
    throw new CheckpointError(
      `${file}: checkpoint version ${String(state.version)}, this program reads ${TRAINING_STATE_VERSION}`,
    );
  }
  // Checkpoints written before blind-spot training existed all used synthetic corruption.
  return { ...state, corruption: state.corruption ?? { kind: 'synthetic' } };
}

/** Copies the weights (trainable and BatchNorm statistics) of the model saved in `dir` into `model`, same architecture. */
export async function loadWeightsInto(model: tfl.LayersModel, dir: string): Promise<void> {
  const saved = await loadModelFolder(dir);
  try {
    const weights = saved.getWeights();
    const expected = model.getWeights().map((w) => w.shape.join('x'));
    const found = weights.map((w) => w.shape.join('x'));
    if (expected.join() !== found.join()) {
      throw new CheckpointError(
        `${dir}: its weights do not fit this architecture (${found.length} tensors for ${expected.length})`,
      );
    }
    model.setWeights(weights);
  } finally {
    saved.dispose();
  }
}

/** Removes a previous run's checkpoints before a fresh start, so that no stale `best/` outlives it. */
export async function clearCheckpoints(checkpointDir: string): Promise<void> {
  for (const name of [CHECKPOINT_FILES.last, CHECKPOINT_FILES.best]) {
    for (const suffix of ['', '.staging', '.staging.partial', '.previous']) {
      await rm(path.join(checkpointDir, name + suffix), { recursive: true, force: true });
    }
  }
}

/** The state of a fresh run, before its first epoch. */
export function freshState(
  options: TrainOptions,
  config: ModelConfig,
  data: PatchSourceSet,
  validationLines: number[],
  patchScaling: boolean,
): TrainingState {
  return {
    version: TRAINING_STATE_VERSION,
    epoch: 0,
    task: options.task,
    config,
    seed: options.seed,
    schedule: new TrainingSchedule(options.plateau, options.earlyStopping, { learningRate: options.learningRate })
      .state,
    optimizerIterations: 0,
    history: [],
    normalization: data.normalization,
    validationLines,
    corruption: corruptionRecord(corruptionOf(options)),
    patchScaling,
    trainingSeconds: 0,
  };
}

function describeCorruption(record: CorruptionRecord): string {
  if (record.kind === 'blind-spot') return `blind-spot (cell ${record.cell}, radius ${record.radius})`;
  if (record.kind === 'recorrupted') return `recorrupted (alpha ${record.alpha})`;
  return record.kind;
}

/** Rejects resuming a checkpoint with options or data that would not continue the same run. */
export function checkResumable(resumed: TrainingState, options: TrainOptions, validationLines: number[]): void {
  if (resumed.task !== options.task)
    throw new TrainingOptionsError(`the checkpoint trains a ${resumed.task} model, not ${options.task}`);
  if (resumed.seed !== options.seed)
    throw new TrainingOptionsError(`the checkpoint's seed is ${resumed.seed}, not ${options.seed}`);
  const corruption = corruptionRecord(corruptionOf(options));
  if (JSON.stringify(resumed.corruption) !== JSON.stringify(corruption)) {
    throw new TrainingOptionsError(
      `the checkpoint trains with ${describeCorruption(resumed.corruption)} corruption, not ${describeCorruption(corruption)}`,
    );
  }
  if (resumed.validationLines.join() !== validationLines.join()) {
    throw new TrainingOptionsError(
      'the lines of the training data changed since the checkpoint: its validation lines differ',
    );
  }
}

/** Loads the weights a run starts from: its checkpoint's when resuming, else the base model's when fine-tuning. */
export async function loadStartingWeights(
  model: tfl.LayersModel,
  options: TrainOptions,
  resumed: TrainingState | null,
): Promise<void> {
  if (resumed !== null) await loadWeightsInto(model, path.join(options.checkpointDir, CHECKPOINT_FILES.last));
  else if (options.initialModelDir !== undefined) await loadWeightsInto(model, options.initialModelDir);
}
