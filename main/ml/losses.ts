/**
 * Training losses on NHWC tensors ([batch, samples (time), traces, channels]), each `(target, prediction) => scalar`, and
 * weighted sums of them from a string such as 'mse+spectral' or 'mse+0.1*spectral'.
 * Everything is built from ops that every backend has (no FFT: the wasm backend lacks it), so the same loss runs on
 * tensorflow, webgpu, wasm and cpu.
 */
import * as tf from '@tensorflow/tfjs-core';

export type Loss = (target: tf.Tensor, prediction: tf.Tensor) => tf.Scalar;

export const mse: Loss = (target, prediction) => tf.tidy(() => tf.mean(tf.squaredDifference(target, prediction)));

export const l1: Loss = (target, prediction) => tf.tidy(() => tf.mean(tf.abs(tf.sub(target, prediction))));

export interface SsimOptions {
  /** 'gaussian' (Wang et al. 2004: 11 taps, sigma 1.5) or 'uniform' (a box of `size` taps). */
  window?: 'gaussian' | 'uniform';
  size?: number;
  sigma?: number;
  /**
   * L in the stabilising constants C1 = (0.01 L)^2 and C2 = (0.03 L)^2. Default: the target's max - min per call, because
   * seismic amplitudes have no fixed range (unlike 8-bit images).
   */
  dataRange?: number;
}

/** Normalised 1-D window weights (sum 1). */
export function windowWeights(kind: 'gaussian' | 'uniform', size: number, sigma = 1.5): number[] {
  const centre = (size - 1) / 2;
  const raw = Array.from({ length: size }, (_, i) =>
    kind === 'uniform' ? 1 : Math.exp(-((i - centre) ** 2) / (2 * sigma ** 2)),
  );
  const total = raw.reduce((sum, value) => sum + value, 0);
  return raw.map((value) => value / total);
}

/** Local weighted mean over 'valid' windows, per channel, as two 1-D convolutions (the 2-D windows are separable). */
function localMean(planes: tf.Tensor4D, weights: number[]): tf.Tensor4D {
  const size = weights.length;
  const alongTime = tf.conv2d(planes, tf.tensor4d(weights, [size, 1, 1, 1]), 1, 'valid');
  return tf.conv2d(alongTime, tf.tensor4d(weights, [1, size, 1, 1]), 1, 'valid');
}

/** [N, H, W, C] -> [N*C, H, W, 1], so one single-channel convolution filters every channel separately. */
function toPlanes(x: tf.Tensor): tf.Tensor4D {
  const [batch, height, width, channels] = x.shape as [number, number, number, number];
  return tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [batch * channels, height, width, 1]);
}

/** Mean structural similarity (Wang et al. 2004) over all windows, channels and batch items; 1 means identical. */
export function ssim(target: tf.Tensor, prediction: tf.Tensor, options: SsimOptions = {}): tf.Scalar {
  const { window = 'gaussian', sigma = 1.5 } = options;
  const size = options.size ?? (window === 'gaussian' ? 11 : 7);
  return tf.tidy(() => {
    const range = options.dataRange ?? tf.sub(tf.max(target), tf.min(target));
    const c1 = tf.square(tf.mul(range, 0.01));
    const c2 = tf.square(tf.mul(range, 0.03));
    const weights = windowWeights(window, size, sigma);
    const x = toPlanes(target);
    const y = toPlanes(prediction);
    const muX = localMean(x, weights);
    const muY = localMean(y, weights);
    const varX = tf.sub(localMean(tf.square(x), weights), tf.square(muX));
    const varY = tf.sub(localMean(tf.square(y), weights), tf.square(muY));
    const covXY = tf.sub(localMean(tf.mul(x, y), weights), tf.mul(muX, muY));
    const numerator = tf.mul(tf.add(tf.mul(tf.mul(muX, muY), 2), c1), tf.add(tf.mul(covXY, 2), c2));
    const denominator = tf.mul(tf.add(tf.add(tf.square(muX), tf.square(muY)), c1), tf.add(tf.add(varX, varY), c2));
    return tf.mean(tf.div(numerator, denominator));
  });
}

