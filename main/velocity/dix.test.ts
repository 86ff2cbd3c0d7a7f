import { describe, expect, it } from 'vitest';
import { dixIntervals, velocityAtDepths, type VelocityPick } from './dix';

/** RMS velocities at the bottom of each flat layer (thickness m, velocity m/s): what semblance would pick exactly. */
function rmsPicks(layers: ReadonlyArray<readonly [number, number]>): VelocityPick[] {
  let time = 0;
  let weighted = 0;
  return layers.map(([thickness, velocity]) => {
    const twoWay = (2 * thickness) / velocity;
    time += twoWay;
    weighted += velocity * velocity * twoWay;
    return { timeS: time, velocity: Math.sqrt(weighted / time) };
  });
}

const BOUNDS = { minVelocity: 1400, maxVelocity: 4600 };

describe('Dix conversion', () => {
  const layers = [
    [200, 1800],
    [150, 2600],
    [250, 3400],
  ] as const;

  it('recovers the interval velocities of flat layers from their RMS velocities', () => {
    const intervals = dixIntervals(rmsPicks(layers), BOUNDS);
    expect(intervals.map((i) => Math.round(i.velocity))).toEqual([1800, 2600, 3400, 3400]);
    expect(intervals[1]!.topS).toBeCloseTo((2 * 200) / 1800, 9);
    expect(intervals[3]!.bottomS).toBe(Infinity);
  });

  it('places the layers at their depths (200 m, 350 m) on a 10 m grid', () => {
    const profile = velocityAtDepths(dixIntervals(rmsPicks(layers), BOUNDS), 10, 70);
    expect(profile[19]).toBeCloseTo(1800, 0);
    expect(profile[20]).toBeCloseTo(2600, 0);
    expect(profile[34]).toBeCloseTo(2600, 0);
    expect(profile[35]).toBeCloseTo(3400, 0);
    expect(profile[69]).toBeCloseTo(3400, 0);
  });

  it('clips where the RMS velocity falls faster than a real layer allows', () => {
    const intervals = dixIntervals(
      [
        { timeS: 0.2, velocity: 3000 },
        { timeS: 0.3, velocity: 1500 },
      ],
      BOUNDS,
    );
    expect(intervals[1]!.velocity).toBe(1400);
  });
});
