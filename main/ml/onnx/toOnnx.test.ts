import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type * as ort from 'onnxruntime-node';
import { buildModel } from '../architectures';
import { chooseBackend } from '../backends';
import { parseModelConfig } from '../modelConfig';
import { randomValues, seededRandom } from '../testRandom';
import { onnxRuntimeAvailable } from './onnxRuntime';
import { layersModelToOnnx, ONNX_INPUT, ONNX_OUTPUT } from './toOnnx';

const status = onnxRuntimeAvailable();
const skipReason = status.available ? '' : ` (skipped: ${status.reason})`;

/**
 * Random BatchNorm statistics, gammas, betas and biases (set through setWeights), so that a wrong translation, or a
 * wrong fusion inside ONNX Runtime, shows; the kernels keep their initialisation, which keeps activations in range.
 */
function randomizeWeights(model: tfl.LayersModel, seed: number): void {
  const random = seededRandom(seed);
  for (const layer of model.layers) {
    const current = layer.getWeights();
    const replaced = current.map((weight, i) => {
      const name = layer.weights[i]?.originalName ?? '';
      if (weight.rank !== 1) return weight;
      const values = randomValues(random, weight.size);
      // Variances and gammas in [0.5, 1.5), the rest in [-1, 1).
      const positive = name.endsWith('moving_variance') || name.endsWith('gamma');
      return tf.tensor1d(positive ? values.map((v) => 1 + v / 2) : values);
    });
    layer.setWeights(replaced);
    tf.dispose(replaced.filter((weight, i) => weight !== current[i]));
  }
}

/** Runs the converted model in ONNX Runtime on an NHWC tensor. */
async function runOnnx(model: tfl.LayersModel, x: tf.Tensor4D): Promise<{ values: Float32Array; shape: number[] }> {
  const runtime = createRequire(__filename)('onnxruntime-node') as typeof ort;
  const session = await runtime.InferenceSession.create(layersModelToOnnx(model), { graphOptimizationLevel: 'all' });
  const input = new runtime.Tensor('float32', x.dataSync() as Float32Array, x.shape);
  const output = (await session.run({ [ONNX_INPUT]: input }))[ONNX_OUTPUT]!;
  await session.release();
  return { values: output.data as Float32Array, shape: [...output.dims] };
}

/** max |onnx - tfjs| / max |tfjs| over a random batch of the given shape. */
async function relativeDifference(model: tfl.LayersModel, shape: [number, number, number, number]): Promise<number> {
  const x = tf.tensor4d(
    randomValues(seededRandom(shape[1] * 1000 + shape[2]), shape[0] * shape[1] * shape[2] * shape[3]),
    shape,
  );
  const expected = model.predict(x) as tf.Tensor;
  const actual = await runOnnx(model, x);
  expect(actual.shape).toEqual(expected.shape);
  const reference = expected.dataSync();
  let difference = 0;
  let magnitude = 0;
  for (let i = 0; i < reference.length; i++) {
    difference = Math.max(difference, Math.abs((actual.values[i] as number) - (reference[i] as number)));
    magnitude = Math.max(magnitude, Math.abs(reference[i] as number));
  }
  tf.dispose([x, expected]);
  return difference / magnitude;
}

const ARCHITECTURES: [string, string, Record<string, unknown>][] = [
  ['unet plain, transposed-conv upsampling', 'unet', { features: [4, 8], bottleneck: 8, upsampling: 'transpose' }],
  [
    'unet plain, nearest upsampling, mask channel',
    'unet',
    { features: [4, 8], bottleneck: 8, upsampling: 'upsample', in_channels: 2 },
  ],
  ['unet attention, transposed-conv upsampling', 'unet', { features: [4, 8], bottleneck: 8, variant: 'attention' }],
  [
    'unet attention, nearest upsampling',
    'unet',
    { features: [4, 8], bottleneck: 8, variant: 'attention', upsampling: 'upsample' },
  ],
  ['unet residual, transposed-conv upsampling', 'unet', { features: [4, 8], bottleneck: 8, variant: 'residual' }],
  [
    'unet residual, nearest upsampling',
    'unet',
    { features: [4, 8], bottleneck: 8, variant: 'residual', upsampling: 'upsample' },
  ],
  ['autoencoder', 'autoencoder', { features: [4, 8], bottleneck: 8 }],
  ['autoencoder, mask channel', 'autoencoder', { features: [4, 8], bottleneck: 8, in_channels: 2 }],
  ['vae (latent mean, softplus std)', 'vae', { encoder_features: [4, 8], latent_dim: 4 }],
  ['vae, mask channel', 'vae', { encoder_features: [4, 8], latent_dim: 4, in_channels: 2 }],
];

