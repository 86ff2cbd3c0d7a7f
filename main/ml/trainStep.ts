/**
 * One optimisation step, and a running loss that stays on the device. Reading a tensor back (await data()) stalls a GPU
 * pipeline until all queued work is done, so trainStep returns the loss as a tensor and RunningLoss reads back only
 * when asked (every N steps, end of epoch).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
// tfjs-core's node bundle registers no gradient functions; tfjs-layers' bundle registers all of them.
import '@tensorflow/tfjs-layers';
import type { Discriminator, ExtraLossContext } from './architectures';
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
  return minimizeOver(model, optimizer, () => loss(targets, trainingOutputs(model, inputs), inputs));
}

/** The model's outputs in training mode, as a list. */
function trainingOutputs(model: tfl.LayersModel, inputs: tf.Tensor): tf.Tensor[] {
  const output = model.apply(inputs, { training: true }) as tf.Tensor | tf.Tensor[];
  return Array.isArray(output) ? output : [output];
}

/** One optimizer update of `model`'s trainable weights against `cost`; returns the cost, intermediates freed. */
function minimizeOver(model: tfl.LayersModel, optimizer: tf.Optimizer, cost: () => tf.Scalar): tf.Scalar {
  // An explicit list fixes the order Adam keys its moments by and leaves out non-trainable state (BatchNorm averages).
  // LayerVariable.read() is typed as Tensor but returns the backing tf.Variable.
  const weights = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  return tf.tidy(() => {
    const value = optimizer.minimize(cost, true, weights);
    if (value === null) throw new Error('the optimizer returned no loss');
    return value;
  });
}

export interface AdversarialStepLosses {
  /** The model's full objective (data loss + adversarial term). */
  model: tf.Scalar;
  discriminator: tf.Scalar;
}

/**
 * GAN training, alternating updates on one batch: the model (generator) steps against its objective, whose adversarial
 * term reads the discriminator without changing it; then the discriminator steps on that same forward pass's
 * predictions against the targets (no second generator pass). `targets` carry the weight channel (taskBatches.ts):
 * real and fake sections are both weighted by it, as the data loss sees them.
 */
export function adversarialTrainStep(
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
  discriminator: Discriminator,
  discriminatorOptimizer: tf.Optimizer,
  inputs: tf.Tensor,
  targets: tf.Tensor,
  loss: TrainingLoss,
): AdversarialStepLosses {
  let prediction: tf.Tensor | null = null;
  const modelLoss = minimizeOver(model, optimizer, () => {
    const outputs = trainingOutputs(model, inputs);
    prediction = tf.keep(outputs[0] as tf.Tensor);
    return loss(targets, outputs, inputs);
  });
  const fake = prediction as tf.Tensor | null;
  if (fake === null) throw new Error('the model returned no output');
  const discriminatorLoss = minimizeOver(discriminator.network, discriminatorOptimizer, () => {
    const [target, weight] = tf.split(targets, 2, 3) as [tf.Tensor, tf.Tensor];
    return discriminator.loss(inputs, tf.mul(target, weight), tf.mul(fake, weight));
  });
  fake.dispose();
  return { model: modelLoss, discriminator: discriminatorLoss };
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

/**
 * One optimizer update of `model`'s trainable weights against `cost`, the gradients first scaled down together when
 * their global norm exceeds `maxNorm` (PyTorch's clip_grad_norm_): one bad batch cannot throw the weights far.
 * Returns the cost and the gradients' norm before clipping, intermediates freed.
 */
export function clippedStep(
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
  cost: () => tf.Scalar,
  maxNorm: number,
): { loss: tf.Scalar; gradientNorm: tf.Scalar } {
  const weights = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(cost, weights);
    const names = Object.keys(grads);
    const norm = tf.sqrt(tf.addN(names.map((name) => tf.sum(tf.square(grads[name]!))))) as tf.Scalar;
    const factor = tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6)));
    const clipped = Object.fromEntries(names.map((name) => [name, tf.mul(grads[name]!, factor)]));
    optimizer.applyGradients(clipped);
    return { loss: value, gradientNorm: norm };
  });
}
