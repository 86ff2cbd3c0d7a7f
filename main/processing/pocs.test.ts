import { describe, expect, it } from 'vitest';
import { addNoiseAtSnr, gaussianNoise, randomTraceMask } from '../ml/corruption';
import { signalToNoiseDb } from '../ml/metrics';
import { interpolateTracesLinear } from '../ml/patchIndex';
import { pocsInterpolate } from './pocs';
import { linearEventsSection, selectTraces } from './testSections';

const shape = { traces: 96, samples: 256 };
const clean = linearEventsSection(shape, [
  { firstSample: 40, dip: 0, amplitude: 1 },
  { firstSample: 60, dip: 2, amplitude: 0.8 },
  { firstSample: 230, dip: -2, amplitude: 0.7 },
  { firstSample: 120, dip: 1, amplitude: -0.5 },
]);
const mask = randomTraceMask(shape.traces, 0.5, 11);
const missing = (section: Float32Array) => selectTraces(section, shape, (t) => !mask[t]);
const live = (section: Float32Array) => selectTraces(section, shape, (t) => mask[t] === 1);

/** The recorded data: missing traces hold garbage, which the methods must ignore. */
const recorded = clean.map((value, i) => (mask[Math.floor(i / shape.samples)] ? value : 99));

describe('pocsInterpolate', () => {
  it('fills 50 % random missing traces of linear events far better than linear interpolation', () => {
    const pocs = signalToNoiseDb(missing(clean), missing(pocsInterpolate(recorded, shape, mask)));
    const linear = signalToNoiseDb(missing(clean), missing(interpolateTracesLinear(recorded, shape, mask)));
    expect(pocs).toBeGreaterThan(25);
    expect(pocs).toBeGreaterThan(linear + 15);
  });

  it('keeps the live traces exactly', () => {
    expect(live(pocsInterpolate(recorded, shape, mask))).toEqual(live(clean));
  });

  it('also converges with the linear threshold schedule and with time windows', () => {
    const linearSchedule = pocsInterpolate(recorded, shape, mask, { schedule: 'linear' });
    expect(signalToNoiseDb(missing(clean), missing(linearSchedule))).toBeGreaterThan(20);
    const windowed = pocsInterpolate(recorded, shape, mask, { windowSeconds: 0.5, overlapSeconds: 0.15 });
    expect(signalToNoiseDb(missing(clean), missing(windowed))).toBeGreaterThan(20);
  });

  it('with weighted re-insertion on noisy data, returns live traces cleaner than recorded when asked', () => {
    const noisy = addNoiseAtSnr(clean, gaussianNoise(shape, 4), 10);
    const options = { reinsertionWeight: 0.3, keepLiveTraces: false };
    const result = pocsInterpolate(noisy, shape, mask, options);
    expect(signalToNoiseDb(live(clean), live(result))).toBeGreaterThan(signalToNoiseDb(live(clean), live(noisy)) + 3);
  });

  it('handles degenerate cases: no live trace, every trace live, one trace, one sample, odd sizes', () => {
    expect(pocsInterpolate(recorded, shape, new Uint8Array(shape.traces))).toEqual(new Float32Array(clean.length));
    expect(pocsInterpolate(clean, shape, new Uint8Array(shape.traces).fill(1))).toEqual(clean);
    expect(pocsInterpolate(new Float32Array([1, 2, 3]), { traces: 1, samples: 3 }, new Uint8Array([1]))).toEqual(
      new Float32Array([1, 2, 3]),
    );
    const row = pocsInterpolate(new Float32Array([1, 0, 1]), { traces: 3, samples: 1 }, new Uint8Array([1, 0, 1]));
    expect(row.every(Number.isFinite)).toBe(true);
    expect(pocsInterpolate(new Float32Array(0), { traces: 0, samples: 5 }, new Uint8Array(0))).toHaveLength(0);
  });

  it('rejects bad options and a mask of the wrong length with a typed error', () => {
    const cases = [
      { iterations: 0 },
      { schedule: 'cubic' as 'linear' },
      { finalThreshold: 0 },
      { finalThreshold: 2 },
      { reinsertionWeight: 0 },
      { windowSeconds: -1 },
    ];
    for (const options of cases) {
      expect(() => pocsInterpolate(clean, shape, mask, options)).toThrow(
        expect.objectContaining({ apiCode: 'invalid-argument' }),
      );
    }
    expect(() => pocsInterpolate(clean, shape, new Uint8Array(3))).toThrow(/trace mask of 3 traces/);
  });
});
