import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers'; // registers the gradient functions
import { AdamWOptimizer } from './adamw';

const values = async (t: tf.Tensor): Promise<number[]> => Array.from(await t.data());

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('AdamW', () => {
  it('with a zero gradient, shrinks kernels by (1 - lr * weightDecay) per step and leaves biases alone', async () => {
    const kernel = tf.variable(
      tf.tensor2d([
        [1, -2],
        [3, 4],
      ]),
      true,
      'adamw_zero/kernel',
    );
    const bias = tf.variable(tf.tensor1d([1, -1]), true, 'adamw_zero/bias');
    const optimizer = new AdamWOptimizer({ learningRate: 0.1, weightDecay: 0.5 });
    for (let step = 0; step < 2; step++) {
      optimizer.minimize(() => tf.add(tf.sum(tf.mul(kernel, 0)), tf.sum(tf.mul(bias, 0))), false, [kernel, bias]);
    }
    const shrink = (1 - 0.1 * 0.5) ** 2;
    (await values(kernel)).forEach((v, i) => expect(v).toBeCloseTo([1, -2, 3, 4][i]! * shrink, 6));
    expect(await values(bias)).toEqual([1, -1]);
  });

  it('first step: w * (1 - lr * wd) - lr * g / (|g| + eps), the decay decoupled from the gradient scaling', async () => {
    const w = tf.variable(tf.tensor2d([[2, -1]]), true, 'adamw_step/kernel');
    const g = [0.5, -3];
    const optimizer = new AdamWOptimizer({ learningRate: 0.01, weightDecay: 0.1, epsilon: 1e-8 });
    optimizer.minimize(() => tf.sum(tf.mul(w, tf.tensor2d([g]))), false, [w]);
    const expected = [2, -1].map((w0, i) => w0 * (1 - 0.01 * 0.1) - (0.01 * g[i]!) / (Math.abs(g[i]!) + 1e-8));
    (await values(w)).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
  });

  it('serialises its settings, keeps Adam state for checkpoints, and lets a schedule change the learning rate', async () => {
    const optimizer = new AdamWOptimizer({ learningRate: 1e-3, weightDecay: 0.02 });
    expect(AdamWOptimizer.className).toBe('AdamW');
    const copy = AdamWOptimizer.fromConfig(AdamWOptimizer, optimizer.getConfig()) as AdamWOptimizer;
    expect(copy.getConfig()).toEqual(optimizer.getConfig());
    expect(copy.weightDecay).toBe(0.02);
    const w = tf.variable(tf.ones([2, 2]), true, 'adamw_state/kernel');
    optimizer.minimize(() => tf.sum(tf.square(w)), false, [w]);
    const names = (await optimizer.getWeights()).map((weight) => weight.name);
    expect(names).toEqual(['iter', 'adamw_state/kernel/m', 'adamw_state/kernel/v']);
    optimizer.setLearningRate(5e-4);
    expect(optimizer.currentLearningRate).toBe(5e-4);
  });
});
