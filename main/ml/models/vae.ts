/**
 * Variational autoencoder for uncertainty-aware reconstruction (seeds: latent 256, encoder 64-128-256, beta). The encoder's
 * stride-2 convs (as in the autoencoder) end in two 1x1 convs giving, at every position of the latent map, the mean and
 * the standard deviation of a Gaussian per latent channel; the decoder's stride-2 transposed convs reconstruct from a
 * sample z = mean + std * eps (the reparameterisation trick, so gradients reach mean and std).
 *
 * Why a latent map and not one 256-vector per patch: inference tiles a section into overlapping patches of any size the
 * user picks (tiling.ts) and blends them. A dense latent would fix the patch size, squeeze a 128 x 128 patch into 256
 * numbers (64 x compression, which blurs reflections) and give neighbouring tiles unrelated codes, so their blend would
 * show seams. A fully convolutional latent (latent_dim channels at 1/2^levels resolution) is translation equivariant:
 * overlapping tiles agree where they overlap, any patch size works, and the standard deviation is local, so it can
 * say where the reconstruction is uncertain.
 *
 * The sampling uses only standard layers, so the model saves, loads and converts to ONNX like the others. tfjs-layers
 * has no subtraction, so the encoder's first 1x1 conv gives offset = mean - std, and z = offset + GaussianDropout(std):
 * GaussianDropout at rate 0.5 multiplies by N(1, 1) when called with `training: true`, so z = mean + std * eps, and is
 * the identity otherwise, so z = mean. Inference is therefore deterministic, and the ensemble passes of inference.ts
 * (the Monte Carlo dropout path, which calls the model in training mode with BatchNorm frozen) sample the latent: their
 * mean and standard deviation are the VAE's reconstruction and its uncertainty section.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { VaeParams } from '../modelConfig';
import { applyLayer, conv, convBnAct, upConvBnAct } from './blocks';

export interface VaeModels {
  /** section -> reconstruction (decoded from the mean; sampled in training mode): inference runs it. */
  model: tfl.LayersModel;
  /** The same layers with the latent mean and standard deviation as further outputs, for the KL term. */
  withPosterior: tfl.LayersModel;
}

/** GaussianDropout's rate for multiplicative noise N(1, 1): its standard deviation is sqrt(rate / (1 - rate)). */
const UNIT_NOISE_RATE = 0.5;

export function buildVae(params: VaeParams): VaeModels {
  const input = tfl.input({ shape: [null, null, params.in_channels], name: 'section' });
  let x = input;
  params.encoder_features.forEach((filters, level) => {
    x = convBnAct(x, filters, 3, `enc${level}`, 2);
  });
  const offset = conv(x, params.latent_dim, 1, 'latent_offset');
  // softplus rather than exp(log-variance / 2): positive without overflow when an early step pushes it far.
  const std = applyLayer(
    tfl.layers.activation({ activation: 'softplus', name: 'latent_std' }),
    conv(x, params.latent_dim, 1, 'latent_std_logit'),
  );
  const mean = applyLayer(tfl.layers.add({ name: 'latent_mean' }), [offset, std]);
  const spread = applyLayer(tfl.layers.gaussianDropout({ rate: UNIT_NOISE_RATE, name: 'latent_noise' }), std);
  x = applyLayer(tfl.layers.add({ name: 'latent_sample' }), [offset, spread]);
  for (let level = params.encoder_features.length - 1; level >= 0; level--) {
    x = upConvBnAct(x, params.encoder_features[level] as number, 3, `dec${level}`);
  }
  const output = conv(x, params.out_channels, 1, 'output');
  return {
    model: tfl.model({ inputs: input, outputs: output, name: 'vae' }),
    withPosterior: tfl.model({ inputs: input, outputs: [output, mean, std], name: 'vae_with_posterior' }),
  };
}

/** Keeps log(std) finite where softplus underflows to 0. */
const STD_FLOOR = 1e-6;

/**
 * beta * KL(N(mean, std^2) || N(0, 1)), summed over the latent map and divided by the number of output samples: nats per
 * reconstructed sample, so that beta weighs it against the per-sample data loss whatever the patch, batch and latent size.
 */
export function klPenalty(mean: tf.Tensor, std: tf.Tensor, outputSamples: number, beta: number): tf.Scalar {
  return tf.tidy(() => {
    const variance = tf.square(std);
    const logVariance = tf.mul(tf.log(tf.add(std, STD_FLOOR)), 2);
    const perElement = tf.sub(tf.sub(tf.add(tf.square(mean), variance), 1), logVariance);
    return tf.mul(tf.sum(perElement), (0.5 * beta) / outputSamples);
  });
}
