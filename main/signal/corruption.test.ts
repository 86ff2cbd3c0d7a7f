import { describe, expect, it } from 'vitest';
import FFT from 'fft.js';
import {
  addNoiseAtSnr,
  applyTraceMask,
  bandLimitedNoise,
  gapTraceMask,
  gaussianNoise,
  intersectTraceMasks,
  liveTraceMask,
  maskChannel,
  randomTraceMask,
  regularTraceMask,
  spikeNoise,
  swellNoise,
  type TraceMask,
} from './corruption';
import { signalToNoiseDb } from './metrics';

const shape = { traces: 40, samples: 256 };

function cleanSection(): Float32Array {
  return Float32Array.from({ length: shape.traces * shape.samples }, (_, i) => Math.sin(i / 7) * (1 + (i % 13) / 13));
}

function liveCount(mask: TraceMask): number {
  return mask.reduce((sum, live) => sum + live, 0);
}

/** Fraction of a trace's energy at frequencies (cycles per sample) inside [low, high]. */
function energyFractionInBand(trace: Float32Array, low: number, high: number): number {
  const fft = new FFT(trace.length);
  const spectrum = fft.createComplexArray();
  fft.realTransform(spectrum, Float64Array.from(trace));
  fft.completeSpectrum(spectrum);
  let inside = 0;
  let total = 0;
  for (let k = 0; k < trace.length; k++) {
    const power = spectrum[2 * k] ** 2 + spectrum[2 * k + 1] ** 2;
    const frequency = Math.min(k, trace.length - k) / trace.length;
    total += power;
    if (frequency >= low && frequency <= high) inside += power;
  }
  return inside / total;
}

describe('noise models', () => {
  it('hit the target SNR within 0.01 dB, for every noise model', () => {
    const clean = cleanSection();
    const noises = [
      gaussianNoise(shape, 1),
      bandLimitedNoise(shape, 2, { low: 0.05, high: 0.15 }),
      swellNoise(shape, 3, { bursts: 4, maxTraces: 3, maxSamples: 120 }),
      spikeNoise(shape, 4, { density: 0.002, maxBurstSamples: 5 }),
    ];
    for (const noise of noises) {
      for (const target of [-5, 0, 3.5, 20]) {
        expect(Math.abs(signalToNoiseDb(clean, addNoiseAtSnr(clean, noise, target)) - target)).toBeLessThan(0.01);
      }
    }
  });

  it('are reproducible by seed and differ between seeds', () => {
    expect(gaussianNoise(shape, 5)).toEqual(gaussianNoise(shape, 5));
    expect(gaussianNoise(shape, 5)).not.toEqual(gaussianNoise(shape, 6));
    const band = { low: 0.1, high: 0.2 };
    expect(bandLimitedNoise(shape, 5, band)).toEqual(bandLimitedNoise(shape, 5, band));
    const swell = { bursts: 3, maxTraces: 4, maxSamples: 100 };
    expect(swellNoise(shape, 5, swell)).toEqual(swellNoise(shape, 5, swell));
    const spikes = { density: 0.01, maxBurstSamples: 3 };
    expect(spikeNoise(shape, 5, spikes)).toEqual(spikeNoise(shape, 5, spikes));
  });

  it('band-limited noise keeps its energy inside the band', () => {
    const noise = bandLimitedNoise(shape, 7, { low: 0.1, high: 0.2 });
    for (const t of [0, 17, 39]) {
      const trace = noise.subarray(t * shape.samples, (t + 1) * shape.samples);
      expect(energyFractionInBand(trace, 0.1, 0.2)).toBeGreaterThan(0.99);
    }
  });

  it('refuses an empty or out-of-range band', () => {
    expect(() => bandLimitedNoise(shape, 1, { low: 0.3, high: 0.2 })).toThrow('0 <= low < high <= 0.5');
    expect(() => bandLimitedNoise(shape, 1, { low: 0, high: 0.6 })).toThrow('0 <= low < high <= 0.5');
  });

  it('swell noise is low-frequency and confined to a few traces', () => {
    const noise = swellNoise(shape, 8, { bursts: 2, maxTraces: 3, maxSamples: 200 });
    const hit = Array.from({ length: shape.traces }, (_, t) =>
      noise.subarray(t * shape.samples, (t + 1) * shape.samples).some((v) => v !== 0),
    );
    const hitCount = hit.filter(Boolean).length;
    expect(hitCount).toBeGreaterThan(0);
    expect(hitCount).toBeLessThanOrEqual(6);
    const t = hit.indexOf(true);
    expect(energyFractionInBand(noise.subarray(t * shape.samples, (t + 1) * shape.samples), 0, 0.04)).toBeGreaterThan(
      0.9,
    );
  });

  it('isolated spikes touch one sample each', () => {
    const noise = spikeNoise(shape, 9, { density: 0.001, maxBurstSamples: 1 });
    const touched = noise.reduce((count, v) => count + (v !== 0 ? 1 : 0), 0);
    expect(touched).toBeLessThanOrEqual(Math.round(0.001 * noise.length));
    expect(touched).toBeGreaterThan(0);
  });

  it('refuses to set an SNR without signal or without noise', () => {
    expect(() => addNoiseAtSnr(new Float32Array(4), gaussianNoise({ traces: 1, samples: 4 }, 1), 10)).toThrow(
      'no energy',
    );
    expect(() => addNoiseAtSnr(new Float32Array([1, 2]), new Float32Array(2), 10)).toThrow('no energy');
  });
});

