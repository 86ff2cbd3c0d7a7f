import { describe, expect, it } from 'vitest';
import { MAX_VELOCITY, MIN_VELOCITY, VELOCITY_FAMILIES, velocityModel } from './velocityModels';

const N = 70;
const at = (model: Float32Array, x: number, z: number): number => model[z * N + x]!;

/** Number of columns whose velocity profile differs from column 0's. */
function columnsUnlikeFirst(model: Float32Array): number {
  let count = 0;
  for (let x = 1; x < N; x++) {
    for (let z = 0; z < N; z++) {
      if (at(model, x, z) !== at(model, 0, z)) {
        count++;
        break;
      }
    }
  }
  return count;
}

describe('velocityModel', () => {
  it.each(VELOCITY_FAMILIES)('%s: the same seed gives the same model, within 1500-4500 m/s', (family) => {
    const model = velocityModel(family, 7, N, N);
    expect(velocityModel(family, 7, N, N)).toEqual(model);
    expect(velocityModel(family, 8, N, N)).not.toEqual(model);
    expect(Math.min(...model)).toBeGreaterThanOrEqual(MIN_VELOCITY);
    expect(Math.max(...model)).toBeLessThanOrEqual(MAX_VELOCITY);
  });

  it('flat: every column is the same profile of 2 to 5 layers, faster with depth', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const model = velocityModel('flat', seed, N, N);
      expect(columnsUnlikeFirst(model)).toBe(0);
      const profile = Array.from({ length: N }, (_, z) => at(model, 0, z));
      const velocities = [...new Set(profile)];
      expect(velocities.length).toBeGreaterThanOrEqual(2);
      expect(velocities.length).toBeLessThanOrEqual(5);
      expect(velocities).toEqual([...velocities].sort((a, b) => a - b));
    }
  });

  it('curved and faulted families vary laterally; the two sides of a fault differ', () => {
    for (const family of ['curved', 'flatfault', 'curvefault'] as const) {
      expect(columnsUnlikeFirst(velocityModel(family, 3, N, N))).toBeGreaterThan(0);
    }
    const faulted = velocityModel('flatfault', 3, N, N);
    const left = Array.from({ length: N }, (_, z) => at(faulted, 0, z));
    const right = Array.from({ length: N }, (_, z) => at(faulted, N - 1, z));
    expect(left).not.toEqual(right);
  });

  it('style: a smooth field (neighbouring cells differ far less than the whole range)', () => {
    const model = velocityModel('style', 11, N, N);
    let largestStep = 0;
    for (let z = 0; z < N; z++) {
      for (let x = 1; x < N; x++) largestStep = Math.max(largestStep, Math.abs(at(model, x, z) - at(model, x - 1, z)));
    }
    expect(largestStep).toBeLessThan((Math.max(...model) - Math.min(...model)) / 10);
  });
});
