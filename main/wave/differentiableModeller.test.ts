import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
// Registers the gradient functions (tfjs-core's node bundle has none).
import '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { AcousticModeller } from './acousticModeller';
import { DifferentiableModeller } from './differentiableModeller';
import { rickerSourceWavelet } from './rickerSource';

const NX = 40;
const NZ = 30;
const SPACING = 10;
const STEP = 1e-3;
const STEPS = 300;
const BORDER = 20;
const wavelet = rickerSourceWavelet(15, STEPS, STEP);
const source = { x: 20, z: 1 };

/** Two layers: 2000 m/s over 3000 m/s from row 15 (150 m). */
function twoLayers(upper = 2000, lower = 3000): Float32Array {
  return Float32Array.from({ length: NX * NZ }, (_, k) => (Math.floor(k / NX) < 15 ? upper : lower));
}

const OPTIONS = {
  nx: NX,
  nz: NZ,
  spacingM: SPACING,
  stepS: STEP,
  steps: STEPS,
  borderCells: BORDER,
  wavelet,
  // The CPU modeller sets its border's damping from the model's own highest velocity: the same here.
  minVelocity: 2000,
  maxVelocity: 3000,
  receiverRow: 1,
};

function modeller(): DifferentiableModeller {
  return new DifferentiableModeller(OPTIONS);
}

function relativeMisfit(a: Float32Array, b: Float32Array): number {
  let difference = 0;
  let energy = 0;
  for (let i = 0; i < a.length; i++) {
    difference += (a[i]! - b[i]!) ** 2;
    energy += b[i]! ** 2;
  }
  return Math.sqrt(difference / energy);
}

beforeAll(async () => {
  // The cpu backend: main/wave sits below main/ml and its backend choice.
  await tf.setBackend('cpu');
});

describe('differentiable modeller', () => {
  it('models the same shot as the CPU modeller with the same stencil and border', () => {
    const velocity = twoLayers();
    const cpu = new AcousticModeller({ velocity, nx: NX, nz: NZ, spacingM: SPACING }, wavelet, {
      stepS: STEP,
      steps: STEPS,
      borderCells: BORDER,
      order: 8,
    });
    const receivers = Array.from({ length: NX }, (_, x) => ({ x, z: 1 }));
    const expected = cpu.shoot(source, receivers);
    const tfModeller = modeller();
    const shots = tfModeller.shoot(tf.tensor3d(velocity, [1, NZ, NX]), source);
    expect(shots.shape).toEqual([1, STEPS, NX]);
    expect(relativeMisfit(shots.dataSync() as Float32Array, expected)).toBeLessThan(1e-4);
    tf.dispose(shots);
    tfModeller.dispose();
  }, 120_000);

  it('gives the gradient of the data misfit: a step against it lowers the misfit of a wrong model', () => {
    const tfModeller = modeller();
    const observed = tfModeller.shoot(tf.tensor3d(twoLayers(), [1, NZ, NX]), source);
    const start = tf.tensor3d(twoLayers(2300, 3000), [1, NZ, NX]);
    // Relative to the data's energy: the raw amplitudes (~1e-7) would square into float32's denormal range.
    const energy = tf.sum(tf.square(observed));
    const misfit = (v: tf.Tensor) =>
      tf.div(tf.sum(tf.squaredDifference(tfModeller.shoot(v as tf.Tensor3D, source), observed)), energy);
    const { value, grads } = tf.valueAndGrads((v: tf.Tensor) => misfit(v) as tf.Scalar)([start]);
    const gradient = grads[0]!;
    // The upper layer is too fast: the gradient must point that way (positive) on average over the upper layer.
    const upper = tf.mean(tf.slice(gradient, [0, 2, 0], [1, 10, NX])).dataSync()[0]!;
    expect(upper).toBeGreaterThan(0);
    // 20 m/s at most: first-order territory, where a step down the gradient must lower the misfit and one up raise it.
    const stepSize = 20 / tf.max(tf.abs(gradient)).dataSync()[0]!;
    const before = value.dataSync()[0]!;
    const down = misfit(tf.sub(start, tf.mul(gradient, stepSize))).dataSync()[0]!;
    const up = misfit(tf.add(start, tf.mul(gradient, stepSize))).dataSync()[0]!;
    expect(down).toBeLessThan(before * 0.99);
    expect(up).toBeGreaterThan(before);
    tfModeller.dispose();
  }, 300_000);

  it('refuses a time step the velocity range makes unstable, with the numbers', () => {
    expect(() => new DifferentiableModeller({ ...OPTIONS, stepS: 3e-3 })).toThrow(/Courant number/);
  });
});
