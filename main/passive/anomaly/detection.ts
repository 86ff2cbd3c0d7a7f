/**
 * Detection on a recording: train the spectrogram autoencoder on the record itself and rank its windows
 * (`promethium detect FILE`), or rank a recording's windows with a detector trained before (`--model DIR`).
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelConfig } from '../../ml/modelConfig';
import { formatNs } from '../mseed';
import { levelOnTrainingRecord, rankWindows, reconstructionErrors, type WindowScore } from './anomalyScores';
import {
  DetectorFolderError,
  loadDetectorModel,
  readDetectorState,
  type DetectorState,
  type NormalLevels,
} from './detectorFolder';
import { normalizeWindows, spectrogramWindows } from './spectrogramWindows';
import type { StationRecording } from './stationRecording';
import { trainSpectrogramAutoencoder, type SpectrogramTrainingOptions } from './training';

export interface DetectionReport {
  station: string;
  channels: string[];
  sampleRate: number;
  recordingStartUtc: string;
  /** The detector's training: epochs, per-component validation MSE and MAE of the last epoch. */
  detector: Pick<DetectorState, 'settings' | 'epoch' | 'normalLevels' | 'validationFromSeconds'> & {
    valMse: number[];
    valMae: number[];
  };
  /** Every window, highest score first. */
  ranked: WindowScore[];
}

const SCORING_BATCH = 32;

function detectorSummary(state: DetectorState): DetectionReport['detector'] {
  const last = state.history.at(-1);
  return {
    settings: state.settings,
    epoch: state.epoch,
    normalLevels: state.normalLevels,
    validationFromSeconds: state.validationFromSeconds,
    valMse: last?.valMse ?? [],
    valMae: last?.valMae ?? [],
  };
}

export async function trainAndDetect(
  recording: StationRecording,
  config: ModelConfig,
  options: SpectrogramTrainingOptions,
): Promise<DetectionReport> {
  const { model, state, windows, normalLevels } = await trainSpectrogramAutoencoder(recording, config, options);
  try {
    const all = Array.from({ length: windows.count }, (_, w) => w);
    const errors = await reconstructionErrors(model, windows, all, SCORING_BATCH);
    const levelOf = levelOnTrainingRecord(windows, normalLevels, state.validationFromSeconds);
    return report(recording, state, rankWindows(windows, errors, levelOf, recording.startNs));
  } finally {
    model.dispose();
  }
}

/**
 * A finished detector folder's state and model, checked against the recording it is to be used on: the same number of
 * components at the same sample rate.
 */
export async function openDetectorFor(
  recording: StationRecording,
  modelDir: string,
): Promise<{ state: DetectorState; levels: NormalLevels; model: tfl.LayersModel }> {
  const state = await readDetectorState(modelDir);
  const levels = state.normalLevels;
  if (levels === null) {
    throw new DetectorFolderError(
      `${modelDir}: its training stopped before the end (resume it with train --task spectrogram --resume)`,
    );
  }
  if (recording.channels.length !== state.channels.length || recording.sampleRate !== state.sampleRate) {
    throw new DetectorFolderError(
      `${modelDir} was trained on ${state.channels.join(', ')} at ${state.sampleRate} Hz; ` +
        `this recording has ${recording.channels.join(', ')} at ${recording.sampleRate} Hz`,
    );
  }
  return { state, levels, model: await loadDetectorModel(modelDir, state) };
}

/** Scores a recording with a saved detector: every window is new to it, so all meet the held-out level. */
export async function detectWithModel(recording: StationRecording, modelDir: string): Promise<DetectionReport> {
  const { state, levels, model } = await openDetectorFor(recording, modelDir);
  try {
    const windows = normalizeWindows(
      spectrogramWindows(recording.components, recording.sampleRate, state.settings),
      state.statistics,
    );
    const all = Array.from({ length: windows.count }, (_, w) => w);
    const errors = await reconstructionErrors(model, windows, all, SCORING_BATCH);
    const ranked = rankWindows(windows, errors, () => levels.heldOut, recording.startNs);
    return report(recording, state, ranked);
  } finally {
    model.dispose();
  }
}

function report(recording: StationRecording, state: DetectorState, ranked: WindowScore[]): DetectionReport {
  return {
    station: recording.station,
    channels: recording.channels,
    sampleRate: recording.sampleRate,
    recordingStartUtc: formatNs(recording.startNs),
    detector: detectorSummary(state),
    ranked,
  };
}
