import { describe, expect, it } from 'vitest';
import { taperedWindows } from './windows';

function coverage(length: number, windowLength: number, overlap: number): Float64Array {
  const total = new Float64Array(length);
  for (const window of taperedWindows(length, windowLength, overlap)) {
    expect(window.weights.length).toBe(window.length);
    for (let j = 0; j < window.length; j++) total[window.start + j]! += window.weights[j]!;
  }
  return total;
}

describe('taperedWindows', () => {
  it.each([
    [1500, 125, 50],
    [1000, 40, 20],
    [97, 10, 0],
    [64, 63, 62],
    [300, 256, 64],
  ])('weights sum to one everywhere (length %i, window %i, overlap %i)', (length, windowLength, overlap) => {
    for (const sum of coverage(length, windowLength, overlap)) expect(sum).toBeCloseTo(1, 12);
  });

  it('gives equal-length windows from the first to the last position, overlapping by at least the request', () => {
    const windows = taperedWindows(1000, 128, 32);
    expect(windows[0]!.start).toBe(0);
    expect(windows.at(-1)!.start + 128).toBe(1000);
    for (let i = 1; i < windows.length; i++) {
      expect(windows[i]!.length).toBe(128);
      expect(windows[i - 1]!.start + 128 - windows[i]!.start).toBeGreaterThanOrEqual(32);
    }
  });

  it('uses one flat window when the window is at least as long as the axis', () => {
    const [only, ...rest] = taperedWindows(10, 50, 20);
    expect(rest).toHaveLength(0);
    expect(only).toMatchObject({ start: 0, length: 10 });
    expect([...only!.weights]).toEqual(new Array(10).fill(1));
  });

  it('handles an empty axis', () => {
    expect(taperedWindows(0, 8, 2)).toEqual([{ start: 0, length: 0, weights: new Float64Array(0) }]);
  });
});
