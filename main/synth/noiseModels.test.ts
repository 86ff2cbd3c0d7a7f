import { describe, expect, it } from 'vitest';
import { applyFootprint, groundRollNoise } from './noiseModels';

describe('acquisition footprint', () => {
  const shape = { traces: 64, samples: 50 };
  const ones = new Float32Array(shape.traces * shape.samples).fill(1);
  const striped = applyFootprint(ones, shape, 0, {
    strength: 0.2,
    periodCrosslines: 8,
    periodInlines: 0,
    sampleIntervalMs: 4,
  });
  const atSample = (n: number) =>
    Float64Array.from({ length: shape.traces }, (_, xl) => striped[xl * shape.samples + n]!);

  it('repeats with the line spacing along the inline (period 8 crosslines)', () => {
    const shallow = atSample(0);
    for (let xl = 0; xl + 8 < shape.traces; xl++) expect(shallow[xl + 8]).toBeCloseTo(shallow[xl]!, 6);
    // The strongest non-zero frequency of the stripes is 64 / 8 = 8 cycles over the section.
    const power = (k: number) => {
      let re = 0;
      let im = 0;
      shallow.forEach((v, xl) => {
        re += v * Math.cos((2 * Math.PI * k * xl) / shape.traces);
        im += v * Math.sin((2 * Math.PI * k * xl) / shape.traces);
      });
      return re * re + im * im;
    };
    const strongest = [...Array(32).keys()].slice(1).reduce((best, k) => (power(k) > power(best) ? k : best), 1);
    expect(strongest).toBe(8);
    expect(Math.max(...shallow) - Math.min(...shallow)).toBeCloseTo(0.2, 5);
  });

  it('fades with time and also stripes across inlines', () => {
    const spread = (values: Float64Array) => Math.max(...values) - Math.min(...values);
    expect(spread(atSample(49))).toBeLessThan(0.9 * spread(atSample(0)));
    const inline0 = applyFootprint(ones, shape, 0, { strength: 0.2, sampleIntervalMs: 4 });
    const inline6 = applyFootprint(ones, shape, 6, { strength: 0.2, sampleIntervalMs: 4 });
    expect(inline0).not.toEqual(inline6);
    expect(applyFootprint(ones, shape, 12, { strength: 0.2, sampleIntervalMs: 4 })).toEqual(inline0);
  });
});

describe('ground roll', () => {
  it('arrives linearly with offset at the group velocity and decays with distance', () => {
    const offsets = [200, 400, 800];
    const samples = 1000;
    const noise = groundRollNoise(offsets, samples, 4, 9, {
      modes: 1,
      velocityRangeMps: [400, 400],
      frequencyRangeHz: [8, 8],
    });
    const peaks = offsets.map((_, k) => {
      const trace = noise.subarray(k * samples, (k + 1) * samples);
      let best = 0;
      trace.forEach((v, n) => {
        if (Math.abs(v) > Math.abs(trace[best]!)) best = n;
      });
      return { timeMs: best * 4, amplitude: Math.abs(trace[best]!) };
    });
    offsets.forEach((offsetM, k) => {
      // Within half a period (62 ms at 8 Hz) of offset / velocity.
      expect(Math.abs(peaks[k]!.timeMs - (1000 * offsetM) / 400)).toBeLessThan(63);
    });
    expect(peaks[2]!.amplitude).toBeLessThan(peaks[0]!.amplitude);
    expect(groundRollNoise(offsets, samples, 4, 9)).toEqual(groundRollNoise(offsets, samples, 4, 9));
  });
});
