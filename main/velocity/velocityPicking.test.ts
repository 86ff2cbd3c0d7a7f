import { describe, expect, it } from 'vitest';
import { smoothLaterally } from './velocityPicking';

describe('lateral smoothing of picked stacking velocities', () => {
  const positions = [0, 5, 10, 15, 20, 100];

  it('leaves a laterally constant function as it is', () => {
    const path = Float32Array.from([1800, 1800, 2100, 2400]);
    const smoothed = smoothLaterally(
      positions,
      positions.map(() => path),
      5,
    );
    for (const result of smoothed)
      expect(Array.from(result)).toEqual(Array.from(path).map((v) => expect.closeTo(v, 2)));
  });

  it('pulls a lone pick towards its neighbours, and leaves a location far beyond the width alone', () => {
    const paths = positions.map(() => Float32Array.from([2000, 2000]));
    paths[2] = Float32Array.from([2000, 2200]);
    paths[5] = Float32Array.from([3000, 3000]);
    const smoothed = smoothLaterally(positions, paths, 5);
    expect(smoothed[2]![0]).toBeCloseTo(2000, 0);
    expect(smoothed[2]![1]).toBeGreaterThan(2000);
    expect(smoothed[2]![1]).toBeLessThan(2100);
    expect(smoothed[1]![1]).toBeGreaterThan(2000);
    expect(smoothed[5]![1]).toBeCloseTo(3000, 0);
  });

  it('averages squared velocities, as Dix combines them', () => {
    const [smoothed] = smoothLaterally([0, 0], [Float32Array.of(3000), Float32Array.of(4000)], 1);
    expect(smoothed![0]).toBeCloseTo(Math.sqrt((3000 ** 2 + 4000 ** 2) / 2), 0);
  });
});
