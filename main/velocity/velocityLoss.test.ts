import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { chooseBackend } from '../ml/backends';
import { rickerSourceWavelet } from '../wave/rickerSource';
import { DifferentiableModeller } from '../wave/differentiableModeller';
import { physicsMisfit, SEED_LOSS_WEIGHTS, velocityLoss } from './velocityLoss';

const RANGE = { min: 1500, max: 4500 };
const SIDE = 16;

function map(values: (z: number, x: number) => number): tf.Tensor4D {
  return tf.tensor4d(
    Float32Array.from({ length: SIDE * SIDE }, (_, k) => values(Math.floor(k / SIDE), k % SIDE)),
    [1, SIDE, SIDE, 1],
  );
}

beforeAll(async () => {
  await chooseBackend('wasm');
});

describe('velocity loss', () => {
  it('weighs MAPE, L2 (OpenFWI units) and the gradient difference as the seed does', () => {
    const truth = map((z) => (z < 8 ? 2000 : 3000));
    const tenPercentFast = map((z) => (z < 8 ? 2200 : 3300));
    const terms = velocityLoss(
      truth,
      tenPercentFast,
      tenPercentFast,
      RANGE,
      { ...SEED_LOSS_WEIGHTS, physics: 0 },
      null,
    );
    expect(terms.mape.dataSync()[0]).toBeCloseTo(0.1, 5);
    // Errors of 200 and 300 m/s are 0.1333 and 0.2 in [-1, 1] units over 3000 m/s.
    expect(terms.l2.dataSync()[0]).toBeCloseTo((0.1333 ** 2 + 0.2 ** 2) / 2, 3);
    // The interface step is 1100 m/s instead of 1000 on one of the 15 row pairs: 100 m/s = 0.0667 units / 15.
    expect(terms.gradient.dataSync()[0]).toBeCloseTo(0.0667 / 15, 3);
    const total = 0.1 + 0.5 * terms.l2.dataSync()[0]! + 0.3 * terms.gradient.dataSync()[0]!;
    expect(terms.total.dataSync()[0]).toBeCloseTo(total, 5);
  });

  it('measures data consistency: zero for the map that made the shots, larger for a wrong one', () => {
    const steps = 200;
    const modeller = new DifferentiableModeller({
      nx: SIDE,
      nz: SIDE,
      spacingM: 10,
      stepS: 1e-3,
      steps,
      borderCells: 20,
      wavelet: rickerSourceWavelet(15, steps, 1e-3),
      minVelocity: 1500,
      maxVelocity: 4500,
      receiverRow: 1,
    });
    const truth = map((z) => (z < 8 ? 2000 : 3000));
    const shot = modeller.shoot(tf.reshape(truth, [1, SIDE, SIDE]) as tf.Tensor3D, { x: 8, z: 1 });
    const recorded = tf.reshape(shot, [1, 1, steps, SIDE]);
    const subsample = { modeller, sources: [{ point: { x: 8, z: 1 }, shot: 0 }], samples: 1 };
    expect(physicsMisfit(truth, recorded, subsample).dataSync()[0]).toBeLessThan(1e-10);
    const wrong = physicsMisfit(
      map((z) => (z < 8 ? 2000 : 2500)),
      recorded,
      subsample,
    ).dataSync()[0]!;
    // Small in absolute terms: the direct wave, the same for both maps, holds most of the recorded energy.
    expect(wrong).toBeGreaterThan(1e-3);
    modeller.dispose();
  }, 120_000);
});
