import { describe, expect, it } from 'vitest';
import { signalToNoiseDb } from '../signal/metrics';
import { seededRandom } from '../signal/random';
import { medianFilter, medianInPlace } from './medianFilter';
import { linearEventsSection } from './testSections';

const shape = { traces: 48, samples: 200 };
const smooth = linearEventsSection(shape, [
  { firstSample: 60, dip: 0, amplitude: 1 },
  { firstSample: 100, dip: 1, amplitude: -0.8 },
]);

/** The smooth section plus `count` spikes of +-5 at seeded random places away from the first and last trace. */
function withSpikes(count: number, seed: number, length = 1): Float32Array {
  const random = seededRandom(seed);
  const spiky = smooth.slice();
  for (let k = 0; k < count; k++) {
    const trace = 1 + Math.floor(random() * (shape.traces - 2));
    const sample = Math.floor(random() * (shape.samples - length));
    const sign = random() < 0.5 ? -1 : 1;
    for (let i = 0; i < length; i++) spiky[trace * shape.samples + sample + i] = 5 * sign;
  }
  return spiky;
}

describe('medianInPlace', () => {
  it('matches the median of a sorted copy, for odd and even counts', () => {
    const random = seededRandom(5);
    for (let count = 1; count <= 40; count++) {
      const values = Float64Array.from({ length: count }, () => Math.round(random() * 10));
      const sorted = [...values].sort((a, b) => a - b);
      const expected = count % 2 ? sorted[count >> 1]! : (sorted[count / 2 - 1]! + sorted[count / 2]!) / 2;
      expect(medianInPlace(values, count)).toBe(expected);
    }
  });
});

describe('medianFilter', () => {
  it('removes isolated spikes and keeps a smooth event (2d window, defaults)', () => {
    const spiky = withSpikes(60, 1);
    expect(signalToNoiseDb(smooth, spiky)).toBeLessThan(-3);
    const filtered = medianFilter(spiky, shape);
    expect(signalToNoiseDb(smooth, filtered)).toBeGreaterThan(15);
    expect(Math.max(...filtered.map(Math.abs))).toBeLessThan(1.1);
  });

  it('removes long bursts on single traces exactly with the spatial median, for a flat event', () => {
    const flat = linearEventsSection(shape, [{ firstSample: 80, dip: 0, amplitude: 1 }]);
    const bursts = flat.slice();
    for (const trace of [5, 20, 33]) bursts.fill(3, trace * shape.samples + 40, trace * shape.samples + 160);
    expect(medianFilter(bursts, shape, { mode: 'spatial' })).toEqual(flat);
  });

  it('follows the structure: with the dip of the event the spatial median keeps a dipping event exactly', () => {
    const dipping = linearEventsSection(shape, [{ firstSample: 20, dip: 3, amplitude: 1 }]);
    const inner = (values: Float32Array) => values.subarray(2 * shape.samples, (shape.traces - 2) * shape.samples);
    const alongDip = medianFilter(dipping, shape, { mode: 'spatial', windowTraces: 5, dip: 3 });
    expect(inner(alongDip)).toEqual(inner(dipping));
    const flatWindow = medianFilter(dipping, shape, { mode: 'spatial', windowTraces: 5 });
    expect(signalToNoiseDb(inner(dipping), inner(flatWindow))).toBeLessThan(6);
  });

  it('handles degenerate shapes', () => {
    expect(medianFilter(new Float32Array([4]), { traces: 1, samples: 1 })).toEqual(new Float32Array([4]));
    expect(medianFilter(new Float32Array(0), { traces: 0, samples: 9 })).toHaveLength(0);
    expect(medianFilter(new Float32Array([1, 9, 2]), { traces: 3, samples: 1 }, { windowTraces: 3 })).toEqual(
      new Float32Array([5, 2, 5.5]),
    );
  });

  it('rejects bad options with a typed error', () => {
    for (const options of [{ windowTraces: 4 }, { windowSamples: 0 }, { mode: 'box' as '2d' }, { dip: Number.NaN }]) {
      expect(() => medianFilter(smooth, shape, options)).toThrow(
        expect.objectContaining({ apiCode: 'invalid-argument' }),
      );
    }
    expect(() => medianFilter(smooth, shape, { windowTraces: 4 })).toThrow(/windowTraces must be an odd/);
  });
});
