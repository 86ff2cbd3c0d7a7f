import { describe, expect, it } from 'vitest';
import { fftSize, FxTransform, WavenumberTransform } from './fft2d';

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
