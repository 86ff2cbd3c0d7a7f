/**
 * The spectrogram autoencoder's reconstruction of a whole recording, frame by frame: what the reconstruction view shows
 * (input, output and their difference, in decibels, for each component) and what the denoising mask is made from.
 *
 * The model sees windows of `frames` STFT frames; the windows overlap (a new one every `hopFrames` frames, and a last
 * one ending on the last frame), so each frame's output is the mean of the reconstructions of every window that holds
 * it, back in decibels (the model works on decibels standardised with its training statistics). MSE and MAE per
 * component are over every frame and bin of the recording, in dB^2 and dB.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { openDetectorFor } from '../anomaly/detection';
import type { DetectorState } from '../anomaly/detectorFolder';
import { normalizeWindows, spectrogramWindows, windowBatch } from '../anomaly/spectrogramWindows';
import type { StationRecording } from '../anomaly/stationRecording';

export interface ComponentReconstruction {
  /** `NET.STA.LOC.CHA`. */
  channel: string;
  /** Time-major, [frame * bins + bin], decibels of the power spectral density (spectrogram.ts). */
  input: Float32Array;
  output: Float32Array;
  /** output - input, dB. */
  difference: Float32Array;
  /** Mean squared difference (dB^2) and mean absolute difference (dB) over every frame and bin. */
  mse: number;
  mae: number;
}

export interface SpectrogramReconstruction {
  /** Hz, one per bin. */
  frequencies: Float64Array;
  /** Centre of each frame, seconds from the recording's first sample. */
  times: Float64Array;
  components: ComponentReconstruction[];
}

const PREDICTION_BATCH = 32;

export async function reconstructSpectrograms(
  model: tfl.LayersModel,
  state: DetectorState,
  recording: StationRecording,
): Promise<SpectrogramReconstruction> {
  const { settings, statistics } = state;
  const raw = spectrogramWindows(recording.components, recording.sampleRate, settings, true);
  const windows = normalizeWindows(raw, statistics);
  const { frequencyBins: bins, components, totalFrames } = windows;
  const { frames } = settings;
  // [component, frame of the recording, bin]: the input (the same in every window holding the frame) and the sum of
  // the windows' outputs. Float32 like the model's values: a day at 100 Hz is 17 M values per component.
  const input = new Float32Array(components * totalFrames * bins);
  const outputSum = new Float32Array(components * totalFrames * bins);
  const coverage = new Float64Array(totalFrames);
  const size = bins * frames * components; // values per window
  for (let first = 0; first < windows.count; first += PREDICTION_BATCH) {
    const indices = Array.from({ length: Math.min(PREDICTION_BATCH, windows.count - first) }, (_, i) => first + i);
    const batch = windowBatch(windows, indices);
    const prediction = tf.tidy(() => model.predict(batch) as tf.Tensor);
    const predicted = await prediction.data();
    tf.dispose([batch, prediction]);
    indices.forEach((w, i) => {
      const start = windows.firstFrames[w]!;
      for (let t = 0; t < frames; t++) coverage[start + t]! += 1;
      // Window values are [bin, frame, component].
      for (let f = 0; f < bins; f++) {
        for (let t = 0; t < frames; t++) {
          for (let c = 0; c < components; c++) {
            const k = (f * frames + t) * components + c;
            const at = (c * totalFrames + start + t) * bins + f;
            input[at] = raw.values[w * size + k]!;
            outputSum[at]! += predicted[i * size + k]! * statistics.std[c]! + statistics.mean[c]!;
          }
        }
      }
    });
  }
  return {
    frequencies: Float64Array.from({ length: bins }, (_, f) => (f * recording.sampleRate) / settings.nfft),
    times: Float64Array.from(
      { length: totalFrames },
      (_, t) => (settings.nperseg / 2 + t * (settings.nperseg - settings.noverlap)) / recording.sampleRate,
    ),
    components: recording.channels.map((channel, c) => {
      const part = (values: Float32Array) => values.subarray(c * totalFrames * bins, (c + 1) * totalFrames * bins);
      const output = part(outputSum).map((sum, k) => sum / coverage[Math.floor(k / bins)]!);
      return componentReconstruction(channel, part(input).slice(), output);
    }),
  };
}

function componentReconstruction(channel: string, input: Float32Array, output: Float32Array): ComponentReconstruction {
  const difference = output.map((value, k) => value - input[k]!);
  let squared = 0;
  let absolute = 0;
  for (const d of difference) {
    squared += d * d;
    absolute += Math.abs(d);
  }
  return { channel, input, output, difference, mse: squared / difference.length, mae: absolute / difference.length };
}

/** The reconstruction view's data for a recording and a finished detector folder (`train --task spectrogram`). */
export async function reconstructionWithDetector(
  recording: StationRecording,
  modelDir: string,
): Promise<SpectrogramReconstruction> {
  const { state, model } = await openDetectorFor(recording, modelDir);
  try {
    return await reconstructSpectrograms(model, state, recording);
  } finally {
    model.dispose();
  }
}
