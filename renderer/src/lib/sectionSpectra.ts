/**
 * Spectra of the displayed section, computed here in the renderer with fft.js (the library of main/signal/fft2d.ts;
 * the renderer may not import main-process code): the average amplitude spectrum of the live traces, and the f-k
 * (frequency-wavenumber) amplitude spectrum in dB.
 *
 * Why in the renderer: the section (with the display's AGC, or an arbitrary line) is already here, so there is no
 * second read and no round trip, and the work stays off the main process's event loop (whose tasks must stay under
 * 50 ms; the f-k of a 1000 x 1500 line is about that). The viewer asks for it only while the Spectra panel is open,
 * a moment after the line settles, so browsing never waits for it.
 *
 * Conventions as in fft2d.ts: each trace zero-padded to a power of two along time (bins 0..n/2 kept, f = bin / (n dt)),
 * then each frequency slice zero-padded to a power of two of traces and transformed across traces; wavenumber bins are
 * shifted so that k = 0 is in the middle (k in cycles per trace, -0.5 .. 0.5).
 */
import FFT from 'fft.js';

export interface SectionSpectra {
  frequenciesHz: Float64Array;
  /** Mean |spectrum| of the live traces at each frequency. */
  amplitude: Float64Array;
  /** f-k amplitude in dB below its maximum (clamped at -FK_FLOOR_DB): rows are frequencies, columns wavenumbers. */
  fk: { db: Float32Array; wavenumbers: number; frequencies: number };
  /** Wavenumber of column c: (c - wavenumbers / 2) / wavenumbers cycles per trace. */
  nyquistHz: number;
}

/** The f-k image's dynamic range: 40 dB keeps the dips readable (60 dB greys out into sidelobes of the padding). */
export const FK_FLOOR_DB = 40;

/** Smallest power of two >= n, and at least 2 (fft.js's smallest transform). */
function fftSize(n: number): number {
  return Math.max(2, 2 ** Math.ceil(Math.log2(Math.max(1, n))));
}

export function sectionSpectra(
  values: Float32Array,
  traces: number,
  samples: number,
  live: Uint8Array,
  sampleIntervalS: number,
): SectionSpectra {
  const nt = fftSize(samples);
  const nf = nt / 2 + 1;
  const nx = fftSize(traces);
  const timeFft = new FFT(nt);
  const real = new Float64Array(nt);
  const spectrum = new Float64Array(2 * nt);
  // f-x, frequency-major and complex interleaved: trace t at frequency f is [2 (f nx + t), +1]; padded traces stay 0.
  const fx = new Float64Array(2 * nf * nx);
  const amplitude = new Float64Array(nf);
  let liveTraces = 0;
  for (let t = 0; t < traces; t++) {
    if (!live[t]) continue; // a dead trace is zero in the f-k plane and left out of the average spectrum
    liveTraces++;
    for (let s = 0; s < samples; s++) {
      const v = values[t * samples + s]!;
      real[s] = Number.isFinite(v) ? v : 0;
    }
    real.fill(0, samples);
    timeFft.realTransform(spectrum, real);
    for (let f = 0; f < nf; f++) {
      const [re, im] = [spectrum[2 * f]!, spectrum[2 * f + 1]!];
      fx[2 * (f * nx + t)] = re;
      fx[2 * (f * nx + t) + 1] = im;
      amplitude[f]! += Math.hypot(re, im);
    }
  }
  if (liveTraces > 0) for (let f = 0; f < nf; f++) amplitude[f]! /= liveTraces;

  const spaceFft = new FFT(nx);
  const out = new Float64Array(2 * nx);
  const magnitude = new Float32Array(nf * nx);
  let peak = 0;
  for (let f = 0; f < nf; f++) {
    spaceFft.transform(out, fx.subarray(2 * f * nx, 2 * (f + 1) * nx));
    for (let k = 0; k < nx; k++) {
      const column = (k + nx / 2) % nx; // k = 0 in the middle
      const m = Math.hypot(out[2 * k]!, out[2 * k + 1]!);
      magnitude[f * nx + column] = m;
      if (m > peak) peak = m;
    }
  }
  const db = new Float32Array(nf * nx);
  for (let i = 0; i < db.length; i++) {
    db[i] =
      peak > 0 && magnitude[i]! > 0 ? Math.max(-FK_FLOOR_DB, 20 * Math.log10(magnitude[i]! / peak)) : -FK_FLOOR_DB;
  }
  const frequenciesHz = Float64Array.from({ length: nf }, (_, f) => f / (nt * sampleIntervalS));
  return {
    frequenciesHz,
    amplitude,
    fk: { db, wavenumbers: nx, frequencies: nf },
    nyquistHz: 1 / (2 * sampleIntervalS),
  };
}
