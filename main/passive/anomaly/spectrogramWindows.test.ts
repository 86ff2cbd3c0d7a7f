import { describe, expect, it } from 'vitest';
import { spectrogram } from '../spectrogram';
import { normalLevelOf, robustZ } from './anomalyScores';
import {
  componentStatistics,
  normalizeWindows,
  RecordingTooShortError,
  spectrogramWindows,
  windowSettingsFor,
} from './spectrogramWindows';

/** Component c is a sine of frequency (c + 1) / 16 Hz at 1 sps, growing in amplitude through the record. */
function sines(length: number): Float32Array[] {
  return [0, 1, 2].map((c) =>
    Float32Array.from({ length }, (_, k) => (1 + k / 100) * Math.sin((2 * Math.PI * (c + 1) * k) / 16)),
  );
}

describe('spectrogram windows', () => {
  it('low-rate channels get 32-sample segments; 100 Hz channels the seed settings', () => {
    expect(windowSettingsFor(1)).toEqual({ nperseg: 32, noverlap: 24, nfft: 32, frames: 16, hopFrames: 4 });
    expect(windowSettingsFor(100)).toMatchObject({ nperseg: 256, noverlap: 192, nfft: 256 });
  });

  it('cuts each component spectrogram into [window, bin, frame, component] with the windows sample span', () => {
    const components = sines(600);
    const windows = spectrogramWindows(components, 1);
    // 600 samples: (600 - 24) / 8 = 72 frames; (72 - 16) / 4 + 1 = 15 windows of 15 * 8 + 32 = 152 s every 32 s.
    expect([windows.count, windows.frequencyBins, windows.components]).toEqual([15, 17, 3]);
    expect(Array.from(windows.startSeconds.slice(0, 3))).toEqual([0, 32, 64]);
    expect(windows.endSeconds[14]).toBe(14 * 32 + 152);
    const reference = spectrogram(components[2]!, {
      sampleRate: 1,
      nperseg: 32,
      noverlap: 24,
      nfft: 32,
      decibels: true,
    });
    const [w, f, t, c] = [3, 6, 5, 2];
    const frame = w * 4 + t;
    expect(windows.values[((w * 17 + f) * 16 + t) * 3 + c]).toBe(reference.values[frame * 17 + f]);
    // Component 2 (3/16 Hz) peaks at bin 6 (6/32 Hz) in every frame.
    expect(windows.values[((w * 17 + 6) * 16 + t) * 3 + 2]).toBeGreaterThan(
      windows.values[((w * 17 + 2) * 16 + t) * 3 + 2]!,
    );
  });

  it('standardises each component with the statistics of the windows given', () => {
    const windows = spectrogramWindows(sines(600), 1);
    const training = [0, 1, 2, 3, 4, 5, 6, 7];
    const statistics = componentStatistics(windows, training);
    const normalized = normalizeWindows(windows, statistics);
    const again = componentStatistics(normalized, training);
    again.mean.forEach((mean) => expect(mean).toBeCloseTo(0, 4));
    again.std.forEach((std) => expect(std).toBeCloseTo(1, 4));
  });

  it('says how long a recording must be', () => {
    expect(() => spectrogramWindows(sines(100), 1)).toThrow(RecordingTooShortError);
    expect(() => spectrogramWindows(sines(100), 1)).toThrow(/100 s long; one spectrogram window needs 152 s/);
  });
});

describe('anomaly scores', () => {
  it('robust z-score: (error - median) / (1.4826 MAD), unmoved by one outlier', () => {
    const level = normalLevelOf([1, 2, 3, 4, 100]);
    expect(level).toEqual({ median: 3, mad: 1 });
    expect(robustZ(3 + 1.4826 * 2, level)).toBeCloseTo(2, 12);
  });
});
