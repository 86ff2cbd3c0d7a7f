import { describe, expect, it } from 'vitest';
import { interpolateTracesLinear } from './traceInterpolation';

describe('interpolateTracesLinear', () => {
  const shape = { traces: 6, samples: 2 };
  // Traces: [0, 10], x, x, [3, 40], x, x (x = missing, filled with junk that must be ignored).
  const section = Float32Array.from([0, 10, 99, 99, 99, 99, 3, 40, 99, 99, 99, 99]);

  it('mixes the live neighbours by distance and copies the nearest live trace at the ends', () => {
    const mask = Uint8Array.from([1, 0, 0, 1, 0, 0]);
    const result = Array.from(interpolateTracesLinear(section, shape, mask));
    expect(result.slice(0, 8)).toEqual([0, 10, 1, 20, 2, 30, 3, 40]);
    expect(result.slice(8)).toEqual([3, 40, 3, 40]);
  });

  it('copies before the first live trace, leaves live traces alone, and gives zeros with no live trace', () => {
    const mask = Uint8Array.from([0, 0, 0, 1, 0, 1]);
    const data = Float32Array.from([9, 9, 9, 9, 9, 9, 3, 40, 9, 9, 5, 0]);
    expect(Array.from(interpolateTracesLinear(data, shape, mask))).toEqual([3, 40, 3, 40, 3, 40, 3, 40, 4, 20, 5, 0]);
    expect(Array.from(interpolateTracesLinear(data, shape, new Uint8Array(6)))).toEqual(new Array(12).fill(0));
  });
});
