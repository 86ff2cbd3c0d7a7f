import { describe, expect, it } from 'vitest';
import { displayRange, looksZeroMean, symmetricClip } from './sectionMath';

/** Three traces of four samples, the middle one dead. */
const live = Uint8Array.from([1, 0, 1]);

describe('display ranges of a section', () => {
  const amplitudes = Float32Array.from([-4, 1, 2, 3, 99, 99, 99, 99, -1, -2, 4, 0]);
  const velocities = Float32Array.from([1480, 1500, 1600, 1700, 0, 0, 0, 0, 2000, 3000, 4000, 5313]);

  it('clips zero-mean amplitudes symmetrically at a percentile of |amplitude|, dead traces left out', () => {
    expect(symmetricClip(amplitudes, 3, 4, live, 100)).toBe(4);
    expect(displayRange(amplitudes, 3, 4, live, 'symmetric', 100)).toEqual({ centre: 0, half: 4 });
  });

  it('spans a velocity model from its minimum to its maximum', () => {
    expect(displayRange(velocities, 3, 4, live, 'minmax', 99)).toEqual({ centre: (1480 + 5313) / 2, half: 3833 / 2 });
  });

  it('spans percentiles on both sides for data not centred on zero', () => {
    // 8 live values: the 87.5th percentile is the 7th smallest (4000), the 12.5th the smallest (1480).
    expect(displayRange(velocities, 3, 4, live, 'percentile', 87.5)).toEqual({ centre: 2740, half: 1260 });
  });

  it('tells zero-mean amplitudes from all-positive quantities', () => {
    expect(looksZeroMean(amplitudes, 3, 4, live)).toBe(true);
    expect(looksZeroMean(velocities, 3, 4, live)).toBe(false);
    expect(looksZeroMean(new Float32Array(12), 3, 4, Uint8Array.from([0, 0, 0]))).toBe(true);
  });
});
