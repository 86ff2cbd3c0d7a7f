/**
 * A trained spectrogram detector on disk, one folder that is both the checkpoint (training resumes from it) and the
 * model `promethium detect --model` scores with:
 *
 *   detector.json    DetectorState: config, STFT and window settings, normalisation, split, history, normal level
 *   weights.bin      the model's weights (trainable and BatchNorm statistics), tfjs weight data; specs in weights.json
 *   optimizer.bin    Adam's iteration count and moments (ml/training/checkpoint.ts's encoding), specs in optimizer.json
 *
 * The model itself is rebuilt from the config, so the folder holds no topology to drift from the code. The folder is
 * written whole and swapped in by renames, as training checkpoints are, so a kill leaves the old or the new one.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { buildModel } from '../../ml/architectures';
import { parseModelConfig, type ModelConfig } from '../../ml/modelConfig';
import {
  CHECKPOINT_FILES,
  readTensors,
  recoverFolder,
  swapIn,
  writeOptimizerState,
  writeTensors,
  type TensorFiles,
} from '../../ml/training/checkpoint';
import { writeFileAtomically } from '../../files/atomicFile';
import type { ComponentStatistics, SpectrogramWindowSettings } from './spectrogramWindows';

export const DETECTOR_FILES = {
  state: 'detector.json',
  weights: 'weights.bin',
  weightSpecs: 'weights.json',
  optimizerWeights: CHECKPOINT_FILES.optimizerWeights,
  optimizerSpecs: CHECKPOINT_FILES.optimizerSpecs,
} as const;

export const DETECTOR_VERSION = 1;

export interface SpectrogramEpoch {
  epoch: number;
  /** Mean training MSE over the epoch's batches (normalised decibels). */
  trainLoss: number;
  /** Validation MSE and MAE, per component and over all, model in inference mode. */
  valMse: number[];
  valMae: number[];
  valLoss: number;
  seconds: number;
}

/** The reconstruction error of normal windows: median and median absolute deviation of a set of windows' errors. */
export interface NormalLevel {
  median: number;
  mad: number;
}

/**
 * Normal levels of the two parts of the training record. Windows the model was fitted to reconstruct better than ones
 * it never saw, so each window is scored against the level of its own part (anomalyScores.ts); a recording the
 * detector never saw is scored against the held-out level.
 */
export interface NormalLevels {
  training: NormalLevel;
  heldOut: NormalLevel;
}

export interface DetectorState {
  version: typeof DETECTOR_VERSION;
  station: string;
  channels: string[];
  sampleRate: number;
  config: ModelConfig;
  settings: SpectrogramWindowSettings;
  statistics: ComponentStatistics;
  /** Windows starting at or after this time (seconds from the first sample) are the validation part. */
  validationFromSeconds: number;
  seed: number;
  epoch: number;
  history: SpectrogramEpoch[];
  /** Measured when a training run ends; null in the folder of a run stopped before its last epoch. */
  normalLevels: NormalLevels | null;
}

export class DetectorFolderError extends Error {}

const WEIGHT_FILES: TensorFiles = { weights: DETECTOR_FILES.weights, specs: DETECTOR_FILES.weightSpecs };

/** Writes the folder whole under `<dir>.staging` and swaps it in (ml/training/checkpoint.ts's two renames). */
export async function writeDetectorFolder(
  dir: string,
  state: DetectorState,
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
): Promise<void> {
  const staged = `${dir}.staging`;
  await rm(staged, { recursive: true, force: true });
  await mkdir(staged, { recursive: true });
  await writeTensors(
    staged,
    WEIGHT_FILES,
    model.getWeights().map((tensor, index) => ({ name: `w${index}`, tensor })),
  );
  await writeOptimizerState(staged, optimizer);
  await writeFileAtomically(path.join(staged, DETECTOR_FILES.state), JSON.stringify(state, null, 2));
  await swapIn(staged, dir);
}

async function readJson(dir: string, name: string): Promise<unknown> {
  const file = path.join(dir, name);
  const text = await readFile(file, 'utf8').catch(() => {
    throw new DetectorFolderError(`${dir} is not a spectrogram detector folder (${name} is missing)`);
  });
  return JSON.parse(text) as unknown;
}

export async function readDetectorState(dir: string): Promise<DetectorState> {
  await recoverFolder(dir);
  const state = (await readJson(dir, DETECTOR_FILES.state)) as DetectorState;
  if (state.version !== DETECTOR_VERSION) {
    throw new DetectorFolderError(
      `${dir}: detector version ${String(state.version)}, this program reads ${DETECTOR_VERSION}`,
    );
  }
  return { ...state, config: parseModelConfig(state.config, path.join(dir, DETECTOR_FILES.state)) };
}

/** The model of a detector folder, built from its config and given its saved weights. */
export async function loadDetectorModel(dir: string, state: DetectorState): Promise<tfl.LayersModel> {
  const weights = (await readTensors(dir, WEIGHT_FILES)).map(({ tensor }) => tensor);
  const { model } = buildModel(state.config);
  try {
    if (weights.length !== model.weights.length) {
      throw new DetectorFolderError(`${dir}: ${weights.length} weight tensors for a model of ${model.weights.length}`);
    }
    model.setWeights(weights);
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    tf.dispose(weights);
  }
  return model;
}
