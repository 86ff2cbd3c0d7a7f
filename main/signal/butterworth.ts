/**
 * Butterworth filters for long continuous recordings, as cascades of second-order sections, applied forward and
 * backward (zero phase: arrivals keep their time and polarity, as ObsPy's bandpass with zerophase=True).
 *
 * Recursive rather than the Ormsby trapezoid of processing/bandpass.ts (built for sections of a few thousand samples):
 * a day at 100 Hz is 8.64 million samples, which the frequency-domain filter would transform whole (a 2^25-point FFT
 * and half a gigabyte), where sections cost a few multiplications per sample.
 *
 * Each section is the bilinear transform, prewarped at the corner, of one conjugate pole pair of the analogue
 * Butterworth prototype (the audio cookbook's formulas with Q = 1 / (2 cos theta)): the cascade equals scipy's
 * butter(order, corner, fs=rate, output='sos') (butterworth.test.ts checks the output against scipy.signal.sosfilt).
 */

export interface SecondOrderSection {
  b0: number;
  b1: number;
  b2: number;
  /** Denominator, normalised so that a0 = 1. */
  a1: number;
  a2: number;
}

/** A band or corner the channel cannot have (the API's 'invalid-argument'). */
export class FilterDesignError extends Error {
  readonly apiCode = 'invalid-argument';
}

/** Low-pass or high-pass Butterworth of an even `order` (default 4) at `cornerHz`, as order / 2 sections. */
export function butterworthSections(
  kind: 'lowpass' | 'highpass',
  cornerHz: number,
  sampleRate: number,
  order = 4,
): SecondOrderSection[] {
  const nyquist = sampleRate / 2;
  if (!(cornerHz > 0 && cornerHz < nyquist)) {
    throw new FilterDesignError(`a ${kind} corner must lie between 0 and ${nyquist} Hz (Nyquist), not ${cornerHz} Hz`);
  }
  if (!Number.isInteger(order) || order < 2 || order % 2 !== 0) {
    throw new FilterDesignError(`the filter order must be an even number >= 2, not ${order}`);
  }
  const w0 = (2 * Math.PI * cornerHz) / sampleRate;
  const cos = Math.cos(w0);
  return Array.from({ length: order / 2 }, (_, k) => {
    const theta = ((2 * k + 1) * Math.PI) / (2 * order);
    const alpha = Math.sin(w0) * Math.cos(theta); // sin(w0) / (2 Q)
    const a0 = 1 + alpha;
    const edge = kind === 'lowpass' ? (1 - cos) / 2 : (1 + cos) / 2;
    return {
      b0: edge / a0,
      b1: (kind === 'lowpass' ? 2 * edge : -2 * edge) / a0,
      b2: edge / a0,
      a1: (-2 * cos) / a0,
      a2: (1 - alpha) / a0,
    };
  });
}

/**
 * A band from `lowHz` to `highHz`: a high-pass at lowHz (none when 0) and a low-pass at highHz (none at or above
 * Nyquist). Empty when neither applies.
 */
export function bandpassSections(lowHz: number, highHz: number, sampleRate: number): SecondOrderSection[] {
  if (!(lowHz >= 0 && highHz > lowHz)) {
    throw new FilterDesignError(`a band needs 0 <= low < high, not ${lowHz} to ${highHz} Hz`);
  }
  const nyquist = sampleRate / 2;
  if (lowHz >= nyquist) {
    throw new FilterDesignError(`the low corner ${lowHz} Hz is at or above Nyquist (${nyquist} Hz) for this channel`);
  }
  return [
    ...(lowHz > 0 ? butterworthSections('highpass', lowHz, sampleRate) : []),
    ...(highHz < nyquist ? butterworthSections('lowpass', highHz, sampleRate) : []),
  ];
}

/** Runs the sections over `samples` in place, first sample to last, from rest (scipy's sosfilt). */
export function filterForward(samples: Float64Array, sections: readonly SecondOrderSection[]): void {
  for (const { b0, b1, b2, a1, a2 } of sections) {
    let z1 = 0;
    let z2 = 0;
    for (let i = 0; i < samples.length; i++) {
      const x = samples[i]!;
      const y = b0 * x + z1;
      z1 = b1 * x - a1 * y + z2;
      z2 = b2 * x - a2 * y;
      samples[i] = y;
    }
  }
}

/** Forward, then backward: zero phase, the magnitude response squared. */
export function filterZeroPhase(samples: Float64Array, sections: readonly SecondOrderSection[]): void {
  filterForward(samples, sections);
  samples.reverse();
  filterForward(samples, sections);
  samples.reverse();
}

/** Removes the least-squares straight line through the samples, in place (scipy.signal.detrend's 'linear'). */
export function removeLinearTrend(samples: Float64Array): void {
  const n = samples.length;
  if (n < 2) {
    samples.fill(0);
    return;
  }
  const meanIndex = (n - 1) / 2;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += samples[i]!;
  mean /= n;
  let covariance = 0;
  let variance = 0;
  for (let i = 0; i < n; i++) {
    const di = i - meanIndex;
    covariance += di * (samples[i]! - mean);
    variance += di * di;
  }
  const slope = covariance / variance;
  for (let i = 0; i < n; i++) samples[i] = samples[i]! - mean - slope * (i - meanIndex);
}
