import { describe, expect, it } from 'vitest';
import { addNoiseAtSnr, gaussianNoise } from '../signal/corruption';
import { signalToNoiseDb } from '../signal/metrics';
import { fxDecon } from './fxDecon';
import { linearEventsSection } from './testSections';

const shape = { traces: 100, samples: 500 };
const clean = linearEventsSection(shape, [
  { firstSample: 80, dip: 0, amplitude: 1 },
  { firstSample: 150, dip: 2, amplitude: 0.8 },
  { firstSample: 450, dip: -1, amplitude: -0.6 },
]);

describe('fxDecon', () => {
  it.each([1, 2])(
    'improves the SNR of linear events in Gaussian noise at 0 dB by more than 10 dB (seed %i)',
    (seed) => {
      const noisy = addNoiseAtSnr(clean, gaussianNoise(shape, seed), 0);
      expect(signalToNoiseDb(clean, fxDecon(noisy, shape))).toBeGreaterThan(10);
    },
  );

  it.each([0, 1, -2])('keeps a noise-free linear event of dip %i almost unchanged (SNR > 28 dB)', (dip) => {
    const event = linearEventsSection(shape, [{ firstSample: 250, dip, amplitude: 1 }]);
    expect(signalToNoiseDb(event, fxDecon(event, shape))).toBeGreaterThan(28);
  });

  it('zeroes frequencies outside [fmin, fmax]', () => {
    const dt = 0.004;
    // A slow sin^2 envelope over each trace spares the abrupt trace ends, whose transients reach every frequency.
    const sinusoid = (hz: number) =>
      Float32Array.from({ length: 20 * 250 }, (_, i) => {
        const s = i % 250;
        return Math.sin((Math.PI * (s + 0.5)) / 250) ** 2 * Math.cos(2 * Math.PI * hz * s * dt);
      });
    const outside = fxDecon(sinusoid(62.5), { traces: 20, samples: 250 }, { fmin: 5, fmax: 40, dt });
    expect(Math.max(...outside.map(Math.abs))).toBeLessThan(0.01);
    const inside = sinusoid(25);
    const kept = fxDecon(inside, { traces: 20, samples: 250 }, { fmin: 5, fmax: 40, dt });
    expect(signalToNoiseDb(inside, kept)).toBeGreaterThan(28);
  });

  it('handles degenerate shapes: too few traces to predict keep their band-limited input', () => {
    for (const degenerate of [
      { traces: 1, samples: 300 },
      { traces: 3, samples: 300 },
      { traces: 30, samples: 1 },
      { traces: 0, samples: 10 },
    ]) {
      const section = linearEventsSection(degenerate, [{ firstSample: 150, dip: 0, amplitude: 1 }]);
      const result = fxDecon(section, degenerate);
      expect(result).toHaveLength(section.length);
      expect(result.every(Number.isFinite)).toBe(true);
    }
    const single = linearEventsSection({ traces: 1, samples: 300 }, [{ firstSample: 150, dip: 0, amplitude: 1 }]);
    expect(signalToNoiseDb(single, fxDecon(single, { traces: 1, samples: 300 }))).toBeGreaterThan(28);
  });

  it('rejects bad options with a typed error', () => {
    const cases = [
      { dt: -0.004 },
      { fmin: 50, fmax: 10 },
      { fmax: 200 },
      { filterLength: 0 },
      { filterLength: 2.5 },
      { prewhitening: -0.1 },
      { windowTraces: 10, overlapTraces: 10 },
      { windowSeconds: 0 },
      { overlapSeconds: 2 },
    ];
    for (const options of cases) {
      expect(() => fxDecon(clean, shape, options)).toThrow(expect.objectContaining({ apiCode: 'invalid-argument' }));
    }
    expect(() => fxDecon(clean, shape, { fmax: 200 })).toThrow(/fmax must be between 0 and 125/);
  });
});
