import { describe, expect, it } from 'vitest';
import { fftSize, FxTransform, RealInverse, WavenumberTransform } from './fft2d';
import { seededRandom } from './random';

describe('fftSize', () => {
  it('is the next power of two, at least 2', () => {
    expect([0, 1, 2, 3, 1500, 1024].map(fftSize)).toEqual([2, 2, 2, 4, 2048, 1024]);
  });
});

describe('FxTransform', () => {
  it('round-trips a time window of a section whose length is not a power of two', () => {
    const traces = 3;
    const samples = 37;
    const section = Float32Array.from({ length: traces * samples }, (_, i) => Math.sin(i * 0.7) + (i % 5));
    const transform = new FxTransform(traces, 20);
    const fx = transform.createFx();
    transform.forward(section, samples, 10, fx);
    const window = new Float64Array(traces * 20);
    transform.inverse(fx, window);
    for (let t = 0; t < traces; t++) {
      for (let j = 0; j < 20; j++) expect(window[t * 20 + j]).toBeCloseTo(section[t * samples + 10 + j]!, 5);
    }
  });

  it('puts a cosine of 4 cycles per 32 samples in frequency bin 4 of each trace, frequency-major', () => {
    const samples = 32;
    const section = Float32Array.from({ length: 2 * samples }, (_, i) => Math.cos((2 * Math.PI * 4 * i) / samples));
    const transform = new FxTransform(2, samples);
    const fx = transform.createFx();
    transform.forward(section, samples, 0, fx);
    expect(transform.frequencies).toBe(17);
    for (let t = 0; t < 2; t++) {
      expect(fx[2 * (4 * 2 + t)]).toBeCloseTo(samples / 2, 4);
      expect(fx[2 * (3 * 2 + t)]).toBeCloseTo(0, 4);
    }
  });

  it('zeroes samples past the end of the traces and applies a taper', () => {
    const section = new Float32Array([1, 2, 3]);
    const transform = new FxTransform(1, 4);
    const fx = transform.createFx();
    transform.forward(section, 3, 1, fx, new Float64Array([0.5, 0.5, 0.5, 0.5]));
    const window = new Float64Array(4);
    transform.inverse(fx, window);
    expect([...window].map((v) => Math.round(v * 1e6) / 1e6)).toEqual([1, 1.5, 0, 0]);
  });
});

/** The textbook inverse DFT's real part, x[n] = Re (1/N) sum over all k of X[k] e^(2 pi i k n / N), the negative
 * frequencies the conjugates of bins 1..N/2-1. */
function referenceInverse(half: Float64Array, size: number): Float64Array {
  const bin = (k: number): [number, number] =>
    k <= size / 2 ? [half[2 * k]!, half[2 * k + 1]!] : [half[2 * (size - k)]!, -half[2 * (size - k) + 1]!];
  return Float64Array.from({ length: size }, (_, n) => {
    let sum = 0;
    for (let k = 0; k < size; k++) {
      const [re, im] = bin(k);
      const angle = (2 * Math.PI * k * n) / size;
      sum += re * Math.cos(angle) - im * Math.sin(angle);
    }
    return sum / size;
  });
}

describe('RealInverse', () => {
  it('matches the textbook inverse DFT of a real signal, imaginary parts of bins 0 and N/2 ignored', () => {
    const random = seededRandom(7);
    for (const size of [2, 4, 8, 64, 2048]) {
      const spectrum = Float64Array.from({ length: size + 2 }, () => random() - 0.5);
      const signal = new Float64Array(size + 3);
      new RealInverse(size).transform(spectrum, signal, 3, size);
      const expected = referenceInverse(spectrum, size);
      for (let n = 0; n < size; n++) expect(signal[3 + n]).toBeCloseTo(expected[n]!, 12);
    }
  });

  it('writes only the samples asked for', () => {
    const spectrum = new Float64Array(2 * 9).fill(1);
    const signal = new Float32Array(8).fill(-1);
    new RealInverse(16).transform(spectrum, signal, 2, 5);
    expect([...signal.subarray(0, 2), ...signal.subarray(7)]).toEqual([-1, -1, -1]);
    expect(signal[2]).toBeCloseTo(referenceInverse(spectrum, 16)[0]!, 6);
  });
});

describe('WavenumberTransform', () => {
  it('round-trips a slice, zero-padded beyond the last trace, and maps bins to signed wavenumbers', () => {
    const traces = 5;
    const fx = Float64Array.from({ length: 2 * traces * 2 }, (_, i) => i - 3);
    const space = new WavenumberTransform(traces);
    expect(space.size).toBe(8);
    space.loadSlice(fx, 1);
    expect([...space.space.subarray(2 * traces)]).toEqual(new Array(6).fill(0));
    space.forward();
    space.inverse();
    const copy = new Float64Array(fx.length);
    space.storeSlice(copy, 1);
    for (let i = 2 * traces; i < 4 * traces; i++) expect(copy[i]).toBeCloseTo(fx[i]!, 12);
    expect([0, 1, 4, 7].map((k) => space.wavenumber(k))).toEqual([0, 1 / 8, -0.5, -1 / 8]);
  });
});
