import FFT from 'fft.js';
import { describe, expect, it } from 'vitest';
import { WaveletBank, addWavelet, rickerPeakAfterQ, sampledWavelet, waveletTable } from './wavelets';

const DT_MS = 4;

/** Amplitude spectrum of a short signal zero-padded to `size` points, and the frequency of each bin (Hz). */
function amplitudeSpectrum(signal: Float32Array, size = 4096): { amplitude: Float64Array; hz: (k: number) => number } {
  const padded = new Float64Array(size);
  padded.set(signal);
  const fft = new FFT(size);
  const spectrum: number[] = fft.createComplexArray();
  fft.realTransform(spectrum, padded);
  const amplitude = Float64Array.from({ length: size / 2 }, (_, k) =>
    Math.hypot(spectrum[2 * k]!, spectrum[2 * k + 1]!),
  );
  return { amplitude, hz: (k) => (k * 1000) / (DT_MS * size) };
}

function peakFrequency(signal: Float32Array): number {
  const { amplitude, hz } = amplitudeSpectrum(signal);
  let best = 0;
  for (let k = 1; k < amplitude.length; k++) if (amplitude[k]! > amplitude[best]!) best = k;
  return hz(best);
}

describe('wavelets', () => {
  it('a Ricker wavelet has its amplitude spectrum peak at the requested frequency, and a unit peak', () => {
    for (const peakHz of [15, 25, 40]) {
      const wavelet = sampledWavelet(waveletTable({ kind: 'ricker', peakHz }, DT_MS));
      expect(Math.abs(peakFrequency(wavelet) - peakHz)).toBeLessThan(0.3);
      expect(Math.max(...wavelet)).toBeCloseTo(1, 5);
    }
  });

  it('an Ormsby wavelet passes f2..f3 evenly and rejects above f4', () => {
    const wavelet = sampledWavelet(waveletTable({ kind: 'ormsby', cornersHz: [5, 10, 40, 55] }, DT_MS));
    const { amplitude } = amplitudeSpectrum(wavelet);
    const at = (f: number): number => amplitude[Math.round((f * DT_MS * 4096) / 1000)]!;
    const passband = [15, 20, 25, 30, 35].map(at);
    expect(Math.min(...passband) / Math.max(...passband)).toBeGreaterThan(0.9);
    expect(at(70) / at(25)).toBeLessThan(0.02);
    expect(at(2) / at(25)).toBeLessThan(0.2);
  });

  it('a 90 degree rotation makes the wavelet odd and keeps its amplitude spectrum', () => {
    const zero = sampledWavelet(waveletTable({ kind: 'ricker', peakHz: 25 }, DT_MS, { oversampling: 1 }));
    const rotated = sampledWavelet(
      waveletTable({ kind: 'ricker', peakHz: 25, phaseDeg: 90 }, DT_MS, { oversampling: 1 }),
    );
    const half = (rotated.length - 1) / 2;
    expect(Math.abs(rotated[half]!)).toBeLessThan(1e-3);
    for (let k = 1; k <= half; k++) expect(rotated[half + k]).toBeCloseTo(-rotated[half - k]!, 3);
    const a = amplitudeSpectrum(zero).amplitude;
    const b = amplitudeSpectrum(rotated).amplitude;
    const scale = Math.max(...b) / Math.max(...a);
    for (const k of [50, 100, 150, 200]) expect(b[k]! / scale).toBeCloseTo(a[k]!, 1);
  });

  it('constant-Q attenuation lowers the dominant frequency with travel time as predicted', () => {
    const bank = new WaveletBank({ kind: 'ricker', peakHz: 30 }, DT_MS, 3000, 60);
    let previous = Infinity;
    for (const timeMs of [0, 1000, 2000, 3000]) {
      const measured = peakFrequency(sampledWavelet(bank.at(timeMs)));
      expect(Math.abs(measured - rickerPeakAfterQ(30, timeMs, 60))).toBeLessThan(0.5);
      expect(measured).toBeLessThan(previous);
      previous = measured;
    }
  });

  it('places a reflection at a fractional sample time', () => {
    const table = waveletTable({ kind: 'ricker', peakHz: 25 }, DT_MS);
    const trace = new Float32Array(100);
    addWavelet(trace, 40.25, 1, table);
    // The sampled wavelet's symmetric neighbours are unequal by exactly the quarter-sample shift.
    expect(trace[40]!).toBeGreaterThan(trace[41]!);
    expect(trace[40]).toBeCloseTo(table.values[table.centre - 4]!, 6);
    expect(trace[41]).toBeCloseTo(table.values[table.centre + 12]!, 6);
  });
});
