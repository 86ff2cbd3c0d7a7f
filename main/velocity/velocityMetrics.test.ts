import { describe, expect, it } from 'vitest';
import { meanLateralSpread, velocityMapQuality } from './velocityMetrics';

const layered = () => Float32Array.from({ length: 70 * 70 }, (_, i) => 1500 + 40 * Math.floor(i / 70));

describe('velocityMapQuality', () => {
  it('is perfect for the true map', () => {
    expect(velocityMapQuality(layered(), layered())).toEqual({ mae: 0, rmse: 0, mape: 0, ssim: 1 });
  });

  it('measures errors in OpenFWI units: 1500-4500 m/s scaled to [-1, 1]', () => {
    const truth = layered();
    const slow = truth.map((v) => v - 150); // 150 m/s = 0.1 normalised units everywhere
    const quality = velocityMapQuality(truth, slow);
    expect(quality.mae).toBeCloseTo(0.1, 6);
    expect(quality.rmse).toBeCloseTo(0.1, 6);
    const expectedMape = (100 * truth.reduce((sum, v) => sum + 150 / v, 0)) / truth.length;
    expect(quality.mape).toBeCloseTo(expectedMape, 4);
    expect(quality.ssim).toBeLessThan(1);
  });

  it('refuses maps of different or non-square sizes', () => {
    expect(() => velocityMapQuality(new Float32Array(4), new Float32Array(9))).toThrow(/differ in size: 4 and 9/);
    expect(() => velocityMapQuality(new Float32Array(6), new Float32Array(6))).toThrow(/6 values is not square/);
  });
});

describe('meanLateralSpread', () => {
  it('is zero for flat layers and the standard deviation across columns for a lateral change', () => {
    expect(meanLateralSpread(layered())).toBe(0);
    // Left half 2000 m/s, right half 2200 m/s on every row: 100 m/s either side of the mean.
    const stepped = Float32Array.from({ length: 70 * 70 }, (_, i) => (i % 70 < 35 ? 2000 : 2200));
    expect(meanLateralSpread(stepped)).toBeCloseTo(100, 3);
  });

  it('refuses a map that is not square', () => {
    expect(() => meanLateralSpread(new Float32Array(6))).toThrow(/6 values is not square/);
  });
});
