import { describe, expect, it } from 'vitest';
import { signalToNoiseDb } from '../signal/metrics';
import { dipFromVelocity, fanWeight, fkFilter } from './fkFilter';
import { energy, linearEventsSection } from './testSections';

const shape = { traces: 64, samples: 256 };
const flat = linearEventsSection(shape, [{ firstSample: 100, dip: 0, amplitude: 1 }]);
const steep = linearEventsSection(shape, [{ firstSample: 0, dip: 4, amplitude: 1 }]);
const both = flat.map((value, i) => value + steep[i]!);

describe('fkFilter', () => {
  it('removes a steep linear event (4 samples per trace) and keeps a flat one with the default fan', () => {
    const filtered = fkFilter(both, shape);
    expect(signalToNoiseDb(flat, filtered)).toBeGreaterThan(20);
    const removed = both.map((value, i) => value - filtered[i]!);
    expect(signalToNoiseDb(steep, removed)).toBeGreaterThan(20);
  });

  it("keeps only the fan with action 'pass'", () => {
    expect(signalToNoiseDb(steep, fkFilter(both, shape, { action: 'pass' }))).toBeGreaterThan(20);
  });

  it('takes the fan as apparent velocities: 25 m traces at 4 ms, |v| below 3125 m/s is steeper than 2 samples/trace', () => {
    expect(dipFromVelocity(3125, 0.004, 25)).toBeCloseTo(2, 12);
    const byVelocity = fkFilter(both, shape, { velocities: { min: 1, max: 3125, dt: 0.004, traceSpacing: 25 } });
    const byDip = fkFilter(both, shape, { minDip: 2, maxDip: 25 / 0.004 });
    for (let i = 0; i < both.length; i++) expect(byVelocity[i]).toBeCloseTo(byDip[i]!, 5);
  });

  it('rejects only the fan between its edges', () => {
    const middle = linearEventsSection(shape, [{ firstSample: 30, dip: 2, amplitude: 1 }]);
    const section = both.map((value, i) => value + middle[i]!);
    const filtered = fkFilter(section, shape, { minDip: 1, maxDip: 3 });
    expect(signalToNoiseDb(both, filtered)).toBeGreaterThan(15);
  });

  it('tapers each edge with a raised cosine', () => {
    const fan = { action: 'reject', minDip: 2, maxDip: Infinity, taper: 0.2 } as const;
    const weights = [0, 1.79, 2, 2.21, 100, Infinity].map((dip) => fanWeight(dip, fan));
    [1, 1, 0.5, 0, 0, 0].forEach((expected, i) => expect(weights[i]).toBeCloseTo(expected, 12));
  });

  it('handles degenerate shapes', () => {
    expect(fkFilter(new Float32Array(0), { traces: 0, samples: 0 })).toHaveLength(0);
    expect(fkFilter(new Float32Array([3, 1]), { traces: 1, samples: 2 })).toEqual(new Float32Array([3, 1]));
    const odd = linearEventsSection({ traces: 7, samples: 33 }, [{ firstSample: 16, dip: 0, amplitude: 1 }]);
    expect(energy(fkFilter(odd, { traces: 7, samples: 33 }))).toBeGreaterThan(0);
  });

  it('rejects bad options with a typed error', () => {
    const cases = [
      { action: 'keep' as 'pass' },
      { minDip: -1 },
      { minDip: 3, maxDip: 2 },
      { taper: 2 },
      { velocities: { min: 0, max: 1000, dt: 0.004, traceSpacing: 25 } },
      { velocities: { min: 3000, max: 1000, dt: 0.004, traceSpacing: 25 } },
    ];
    for (const options of cases) {
      expect(() => fkFilter(both, shape, options)).toThrow(expect.objectContaining({ apiCode: 'invalid-argument' }));
    }
  });
});
