/**
 * The seed's training objective for velocity maps (003, VelocityInversionLoss):
 *   1.0 MAPE + 0.5 L2 + 0.3 gradient + 0.2 physics
 * - MAPE: mean |v - v_true| / v_true, the seed's (and the competition's) metric;
 * - L2: mean squared error of the velocities in OpenFWI's normalised units (the range mapped to [-1, 1]), so that its
 *   weight means the same whatever the range;
 * - gradient: mean absolute difference between the spatial derivatives (depth and lateral) of the prediction and of the
 *   truth, in the same units: it penalises ripples the truth does not have and smeared interfaces alike;
 * - physics (data consistency): the shots modelled from the predicted map by the differentiable modeller
 *   (wave/differentiableModeller.ts) against the recorded shots, as the misfit's energy relative to the data's. Modelling
 *   inside a training step is expensive (the backward pass keeps every time step), so it runs on a subsample that the
 *   caller chooses (PhysicsSubsample: samples of the batch, one or more sources, the first steps of the record).
 *
 * The ensemble trains on its combined map and on every member's own map (velocityEnsemble.ts): the data terms are the
 * mean over [ensemble, members...]; physics only on the combined map (the map that is delivered).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DifferentiableModeller } from '../wave/differentiableModeller';
import type { GridPoint } from '../wave/acousticModeller';

export interface LossWeights {
  mape: number;
  l2: number;
  gradient: number;
  physics: number;
}

export const SEED_LOSS_WEIGHTS: LossWeights = { mape: 1, l2: 0.5, gradient: 0.3, physics: 0.2 };

export interface VelocityRange {
  min: number;
  max: number;
}

/** The physics term's subsample of each batch. */
export interface PhysicsSubsample {
  modeller: DifferentiableModeller;
  /** The sources modelled, and their index among the input's shots. */
  sources: readonly { point: GridPoint; shot: number }[];
  /** Samples of the batch modelled (the first ones). */
  samples: number;
}

export interface VelocityLossTerms {
  mape: tf.Scalar;
  l2: tf.Scalar;
  gradient: tf.Scalar;
  physics: tf.Scalar;
  total: tf.Scalar;
}

/** Per-term losses of maps [batch, z, x, k] against the truth [batch, z, x, 1] (k maps compared, averaged). */
function dataTerms(truth: tf.Tensor, maps: tf.Tensor, range: VelocityRange): [tf.Scalar, tf.Scalar, tf.Scalar] {
  const toUnits = 2 / (range.max - range.min);
  const error = tf.sub(maps, truth);
  const mape = tf.mean(tf.div(tf.abs(error), truth)) as tf.Scalar;
  const l2 = tf.mean(tf.square(tf.mul(error, toUnits))) as tf.Scalar;
  const [height, width] = [maps.shape[1]!, maps.shape[2]!];
  const depthStep = (x: tf.Tensor) =>
    tf.sub(tf.slice(x, [0, 1, 0, 0], [-1, height - 1, -1, -1]), tf.slice(x, [0, 0, 0, 0], [-1, height - 1, -1, -1]));
  const lateralStep = (x: tf.Tensor) =>
    tf.sub(tf.slice(x, [0, 0, 1, 0], [-1, -1, width - 1, -1]), tf.slice(x, [0, 0, 0, 0], [-1, -1, width - 1, -1]));
  const gradient = tf.mul(
    tf.add(
      tf.mean(tf.abs(tf.sub(depthStep(maps), depthStep(truth)))),
      tf.mean(tf.abs(tf.sub(lateralStep(maps), lateralStep(truth)))),
    ),
    toUnits,
  ) as tf.Scalar;
  return [mape, l2, gradient];
}

/**
 * Relative data misfit of the predicted maps [batch, z, x, 1] against the recorded shots [batch, shot, time, receiver]
 * (raw amplitudes), on the subsample: sum of squared differences over sum of squared data, per source, averaged.
 */
export function physicsMisfit(prediction: tf.Tensor, recorded: tf.Tensor, subsample: PhysicsSubsample): tf.Scalar {
  return tf.tidy(() => {
    const count = Math.min(subsample.samples, prediction.shape[0]!);
    const [, height, width] = prediction.shape as [number, number, number, number];
    const maps = tf.reshape(tf.slice(prediction, [0, 0, 0, 0], [count, -1, -1, -1]), [
      count,
      height,
      width,
    ]) as tf.Tensor3D;
    const misfits = subsample.sources.map(({ point, shot }) => {
      const modelled = subsample.modeller.shoot(maps, point);
      const steps = modelled.shape[1];
      const data = tf.reshape(tf.slice(recorded, [0, shot, 0, 0], [count, 1, steps, -1]), modelled.shape);
      // Relative to the data's energy: raw amplitudes (~1e-7) would square into float32's denormal range.
      const scale = tf.div(1, tf.sqrt(tf.add(tf.mean(tf.square(data)), 1e-30)));
      return tf.div(tf.sum(tf.square(tf.mul(tf.sub(modelled, data), scale))), tf.sum(tf.square(tf.mul(data, scale))));
    });
    return tf.mean(tf.stack(misfits)) as tf.Scalar;
  });
}

/**
 * The objective for the ensemble's outputs [ensemble map, member maps] against the true maps; `recorded` are the raw
 * shots [batch, shot, time, receiver] the physics term compares with (null or a zero weight leaves it out).
 */
export function velocityLoss(
  truth: tf.Tensor,
  ensemble: tf.Tensor,
  members: tf.Tensor,
  range: VelocityRange,
  weights: LossWeights,
  physics: { recorded: tf.Tensor; subsample: PhysicsSubsample } | null,
): VelocityLossTerms {
  const [mapeE, l2E, gradientE] = dataTerms(truth, ensemble, range);
  const [mapeM, l2M, gradientM] = dataTerms(truth, members, range);
  const mean = (a: tf.Scalar, b: tf.Scalar) => tf.div(tf.add(a, b), 2) as tf.Scalar;
  const mape = mean(mapeE, mapeM);
  const l2 = mean(l2E, l2M);
  const gradient = mean(gradientE, gradientM);
  const physicsTerm =
    physics === null || weights.physics === 0
      ? tf.scalar(0)
      : physicsMisfit(ensemble, physics.recorded, physics.subsample);
  const total = tf.addN([
    tf.mul(mape, weights.mape),
    tf.mul(l2, weights.l2),
    tf.mul(gradient, weights.gradient),
    tf.mul(physicsTerm, weights.physics),
  ]) as tf.Scalar;
  return { mape, l2, gradient, physics: physicsTerm, total };
}
