import FFT from 'fft.js';
import { describe, expect, it } from 'vitest';
import { addNoiseAtSnr, gaussianNoise, randomTraceMask } from '../signal/corruption';
import { signalToNoiseDb } from '../signal/metrics';
import { interpolateTracesLinear } from '../signal/traceInterpolation';
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

/** 2D FFT (inverse when `inverse`) of a traces x samples complex array, both sizes powers of two, in place. */
function fft2d(data: Float64Array, traces: number, samples: number, inverse: boolean): void {
  const alongTime = new FFT(samples);
  const acrossTraces = new FFT(traces);
  const line = new Float64Array(2 * Math.max(traces, samples));
  const out = new Float64Array(line.length);
  const apply = (fft: FFT, input: Float64Array, output: Float64Array) =>
    inverse ? fft.inverseTransform(output, input) : fft.transform(output, input);
  for (let t = 0; t < traces; t++) {
    const row = data.subarray(2 * t * samples, 2 * (t + 1) * samples);
    apply(alongTime, row.slice(), row);
  }
  for (let s = 0; s < samples; s++) {
    for (let t = 0; t < traces; t++) line.set(data.subarray(2 * (t * samples + s), 2 * (t * samples + s) + 2), 2 * t);
    apply(acrossTraces, line.subarray(0, 2 * traces), out.subarray(0, 2 * traces));
    for (let t = 0; t < traces; t++) data.set(out.subarray(2 * t, 2 * t + 2), 2 * (t * samples + s));
  }
}

/** Abma & Kabir's POCS as written, with full 2D FFTs and every iteration run: the reference for the fast version. */
function referencePocs(
  d: Float32Array,
  traces: number,
  samples: number,
  live: Uint8Array,
  iterations: number,
  a: number,
) {
  const x = Float64Array.from(d);
  const spectrum = new Float64Array(2 * d.length);
  const toSpectrum = () => {
    spectrum.fill(0);
    x.forEach((value, i) => (spectrum[2 * i] = value));
    fft2d(spectrum, traces, samples, false);
  };
  toSpectrum();
  let largest = 0;
  for (let i = 0; i < d.length; i++) largest = Math.max(largest, Math.hypot(spectrum[2 * i]!, spectrum[2 * i + 1]!));
  for (let i = 0; i < iterations; i++) {
    const tau = largest * 0.01 ** (i / (iterations - 1));
    toSpectrum();
    for (let j = 0; j < d.length; j++) {
      if (Math.hypot(spectrum[2 * j]!, spectrum[2 * j + 1]!) < tau) spectrum[2 * j] = spectrum[2 * j + 1] = 0;
    }
    fft2d(spectrum, traces, samples, true);
    for (let j = 0; j < d.length; j++) {
      const isLive = live[Math.floor(j / samples)]!;
      x[j] = isLive ? a * d[j]! + (1 - a) * spectrum[2 * j]! : spectrum[2 * j]!;
    }
  }
  return x;
}

describe('pocsInterpolate', () => {
  it('fills 50 % random missing traces of linear events far better than linear interpolation', () => {
    const pocs = signalToNoiseDb(missing(clean), missing(pocsInterpolate(recorded, shape, mask)));
    const linear = signalToNoiseDb(missing(clean), missing(interpolateTracesLinear(recorded, shape, mask)));
    expect(pocs).toBeGreaterThan(25);
    expect(pocs).toBeGreaterThan(linear + 15);
  });

  it.each([1, 0.5])(
    'gives the result of 2D POCS as written, every iteration run, with re-insertion weight %s',
    (weight) => {
      const small = { traces: 16, samples: 32 };
      const section = linearEventsSection(small, [
        { firstSample: 8, dip: 1, amplitude: 1 },
        { firstSample: 24, dip: -1, amplitude: 0.5 },
      ]);
      const smallMask = randomTraceMask(16, 0.4, 3);
      const d = section.map((value, i) => (smallMask[Math.floor(i / 32)] ? value : 0));
      const options = { iterations: 30, reinsertionWeight: weight, keepLiveTraces: false, windowSeconds: 1 };
      const fast = pocsInterpolate(d, small, smallMask, options);
      const reference = referencePocs(d, 16, 32, smallMask, 30, weight);
      for (let i = 0; i < d.length; i++) expect(fast[i]).toBeCloseTo(reference[i]!, 4);
    },
  );

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
