import { describe, expect, it } from 'vitest';
import { signalToNoiseDb } from '../../signal/metrics';
import { gaussian, seededRandom } from '../../signal/random';
import { spectralSubtraction } from './spectralSubtraction';
import { filterThroughStft } from './stftFilter';

const SETTINGS = { nperseg: 256, noverlap: 192, nfft: 256 };

function whiteNoise(length: number, rms: number, seed: number): Float32Array {
  const normal = gaussian(seededRandom(seed));
  return Float32Array.from({ length }, () => rms * normal());
}

describe('filtering through the STFT', () => {
  it('gives the samples back, offset included, with gains of one; the offset alone with gains of zero', () => {
    const samples = whiteNoise(3001, 100, 1).map((x) => x + 5000);
    const unchanged = filterThroughStft(samples, SETTINGS, ({ frames, bins }) =>
      new Float64Array(frames * bins).fill(1),
    );
    expect(unchanged.length).toBe(samples.length);
    unchanged.forEach((x, n) => expect(x).toBeCloseTo(samples[n]!, 1));
    const mean = samples.reduce((sum, x) => sum + x, 0) / samples.length;
    const emptied = filterThroughStft(samples, SETTINGS, ({ frames, bins }) => new Float64Array(frames * bins));
    emptied.forEach((x) => expect(x).toBeCloseTo(mean, 1));
  });
});

describe('spectral subtraction', () => {
  it('lifts the SNR of an event in white noise by more than 10 dB; a signal present all along is taken for noise', () => {
    // 5 Hz at 100 Hz, 2 minutes of noise as strong as the event, which fills 30 s of it (SNR 0 dB over the event).
    const event = Float32Array.from({ length: 12000 }, (_, n) =>
      n >= 4000 && n < 7000 ? 100 * Math.sin((2 * Math.PI * 5 * n) / 100) : 0,
    );
    const noise = whiteNoise(event.length, 100 / Math.SQRT2, 3);
    const noisy = noise.map((x, n) => x + event[n]!);
    const over = (x: Float32Array) => x.subarray(4000, 7000);
    const before = signalToNoiseDb(over(event), over(noisy));
    const after = signalToNoiseDb(over(event), over(spectralSubtraction(noisy, SETTINGS)));
    expect(before).toBeCloseTo(0, 0);
    expect(after - before).toBeGreaterThan(10);
    // The median noise estimate of a tone that never stops is the tone: subtracted, it does not come through.
    const tone = Float32Array.from(event, (_, n) => 100 * Math.sin((2 * Math.PI * 5 * n) / 100));
    const steady = noise.map((x, n) => x + tone[n]!);
    expect(signalToNoiseDb(tone, spectralSubtraction(steady, SETTINGS))).toBeLessThan(1);
  });

  it('takes steady noise down to about its floor (-20 dB of power)', () => {
    const noise = whiteNoise(12000, 50, 4);
    const energy = (x: Float32Array) => x.reduce((sum, v) => sum + v * v, 0);
    const removedDb = 10 * Math.log10(energy(noise) / energy(spectralSubtraction(noise, SETTINGS)));
    expect(removedDb).toBeGreaterThan(15);
    expect(removedDb).toBeLessThan(20);
  });
});