export const ssimLoss: Loss = (target, prediction) => tf.tidy(() => tf.sub(1, ssim(target, prediction)));

/**
 * [cos | sin] DFT matrix for real signals of `length` samples: [length, 2 * bins], bins = length/2 + 1 (the one-sided
 * spectrum). Kept for the life of the process, one per length, because patches come in few sizes.
 */
const dftMatrices = new Map<number, tf.Tensor2D>();
function dftMatrix(length: number): tf.Tensor2D {
  const cached = dftMatrices.get(length);
  if (cached !== undefined) return cached;
  const bins = Math.floor(length / 2) + 1;
  const values = new Float32Array(length * 2 * bins);
  for (let t = 0; t < length; t++) {
    for (let k = 0; k < bins; k++) {
      const angle = (2 * Math.PI * ((t * k) % length)) / length; // the modulo keeps the angle small and exact
      values[t * 2 * bins + k] = Math.cos(angle);
      values[t * 2 * bins + bins + k] = -Math.sin(angle);
    }
  }
  const matrix = tf.keep(tf.tensor2d(values, [length, 2 * bins]));
  dftMatrices.set(length, matrix);
  return matrix;
}

/** |DFT| along time of every trace: [N, H, W, C] -> [N*W*C, H/2 + 1]. */
export function amplitudeSpectrum(x: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    const samples = x.shape[1] as number;
    const bins = Math.floor(samples / 2) + 1;
    const traces = tf.reshape(tf.transpose(x, [0, 2, 3, 1]), [-1, samples]);
    const parts = tf.matMul(traces, dftMatrix(samples));
    const [real, imaginary] = tf.split(parts, [bins, bins], 1) as [tf.Tensor2D, tf.Tensor2D];
    // The epsilon keeps the gradient of sqrt finite where a bin is exactly zero.
    return tf.sqrt(tf.add(tf.add(tf.square(real), tf.square(imaginary)), 1e-12)) as tf.Tensor2D;
  });
}

/**
 * Mean absolute difference of the amplitude spectra along time: penalises lost or invented frequencies (blurring, ringing)
 * that a pointwise loss tolerates. Invariant to circular time shifts, as a magnitude spectrum is.
 */
export const spectral: Loss = (target, prediction) =>
  tf.tidy(() => tf.mean(tf.abs(tf.sub(amplitudeSpectrum(target), amplitudeSpectrum(prediction)))));

export const LOSSES: Readonly<Record<string, Loss>> = { mse, l1, ssim: ssimLoss, spectral };

export class LossSpecError extends Error {
  readonly apiCode = 'invalid-argument';
}

export interface LossTerm {
  name: string;
  weight: number;
}

/** 'mse+0.1*spectral' -> [{ name: 'mse', weight: 1 }, { name: 'spectral', weight: 0.1 }]. */
export function parseLossSpec(spec: string): LossTerm[] {
  const terms = spec.split('+').map((term) => term.trim());
  return terms.map((term) => {
    const match = /^(?:([0-9]*\.?[0-9]+(?:e-?[0-9]+)?)\s*\*\s*)?([a-z0-9_]+)$/i.exec(term);
    const name = match?.[2]?.toLowerCase();
    if (name === undefined || !Object.hasOwn(LOSSES, name)) {
      const known = Object.keys(LOSSES).join(', ');
      throw new LossSpecError(`loss '${spec}': '${term}' is not a loss (use ${known}, optionally as WEIGHT*NAME)`);
    }
    return { name, weight: match?.[1] === undefined ? 1 : Number(match[1]) };
  });
}

/** The weighted sum of the losses named in `spec`, as one Loss. */
export function lossFromSpec(spec: string): Loss {
  const terms = parseLossSpec(spec).map(({ name, weight }) => ({ loss: LOSSES[name] as Loss, weight }));
  return (target, prediction) =>
    tf.tidy(() => tf.addN(terms.map(({ loss, weight }) => tf.mul(loss(target, prediction), weight))) as tf.Scalar);
}
