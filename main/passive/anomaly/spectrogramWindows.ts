/**
 * Spectrogram windows: the examples the spectrogram autoencoder learns from and scores. Each component's spectrogram
 * (decibels, spectrogram.ts) is cut into windows of `frames` STFT frames every `hopFrames` frames, laid out as the model
 * takes them: [window, frequency bin, frame, component].
 *
 * STFT settings by sample rate. The seed's (nperseg 256, noverlap 192, nfft 256) are for 100 Hz data: 2.56 s
 * segments every 0.64 s. At 1 sps (long-period LH channels) the same 256 samples are 4.3 minutes, longer than the
 * pre-event noise of a teleseismic record and too coarse to time an arrival; below 10 Hz the segments are therefore
 * 32 samples (32 s at 1 sps: 17 bins from 0 to 0.5 Hz, 1/32 Hz apart, enough to tell the microseism at 0.1-0.3 Hz from
 * surface waves at 0.02-0.05 Hz) every 8 samples. Windows are 16 frames every 4 at low rates (152 s every 32 s at
 * 1 sps, so that several fit in the few minutes before a teleseism's P wave) and 32 frames every 8 otherwise (22 s
 * every 5 s at 100 Hz).
 */
import * as tf from '@tensorflow/tfjs-core';
import { spectrogram, stftSettingsFor } from '../spectrogram';

export interface SpectrogramWindowSettings {
  nperseg: number;
  noverlap: number;
  nfft: number;
  /** STFT frames per window. */
  frames: number;
  /** Frames from one window's start to the next. */
  hopFrames: number;
}

export function windowSettingsFor(sampleRate: number): SpectrogramWindowSettings {
  const stft = stftSettingsFor(sampleRate);
  return stft.nperseg < 256 ? { ...stft, frames: 16, hopFrames: 4 } : { ...stft, frames: 32, hopFrames: 8 };
}

export interface SpectrogramWindows {
  settings: SpectrogramWindowSettings;
  frequencyBins: number;
  components: number;
  count: number;
  /** The spectrogram frame each window starts at, and the spectrograms' frame count. */
  firstFrames: Int32Array;
  totalFrames: number;
  /** [window, bin, frame, component], decibels (or normalised decibels after normalizeWindows). */
  values: Float32Array;
  /** Seconds from the recording's first sample to each window's first and past its last sample. */
  startSeconds: Float64Array;
  endSeconds: Float64Array;
}

export class RecordingTooShortError extends Error {
  readonly apiCode = 'invalid-argument';
}

/**
 * The windows of the components' spectrograms. With `coverEnd`, a last window ends on the last frame when the regular
 * ones stop short of it, so that every frame is in a window (a reconstruction of the whole recording needs that).
 */
export function spectrogramWindows(
  components: readonly Float32Array[],
  sampleRate: number,
  settings: SpectrogramWindowSettings = windowSettingsFor(sampleRate),
  coverEnd = false,
): SpectrogramWindows {
  const { nperseg, noverlap, nfft, frames, hopFrames } = settings;
  const stftHop = nperseg - noverlap;
  const samples = components[0]?.length ?? 0;
  const needed = (frames - 1) * stftHop + nperseg;
  if (samples < needed) {
    throw new RecordingTooShortError(
      `the recording is ${samples / sampleRate} s long; one spectrogram window needs ${needed / sampleRate} s ` +
        `(${frames} segments of ${nperseg} samples every ${stftHop} at ${sampleRate} Hz)`,
    );
  }
  const spectrograms = components.map((samples) =>
    spectrogram(samples, { sampleRate, nperseg, noverlap, nfft, decibels: true }),
  );
  const bins = nfft / 2 + 1;
  const totalFrames = spectrograms[0]!.times.length;
  const regular = Math.floor((totalFrames - frames) / hopFrames) + 1;
  const regularStarts = Int32Array.from({ length: regular }, (_, w) => w * hopFrames);
  const endUncovered = regularStarts.at(-1)! + frames < totalFrames;
  const starts = coverEnd && endUncovered ? Int32Array.from([...regularStarts, totalFrames - frames]) : regularStarts;
  const count = starts.length;
  const channels = components.length;
  const values = new Float32Array(count * bins * frames * channels);
  for (let w = 0; w < count; w++) {
    spectrograms.forEach(({ values: dB }, c) => {
      for (let t = 0; t < frames; t++) {
        const frame = starts[w]! + t;
        for (let f = 0; f < bins; f++) values[((w * bins + f) * frames + t) * channels + c] = dB[frame * bins + f]!;
      }
    });
  }
  const firstSample = (w: number) => starts[w]! * stftHop;
  return {
    settings,
    frequencyBins: bins,
    components: channels,
    count,
    values,
    firstFrames: starts,
    totalFrames,
    startSeconds: Float64Array.from({ length: count }, (_, w) => firstSample(w) / sampleRate),
    endSeconds: Float64Array.from({ length: count }, (_, w) => (firstSample(w) + needed) / sampleRate),
  };
}

/** Mean and standard deviation of each component's decibels over some windows (the training part). */
export interface ComponentStatistics {
  mean: number[];
  std: number[];
}

export function componentStatistics(windows: SpectrogramWindows, indices: readonly number[]): ComponentStatistics {
  const channels = windows.components;
  const perWindow = windows.frequencyBins * windows.settings.frames;
  const sum = new Float64Array(channels);
  const squares = new Float64Array(channels);
  for (const w of indices) {
    const base = w * perWindow * channels;
    for (let k = 0; k < perWindow * channels; k++) {
      const value = windows.values[base + k]!;
      const c = k % channels;
      sum[c] = sum[c]! + value;
      squares[c] = squares[c]! + value * value;
    }
  }
  const n = indices.length * perWindow;
  const mean = Array.from(sum, (s) => s / n);
  const std = Array.from(squares, (s, c) => Math.sqrt(Math.max(s / n - mean[c]! ** 2, 0)) || 1);
  return { mean, std };
}

/** The windows with each component's decibels standardised: (dB - mean) / std. */
export function normalizeWindows(windows: SpectrogramWindows, statistics: ComponentStatistics): SpectrogramWindows {
  const channels = windows.components;
  const values = windows.values.map(
    (value, k) => (value - statistics.mean[k % channels]!) / statistics.std[k % channels]!,
  );
  return { ...windows, values };
}

/** Some windows as one tensor, [windows, bins, frames, components]. */
export function windowBatch(windows: SpectrogramWindows, indices: readonly number[]): tf.Tensor4D {
  const size = windows.frequencyBins * windows.settings.frames * windows.components;
  const values = new Float32Array(indices.length * size);
  indices.forEach((w, i) => values.set(windows.values.subarray(w * size, (w + 1) * size), i * size));
  return tf.tensor4d(values, [indices.length, windows.frequencyBins, windows.settings.frames, windows.components]);
}
