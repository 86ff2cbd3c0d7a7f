/**
 * The PatchGAN discriminator of pix2pix (Isola et al. 2017), conditional on the model's input: it sees the input
 * channels (amplitudes, and the live-trace mask for interpolation) next to a candidate section, and returns one logit per
 * overlapping 70 x 70 window (real: the clean section; fake: the generator's reconstruction). Judging windows rather
 * than whole patches makes it a texture critic: it punishes the blur a pointwise loss accepts, while the data loss keeps
 * the reconstruction faithful.
 *
 * Layers, with the seeds' features [64, 128, 256, 512]: C64-C128-C256-C512, each a 4x4 conv (strides 2, 2, 2, 1) ->
 * BatchNorm (not after the first) -> LeakyReLU 0.2, then a 4x4 conv to 1 channel. Receptive field: 4 + 3 = 7 through the
 * two stride-1 convs, then (7 - 1) * 2 + 4 = 16, 34, 70 back through the three stride-2 ones.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { PatchGanParams } from '../modelConfig';
import { batchNorm, conv, leakyRelu } from './blocks';

const KERNEL = 4;

export function buildPatchGan(
  params: PatchGanParams,
  inputChannels: number,
  candidateChannels: number,
): tfl.LayersModel {
  const input = tfl.input({ shape: [null, null, inputChannels + candidateChannels], name: 'input_and_candidate' });
  let x = input;
  const last = params.features.length - 1;
  params.features.forEach((filters, level) => {
    const strides = level === last ? 1 : 2;
    const convolved = conv(x, filters, KERNEL, `d${level}_conv`, { strides, useBias: level === 0 });
    x = leakyRelu(level === 0 ? convolved : batchNorm(convolved, `d${level}_bn`), `d${level}_act`);
  });
  const logits = conv(x, 1, KERNEL, 'd_logits');
  return tfl.model({ inputs: input, outputs: logits, name: 'patchgan' });
}

/** The discriminator's logits for `candidate` given the model's `inputs`. */
export function judge(
  discriminator: tfl.LayersModel,
  inputs: tf.Tensor,
  candidate: tf.Tensor,
  training: boolean,
): tf.Tensor {
  return discriminator.apply(tf.concat([inputs, candidate], 3), { training }) as tf.Tensor;
}

/** The generator's adversarial term: weight * cross-entropy of the discriminator calling its reconstruction real. */
export function generatorAdversarialLoss(
  discriminator: tfl.LayersModel,
  inputs: tf.Tensor,
  prediction: tf.Tensor,
  weight: number,
): tf.Scalar {
  return tf.tidy(() => {
    // Inference mode: BatchNorm on the statistics the discriminator's own steps keep, so the generator step leaves them.
    const logits = judge(discriminator, inputs, prediction, false);
    return tf.mul(tf.losses.sigmoidCrossEntropy(tf.onesLike(logits), logits), weight) as tf.Scalar;
  });
}

/** The discriminator's loss: cross-entropy of calling the clean sections real and the reconstructions fake, one batch. */
export function discriminatorLoss(
  discriminator: tfl.LayersModel,
  inputs: tf.Tensor,
  real: tf.Tensor,
  fake: tf.Tensor,
): tf.Scalar {
  return tf.tidy(() => {
    // One batch of both, so that BatchNorm normalises real and fake with the same statistics.
    const logits = judge(discriminator, tf.concat([inputs, inputs], 0), tf.concat([real, fake], 0), true);
    const [realLogits, fakeLogits] = tf.split(logits, 2, 0) as [tf.Tensor, tf.Tensor];
    const labels = tf.concat([tf.onesLike(realLogits), tf.zerosLike(fakeLogits)], 0);
    return tf.losses.sigmoidCrossEntropy(labels, logits) as tf.Scalar;
  });
}
