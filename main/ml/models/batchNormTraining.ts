/**
 * BatchNormalization in training mode with its gradient in closed form. tfjs-layers normalises a training batch with
 * tf.moments and tf.batchNorm and the engine differentiates them op by op: about 45 kernel calls per layer and step,
 * counting the clones the engine makes of every tensor saved for the backward pass and the Tile and Reshape of the
 * per-channel statistics. A step of the small default U-Net (14 such layers) makes 1,624 kernel calls, and on a GPU the
 * step is bound by the JavaScript that issues them (BENCHMARKS.md). Here the forward pass is one custom-gradient op
 * (moments and the normalisation, four clones saved) and its gradient is the textbook closed form, per channel over
 * the N = batch x height x width values:
 *   xhat = (x - mean) / sqrt(var + eps),   dbeta = sum(dy),   dgamma = sum(dy * xhat),
 *   dx = gamma / sqrt(var + eps) * (dy - (dbeta + xhat * dgamma) / N)
 * The values are tfjs-layers' own up to float rounding (batchNormTraining.test.ts), and the moving averages are updated
 * as tfjs-layers updates them. Models keep the stock layer class, so they save and load as before.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** NHWC: statistics per channel, over batch, height and width. */
const AXES = [0, 1, 2];

interface BatchStatistics {
  normalized: tf.Tensor;
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

/** (x - mean) / sqrt(var + eps) * gamma + beta on the batch's own statistics, which are returned too (caller frees). */
export function normalizeBatchInTraining(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number,
): BatchStatistics {
  let statistics: { mean: tf.Tensor1D; variance: tf.Tensor1D } | null = null;
  const normalize = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, scale, offset, save] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const { mean, variance } = tf.moments(input, AXES) as { mean: tf.Tensor1D; variance: tf.Tensor1D };
    // The custom op's forward runs in its own tidy: the statistics leave it kept, for the moving averages.
    statistics = { mean: tf.keep(mean), variance: tf.keep(variance) };
    save([input, mean, variance, scale]);
    return {
      value: tf.batchNorm(input, mean, variance, offset, scale, epsilon),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => batchNormGradients(dy as tf.Tensor4D, saved, epsilon),
    };
  });
  const normalized = normalize(x, gamma, beta);
  if (statistics === null) throw new Error('batch normalisation: the statistics were not computed');
  const { mean, variance } = statistics;
  return { normalized, mean, variance };
}

/** [dx, dgamma, dbeta] (see the file comment). */
function batchNormGradients(dy: tf.Tensor4D, saved: tf.Tensor[], epsilon: number): tf.Tensor[] {
  const [x, mean, variance, gamma] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
  const count = x.size / (x.shape[3] as number);
  const xhat = tf.batchNorm(x, mean, variance, undefined, undefined, epsilon);
  const dbeta = tf.sum(dy, AXES) as tf.Tensor1D;
  const dgamma = tf.sum(tf.mul(dy, xhat), AXES) as tf.Tensor1D;
  // (dbeta + xhat * dgamma) / N is an affine map of xhat per channel: one batchNorm of x.
  const mixed = tf.batchNorm(x, mean, variance, tf.div(dbeta, count), tf.div(dgamma, count), epsilon);
  const dx = tf.mul(tf.sub(dy, mixed), tf.mul(gamma, tf.rsqrt(tf.add(variance, epsilon))));
  return [dx, dgamma, dbeta];
}

/** The fields of tfjs-layers' BatchNormalization that training reads (they are not in its public typings). */
interface BatchNormLayer {
  axis: number;
  center: boolean;
  scale: boolean;
  epsilon: number;
  momentum: number;
  gamma: tfl.LayerVariable;
  beta: tfl.LayerVariable;
  movingMean: tfl.LayerVariable;
  movingVariance: tfl.LayerVariable;
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[];
}

/** As tfjs-layers does it: moving -= (moving - value) * (1 - momentum). */
function updateMovingAverage(variable: tfl.LayerVariable, value: tf.Tensor, momentum: number): void {
  tf.tidy(() => {
    const current = variable.read();
    variable.write(tf.sub(current, tf.mul(tf.sub(current, value), 1 - momentum)));
  });
}

function layersOf(model: tfl.LayersModel | tfl.layers.Layer): tfl.layers.Layer[] {
  const nested = (model as { layers?: tfl.layers.Layer[] }).layers;
  return nested === undefined ? [] : nested.flatMap((layer) => [layer, ...layersOf(layer)]);
}

/**
 * Makes every BatchNormalization layer of `model` (nested models included) that normalises the last axis with both
 * gamma and beta train through normalizeBatchInTraining; inference mode is unchanged. Returns how many were switched.
 * The model is used for this training, so the switch is not undone (as trainer.ts freezes BatchNorm).
 */
export function useClosedFormBatchNorm(model: tfl.LayersModel): number {
  let switched = 0;
  for (const layer of layersOf(model)) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const norm = layer as unknown as BatchNormLayer;
    if (!norm.center || !norm.scale || !(norm.axis === -1 || norm.axis === 3)) continue;
    const stockCall = norm.call.bind(layer);
    norm.call = (inputs, kwargs) => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (kwargs.training !== true || x === undefined || x.rank !== 4) return stockCall(inputs, kwargs);
      return tf.tidy(() => {
        const gamma = norm.gamma.read() as tf.Tensor1D;
        const beta = norm.beta.read() as tf.Tensor1D;
        const { normalized, mean, variance } = normalizeBatchInTraining(x as tf.Tensor4D, gamma, beta, norm.epsilon);
        try {
          updateMovingAverage(norm.movingMean, mean, norm.momentum);
          updateMovingAverage(norm.movingVariance, variance, norm.momentum);
        } finally {
          tf.dispose([mean, variance]);
        }
        return normalized;
      });
    };
    switched++;
  }
  return switched;
}
