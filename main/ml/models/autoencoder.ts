/**
 * Convolutional autoencoder for unsupervised denoising (seeds: encoder conv 64-128-256, bottleneck 512, decoder ConvT
 * 256-128-64, loss = data loss + lambda * |z|_1). Each encoder conv has stride 2, so the latent is 1/8 of the section in
 * time and traces (patches must be multiples of 2^levels); the decoder's stride-2 transposed convs restore the size.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { AutoencoderParams } from '../modelConfig';
import { conv, convBnAct, upConvBnAct } from './blocks';

export interface AutoencoderModels {
  /** section -> reconstruction: what inference runs and the registry saves. */
  model: tfl.LayersModel;
  /** The same layers with a second output, the bottleneck activations, for the latent penalty during training. */
  withLatent: tfl.LayersModel;
}

export function buildAutoencoder(params: AutoencoderParams): AutoencoderModels {
  const input = tfl.input({ shape: [null, null, params.in_channels], name: 'section' });
  let x = input;
  params.features.forEach((filters, level) => {
    x = convBnAct(x, filters, 3, `enc${level}`, 2);
  });
  const latent = convBnAct(x, params.bottleneck, 3, 'latent');
  x = latent;
  for (let level = params.features.length - 1; level >= 0; level--) {
    x = upConvBnAct(x, params.features[level] as number, 3, `dec${level}`);
  }
  const output = conv(x, params.out_channels, 1, 'output');
  return {
    model: tfl.model({ inputs: input, outputs: output, name: 'autoencoder' }),
    withLatent: tfl.model({ inputs: input, outputs: [output, latent], name: 'autoencoder_with_latent' }),
  };
}

/** weight * mean |z|: the mean (not the sum) keeps the weight independent of patch and batch size. */
export function latentL1Penalty(latent: tf.Tensor, weight: number): tf.Scalar {
  return tf.tidy(() => tf.mul(tf.mean(tf.abs(latent)), weight));
}
