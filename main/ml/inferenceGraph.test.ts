import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { buildModel } from './architectures';
import { chooseBackend } from './backends';
import { buildInferenceGraph } from './inferenceGraph';
import { parseModelConfig } from './modelConfig';

/** max |actual - expected| / max |expected|. */
function relativeError(actual: Float32Array, expected: Float32Array): number {
  let difference = 0;
  let scale = 0;
  expected.forEach((value, i) => {
    difference = Math.max(difference, Math.abs(actual[i]! - value));
    scale = Math.max(scale, Math.abs(value));
  });
  return difference / Math.max(scale, 1e-30);
}

/** A model with non-trivial BatchNorm statistics and biases, so that a wrong fold shows. */
function modelWithStatistics(params: Record<string, unknown>, architecture = 'unet'): tfl.LayersModel {
  const { model } = buildModel(parseModelConfig({ architecture, params }));
  tf.tidy(() => {
    for (const layer of model.layers) {
      const className = layer.getClassName();
      for (const weight of layer.weights) {
        if (className === 'BatchNormalization') weight.write(tf.randomUniform(weight.shape as number[], 0.5, 1.5));
        else if (weight.originalName.endsWith('bias')) weight.write(tf.randomNormal(weight.shape as number[]));
      }
    }
  });
  return model;
}

async function compare(model: tfl.LayersModel, splitConcats?: boolean) {
  const x = tf.randomNormal([3, 32, 24, 1]);
  const graph = buildInferenceGraph(model, { splitConcats });
  const expected = model.predict(x) as tf.Tensor;
  const actual = graph.predict(x);
  expect(actual.shape).toEqual(expected.shape);
  const error = relativeError((await actual.data()) as Float32Array, (await expected.data()) as Float32Array);
  const counts = { fused: graph.fusedConvs, subPixel: graph.subPixelConvs, split: graph.splitConcats };
  tf.dispose([x, expected, actual]);
  graph.dispose();
  return { error, counts };
}

describe.each(['wasm', 'cpu'] as const)('inference graph on %s', (backend) => {
  beforeAll(async () => {
    await chooseBackend(backend);
  });

  it('gives the model’s own prediction for the default U-Net shape (transposed-conv upsampling, skip joins)', async () => {
    const model = modelWithStatistics({ features: [8, 16], bottleneck: 32, upsampling: 'transpose' });
    for (const split of [true, false]) {
      const { error, counts } = await compare(model, split);
      expect(error).toBeLessThan(1e-5);
      // 2 convs per level, 2 levels down, the bottleneck and 2 up: 10 folded; 2 upsamplings; 2 joins.
      expect(counts).toEqual({ fused: 10, subPixel: 2, split: split ? 2 : 0 });
    }
    model.dispose();
  });

  it('gives the model’s own prediction for the residual and attention variants and the autoencoder', async () => {
    const models = [
      modelWithStatistics({ features: [8, 16], bottleneck: 16, variant: 'residual' }),
      modelWithStatistics({ features: [8, 16], bottleneck: 16, variant: 'attention' }),
      // Its 3x3 stride-2 transposed convs are not sub-pixel convs: they run as themselves.
      modelWithStatistics({ features: [8, 16], bottleneck: 8 }, 'autoencoder'),
    ];
    for (const model of models) {
      const { error } = await compare(model, true);
      expect(error).toBeLessThan(1e-5);
      model.dispose();
    }
  });
});
