import { describe, expect, it } from 'vitest';
import { deriveSeed } from '../signal/random';
import { velocityModel } from '../synth/velocityModels';
import { modelOpenFwiShots, OPENFWI } from './openfwiLayout';
import { semblanceVelocityMap } from './semblanceBaseline';
import { meanLateralSpread, velocityMapQuality } from './velocityMetrics';

describe('semblance + Dix baseline on OpenFWI-layout shots', () => {
  it('recovers the two upper layers of a flat model (the third has no reflection below it to measure)', () => {
    // 2000 m/s to 250 m, 2500 m/s to 500 m, 3000 m/s below.
    const truth = new Float32Array(70 * 70).fill(2000);
    truth.fill(2500, 25 * 70);
    truth.fill(3000, 50 * 70);
    const map = semblanceVelocityMap(modelOpenFwiShots(truth));
    for (const column of [15, 35, 54]) {
      const at = (depthCell: number) => map[depthCell * 70 + column]!;
      expect(Math.abs(at(10) / 2000 - 1)).toBeLessThan(0.03); // the direct wave's velocity
      expect(Math.abs(at(37) / 2500 - 1)).toBeLessThan(0.08); // Dix between the two reflections
    }
    const quality = velocityMapQuality(truth, map);
    expect(quality.mape).toBeLessThan(10);
  }, 120_000);

  it('gives a flat-layered earth laterally constant velocities (the demo model of the velocity panel, seed 11)', () => {
    const truth = velocityModel('flat', deriveSeed(11, 'flat', 0), OPENFWI.cells, OPENFWI.cells);
    const map = semblanceVelocityMap(modelOpenFwiShots(truth));
    // Before every location used the same offset range and the picks were smoothed laterally: 92 m/s, a band of
    // 1930 m/s against 2160-2320 m/s beside it below 380 m.
    expect(meanLateralSpread(map)).toBeLessThan(50);
  }, 120_000);

  it('refuses shots that are not 5 x 1000 x 70', () => {
    expect(() => semblanceVelocityMap(new Float32Array(100))).toThrow(/5 x 1000 x 70 values, these 100/);
  });
});
