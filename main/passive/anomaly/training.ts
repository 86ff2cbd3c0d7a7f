/**
 * Training the spectrogram autoencoder on one station's recording (the seed's train.py): spectrogram windows in
 * decibels, standardised per component with the training part's statistics, split by time (the last
 * `validationFraction` of the record validates; training windows end before the first validation window starts, so no
 * sample is in both), Adam on the MSE, the detector folder (weights + optimizer state + counters) written after every
 * epoch and resumed from.
 *
 * Why not ml/training/trainer.ts: that loop trains patch models on survey sections, with the task's corruption
 * (denoise, interpolate), survey-scale normalisation and a SEG-Y model card; here the target is the input itself,
 * examples are spectrogram windows of a recording, and the folder must also carry the STFT settings and the normal
 * error level that detection needs. What is shared is reused: the model registry, trainStep, the MSE, and the checkpoint's
 * tensor files, optimizer state and folder swap (detectorFolder.ts).
 *
 * Determinism: the weights start from a seeded He-normal draw (tfjs's initialisers draw from Math.random), and epoch e
 * shuffles with deriveSeed(seed, e), so a run, and a resumed run, is reproducible on one backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import path from 'node:path';
import { SPECTROGRAM_DETECTOR_EPOCHS } from '../../../preload/contract';
import { buildModel } from '../../ml/architectures';
import { configsDir } from '../../ml/configCatalog';
import { mse } from '../../ml/losses';
import type { ModelConfig } from '../../ml/modelConfig';
import { restoreOptimizer } from '../../ml/training/checkpoint';
import { RunningLoss, trainStep, trainingObjective } from '../../ml/trainStep';
import { deriveSeed, gaussian, seededRandom } from '../../signal/random';
import {
  DETECTOR_VERSION,
  loadDetectorModel,
  readDetectorState,
  writeDetectorFolder,
  type DetectorState,
  type NormalLevels,
  type SpectrogramEpoch,
} from './detectorFolder';
import { normalLevelOf, reconstructionErrors } from './anomalyScores';
import {
  componentStatistics,
  normalizeWindows,
  spectrogramWindows,
  windowBatch,
  windowSettingsFor,
  type SpectrogramWindows,
} from './spectrogramWindows';
import type { StationRecording } from './stationRecording';

/**
 * The seed's spectrogram autoencoder: bundled beside the section models' configs, in a folder of its own so that the
 * Train dialog (which offers the section models) does not list it.
 */
export function spectrogramConfigPath(): string {
  return path.join(configsDir(), 'passive', 'spectrogram_autoencoder.yaml');
}

/** What `promethium detect`, `train --task spectrogram` and the app's anomaly search train with unless told. */
export const SPECTROGRAM_TRAINING_DEFAULTS = {
  epochs: SPECTROGRAM_DETECTOR_EPOCHS,
  batchSize: 16,
  learningRate: 1e-3,
  validationFraction: 0.2,
  seed: 1,
};

export interface SpectrogramTrainingOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Fraction of the record, at its end, held out for validation. */
  validationFraction: number;
  seed: number;
  /** The detector folder: written after every epoch, read back when resuming. */
  modelDir: string;
  /** Continue from the folder's last epoch (its settings and normalisation kept). */
  resume: boolean;
  onEpoch?: (epoch: SpectrogramEpoch) => void;
}

export interface TrainedDetector {
  model: tfl.LayersModel;
  state: DetectorState;
  /** The recording's windows, normalised as the model saw them. */
  windows: SpectrogramWindows;
  /** The normal levels measured at the end (also in state). */
  normalLevels: NormalLevels;
}

export class SpectrogramTrainingError extends Error {}

/** Windows by time: training ones end before the first validation window starts. */
export function splitByTime(
  windows: SpectrogramWindows,
  validationFraction: number,
): { training: number[]; validation: number[]; validationFromSeconds: number } {
  const firstValidation = Math.min(windows.count - 1, Math.ceil(windows.count * (1 - validationFraction)));
  const validationFromSeconds = windows.startSeconds[firstValidation]!;
  const all = Array.from({ length: windows.count }, (_, w) => w);
  const training = all.filter((w) => windows.endSeconds[w]! <= validationFromSeconds);
  const validation = all.filter((w) => windows.startSeconds[w]! >= validationFromSeconds);
  if (training.length === 0 || validation.length === 0) {
    throw new SpectrogramTrainingError(
      `the recording gives ${windows.count} spectrogram windows, too few to keep ${Math.round(validationFraction * 100)}% ` +
        'of the record apart for validation: give a longer recording',
    );
  }
  return { training, validation, validationFromSeconds };
}

/** The config fitted to the recording: as many components and the window's size (bins x frames). */
function fittedConfig(config: ModelConfig, windows: SpectrogramWindows): ModelConfig {
  if (config.architecture !== 'spectrogram_autoencoder') {
    throw new SpectrogramTrainingError(
      `spectrogram detection needs a spectrogram_autoencoder, not a ${config.architecture}`,
    );
  }
  const params = {
    ...config.params,
    in_channels: windows.components,
    out_channels: windows.components,
    input_size: [windows.frequencyBins, windows.settings.frames] as [number, number],
  };
  return { architecture: config.architecture, params };
}

/** He-normal kernels from the run's seed (biases and BatchNorm keep their constant initial values). */
function seedKernels(model: tfl.LayersModel, seed: number): void {
  model.weights.forEach((weight, index) => {
    // originalName: tfjs makes names unique per process (enc0_conv/kernel_1 for the second model built).
    if (!weight.originalName.endsWith('/kernel')) return;
    const shape = weight.shape as number[]; // weights have fully known shapes
    const [height = 1, width = 1, inputs = 1] = shape;
    const scale = Math.sqrt(2 / (height * width * inputs));
    const normal = gaussian(seededRandom(deriveSeed(seed, 'kernel', index)));
    const size = shape.reduce((product, dimension) => product * dimension, 1);
    const tensor = tf.tensor(
      Float32Array.from({ length: size }, () => normal() * scale),
      shape,
    );
    weight.write(tensor);
    tensor.dispose();
  });
}

