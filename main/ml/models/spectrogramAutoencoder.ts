/**
 * The seeds' spectrogram autoencoder (004): a 2D conv autoencoder on 3-component spectrograms, laid out
 * [batch, frequency bins, time frames, components]. Four stride-2 conv -> BatchNorm -> LeakyReLU levels (32-64-128-256)
 * bring the spectrogram to 1/16 of its size; four stride-2 transposed convs (256 -> 128 -> 64 -> 32 -> components) bring
 * it back to 16 x the latent (stride-2 'same' convs round up: 129 -> 65 -> 33 -> 17 -> 9 -> ... -> 144), which is then
 * cropped to the input size. Spectrogram sizes are seldom multiples of 16 (nfft / 2 + 1 frequency bins is odd), hence
 * the crop where the patch models need multiples of 2^depth. The seed resizes bilinearly instead; tfjs-layers 4.22's
 * Resizing layer cannot serve (in a functional model it receives its input as a list and fails, and its output shape
 * lacks the batch axis), and a crop keeps the bins where they are rather than blurring them.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import type { SpectrogramAutoencoderParams } from '../modelConfig';
import { applyLayer, convBnAct, upConvBnAct } from './blocks';

export function buildSpectrogramAutoencoder(params: SpectrogramAutoencoderParams): tfl.LayersModel {
  const [frequencies, frames] = params.input_size;
  const input = tfl.input({ shape: [frequencies, frames, params.in_channels], name: 'spectrogram' });
  let x = input;
  params.features.forEach((filters, level) => {
    x = convBnAct(x, filters, 3, `enc${level}`, 2);
  });
  // The decoder mirrors the encoder below its deepest level, then a last transposed conv gives the components back.
  for (let level = params.features.length - 2; level >= 0; level--) {
    x = upConvBnAct(x, params.features[level] as number, 3, `dec${level}`);
  }
  const components = tfl.layers.conv2dTranspose({
    filters: params.out_channels,
    kernelSize: 3,
    strides: 2,
    padding: 'same',
    kernelInitializer: 'heNormal',
    name: 'output_convT',
  });
  const decoded = applyLayer(components, x);
  const [decodedFrequencies, decodedFrames] = decoded.shape.slice(1, 3) as [number, number];
  const crop = tfl.layers.cropping2D({
    cropping: [
      [0, decodedFrequencies - frequencies],
      [0, decodedFrames - frames],
    ],
    name: 'output',
  });
  const output = applyLayer(crop, decoded);
  return tfl.model({ inputs: input, outputs: output, name: 'spectrogram_autoencoder' });
}
