import { describe, expect, it } from 'vitest';
import { bandpass, ormsbyGain } from './bandpass';

const dt = 0.004;
const samples = 1000;
const corners = [5, 10, 40, 60] as const;

/**
 * A sinusoid under a slow sin^2 envelope over the trace: the envelope widens its spectrum by only 1 / (4 s) = 0.25 Hz,
 * far less than the filter's 5 Hz ramps, while sparing the abrupt trace ends whose transients would ring.
 */
function sinusoid(frequencyHz: number, traces = 1): Float32Array {
  return Float32Array.from({ length: traces * samples }, (_, i) => {
    const s = i % samples;
    return Math.sin((Math.PI * (s + 0.5)) / samples) ** 2 * Math.sin(2 * Math.PI * frequencyHz * s * dt);
  });
}

/** Largest |output - gain x input| over the trace. */
function largestError(output: Float32Array, input: Float32Array, gain: number): number {
  let error = 0;
  for (let i = 0; i < input.length; i++) error = Math.max(error, Math.abs(output[i]! - gain * input[i]!));
  return error;
}

describe('ormsbyGain', () => {
  it('is a trapezoid: ramps, flat top, zero outside', () => {
    expect([0, 5, 7.5, 10, 25, 40, 50, 60, 70].map((f) => ormsbyGain(f, corners))).toEqual([
      0, 0, 0.5, 1, 1, 1, 0.5, 0, 0,
    ]);
  });
});

describe('bandpass', () => {
  it('keeps a sinusoid inside the band within 1 % of its amplitude, without phase shift', () => {
    const input = sinusoid(25, 2);
    expect(largestError(bandpass(input, { traces: 2, samples }, { corners, dt }), input, 1)).toBeLessThan(0.01);
  });

  it('removes sinusoids outside the band (below f1 and above f4) to under 1 % of their amplitude', () => {
    for (const frequency of [2, 80, 110]) {
      const input = sinusoid(frequency);
      expect(largestError(bandpass(input, { traces: 1, samples }, { corners, dt }), input, 0)).toBeLessThan(0.01);
    }
  });

  it('scales a sinusoid on a ramp by the trapezoid gain', () => {
    const input = sinusoid(50);
    expect(largestError(bandpass(input, { traces: 1, samples }, { corners, dt }), input, 0.5)).toBeLessThan(0.01);
  });

  it('is zero-phase: a spike becomes a symmetric wavelet centred on it', () => {
    const spike = new Float32Array(101);
    spike[50] = 1;
    const output = bandpass(spike, { traces: 1, samples: 101 }, { corners, dt });
    for (let lag = 1; lag <= 50; lag++) expect(output[50 - lag]).toBeCloseTo(output[50 + lag]!, 6);
    expect(Math.max(...output)).toBe(output[50]);
  });

  it('handles degenerate shapes', () => {
    expect(bandpass(new Float32Array(0), { traces: 0, samples: 7 }, { corners })).toHaveLength(0);
    expect(bandpass(new Float32Array([1]), { traces: 1, samples: 1 }, { corners })).toHaveLength(1);
    expect(bandpass(new Float32Array(3 * 77).fill(1), { traces: 3, samples: 77 }, { corners })).toHaveLength(231);
  });

  it('rejects corners out of order, f1 above Nyquist, a bad dt or a section of the wrong size with a typed error', () => {
    const shape = { traces: 1, samples: 4 };
    const section = new Float32Array(4);
    const cases = [
      () => bandpass(section, shape, { corners: [10, 5, 40, 60] }),
      () => bandpass(section, shape, { corners: [-1, 5, 40, 60] }),
      () => bandpass(section, shape, { corners: [200, 210, 220, 230] }),
      () => bandpass(section, shape, { corners, dt: 0 }),
      () => bandpass(section, { traces: 2, samples: 4 }, { corners }),
    ];
    for (const call of cases) expect(call).toThrow(expect.objectContaining({ apiCode: 'invalid-argument' }));
    expect(() => bandpass(section, shape, { corners: [10, 5, 40, 60] })).toThrow(/0 <= f1 <= f2 <= f3 <= f4/);
  });
});
