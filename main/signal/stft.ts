/**
 * The short-time Fourier transform and its inverse, as scipy.signal.stft and scipy.signal.istft define them with
 * their defaults (Hann window, no detrend, 'zeros' boundary, padded, 'spectrum' scaling):
 *
 * - forward: nperseg / 2 zeros are added before and after the samples (so that the first and last samples sit in the
 *   middle of a segment), zeros at the end until the segments tile the signal exactly, each segment is tapered by a
 *   periodic Hann window, transformed (one-sided, nfft points) and divided by the window's sum;
 * - inverse: weighted overlap-add. Each frame is transformed back, multiplied by the window's sum and tapered by the
 *   window again; the overlapping frames are summed and divided by the sum of the squared windows at each sample
 *   (the least-squares signal whose STFT is nearest the frames, Griffin and Lim 1984). The boundary zeros are cut off,
 *   so the output is the input plus the end padding, and an unchanged STFT returns the samples to float rounding.
 *
 * Frame k is centred on sample k * hop of the input. One FFT instance and its buffers serve every frame.
 */
import FFT from 'fft.js';

export interface StftSettings {
  /** Samples per segment. */
  nperseg: number;
  /** Samples shared by consecutive segments. */
  noverlap: number;
  /** FFT length, a power of two >= nperseg. */
  nfft: number;
}

export interface Stft {
  settings: StftSettings;
  frames: number;
  /** nfft / 2 + 1: 0 Hz to the Nyquist frequency. */
  bins: number;
  /** Frame-major complex values, real and imaginary interleaved: values[2 * (frame * bins + bin) + (0 | 1)]. */
  values: Float64Array;
}

/** The periodic Hann window of scipy.signal.get_window('hann', n): 0.5 - 0.5 cos(2 pi k / n). */
export function hannWindow(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, k) => 0.5 - 0.5 * Math.cos((2 * Math.PI * k) / n));
}

export function checkStftSettings({ nperseg, noverlap, nfft }: StftSettings): void {
  if (!Number.isInteger(nperseg) || nperseg < 2)
    throw new RangeError(`nperseg must be an integer >= 2, not ${nperseg}`);
  if (!Number.isInteger(noverlap) || noverlap < 0 || noverlap >= nperseg) {
    throw new RangeError(`noverlap must be 0 to nperseg - 1 (${nperseg - 1}), not ${noverlap}`);
  }
  if (!Number.isInteger(Math.log2(nfft)) || nfft < nperseg) {
    throw new RangeError(`nfft must be a power of two >= nperseg (${nperseg}), not ${nfft}`);
  }
}

/** The samples with the boundary zeros and the end padding of scipy.signal.stft (boundary='zeros', padded=True). */
function paddedSamples(samples: ArrayLike<number>, { nperseg, noverlap }: StftSettings): Float64Array {
  const hop = nperseg - noverlap;
  const edge = Math.floor(nperseg / 2);
  const bounded = samples.length + 2 * edge;
  const endPadding = (((-(bounded - nperseg) % hop) + hop) % hop) % nperseg;
  const padded = new Float64Array(bounded + endPadding);
  padded.set(samples, edge);
  return padded;
}

export function stft(samples: ArrayLike<number>, settings: StftSettings): Stft {
  checkStftSettings(settings);
  const { nperseg, noverlap, nfft } = settings;
  const hop = nperseg - noverlap;
  const padded = paddedSamples(samples, settings);
  const frames = Math.floor((padded.length - nperseg) / hop) + 1;
  const bins = nfft / 2 + 1;
  const window = hannWindow(nperseg);
  const scale = 1 / window.reduce((sum, w) => sum + w, 0);
  const fft = new FFT(nfft);
  const input = new Float64Array(nfft); // zero beyond nperseg: the padding up to nfft
  const spectrum = fft.createComplexArray() as number[];
  const values = new Float64Array(2 * frames * bins);
  for (let frame = 0; frame < frames; frame++) {
    const start = frame * hop;
    for (let k = 0; k < nperseg; k++) input[k] = padded[start + k]! * window[k]!;
    fft.realTransform(spectrum, input);
    const row = 2 * frame * bins;
    for (let i = 0; i < 2 * bins; i++) values[row + i] = spectrum[i]! * scale;
  }
  return { settings, frames, bins, values };
}

/**
 * The samples of an STFT by weighted overlap-add (scipy.signal.istft, boundary=True): the input's length plus the
 * forward transform's end padding. Like numpy's irfft, the imaginary parts at 0 Hz and Nyquist are ignored.
 */
export function istft(transform: Stft): Float64Array {
  const { settings, frames, bins, values } = transform;
  checkStftSettings(settings);
  const { nperseg, noverlap, nfft } = settings;
  if (bins !== nfft / 2 + 1 || values.length !== 2 * frames * bins) {
    throw new RangeError(`an STFT of ${frames} frames x ${bins} bins does not match nfft ${nfft}`);
  }
  const hop = nperseg - noverlap;
  const window = hannWindow(nperseg);
  const windowSum = window.reduce((sum, w) => sum + w, 0);
  const length = nperseg + (frames - 1) * hop;
  const sum = new Float64Array(length);
  const norm = new Float64Array(length);
  const fft = new FFT(nfft);
  const spectrum = fft.createComplexArray() as number[];
  const frameSamples = fft.createComplexArray() as number[];
  for (let frame = 0; frame < frames; frame++) {
    hermitianSpectrum(values, frame * bins, nfft, spectrum);
    fft.inverseTransform(frameSamples, spectrum);
    const start = frame * hop;
    for (let k = 0; k < nperseg; k++) {
      sum[start + k]! += frameSamples[2 * k]! * windowSum * window[k]!;
      norm[start + k]! += window[k]! * window[k]!;
    }
  }
  const edge = Math.floor(nperseg / 2);
  // scipy divides only where the squared windows sum above 1e-10 (elsewhere the sum is left as it is).
  return Float64Array.from({ length: length - 2 * edge }, (_, n) => {
    const weight = norm[n + edge]!;
    return sum[n + edge]! / (weight > 1e-10 ? weight : 1);
  });
}

/** The full nfft-point spectrum of a real frame from its one-sided half (conjugate symmetry). */
function hermitianSpectrum(values: Float64Array, firstBin: number, nfft: number, out: number[]): void {
  const half = nfft / 2;
  for (let f = 0; f <= half; f++) {
    const re = values[2 * (firstBin + f)]!;
    const im = f === 0 || f === half ? 0 : values[2 * (firstBin + f) + 1]!;
    out[2 * f] = re;
    out[2 * f + 1] = im;
    if (f > 0 && f < half) {
      out[2 * (nfft - f)] = re;
      out[2 * (nfft - f) + 1] = -im;
    }
  }
}
