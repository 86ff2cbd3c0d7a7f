import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core registers no gradients; tfjs-layers' bundle registers them all.
import '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomValues, seededRandom } from '../testRandom';
import { localSlopes, MAX_SLOPE, physicsLoss, planeWaveResidual } from './planeWaveResidual';

const SAMPLES = 64;
const TRACES = 48;

/** A dipping plane wave u(t, x) = cos(2 pi f (t - p x)), f in cycles per sample, p in samples per trace; NHWC. */
function planeWave(slope: number, frequency = 0.05): tf.Tensor4D {
  const values = new Float32Array(SAMPLES * TRACES);
  for (let t = 0; t < SAMPLES; t++) {
    for (let x = 0; x < TRACES; x++) values[t * TRACES + x] = Math.cos(2 * Math.PI * frequency * (t - slope * x));
  }
  return tf.tensor4d(values, [1, SAMPLES, TRACES, 1]);
}

/** The mean of per-cell `slopes` away from the patch edges, where the averaging box is whole. */
function interiorMean(slopes: tf.Tensor4D, margin: number): number {
  const [, cells, cellTraces] = slopes.shape;
  const interior = tf.slice(slopes, [0, margin, margin, 0], [1, cells - 2 * margin, cellTraces - 2 * margin, 1]);
  return tf.mean(interior).arraySync() as number;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('local slopes (structure tensor)', () => {
  // The 2 x 2 stencil's own least-squares slope of cos(w (t - p x)) is tan(w p / 2) / tan(w / 2): p within 1 % at
  // w = 0.1 rad per sample (a 40 Hz event at 4 ms is 1 rad per sample: the stencil then overestimates steep slopes).
  it.each([0, 0.8, -1.5, 2.5])('recover the slope of a plane wave dipping %s samples per trace', (slope) => {
    expect(interiorMean(localSlopes(planeWave(slope, 0.1 / (2 * Math.PI)), 4), 8)).toBeCloseTo(slope, 1);
  });

  it('are clipped to +-MAX_SLOPE samples per trace', () => {
    const slopes = localSlopes(planeWave(9, 0.01), 4);
    expect(Math.max(...Array.from(tf.abs(slopes).dataSync()))).toBeLessThanOrEqual(MAX_SLOPE);
  });

  it('with a live-trace mask, ignore the zeroed traces that would otherwise read as flat events', () => {
    const wave = planeWave(1.2);
    const live = Float32Array.from({ length: SAMPLES * TRACES }, (_, i) => ((i % TRACES) % 3 === 1 ? 0 : 1));
    const mask = tf.tensor4d(live, [1, SAMPLES, TRACES, 1]);
    const gappy = tf.mul(wave, mask) as tf.Tensor4D;
    const masked = interiorMean(localSlopes(tf.concat([gappy, mask], 3), 4), 8);
    const unmasked = interiorMean(localSlopes(gappy, 4), 8);
    expect(masked).toBeCloseTo(1.2, 1);
    expect(Math.abs(unmasked - 1.2)).toBeGreaterThan(0.3);
  });
});

describe('plane-wave destruction residual', () => {
  it('is small for a section that follows its slopes and large for noise of the same energy', () => {
    const wave = planeWave(1.5);
    const slopes = localSlopes(wave, 4);
    const noise = tf.tensor4d(randomValues(seededRandom(2), SAMPLES * TRACES), [1, SAMPLES, TRACES, 1]);
    const noiseAtWaveEnergy = tf.mul(noise, tf.sqrt(tf.div(tf.mean(tf.square(wave)), tf.mean(tf.square(noise)))));
    const ofWave = planeWaveResidual(wave, slopes).arraySync() as number;
    const ofNoise = planeWaveResidual(noiseAtWaveEnergy as tf.Tensor4D, slopes).arraySync() as number;
    expect(ofWave).toBeLessThan(0.01 * ofNoise);
  });

  it('as a loss, is weighted, has a gradient for the prediction only, and leaves no tensors behind', () => {
    const inputs = planeWave(0.5);
    const prediction = tf.variable(planeWave(-0.5)) as tf.Variable<tf.Rank.R4>;
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => physicsLoss(inputs, prediction, 3, 0.1));
    const gradients = Object.values(grads);
    expect(gradients).toHaveLength(1);
    expect(tf.tidy(() => tf.sum(tf.abs(gradients[0]!)).arraySync())).toBeGreaterThan(0);
    const unweighted = tf.tidy(() => planeWaveResidual(prediction, localSlopes(inputs, 3)).arraySync());
    expect(value.arraySync()).toBeCloseTo(0.1 * unweighted, 6);
    tf.dispose([value, ...gradients]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
