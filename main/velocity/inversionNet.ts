/**
 * InversionNet (Wu & Lin 2019), the encoder-decoder OpenFWI publishes its baseline figures with, in tfjs-layers from a
 * config (inversionNetConfig.ts). The shots are the input channels, [batch, time, receivers, shots]; the encoder
 * shrinks time first (7x1 and 3x1 convs with stride 2 along time only: 1000 samples against 70 receivers), then both
 * axes (3x3, stride 2), and a last conv over what is left gives one vector per sample; the decoder grows it back to a
 * square map with transposed convs, crops it to the output size and ends in tanh: velocities scaled to [-1, 1].
 * BatchNorm and LeakyReLU 0.2 throughout, as in OpenFWI's code.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { applyLayer, batchNorm, leakyRelu, type Symbolic } from '../ml/models/blocks';
import type { InversionNetParams } from './inversionNetConfig';

type Kernel = [number, number];

function convBlock(
  x: Symbolic,
  filters: number,
  kernel: Kernel,
  strides: Kernel,
  name: string,
  padding = 'same',
): Symbolic {
  const layer = tfl.layers.conv2d({
    filters,
    kernelSize: kernel,
    strides,
    padding: padding as 'same' | 'valid',
    useBias: false,
    kernelInitializer: 'heNormal',
    name: `${name}_conv`,
  });
  return leakyRelu(batchNorm(applyLayer(layer, x), `${name}_bn`), `${name}_act`);
}

function deconvBlock(x: Symbolic, filters: number, kernel: number, stride: number, name: string): Symbolic {
  const layer = tfl.layers.conv2dTranspose({
    filters,
    kernelSize: kernel,
    strides: stride,
    padding: stride === 1 ? 'valid' : 'same',
    useBias: false,
    kernelInitializer: 'heNormal',
    name: `${name}_convT`,
  });
  return leakyRelu(batchNorm(applyLayer(layer, x), `${name}_bn`), `${name}_act`);
}

/** Side of the first decoder map (a 5 x 5 transposed conv on the 1 x 1 code). */
const SEED_SIZE = 5;

/**
 * InversionNet's layers on `input` ([batch, time, receivers, shots]), named `<prefix>enc1_conv` and so on: the whole
 * network (buildInversionNet) or one member of the velocity ensemble (velocityEnsemble.ts). Ends in tanh, [-1, 1].
 */
export function inversionNetLayers(input: Symbolic, base: number, outputSize: number, prefix = ''): Symbolic {
  const b = base;
  let x = convBlock(input, b, [7, 1], [2, 1], `${prefix}enc1`);
  // Time only (stride 2 along time), then both axes (3x3, stride 2): OpenFWI's widths 32, 64, 64, 128, 128, 256, 256.
  for (const [level, filters] of [2 * b, 2 * b, 4 * b].entries()) {
    x = convBlock(x, filters, [3, 1], [2, 1], `${prefix}enc${level + 2}a`);
    x = convBlock(x, filters, [3, 1], [1, 1], `${prefix}enc${level + 2}b`);
  }
  for (const [level, filters] of [4 * b, 8 * b, 8 * b].entries()) {
    x = convBlock(x, filters, [3, 3], [2, 2], `${prefix}enc${level + 5}a`);
    x = convBlock(x, filters, [3, 3], [1, 1], `${prefix}enc${level + 5}b`);
  }
  // One conv over the whole remaining map: a code vector per sample.
  const [, height, width] = x.shape as [null, number, number, number];
  x = convBlock(x, 16 * b, [height, width], [1, 1], `${prefix}code`, 'valid');

  x = deconvBlock(x, 16 * b, SEED_SIZE, 1, `${prefix}dec1a`);
  x = convBlock(x, 16 * b, [3, 3], [1, 1], `${prefix}dec1b`);
  let size = SEED_SIZE;
  let filters = 16 * b;
  for (let level = 2; size < outputSize; level++) {
    filters = Math.max(b, filters / 2);
    x = deconvBlock(x, filters, 4, 2, `${prefix}dec${level}a`);
    x = convBlock(x, filters, [3, 3], [1, 1], `${prefix}dec${level}b`);
    size *= 2;
  }
  const extra = size - outputSize;
  const crop: [number, number] = [Math.floor(extra / 2), Math.ceil(extra / 2)];
  x = applyLayer(tfl.layers.cropping2D({ cropping: [crop, crop], name: `${prefix}crop` }), x);
  const last = tfl.layers.conv2d({
    filters: 1,
    kernelSize: 3,
    padding: 'same',
    activation: 'tanh',
    name: `${prefix}velocity`,
  });
  return applyLayer(last, x);
}

export function buildInversionNet(params: InversionNetParams): tfl.LayersModel {
  const input = tfl.input({ shape: [params.samples, params.receivers, params.shots], name: 'shots' });
  const output = inversionNetLayers(input, params.base, params.output_size);
  return tfl.model({ inputs: input, outputs: output, name: 'inversionnet' });
}

/** The network's output, in [-1, 1], as velocities in m/s. */
export function outputToVelocity(output: Float32Array, params: InversionNetParams): Float32Array {
  const span = params.max_velocity - params.min_velocity;
  return output.map((value) => params.min_velocity + ((value + 1) / 2) * span);
}
