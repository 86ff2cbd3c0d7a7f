/**
 * Quality of a velocity map against the true one, as OpenFWI reports it: MAE and RMSE of the velocities scaled to
 * [-1, 1] by the dataset's velocity range (1500-4500 m/s for the "A" families, OpenFWI's dataset_config.json), SSIM of
 * the maps scaled to [0, 1], and MAPE (mean absolute percentage error) in m/s, the seed's primary metric.
 *
 * SSIM is the project's (main/signal/metrics.ts: 11 x 11 Gaussian window, sigma 1.5, edges renormalised), whose data range is
 * the true map's own range, where OpenFWI's pytorch SSIM takes 1 and zero-pads the edges: the two agree for maps that
 * span the whole velocity range and ours is the stricter one for maps that span less.
 */
import { structuralSimilarity } from '../signal/metrics';
import { MAX_VELOCITY, MIN_VELOCITY } from '../synth/velocityModels';

export interface VelocityMapQuality {
  /** Mean absolute error in normalised units ([-1, 1] over MIN_VELOCITY..MAX_VELOCITY). */
  readonly mae: number;
  readonly rmse: number;
  /** Mean absolute percentage error of the velocities, percent. */
  readonly mape: number;
  readonly ssim: number;
}

const normalised = (velocity: number): number => ((velocity - MIN_VELOCITY) / (MAX_VELOCITY - MIN_VELOCITY)) * 2 - 1;

/** Quality of `predicted` against `truth`, both square maps of velocities in m/s. */
export function velocityMapQuality(truth: Float32Array, predicted: Float32Array): VelocityMapQuality {
  if (truth.length !== predicted.length || truth.length === 0) {
    throw new RangeError(`velocity maps differ in size: ${truth.length} and ${predicted.length} values`);
  }
  const side = Math.round(Math.sqrt(truth.length));
  if (side * side !== truth.length) throw new RangeError(`a velocity map of ${truth.length} values is not square`);
  let absolute = 0;
  let squared = 0;
  let percentage = 0;
  for (let i = 0; i < truth.length; i++) {
    const error = normalised(predicted[i]!) - normalised(truth[i]!);
    absolute += Math.abs(error);
    squared += error * error;
    percentage += Math.abs(predicted[i]! - truth[i]!) / truth[i]!;
  }
  const unit = (values: Float32Array) => values.map((v) => (normalised(v) + 1) / 2);
  const n = truth.length;
  return {
    mae: absolute / n,
    rmse: Math.sqrt(squared / n),
    mape: (100 * percentage) / n,
    ssim: structuralSimilarity(unit(truth), unit(predicted), { traces: side, samples: side }),
  };
}

/**
 * How much a square map (z-major) varies along the line: the standard deviation across its columns, m/s, averaged over
 * its depth rows. Zero for a flat-layered earth, so on such a model it measures an artefact of the method.
 */
export function meanLateralSpread(map: Float32Array): number {
  const side = Math.round(Math.sqrt(map.length));
  if (side * side !== map.length || side === 0)
    throw new RangeError(`a velocity map of ${map.length} values is not square`);
  let sum = 0;
  for (let z = 0; z < side; z++) {
    const row = map.subarray(z * side, (z + 1) * side);
    const mean = row.reduce((a, b) => a + b, 0) / side;
    sum += Math.sqrt(row.reduce((a, b) => a + (b - mean) ** 2, 0) / side);
  }
  return sum / side;
}
