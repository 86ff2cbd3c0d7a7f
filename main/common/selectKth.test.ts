import { describe, expect, it } from 'vitest';
import { selectKth, selectKthNearTop } from './selectKth';

describe('selectKth', () => {
  it('finds the k-th smallest of the first `count` values, as sorting does', () => {
    // Shuffled by a stride coprime with 23, with repeats.
    const values = Float64Array.from({ length: 101 }, (_, i) => ((i * 37) % 23) - 11);
    const sorted = Array.from(values.subarray(0, 80)).sort((a, b) => a - b);
    for (const k of [0, 1, 39, 40, 79]) expect(selectKth(Float64Array.from(values), k, 80)).toBe(sorted[k]);
  });

  it('leaves no smaller value after the k-th and no larger one before it', () => {
    const values = Float32Array.from([5, 1, 4, 1, 5, 9, 2, 6, 5, 3]);
    const median = selectKth(values, 4);
    expect(median).toBe(4);
    expect(Math.max(...values.subarray(0, 4))).toBeLessThanOrEqual(median);
    expect(Math.min(...values.subarray(5))).toBeGreaterThanOrEqual(median);
  });
});

describe('selectKthNearTop', () => {
  it('finds the same value as selectKth, repeats included, and leaves the values in place', () => {
    // Shuffled by a stride coprime with 1009, with repeats.
    const values = Float32Array.from({ length: 1000 }, (_, i) => ((i * 7919) % 1009) % 300);
    const before = Float32Array.from(values);
    for (const [k, count] of [
      [994, 1000],
      [999, 1000],
      [0, 1],
      [500, 900],
      [0, 900],
    ] as const) {
      expect(selectKthNearTop(values, k, count)).toBe(selectKth(Float32Array.from(values), k, count));
    }
    expect(values).toEqual(before);
  });
});
