/**
 * One optimisation step, and a running loss that stays on the device. Reading a tensor back (await data()) stalls a GPU
 * pipeline until all queued work is done, so trainStep returns the loss as a tensor and RunningLoss reads back only
 * when asked (every N steps, end of epoch).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
// tfjs-core's node bundle registers no gradient functions; tfjs-layers' bundle registers all of them.
import '@tensorflow/tfjs-layers';
import type { ExtraLossContext } from './architectures';
import type { Loss } from './losses';

/** The full objective of a step: `outputs` are the training model's outputs, the prediction first. */
export type TrainingLoss = (targets: tf.Tensor, outputs: readonly tf.Tensor[], inputs: tf.Tensor) => tf.Scalar;

/** data loss (on the first output) + the architecture's extra terms (latent penalty, KL, physics residual...). */
export function trainingObjective(dataLoss: Loss, extraLoss?: (context: ExtraLossContext) => tf.Scalar): TrainingLoss {
  return (targets, outputs, inputs) => {
    const [prediction, ...auxiliary] = outputs;
    if (prediction === undefined) throw new Error('the model returned no output');
    const data = dataLoss(targets, prediction);
    return extraLoss === undefined ? data : tf.add(data, extraLoss({ inputs, prediction, auxiliary }));
  };
}

/**
 * Forward (training mode: dropout on, BatchNorm on batch statistics and updating its moving averages), loss, gradients
 * of the model's trainable weights, optimizer update. Returns the loss without reading it back; the caller disposes it
 * (or hands it to RunningLoss). Intermediates are freed here.
 */
export function trainStep(
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
  inputs: tf.Tensor,
  targets: tf.Tensor,
  loss: TrainingLoss,
): tf.Scalar {
  // An explicit list fixes the order Adam keys its moments by and leaves out non-trainable state (BatchNorm averages).
  // LayerVariable.read() is typed as Tensor but returns the backing tf.Variable.
  const weights = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  return tf.tidy(() => {
    const cost = optimizer.minimize(
      () => {
        const output = model.apply(inputs, { training: true }) as tf.Tensor | tf.Tensor[];
        return loss(targets, Array.isArray(output) ? output : [output], inputs);
      },
      true,
      weights,
    );
    if (cost === null) throw new Error('the optimizer returned no loss');
    return cost;
  });
}

/** Sums step losses on the device; `mean()` is the only readback. Call outside tf.tidy: it keeps its running sum. */
export class RunningLoss {
  private sum: tf.Scalar | null = null;
  private count = 0;

  /** Takes ownership of `loss` (disposes it). */
  add(loss: tf.Scalar): void {
    const previous = this.sum;
    this.sum = tf.keep(previous === null ? loss : (tf.add(previous, loss) as tf.Scalar));
    if (previous !== null) {
      previous.dispose();
      loss.dispose();
    }
    this.count += 1;
  }

  get steps(): number {
    return this.count;
  }

  /** The mean of the losses added since the last call (NaN if none), then starts over. */
  async mean(): Promise<number> {
    const { sum, count } = this;
    this.sum = null;
    this.count = 0;
    if (sum === null) return Number.NaN;
    const [total] = await sum.data();
    sum.dispose();
    return (total ?? Number.NaN) / count;
  }
}
