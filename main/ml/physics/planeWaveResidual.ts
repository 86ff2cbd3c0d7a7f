/**
 * The physics term of the PINN: how far a reconstructed section is from obeying the acoustic wave equation locally.
 *
 * Which form, and why. A section (time x traces) is one depth of a wavefield, not the wavefield in (x, z, t) that the
 * second-order acoustic equation u_tt = v^2 (u_xx + u_zz) constrains: with z missing and the velocity unknown, a
 * discretised residual of that equation cannot be evaluated on a section. What the equation does imply there is that,
 * locally, the section is a superposition of plane waves u(t - p x) with slopes p (ray parameters, in samples per trace),
 * and every such wave satisfies the first-order factor of the wave operator u_x + p u_t = 0. Its residual along the
 * local slopes is Claerbout's plane-wave destruction (Claerbout 1992, "Earth Soundings Analysis", ch. 4; Fomel 2002):
 * small where the reconstruction follows the section's dips, large for noise and for gaps filled across the dips,
 * which is what denoising and interpolation get wrong. It needs no velocity, only the slopes, which the input shows.
 *
 * The slopes are estimated from the model's input (the noisy or gappy section) as constants: no gradient flows into
 * them, so the model cannot lower the residual by bending the slopes. They are the least-squares slopes of the same
 * residual over a box around each cell (a structure tensor built from the residual's own differences), so that an
 * exact plane wave has the smallest residual its stencil allows. Both derivatives use Claerbout's 2 x 2 cell (centred
 * in the same place), a first-order approximation that is exact for low frequencies and slopes; estimates are
 * clipped to +-MAX_SLOPE. For interpolation, only cells whose four corners are live count (channel 1 is the live-trace
 * mask), so gaps do not read as flat events. Everything is conv2d and element-wise ops, so it runs on every tfjs
 * backend. Layout NHWC: [batch, time, traces, channels]; slopes and residuals live on the cells, [N, H - 1, W - 1, 1].
 */
import * as tf from '@tensorflow/tfjs-core';

/** Largest slope kept, in samples per trace: steeper estimates are mostly aliasing or noise. */
export const MAX_SLOPE = 4;
/** Where the time-derivative energy is this small a fraction of the patch's mean, slopes shrink towards flat. */
const ENERGY_FLOOR = 1e-2;
/** Keeps the slope of a silent or all-dead patch at 0 rather than 0 / 0. */
const ENERGY_EPSILON = 1e-12;

function convolve(x: tf.Tensor4D, kernel: number[][]): tf.Tensor4D {
  const rows = kernel.length;
  const columns = kernel[0]?.length ?? 0;
  return tf.conv2d(x, tf.tensor4d(kernel.flat(), [rows, columns, 1, 1]), 1, 'valid');
}

/** Claerbout's 2 x 2 cell differences of [N, H, W, 1] along traces and along time, each [N, H - 1, W - 1, 1]. */
function cellDifferences(section: tf.Tensor4D): { alongTraces: tf.Tensor4D; alongTime: tf.Tensor4D } {
  return {
    alongTraces: convolve(section, [
      [-0.5, 0.5],
      [-0.5, 0.5],
    ]),
    alongTime: convolve(section, [
      [-0.5, -0.5],
      [0.5, 0.5],
    ]),
  };
}

/** [N, H, W, C] -> channel `index` as [N, H, W, 1]. */
function channel(x: tf.Tensor4D, index: number): tf.Tensor4D {
  const [batch, samples, traces] = x.shape;
  return tf.slice(x, [0, 0, 0, index], [batch, samples, traces, 1]);
}

/** 1 on cells whose four corners are live traces, 0 elsewhere; all ones without a mask channel. */
function liveCells(inputs: tf.Tensor4D): tf.Tensor4D {
  const [batch, samples, traces, channels] = inputs.shape;
  if (channels < 2) return tf.ones([batch, samples - 1, traces - 1, 1]) as tf.Tensor4D;
  const cornersLive = convolve(channel(inputs, 1), [
    [1, 1],
    [1, 1],
  ]);
  return tf.relu(tf.sub(cornersLive, 3)) as tf.Tensor4D;
}

/**
 * Local slopes (samples per trace) of the amplitudes in channel 0, one per cell: over a (2 window + 1)^2 box of cells,
 * p = -<u_x u_t> / <u_t^2>, the least-squares slope of u_x + p u_t = 0 with the residual's own differences.
 */
export function localSlopes(inputs: tf.Tensor4D, window: number): tf.Tensor4D {
  return tf.tidy(() => {
    const { alongTraces, alongTime } = cellDifferences(channel(inputs, 0));
    const weight = liveCells(inputs);
    const box = 2 * window + 1;
    const average = (x: tf.Tensor4D) => tf.avgPool(x, [box, box], 1, 'same');
    const timeEnergy = average(tf.mul(weight, tf.square(alongTime)));
    const crossEnergy = average(tf.mul(weight, tf.mul(alongTime, alongTraces)));
    const floor = tf.add(tf.mul(tf.mean(timeEnergy, [1, 2, 3], true), ENERGY_FLOOR), ENERGY_EPSILON);
    const slopes = tf.neg(tf.div(crossEnergy, tf.add(timeEnergy, floor)));
    return tf.clipByValue(slopes, -MAX_SLOPE, MAX_SLOPE) as tf.Tensor4D;
  });
}

/** Mean squared plane-wave destruction residual u_x + p u_t of `section` ([N, H, W, 1]) along per-cell `slopes`. */
export function planeWaveResidual(section: tf.Tensor4D, slopes: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => {
    const { alongTraces, alongTime } = cellDifferences(section);
    return tf.mean(tf.square(tf.add(alongTraces, tf.mul(slopes, alongTime))));
  });
}

/** weight * the residual of `prediction` along the slopes of `inputs`: the PINN's physics loss. */
export function physicsLoss(inputs: tf.Tensor, prediction: tf.Tensor, window: number, weight: number): tf.Scalar {
  return tf.tidy(() => {
    const slopes = localSlopes(inputs as tf.Tensor4D, window);
    return tf.mul(planeWaveResidual(prediction as tf.Tensor4D, slopes), weight);
  });
}
