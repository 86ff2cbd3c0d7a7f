/**
 * A trained spectrogram detector on disk, one folder that is both the checkpoint (training resumes from it) and the
 * model `promethium detect --model` scores with:
 *
 *   detector.json    DetectorState: config, STFT and window settings, normalisation, split, history, normal level
 *   weights.bin      the model's weights (trainable and BatchNorm statistics), tfjs weight data; specs in weights.json
 *   optimizer.bin    Adam's iteration count and moments (ml/training/checkpoint.ts's encoding), specs in optimizer.json
 *
 * The model itself is rebuilt from the config, so the folder holds no topology to drift from the code. The folder is
 * written whole under a temporary name and renamed (registry/modelFiles.ts writeModelFiles).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { buildModel } from '../../ml/architectures';
import { parseModelConfig, type ModelConfig } from '../../ml/modelConfig';
import { writeModelFiles } from '../../ml/registry/modelFiles';
import { CHECKPOINT_FILES, encodeOptimizer } from '../../ml/training/checkpoint';
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
  normalLevels: NormalLevels;
}

export class DetectorFolderError extends Error {}

export async function writeDetectorFolder(
  dir: string,
  state: DetectorState,
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
): Promise<void> {
  const named = model.getWeights().map((tensor, index) => ({ name: `w${index}`, tensor }));
  const weights = await tf.io.encodeWeights(named);
  const optimizerData = await encodeOptimizer(optimizer);
  const text = (value: unknown) => new TextEncoder().encode(JSON.stringify(value, null, 2));
  await writeModelFiles(
    dir,
    new Map([
      [DETECTOR_FILES.state, text(state)],
      [DETECTOR_FILES.weights, new Uint8Array(weights.data)],
      [DETECTOR_FILES.weightSpecs, text(weights.specs)],
      [DETECTOR_FILES.optimizerWeights, optimizerData.data],
      [DETECTOR_FILES.optimizerSpecs, text(optimizerData.specs)],
    ]),
  );
}

async function readJson(dir: string, name: string): Promise<unknown> {
  const file = path.join(dir, name);
  const text = await readFile(file, 'utf8').catch(() => {
    throw new DetectorFolderError(`${dir} is not a spectrogram detector folder (${name} is missing)`);
  });
  return JSON.parse(text) as unknown;
}

export async function readDetectorState(dir: string): Promise<DetectorState> {
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
  const specs = (await readJson(dir, DETECTOR_FILES.weightSpecs)) as tf.io.WeightsManifestEntry[];
  const bytes = await readFile(path.join(dir, DETECTOR_FILES.weights));
  const decoded = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), specs);
  const { model } = buildModel(state.config);
  const weights = specs.map(({ name }) => decoded[name]!);
  if (weights.length !== model.weights.length) {
    model.dispose();
    throw new DetectorFolderError(`${dir}: ${weights.length} weight tensors for a model of ${model.weights.length}`);
  }
  model.setWeights(weights);
  tf.dispose(weights);
  return model;
}
