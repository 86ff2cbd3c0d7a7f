import { describe, expect, it } from 'vitest';
import { gaussian, seededRandom } from '../signal/random';
import {
  applyPatchScales,
  denormalizeSection,
  normalizeSection,
  patchScale,
  robustAmplitudeScale,
  scalePatches,
} from './normalization';

const shape = { traces: 50, samples: 200 };

function noiseSection(std: number, seed: number): Float32Array {
  const normal = gaussian(seededRandom(seed));
  return Float32Array.from({ length: shape.traces * shape.samples }, () => std * normal());
}

describe('robustAmplitudeScale', () => {
  it('takes the nearest-rank percentile of |a| and rounds it to a power of two', () => {
    // |a| = 1..200 on one trace: the 99.5th percentile by nearest rank is the 199th value.
    const ramp = Float32Array.from({ length: 200 }, (_, i) => (i % 2 ? -1 : 1) * (i + 1));
    const scale = robustAmplitudeScale(ramp, { traces: 1, samples: 200 });
    expect(scale.percentileValue).toBe(199);
    expect(scale.divisor).toBe(256);
    expect(robustAmplitudeScale(ramp, { traces: 1, samples: 200 }, 50).percentileValue).toBe(100);
  });

  it('ignores a few huge spikes', () => {
    const section = noiseSection(1000, 1);
    const reference = robustAmplitudeScale(section, shape);
    const spiked = section.slice();
    for (let k = 0; k < 20; k++) spiked[k * 499] = (k % 2 ? -1 : 1) * 1e9; // 0.2 % of the samples
    const scale = robustAmplitudeScale(spiked, shape);
    // The spikes only push the rank up by 0.2 % of the samples; the maximum would have grown a million-fold.
    expect(scale.percentileValue / reference.percentileValue).toBeGreaterThan(1);
    expect(scale.percentileValue / reference.percentileValue).toBeLessThan(1.1);
  });

  it('ignores dead traces and NaN samples', () => {
    const section = noiseSection(3, 2);
    const reference = robustAmplitudeScale(section, shape);
    const damaged = section.slice();
    damaged.fill(0, 0, 30 * shape.samples); // 30 of 50 traces dead
    for (let i = 40 * shape.samples; i < 40 * shape.samples + 50; i++) damaged[i] = Number.NaN;
    const expected = robustAmplitudeScale(damaged.subarray(30 * shape.samples), { traces: 20, samples: 200 });
    expect(robustAmplitudeScale(damaged, shape)).toEqual(expected);
    expect(Number.isFinite(expected.percentileValue)).toBe(true);
    expect(expected.divisor).toBe(reference.divisor);
  });

  it('gives divisor 1 when there is no live amplitude', () => {
    expect(robustAmplitudeScale(new Float32Array(10), { traces: 2, samples: 5 }).divisor).toBe(1);
  });
});

describe('normalizeSection / denormalizeSection', () => {
  it('round-trip exactly, bit for bit, over a wide amplitude range', () => {
    for (const std of [1e-6, 0.37, 12345.6]) {
      const section = noiseSection(std, 3);
      const scale = robustAmplitudeScale(section, shape);
      const normalized = normalizeSection(section, scale);
      expect(denormalizeSection(normalized, scale)).toEqual(section);
    }
  });

  it('brings the 99.5th percentile of |a| near 1', () => {
    const section = noiseSection(5000, 4);
    const normalized = normalizeSection(section, robustAmplitudeScale(section, shape));
    const percentile = robustAmplitudeScale(normalized, shape).percentileValue;
    expect(percentile).toBeGreaterThan(Math.SQRT1_2);
    expect(percentile).toBeLessThan(Math.SQRT2);
  });

  it('writes NaN and infinite samples as 0 for the model', () => {
    const scale = { divisor: 2, percentile: 99.5, percentileValue: 2 };
    expect(Array.from(normalizeSection(Float32Array.from([NaN, Infinity, 4]), scale))).toEqual([0, 0, 2]);
  });
});

describe('per-patch scaling', () => {
  const PATCH_VALUES = 32 * 32;

  /** Two 2-channel patches (amplitudes, mask) whose amplitudes differ by 2^10, the second with its first 8 traces zero. */
  function batch(): Float32Array {
    const normal = gaussian(seededRandom(4));
    const values = new Float32Array(2 * PATCH_VALUES * 2);
    for (let n = 0; n < 2; n++) {
      for (let i = 0; i < PATCH_VALUES; i++) {
        const missing = n === 1 && i % 32 < 8;
        values[(n * PATCH_VALUES + i) * 2] = missing ? 0 : normal() * (n === 0 ? 3 : 3 * 1024);
        values[(n * PATCH_VALUES + i) * 2 + 1] = missing ? 0 : 1;
      }
    }
    return values;
  }

  it('brings every patch amplitude channel to a 99.5th percentile of |a| in [0.71, 1.41], mask untouched', () => {
    const values = batch();
    const masks = values.filter((_, i) => i % 2 === 1);
    const scales = scalePatches(values, 2, PATCH_VALUES, 2);
    expect(scales[1]! / scales[0]!).toBe(1024);
    for (let n = 0; n < 2; n++) {
      expect(patchScale(values, n, PATCH_VALUES, 2)).toBe(1);
      const live = Array.from({ length: PATCH_VALUES }, (_, i) => Math.abs(values[(n * PATCH_VALUES + i) * 2]!))
        .filter((v) => v !== 0)
        .sort((x, y) => x - y);
      const percentile = live[Math.ceil(0.995 * live.length) - 1]!;
      expect(percentile).toBeGreaterThanOrEqual(0.7);
      expect(percentile).toBeLessThanOrEqual(1.42);
    }
    expect(values.filter((_, i) => i % 2 === 1)).toEqual(masks);
  });

  it('multiplying by the scales restores the patches bit for bit', () => {
    const original = batch();
    const values = original.slice();
    const scales = scalePatches(values, 2, PATCH_VALUES, 2);
    applyPatchScales(values, scales, PATCH_VALUES, 2, 'multiply');
    expect(values).toEqual(original);
  });

  it('gives a silent or all-missing patch scale 1', () => {
    expect(patchScale(new Float32Array(PATCH_VALUES), 0, PATCH_VALUES, 1)).toBe(1);
  });
});
