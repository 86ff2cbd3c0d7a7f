/**
 * Anomaly scores: a window's reconstruction error (MSE over its bins, frames and components, normalised decibels)
 * against the normal level of the recording. On the record the detector was trained on, windows of the training part
 * are scored against the training windows' errors and held-out windows against the held-out ones: with one level, the
 * generalisation gap alone lifted every held-out window above the earthquake after 30 epochs on the COLA record. The
 * score is a robust z-score,
 * (error - median) / (1.4826 MAD): median and MAD are not pulled up by the few unusual windows the training part may
 * itself hold (an event among hours of noise), and 1.4826 makes the MAD a standard deviation for Gaussian errors, so
 * a score reads as "standard deviations above normal".
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { formatNs } from '../mseed';
import type { NormalLevel, NormalLevels } from './detectorFolder';
import { windowBatch, type SpectrogramWindows } from './spectrogramWindows';

const MAD_TO_STD = 1.4826;

export async function reconstructionErrors(
  model: tfl.LayersModel,
  windows: SpectrogramWindows,
  indices: readonly number[],
  batchSize: number,
): Promise<Float64Array> {
  const errors = new Float64Array(indices.length);
  for (let start = 0; start < indices.length; start += batchSize) {
    const batch = windowBatch(windows, indices.slice(start, start + batchSize));
    const perWindow = tf.tidy(() => tf.mean(tf.squaredDifference(model.predict(batch) as tf.Tensor, batch), [1, 2, 3]));
    errors.set(await perWindow.data(), start);
    tf.dispose([batch, perWindow]);
  }
  return errors;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return sorted.length % 2 === 1 ? sorted[Math.floor(middle)]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function normalLevelOf(errors: ArrayLike<number>): NormalLevel {
  const values = Array.from(errors);
  const center = median(values);
  return { median: center, mad: median(values.map((e) => Math.abs(e - center))) };
}

export function robustZ(error: number, level: NormalLevel): number {
  // A MAD of 0 (identical errors) would make every other error infinitely anomalous: fall back to a tiny spread.
  const spread = MAD_TO_STD * level.mad || Number.EPSILON;
  return (error - level.median) / spread;
}

export interface WindowScore {
  /** Window number in the recording, from 0. */
  window: number;
  startUtc: string;
  endUtc: string;
  startSeconds: number;
  endSeconds: number;
  error: number;
  score: number;
}

/**
 * The level each window of the training record is measured against: training windows against the training part's,
 * every other window (held out, or straddling the split and so in neither part) against the held-out part's.
 */
export function levelOnTrainingRecord(
  windows: SpectrogramWindows,
  levels: NormalLevels,
  validationFromSeconds: number,
): (window: number) => NormalLevel {
  return (window) => (windows.endSeconds[window]! <= validationFromSeconds ? levels.training : levels.heldOut);
}

/** Every window's score, highest first; `levelOf` gives the normal level a window is measured against. */
export function rankWindows(
  windows: SpectrogramWindows,
  errors: ArrayLike<number>,
  levelOf: (window: number) => NormalLevel,
  recordingStartNs: bigint,
): WindowScore[] {
  const utc = (seconds: number) => formatNs(recordingStartNs + BigInt(Math.round(seconds * 1e9)));
  return Array.from({ length: windows.count }, (_, window) => ({
    window,
    startUtc: utc(windows.startSeconds[window]!),
    endUtc: utc(windows.endSeconds[window]!),
    startSeconds: windows.startSeconds[window]!,
    endSeconds: windows.endSeconds[window]!,
    error: errors[window]!,
    score: robustZ(errors[window]!, levelOf(window)),
  })).sort((a, b) => b.score - a.score);
}
