import { describe, expect, it } from 'vitest';
import { colormapTable } from './colormaps';
import { decibelRange, spectrogramPixels } from './spectrogramImage';

describe('spectrogram pictures', () => {
  it('shares one range between components, ignoring gaps and the most extreme values', () => {
    const a = Float32Array.from({ length: 1000 }, (_, i) => -150 + i * 0.1);
    const b = Float32Array.from([NaN, NaN, 500]);
    const range = decibelRange([a, b]);
    expect(range?.min).toBeCloseTo(-148, 0);
    expect(range?.max).toBeCloseTo(-50.5, 0);
    expect(decibelRange([new Float32Array([NaN])])).toBeNull();
  });

  it('puts low frequencies at the bottom, colours by the range and leaves gaps transparent', () => {
    // Two columns of three bins: column 0 from the minimum up to the maximum, column 1 a gap.
    const decibels = Float32Array.from([-100, -75, -50, NaN, NaN, NaN]);
    const pixels = spectrogramPixels(decibels, 2, 3, { min: -100, max: -50 });
    const table = colormapTable('viridis');
    const rgbaAt = (column: number, row: number) =>
      Array.from(pixels.subarray((row * 2 + column) * 4, (row * 2 + column) * 4 + 4));
    expect(rgbaAt(0, 2)).toEqual([table[0], table[1], table[2], 255]);
    expect(rgbaAt(0, 0)).toEqual([table[255 * 4], table[255 * 4 + 1], table[255 * 4 + 2], 255]);
    expect(rgbaAt(1, 1)).toEqual([0, 0, 0, 0]);
  });
});
