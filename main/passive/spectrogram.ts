/**
 * Spectrograms of continuous recordings, as scipy.signal.spectrogram defines them with the seeds' settings
 * (nperseg 256, noverlap 192, nfft 256, Hann window): each segment has its mean removed (detrend 'constant'),
 * is tapered by a periodic Hann window and transformed; the one-sided power spectral density is
 * |X|^2 / (fs * sum(w^2)), doubled except at 0 Hz and Nyquist. Values come out in (counts)^2/Hz or, with `decibels`,
 * as 10 log10 of that (the seed's log scaling).
 *
 * One FFT instance and its buffers serve every segment: a day of one 100 Hz channel is 135 k segments.
 */
import FFT from 'fft.js';
import { checkStftSettings, hannWindow } from '../signal/stft';

export interface SpectrogramOptions {
  sampleRate: number;
  /** Samples per segment. Default 256. */
  nperseg?: number;
  /** Samples shared by consecutive segments. Default 192 (a hop of 64). */
  noverlap?: number;
  /** FFT length, a power of two >= nperseg. Default 256. */
  nfft?: number;
  /** 10 log10 of the density instead of the density. */
  decibels?: boolean;
}

export interface Spectrogram {
  /** Frequency of each row, Hz: 0 to the Nyquist frequency (nfft / 2 + 1 values). */
  frequencies: Float64Array;
  /** Time of each segment's centre, seconds from the first sample. */
  times: Float64Array;
  /** Time-major: values[t * frequencies.length + f]. */
  values: Float32Array;
  decibels: boolean;
}

export interface StftSettings {
  nperseg: number;
  noverlap: number;
  nfft: number;
}

const LOW_RATE_BELOW_HZ = 10;

/**
 * The seed's STFT (256/192/256: 2.56 s segments every 0.64 s at 100 Hz), or below 10 Hz 32/24/32, because at 1 sps
 * 256 samples are 4.3 minutes (anomaly/spectrogramWindows.ts says why that matters).
 */
export function stftSettingsFor(sampleRate: number): StftSettings {
  return sampleRate < LOW_RATE_BELOW_HZ
    ? { nperseg: 32, noverlap: 24, nfft: 32 }
    : { nperseg: 256, noverlap: 192, nfft: 256 };
}

/** Density below this (in counts^2/Hz) shows as this in decibels (-300 dB) rather than -Infinity. */
const DENSITY_FLOOR = 1e-30;
/** 10 log10(x) = 10 / ln(10) * ln(x). */
const DECIBELS_PER_NEPER = 10 / Math.LN10;

/** 10 log10 of a density, floored at -300 dB. */
export function densityToDecibels(density: number): number {
  return DECIBELS_PER_NEPER * Math.log(Math.max(density, DENSITY_FLOOR));
}

export function spectrogram(samples: ArrayLike<number>, options: SpectrogramOptions): Spectrogram {
  const nperseg = options.nperseg ?? 256;
  const noverlap = options.noverlap ?? 192;
  const nfft = options.nfft ?? 256;
  const { sampleRate } = options;
  checkOptions(samples.length, nperseg, noverlap, nfft, sampleRate);
  const hop = nperseg - noverlap;
  const segments = Math.floor((samples.length - noverlap) / hop);
  const bins = nfft / 2 + 1;
  const window = hannWindow(nperseg);
  const windowPower = window.reduce((sum, w) => sum + w * w, 0);
  const scale = 1 / (sampleRate * windowPower);

  const fft = new FFT(nfft);
  const input = new Float64Array(nfft); // zero beyond nperseg: the padding up to nfft
  const spectrum = fft.createComplexArray() as number[];
  // One-sided: the negative frequencies' power is folded onto the positive ones (not 0 Hz, not Nyquist).
  const binScale = Float64Array.from({ length: bins }, (_, f) => (f === 0 || f === nfft / 2 ? scale : 2 * scale));
  const decibels = Boolean(options.decibels);
  const values = new Float32Array(segments * bins);
  for (let s = 0; s < segments; s++) {
    const start = s * hop;
    let mean = 0;
    for (let k = 0; k < nperseg; k++) mean += samples[start + k]!;
    mean /= nperseg;
    for (let k = 0; k < nperseg; k++) input[k] = (samples[start + k]! - mean) * window[k]!;
    fft.realTransform(spectrum, input);
    const row = s * bins;
    for (let f = 0; f < bins; f++) {
      const re = spectrum[2 * f]!;
      const im = spectrum[2 * f + 1]!;
      const density = (re * re + im * im) * binScale[f]!;
      values[row + f] = decibels ? densityToDecibels(density) : density;
    }
  }
  return {
    frequencies: Float64Array.from({ length: bins }, (_, f) => (f * sampleRate) / nfft),
    times: Float64Array.from({ length: segments }, (_, s) => (nperseg / 2 + s * hop) / sampleRate),
    values,
    decibels: Boolean(options.decibels),
  };
}

function checkOptions(length: number, nperseg: number, noverlap: number, nfft: number, sampleRate: number): void {
  checkStftSettings({ nperseg, noverlap, nfft });
  if (!(sampleRate > 0)) throw new RangeError(`the sample rate must be positive, not ${sampleRate}`);
  if (length < nperseg) throw new RangeError(`a spectrogram needs at least ${nperseg} samples, not ${length}`);
}