function shuffle(indices: readonly number[], seed: number): number[] {
  const random = seededRandom(seed);
  const result = [...indices];
  for (let i = result.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [result[i], result[j]] = [result[j]!, result[i]!];
  }
  return result;
}

/** Per-component and overall MSE and MAE of the reconstructions of some windows (inference mode). */
async function validate(
  model: tfl.LayersModel,
  windows: SpectrogramWindows,
  indices: readonly number[],
  batchSize: number,
): Promise<Pick<SpectrogramEpoch, 'valMse' | 'valMae' | 'valLoss'>> {
  const channels = windows.components;
  const squared = new Float64Array(channels);
  const absolute = new Float64Array(channels);
  for (let start = 0; start < indices.length; start += batchSize) {
    const batch = windowBatch(windows, indices.slice(start, start + batchSize));
    const sums = tf.tidy(() => {
      const difference = tf.sub(model.predict(batch) as tf.Tensor, batch);
      return tf.stack([tf.sum(tf.square(difference), [0, 1, 2]), tf.sum(tf.abs(difference), [0, 1, 2])]);
    });
    const values = await sums.data();
    for (let c = 0; c < channels; c++) {
      squared[c] = squared[c]! + values[c]!;
      absolute[c] = absolute[c]! + values[channels + c]!;
    }
    tf.dispose([batch, sums]);
  }
  const perComponent = indices.length * windows.frequencyBins * windows.settings.frames;
  const valMse = Array.from(squared, (s) => s / perComponent);
  const valMae = Array.from(absolute, (s) => s / perComponent);
  return { valMse, valMae, valLoss: valMse.reduce((a, b) => a + b, 0) / channels };
}

async function freshStart(
  recording: StationRecording,
  config: ModelConfig,
  options: SpectrogramTrainingOptions,
): Promise<{ state: DetectorState; model: tfl.LayersModel }> {
  const raw = spectrogramWindows(recording.components, recording.sampleRate, windowSettingsFor(recording.sampleRate));
  const { training, validationFromSeconds } = splitByTime(raw, options.validationFraction);
  const fitted = fittedConfig(config, raw);
  const { model } = buildModel(fitted);
  seedKernels(model, options.seed);
  const state: DetectorState = {
    version: DETECTOR_VERSION,
    station: recording.station,
    channels: recording.channels,
    sampleRate: recording.sampleRate,
    config: fitted,
    settings: raw.settings,
    statistics: componentStatistics(raw, training),
    validationFromSeconds,
    seed: options.seed,
    epoch: 0,
    history: [],
    normalLevels: null,
  };
  return { state, model };
}

async function resumedStart(
  recording: StationRecording,
  options: SpectrogramTrainingOptions,
): Promise<{ state: DetectorState; model: tfl.LayersModel }> {
  const state = await readDetectorState(options.modelDir);
  const same =
    state.station === recording.station &&
    state.channels.join() === recording.channels.join() &&
    state.sampleRate === recording.sampleRate;
  if (!same) {
    throw new SpectrogramTrainingError(
      `${options.modelDir} was trained on ${state.channels.join(', ')} at ${state.sampleRate} Hz, ` +
        `not ${recording.channels.join(', ')} at ${recording.sampleRate} Hz: resume on the same recording`,
    );
  }
  return { state, model: await loadDetectorModel(options.modelDir, state) };
}

export async function trainSpectrogramAutoencoder(
  recording: StationRecording,
  config: ModelConfig,
  options: SpectrogramTrainingOptions,
): Promise<TrainedDetector> {
  const { state, model } = options.resume
    ? await resumedStart(recording, options)
    : await freshStart(recording, config, options);
  const windows = normalizeWindows(
    spectrogramWindows(recording.components, recording.sampleRate, state.settings),
    state.statistics,
  );
  const { training, validation } = splitByTime(windows, options.validationFraction);
  const optimizer = tf.train.adam(options.learningRate);
  if (options.resume) await restoreOptimizer(optimizer, options.modelDir);
  const objective = trainingObjective(mse);
  for (let epoch = state.epoch + 1; epoch <= options.epochs; epoch++) {
    const started = performance.now();
    const running = new RunningLoss();
    const order = shuffle(training, deriveSeed(state.seed, epoch));
    for (let start = 0; start < order.length; start += options.batchSize) {
      const batch = windowBatch(windows, order.slice(start, start + options.batchSize));
      running.add(trainStep(model, optimizer, batch, batch, objective));
      batch.dispose();
    }
    const record: SpectrogramEpoch = {
      epoch,
      trainLoss: await running.mean(),
      ...(await validate(model, windows, validation, options.batchSize)),
      seconds: (performance.now() - started) / 1000,
    };
    state.epoch = epoch;
    state.history.push(record);
    await writeDetectorFolder(options.modelDir, state, model, optimizer);
    options.onEpoch?.(record);
  }
  // Once, after the last epoch: two more passes over the record each epoch cost 40% of a training epoch.
  const normalLevels: NormalLevels = {
    training: normalLevelOf(await reconstructionErrors(model, windows, training, options.batchSize)),
    heldOut: normalLevelOf(await reconstructionErrors(model, windows, validation, options.batchSize)),
  };
  state.normalLevels = normalLevels;
  await writeDetectorFolder(options.modelDir, state, model, optimizer);
  optimizer.dispose();
  return { model, state, windows, normalLevels };
}