describe.skipIf(!status.available)(`tfjs-layers model -> ONNX in ONNX Runtime${skipReason}`, () => {
  beforeAll(async () => {
    await chooseBackend('cpu');
  });

  it.each(ARCHITECTURES)('%s gives the tfjs prediction on 32x32 and 64x32 patches', async (_, architecture, params) => {
    const { model } = buildModel(parseModelConfig({ architecture, params }));
    randomizeWeights(model, 7);
    const channels = Number(params.in_channels ?? 1);
    expect(await relativeDifference(model, [2, 32, 32, channels])).toBeLessThan(1e-4);
    expect(await relativeDifference(model, [2, 64, 32, channels])).toBeLessThan(1e-4);
    model.dispose();
  });

  it('translates the padding, stride, dilation and kernel cases TF and ONNX place differently', async () => {
    // Odd sizes: 'same' pads unevenly, with the extra pad at the end in TF (SAME_UPPER).
    const input = tfl.input({ shape: [null, null, 2] });
    const layers = [
      tfl.layers.conv2d({ filters: 3, kernelSize: 4, strides: 2, padding: 'same', activation: 'relu' }),
      tfl.layers.conv2d({ filters: 3, kernelSize: 3, dilationRate: 2, padding: 'same', activation: 'tanh' }),
      tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
      tfl.layers.conv2dTranspose({ filters: 2, kernelSize: 4, strides: 2, padding: 'same' }),
      tfl.layers.conv2dTranspose({ filters: 2, kernelSize: 1, strides: 2, padding: 'same', activation: 'sigmoid' }),
      tfl.layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'valid' }),
      tfl.layers.conv2d({ filters: 2, kernelSize: [3, 1], padding: 'valid' }),
      tfl.layers.upSampling2d({ size: [2, 3] }),
      tfl.layers.maxPooling2d({ poolSize: 2, padding: 'valid' }),
      tfl.layers.batchNormalization({ center: false, scale: false }),
    ];
    const output = layers.reduce((x, layer) => layer.apply(x) as tfl.SymbolicTensor, input);
    const model = tfl.model({ inputs: input, outputs: output });
    randomizeWeights(model, 11);
    expect(await relativeDifference(model, [2, 23, 17, 2])).toBeLessThan(1e-4);
    model.dispose();
  });

  it('names the layer it cannot translate', () => {
    const input = tfl.input({ shape: [null, null, 1] });
    const pooled = tfl.layers.globalAveragePooling2d({ name: 'pool_everything' }).apply(input);
    expect(() => layersModelToOnnx(tfl.model({ inputs: input, outputs: pooled as tfl.SymbolicTensor }))).toThrow(
      /layer 'pool_everything' \(GlobalAveragePooling2D\): this layer class has no ONNX translation/,
    );
    const dense = tfl.layers.dense({ units: 2, name: 'fully_connected' }).apply(input) as tfl.SymbolicTensor;
    expect(() => layersModelToOnnx(tfl.model({ inputs: input, outputs: dense }))).toThrow(
      /'fully_connected' \(Dense\)/,
    );
    const bilinear = tfl.layers
      .upSampling2d({ size: [2, 2], interpolation: 'bilinear', name: 'smooth_up' })
      .apply(input);
    expect(() => layersModelToOnnx(tfl.model({ inputs: input, outputs: bilinear as tfl.SymbolicTensor }))).toThrow(
      /'smooth_up' \(UpSampling2D\): interpolation 'bilinear'/,
    );
    const elu = tfl.layers.conv2d({ filters: 1, kernelSize: 1, activation: 'elu', name: 'elu_conv' }).apply(input);
    expect(() => layersModelToOnnx(tfl.model({ inputs: input, outputs: elu as tfl.SymbolicTensor }))).toThrow(
      /'elu_conv' \(Conv2D\): activation 'elu'/,
    );
    const twoOutputs = tfl.model({ inputs: input, outputs: [dense, elu as tfl.SymbolicTensor] });
    expect(() => layersModelToOnnx(twoOutputs)).toThrow(/1 inputs and 2 outputs/);
  });
});