describe('trace masks', () => {
  it('random: exactly the requested fraction missing, reproducible by seed', () => {
    const mask = randomTraceMask(200, 0.3, 11);
    expect(liveCount(mask)).toBe(140);
    expect(randomTraceMask(200, 0.3, 11)).toEqual(mask);
    expect(randomTraceMask(200, 0.3, 12)).not.toEqual(mask);
    expect(liveCount(randomTraceMask(10, 0, 1))).toBe(10);
    expect(liveCount(randomTraceMask(10, 1, 1))).toBe(0);
  });

  it('regular decimation keeps every k-th trace from the offset', () => {
    expect(Array.from(regularTraceMask(7, 3))).toEqual([1, 0, 0, 1, 0, 0, 1]);
    expect(Array.from(regularTraceMask(7, 2, 1))).toEqual([0, 1, 0, 1, 0, 1, 0]);
    expect(Array.from(regularTraceMask(3, 1))).toEqual([1, 1, 1]);
  });

  it('gaps: the requested number of separate blocks of the requested width', () => {
    for (let seed = 0; seed < 20; seed++) {
      const mask = gapTraceMask(60, 3, 5, seed);
      expect(liveCount(mask)).toBe(45);
      const blocks = Array.from(mask)
        .join('')
        .split('1')
        .filter((run) => run.length > 0);
      expect(blocks).toEqual(['00000', '00000', '00000']);
    }
    expect(gapTraceMask(60, 3, 5, 4)).toEqual(gapTraceMask(60, 3, 5, 4));
    expect(Array.from(gapTraceMask(5, 2, 2, 0))).toEqual([0, 0, 1, 0, 0]);
    expect(() => gapTraceMask(5, 2, 3, 0)).toThrow('do not fit in 5 traces');
  });

  it('finds the dead traces of real data', () => {
    const section = Float32Array.from([0, 0, 1, 0, NaN, 0, 0, -2]);
    expect(Array.from(liveTraceMask(section, { traces: 4, samples: 2 }))).toEqual([0, 1, 0, 1]);
  });

  it('intersects masks, zeroes missing traces, and builds the mask channel', () => {
    const small = { traces: 3, samples: 2 };
    const mask = intersectTraceMasks(Uint8Array.from([1, 1, 0]), Uint8Array.from([0, 1, 1]));
    expect(Array.from(mask)).toEqual([0, 1, 0]);
    expect(Array.from(applyTraceMask(Float32Array.from([1, 2, 3, 4, 5, 6]), small, mask))).toEqual([0, 0, 3, 4, 0, 0]);
    expect(Array.from(maskChannel(mask, small))).toEqual([0, 0, 1, 1, 0, 0]);
    expect(() => maskChannel(mask, { traces: 4, samples: 2 })).toThrow('trace mask of 3 traces for 4 traces');
  });
});
