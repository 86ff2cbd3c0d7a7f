/**
 * Prediction of a velocity map from one sample's shots with the trained ensemble, test-time augmentation and the
 * seed's post-processing, and the uncertainty that comes with it:
 *
 * - TTA (the seed's "horizontal flips and noise injection"): the acquisition mirrored left-right (receivers reversed
 *   and the shots taken in reverse order: OpenFWI's sources are symmetric about the centre to within a cell, 34 against
 *   35) gives the mirrored map, flipped back; and copies of the input with Gaussian noise at `noiseLevel` of its RMS. The map is the mean of the
 *   ensemble's maps over the augmentations.
 * - Uncertainty: the standard deviation, cell by cell, of every member's map over every augmentation: where members
 *   and augmentations disagree the data do not pin the velocity down.
 * - Post-processing: Gaussian smoothing (sigma in cells), the velocity bounds of the model's range, and optionally
 *   velocities that never decrease with depth (a compaction trend; off by default since low-velocity layers exist).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { deriveSeed } from '../signal/random';
import { networkInput } from './shotNormalization';
import type { VelocityEnsembleParams } from './velocityNetworkConfig';

export interface PredictionOptions {
  /** Mirror the acquisition left-right as one augmentation. */
  flip: boolean;
  /** Augmentations with added noise, and its level relative to the input's RMS. */
  noisyCopies: number;
  noiseLevel: number;
  /** Gaussian smoothing of the final map, in cells (0: none). */
  smoothingCells: number;
  monotoneWithDepth: boolean;
  seed: number;
}

export const DEFAULT_PREDICTION: PredictionOptions = {
  flip: true,
  noisyCopies: 2,
  noiseLevel: 0.05,
  smoothingCells: 1,
  monotoneWithDepth: false,
  seed: 1,
};

export interface VelocityPrediction {
  /** The map [z, x] in m/s, row-major, z down. */
  velocity: Float32Array;
  /** Standard deviation over members and augmentations, m/s. */
  uncertainty: Float32Array;
  /** Maps that went into the mean and the spread: members x augmentations. */
  maps: number;
}

/** The augmented network inputs [augmentations, time, receivers, shots] and which of them are mirrored. */
function augmentations(input: tf.Tensor4D, options: PredictionOptions): { batch: tf.Tensor4D; mirrored: boolean[] } {
  return tf.tidy(() => {
    const variants: tf.Tensor4D[] = [input];
    const mirrored = [false];
    if (options.flip) {
      variants.push(tf.reverse(input, [2, 3]));
      mirrored.push(true);
    }
    const rms = tf.sqrt(tf.mean(tf.square(input)));
    for (let k = 0; k < options.noisyCopies; k++) {
      const noise = tf.randomNormal(input.shape, 0, 1, 'float32', deriveSeed(options.seed, 'tta', k));
      variants.push(tf.add(input, tf.mul(noise, tf.mul(rms, options.noiseLevel))));
      mirrored.push(false);
    }
    return { batch: tf.concat(variants, 0), mirrored };
  });
}

/** A separable Gaussian blur of [z, x] maps (edges renormalised), sigma in cells. */
function smooth(map: tf.Tensor2D, sigma: number): tf.Tensor2D {
  if (sigma <= 0) return map.clone();
  return tf.tidy(() => {
    const radius = Math.ceil(3 * sigma);
    const taps = Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
    const sum = taps.reduce((a, b) => a + b, 0);
    const kernel = taps.map((t) => t / sum);
    const blur = (x: tf.Tensor4D) =>
      tf.conv2d(
        tf.conv2d(x, tf.tensor4d(kernel, [kernel.length, 1, 1, 1]), 1, 'same'),
        tf.tensor4d(kernel, [1, kernel.length, 1, 1]),
        1,
        'same',
      );
    const shaped = tf.reshape(map, [1, map.shape[0], map.shape[1], 1]) as tf.Tensor4D;
    // Blurring a map of ones gives each cell's weight inside the map: dividing by it keeps the edges unbiased.
    return tf.reshape(tf.div(blur(shaped), blur(tf.onesLike(shaped))), map.shape) as tf.Tensor2D;
  });
}

/** Running maximum down each column: velocities that never decrease with depth. */
export function monotoneWithDepth(map: Float32Array, side: number): Float32Array {
  const out = Float32Array.from(map);
  for (let z = 1; z < side; z++) {
    for (let x = 0; x < side; x++) out[z * side + x] = Math.max(out[z * side + x]!, out[(z - 1) * side + x]!);
  }
  return out;
}

/** Predicts one sample's map from its shots [shot, time, receiver] (raw amplitudes, OpenFWI layout). */
export function predictVelocity(
  model: tfl.LayersModel,
  params: VelocityEnsembleParams,
  shots: Float32Array,
  options: PredictionOptions = DEFAULT_PREDICTION,
): VelocityPrediction {
  const side = params.output_size;
  const result = tf.tidy(() => {
    const input = tf.tensor4d(networkInput(shots, params), [1, params.samples, params.receivers, params.shots]);
    const { batch, mirrored } = augmentations(input, options);
    const [ensemble, members] = model.predict(batch) as [tf.Tensor4D, tf.Tensor4D];
    const unflip = (maps: tf.Tensor4D) =>
      tf.concat(
        mirrored.map((flip, k) => {
          const map = tf.slice(maps, [k, 0, 0, 0], [1, -1, -1, -1]);
          return flip ? tf.reverse(map, [2]) : map;
        }),
        0,
      );
    const mean = tf.reshape(tf.mean(unflip(ensemble), 0), [side, side]) as tf.Tensor2D;
    const everyMap = tf.reshape(tf.transpose(unflip(members), [0, 3, 1, 2]), [-1, side, side]);
    const spread = tf.sqrt(tf.moments(everyMap, 0).variance);
    const bounded = tf.clipByValue(smooth(mean, options.smoothingCells), params.min_velocity, params.max_velocity);
    return { velocity: bounded, uncertainty: spread, maps: everyMap.shape[0] };
  });
  const velocity = result.velocity.dataSync() as Float32Array;
  const uncertainty = Float32Array.from(result.uncertainty.dataSync());
  tf.dispose([result.velocity, result.uncertainty]);
  return {
    velocity: options.monotoneWithDepth ? monotoneWithDepth(velocity, side) : Float32Array.from(velocity),
    uncertainty,
    maps: result.maps,
  };
}
