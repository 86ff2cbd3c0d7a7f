import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { AdamWOptimizer } from './adamw';
import { buildModel } from './architectures';
import { chooseBackend } from './backends';
import { mse } from './losses';
import { parseModelConfig } from './modelConfig';
import { seededRandom } from './testRandom';
import { RunningLoss, trainStep, trainingObjective } from './trainStep';

function ricker(seconds: number, peakHz: number): number {
  const a = (Math.PI * peakHz * seconds) ** 2;
  return (1 - 2 * a) * Math.exp(-a);
}

/**
 * A 64 x 64 section (4 ms samples) of three dipping 25 Hz Ricker events, and the same with Gaussian noise of standard
 * deviation 0.3 (seeded). Layout [samples, traces], row-major.
 */
function dippingEvents(seed: number): { clean: Float32Array; noisy: Float32Array; noiseVariance: number } {
  const [samples, traces] = [64, 64];
  const events = [
    { sample: 12, dip: 0.3, amplitude: 1 },
    { sample: 30, dip: -0.2, amplitude: -0.7 },
    { sample: 45, dip: 0.05, amplitude: 0.5 },
  ];
  const clean = new Float32Array(samples * traces);
  for (let s = 0; s < samples; s++) {
    for (let x = 0; x < traces; x++) {
      const sum = events.reduce((v, e) => v + e.amplitude * ricker((s - e.sample - e.dip * x) * 0.004, 25), 0);
      clean[s * traces + x] = sum;
    }
  }
  const random = seededRandom(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return { clean, noisy: clean.map((v) => v + 0.3 * gaussian()), noiseVariance: 0.09 };
}

const small = parseModelConfig({ architecture: 'unet', params: { features: [8, 16], bottleneck: 32, dropout: 0 } });

beforeAll(async () => {
  await chooseBackend('wasm');
});

describe('trainStep on wasm', () => {
  it('a small U-Net overfits one noisy section: the loss drops over 10x, and below the noise', async () => {
    const { clean, noisy, noiseVariance } = dippingEvents(1);
    const inputs = tf.tensor4d(noisy, [1, 64, 64, 1]);
    const targets = tf.tensor4d(clean, [1, 64, 64, 1]);
    const { model } = buildModel(small);
    const optimizer = new AdamWOptimizer({ learningRate: 1e-2 });
    const objective = trainingObjective(mse);
    const running = new RunningLoss();
    const means: number[] = [];
    for (let step = 1; step <= 80; step++) {
      running.add(trainStep(model, optimizer, inputs, targets, objective));
      if (step === 1 || step % 20 === 0) means.push(await running.mean()); // read back every 20 steps only
    }
    const [first] = means;
    const last = means[means.length - 1] as number;
    expect(first! / last).toBeGreaterThan(10);
    expect(last).toBeLessThan(noiseVariance / 10);
    tf.dispose([inputs, targets]);
    model.dispose();
    optimizer.dispose();
  });

  it('holds no more tensors after each step than after the first (everything is disposed)', async () => {
    const built = buildModel(
      parseModelConfig({ architecture: 'autoencoder', params: { features: [4, 8], bottleneck: 8 } }),
    );
    const inputs = tf.randomNormal([2, 32, 32, 1]);
    const optimizer = new AdamWOptimizer({ learningRate: 1e-3 });
    const objective = trainingObjective(mse, built.extraLoss);
    const running = new RunningLoss();
    running.add(trainStep(built.trainingModel, optimizer, inputs, inputs, objective)); // creates Adam's moments
    const afterFirst = tf.memory().numTensors;
    for (let step = 0; step < 4; step++) {
      running.add(trainStep(built.trainingModel, optimizer, inputs, inputs, objective));
      expect(tf.memory().numTensors).toBe(afterFirst);
    }
    expect(running.steps).toBe(5);
    expect(Number.isFinite(await running.mean())).toBe(true);
    expect(tf.memory().numTensors).toBe(afterFirst - 1); // the running sum is gone after the readback
    tf.dispose(inputs);
    built.model.dispose();
    optimizer.dispose();
  });

  it('adds the architecture loss to the data loss (autoencoder: the latent L1 penalty)', async () => {
    const built = buildModel(
      parseModelConfig({ architecture: 'autoencoder', params: { features: [4], bottleneck: 4, latent_l1: 2 } }),
    );
    const x = tf.randomNormal([1, 8, 8, 1], 0, 1, 'float32', 3);
    const outputs = built.trainingModel.predict(x) as tf.Tensor[];
    const [prediction, latent] = outputs as [tf.Tensor, tf.Tensor];
    const total = await trainingObjective(mse, built.extraLoss)(x, outputs, x).data();
    const expected = (await mse(x, prediction).data())[0]! + 2 * (await tf.mean(tf.abs(latent)).data())[0]!;
    expect(total[0]).toBeCloseTo(expected, 5);
  });

  it('RunningLoss averages what was added since the last readback', async () => {
    const running = new RunningLoss();
    expect(await running.mean()).toBeNaN();
    for (const v of [1, 2, 6]) running.add(tf.scalar(v));
    expect(await running.mean()).toBe(3);
    running.add(tf.scalar(5));
    expect(await running.mean()).toBe(5);
  });
});
