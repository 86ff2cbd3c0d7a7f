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
 * The slopes are estimated from the model's input (the noisy or gappy section) with the structure tensor, as constants:
 * no gradient flows into them, so the model cannot lower the residual by bending the slopes. For interpolation, only
 * derivatives between live traces count (channel 1 is the live-trace mask), so gaps do not read as flat events.
 * Differences use Claerbout's 2 x 2 stencil (both derivatives centred in the same cell), exact for slopes well below
 * one sample per trace at low frequencies and a first-order approximation beyond; slopes are clipped to +-MAX_SLOPE.
 * Everything is conv2d and element-wise ops, so it runs on every tfjs backend. Layout NHWC: [batch, time, traces, ch].
 */
import * as tf from '@tensorflow/tfjs-core';

/** Largest slope kept, in samples per trace: steeper estimates are mostly aliasing or noise. */
export const MAX_SLOPE = 4;
/** Where the time-derivative energy is this small a fraction of the patch's mean, slopes shrink towards flat. */
const ENERGY_FLOOR = 1e-2;

function convolve(x: tf.Tensor4D, kernel: number[][], padding: 'same' | 'valid'): tf.Tensor4D {
  const rows = kernel.length;
  const columns = kernel[0]?.length ?? 0;
  return tf.conv2d(x, tf.tensor4d(kernel.flat(), [rows, columns, 1, 1]), 1, padding);
}

/** [N, H, W, C] -> channel `index` as [N, H, W, 1]. */
function channel(x: tf.Tensor4D, index: number): tf.Tensor4D {
  const [batch, samples, traces] = x.shape;
  return tf.slice(x, [0, 0, 0, index], [batch, samples, traces, 1]);
}

/**
 * Local slopes (samples per trace) of the amplitudes in channel 0, from the structure tensor averaged over a
 * (2 window + 1)^2 box: p = -<u_x u_t> / <u_t^2>, the least-squares slope of u_x + p u_t = 0 in the box.
 * With a live-trace mask in channel 1, only samples whose two neighbouring traces are live contribute.
 */
export function localSlopes(inputs: tf.Tensor4D, window: number): tf.Tensor4D {
  return tf.tidy(() => {
    const amplitudes = channel(inputs, 0);
    const alongTime = convolve(amplitudes, [[-0.5], [0], [0.5]], 'same');
    const alongTraces = convolve(amplitudes, [[-0.5, 0, 0.5]], 'same');
    let weight: tf.Tensor4D = tf.onesLike(amplitudes);
    if (inputs.shape[3] > 1) {
      const live = channel(inputs, 1);
      // 1 where both neighbouring traces are live (their sum is 2), 0 otherwise.
      weight = tf.mul(live, tf.relu(tf.sub(convolve(live, [[1, 0, 1]], 'same'), 1)));
    }
    const box = 2 * window + 1;
    const average = (x: tf.Tensor4D) => tf.avgPool(x, [box, box], 1, 'same');
    const timeEnergy = average(tf.mul(weight, tf.square(alongTime)));
    const crossEnergy = average(tf.mul(weight, tf.mul(alongTime, alongTraces)));
    const floor = tf.mul(tf.mean(timeEnergy, [1, 2, 3], true), ENERGY_FLOOR);
    const slopes = tf.neg(tf.div(crossEnergy, tf.add(timeEnergy, floor)));
    return tf.clipByValue(slopes, -MAX_SLOPE, MAX_SLOPE) as tf.Tensor4D;
  });
}

/**
 * Mean squared plane-wave destruction residual u_x + p u_t of `section` ([N, H, W, 1]) along `slopes` (same shape),
 * both derivatives on Claerbout's 2 x 2 cell, so the result has one value per cell ([N, H - 1, W - 1, 1]).
 */
export function planeWaveResidual(section: tf.Tensor4D, slopes: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => {
    const alongTraces = convolve(
      section,
      [
        [-0.5, 0.5],
        [-0.5, 0.5],
      ],
      'valid',
    );
    const alongTime = convolve(
      section,
      [
        [-0.5, -0.5],
        [0.5, 0.5],
      ],
      'valid',
    );
    const cellSlopes = tf.avgPool(slopes, [2, 2], 1, 'valid');
    return tf.mean(tf.square(tf.add(alongTraces, tf.mul(cellSlopes, alongTime))));
  });
}

/** weight * the residual of `prediction` along the slopes of `inputs`: the PINN's physics loss. */
export function physicsLoss(inputs: tf.Tensor, prediction: tf.Tensor, window: number, weight: number): tf.Scalar {
  return tf.tidy(() => {
    const slopes = localSlopes(inputs as tf.Tensor4D, window);
    return tf.mul(planeWaveResidual(prediction as tf.Tensor4D, slopes), weight);
  });
}
