import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { AdamWOptimizer } from '../adamw';
import { buildModel } from '../architectures';
import { mse } from '../losses';
import { parseModelConfig } from '../modelConfig';
import { trainStep, trainingObjective } from '../trainStep';
import { useClosedFormBatchNorm } from './batchNormTraining';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** conv -> BatchNorm with non-trivial gamma, beta and moving statistics. */
function convBatchNorm(): tfl.LayersModel {
  const input = tfl.input({ shape: [7, 5, 3] });
  const conv = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: 'heNormal' });
  const norm = tfl.layers.batchNormalization({ momentum: 0.9 });
  const model = tfl.model({ inputs: input, outputs: norm.apply(conv.apply(input)) as tfl.SymbolicTensor });
  norm.setWeights([
    tf.tensor1d([0.5, 1.5, -1, 2]),
    tf.tensor1d([0.1, -0.3, 0.2, 0]),
    tf.tensor1d([0.2, 0, -0.1, 0.4]),
    tf.tensor1d([1, 2, 0.5, 1.5]),
  ]);
  return model;
}

/** Training-mode output, gradients of a weighted sum of it, and the moving statistics after the call. */
function trainingPass(model: tfl.LayersModel, x: tf.Tensor, weights: tf.Tensor) {
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  let output: number[] = [];
  const { grads } = tf.variableGrads(() => {
    const y = model.apply(x, { training: true }) as tf.Tensor;
    output = Array.from(y.dataSync());
    return tf.sum(tf.mul(y, weights)) as tf.Scalar;
  }, variables);
  const gradients = variables.map((v) => Array.from((grads[v.name] as tf.Tensor).dataSync()));
  tf.dispose(Object.values(grads));
  const moving = model.getWeights().slice(-2);
  return { output, gradients, moving: moving.map((t) => Array.from(t.dataSync())) };
}

/** Largest difference relative to `scale` (default: the largest expected magnitude). */
function expectClose(
  actual: number[],
  expected: number[],
  tolerance: number,
  scale = Math.max(...expected.map(Math.abs), 1e-12),
): void {
  expect(actual.length).toBe(expected.length);
  const worst = Math.max(...actual.map((a, i) => Math.abs(a - (expected[i] as number))));
  expect(worst / scale).toBeLessThan(tolerance);
}

describe('BatchNormalization with its gradient in closed form', () => {
  it("gives tfjs-layers' output, gradients and moving averages", () => {
    const x = tf.randomNormal([3, 7, 5, 3], 1.5, 2, 'float32', 7);
    const weights = tf.randomNormal([3, 7, 5, 4], 0, 1, 'float32', 8);
    const stock = convBatchNorm();
    const initial = stock.getWeights().map((w) => w.clone());
    const expected = trainingPass(stock, x, weights);
    stock.setWeights(initial);
    expect(useClosedFormBatchNorm(stock)).toBe(1);
    const actual = trainingPass(stock, x, weights);
    expectClose(actual.output, expected.output, 1e-5);
    expect(actual.gradients.length).toBe(4); // conv kernel and bias, gamma, beta
    // The conv bias's gradient is zero up to rounding (BatchNorm removes the mean): all relative to the largest.
    const largest = Math.max(...expected.gradients.flat().map(Math.abs));
    for (const [i, gradient] of actual.gradients.entries())
      expectClose(gradient, expected.gradients[i] ?? [], 1e-5, largest);
    for (const [i, moving] of actual.moving.entries()) expectClose(moving, expected.moving[i] ?? [], 1e-6);
    // Inference mode still uses the moving statistics, as the stock layer does.
    const reference = convBatchNorm();
    reference.setWeights(stock.getWeights());
    expectClose(
      Array.from((stock.predict(x) as tf.Tensor).dataSync()),
      Array.from((reference.predict(x) as tf.Tensor).dataSync()),
      1e-6,
    );
  });

  it('trains a U-Net to the same loss as the stock layers, with fewer kernel calls and no leaked tensors', async () => {
    const config = parseModelConfig({ architecture: 'unet', params: { features: [4, 8], bottleneck: 8, dropout: 0 } });
    const x = tf.randomNormal([2, 16, 16, 1], 0, 1, 'float32', 3);
    const y = tf.randomNormal([2, 16, 16, 1], 0, 1, 'float32', 4);
    const initial = buildModel(config).model;
    const startingWeights = initial.getWeights().map((w) => w.clone());
    initial.dispose();
    const run = async (closedForm: boolean) => {
      const { model } = buildModel(config);
      model.setWeights(startingWeights);
      if (closedForm) expect(useClosedFormBatchNorm(model)).toBeGreaterThan(0);
      const optimizer = new AdamWOptimizer({ learningRate: 1e-3, weightDecay: 1e-4 });
      const loss = trainingObjective(mse);
      tf.dispose(trainStep(model, optimizer, x, y, loss));
      const before = tf.memory().numTensors;
      const profile = await tf.profile(() => trainStep(model, optimizer, x, y, loss));
      tf.dispose(profile.result as tf.Tensor);
      const losses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const value = trainStep(model, optimizer, x, y, loss);
        losses.push((await value.data())[0] as number);
        value.dispose();
      }
      const leaked = tf.memory().numTensors - before;
      model.dispose();
      optimizer.dispose();
      return { losses, kernels: profile.kernels.length, leaked };
    };
    const stock = await run(false);
    const closedForm = await run(true);
    expectClose(closedForm.losses, stock.losses, 1e-4);
    expect(closedForm.kernels).toBeLessThan(stock.kernels * 0.8);
    expect(closedForm.leaked).toBe(stock.leaked);
    tf.dispose([x, y, ...startingWeights]);
  });
});
