import { describe, expect, it } from 'vitest';
import { AmplitudeStatsAccumulator } from './amplitudeStats';

describe('AmplitudeStatsAccumulator', () => {
  it('matches values computed by hand, across chunks, ignoring NaN', () => {
    const stats = new AmplitudeStatsAccumulator();
    stats.add([1, -2, 3]);
    stats.add(new Float32Array([Number.NaN, -4]));
    const result = stats.result();
    expect(result.count).toBe(4);
    expect(result.min).toBe(-4);
    expect(result.max).toBe(3);
    expect(result.mean).toBeCloseTo(-0.5, 12);
    expect(result.rms).toBeCloseTo(Math.sqrt(30 / 4), 12);
  });

  it('estimates the 99th percentile of |a| within one histogram bin, even when the range widens', () => {
    const stats = new AmplitudeStatsAccumulator();
    const ramp = Float64Array.from({ length: 10000 }, (_, i) => (i + 1) / 10000);
    stats.add(ramp.subarray(0, 100)); // first chunk fixes a small range; later chunks widen it
    stats.add(ramp.subarray(100));
    expect(stats.result().p99Abs).toBeGreaterThan(0.985);
    expect(stats.result().p99Abs).toBeLessThan(0.995);
  });

  it('reports zeros for no data', () => {
    expect(new AmplitudeStatsAccumulator().result()).toEqual({ count: 0, min: 0, max: 0, mean: 0, rms: 0, p99Abs: 0 });
  });
});
