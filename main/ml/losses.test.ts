import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core's node bundle registers no gradients; tfjs-layers' bundle registers all of them (trainStep.ts imports it too).
import '@tensorflow/tfjs-layers';
import { l1, lossFromSpec, LossSpecError, mse, parseLossSpec, spectral, ssim, ssimLoss, windowWeights } from './losses';
import { randomValues, seededRandom } from './testRandom';

const value = async (t: tf.Tensor): Promise<number> => (await t.data())[0] as number;
/** A single trace of samples as [batch 1, samples, traces 1, channels 1]. */
const trace = (samples: number[]) => tf.tensor4d(samples, [1, samples.length, 1, 1]);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('pointwise losses', () => {
  it('mse and l1 on a tiny tensor', async () => {
    const target = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const prediction = tf.tensor4d([1, 1, 1, 1], [1, 2, 2, 1]);
    expect(await value(mse(target, prediction))).toBeCloseTo((0 + 1 + 4 + 9) / 4, 6);
    expect(await value(l1(target, prediction))).toBeCloseTo((0 + 1 + 2 + 3) / 4, 6);
  });
});

describe('ssim', () => {
  it('one uniform 2x2 window: the global SSIM formula', async () => {
    const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const y = tf.tensor4d([2, 2, 2, 2], [1, 2, 2, 1]);
    // mean x 2.5, mean y 2, var x 7.5 - 6.25 = 1.25, var y 0, cov 5 - 5 = 0; L = 1: C1 = 1e-4, C2 = 9e-4.
    const [c1, c2] = [1e-4, 9e-4];
    const expected = ((2 * 2.5 * 2 + c1) * (0 + c2)) / ((2.5 ** 2 + 2 ** 2 + c1) * (1.25 + 0 + c2));
    expect(await value(ssim(x, y, { window: 'uniform', size: 2, dataRange: 1 }))).toBeCloseTo(expected, 6);
  });

  it('gaussian window: matches a direct weighted computation on a 3x3 patch', async () => {
    const xs = [0.2, -0.5, 1, 0.3, 0.8, -0.1, 0, 0.4, -0.7];
    const ys = [0.1, -0.4, 0.9, 0.5, 0.6, 0, 0.2, 0.3, -0.9];
    const w1 = [Math.exp(-0.5), 1, Math.exp(-0.5)].map((w) => w / (1 + 2 * Math.exp(-0.5)));
    const w = (i: number) => (w1[Math.floor(i / 3)] as number) * (w1[i % 3] as number);
    const mean = (f: (i: number) => number) => xs.reduce((sum, _, i) => sum + w(i) * f(i), 0);
    const [mx, my] = [mean((i) => xs[i] as number), mean((i) => ys[i] as number)];
    const vx = mean((i) => (xs[i] as number) ** 2) - mx ** 2;
    const vy = mean((i) => (ys[i] as number) ** 2) - my ** 2;
    const cov = mean((i) => (xs[i] as number) * (ys[i] as number)) - mx * my;
    const range = 1 - -0.7; // the target's max - min: the default data range
    const [c1, c2] = [(0.01 * range) ** 2, (0.03 * range) ** 2];
    const expected = ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx ** 2 + my ** 2 + c1) * (vx + vy + c2));
    const actual = ssim(tf.tensor4d(xs, [1, 3, 3, 1]), tf.tensor4d(ys, [1, 3, 3, 1]), { size: 3, sigma: 1 });
    expect(await value(actual)).toBeCloseTo(expected, 5);
  });

  it('is 1 for identical sections (loss 0), lower for a noisy one, per channel', async () => {
    const random = seededRandom(5);
    const x = tf.tensor4d(randomValues(random, 2 * 24 * 20 * 2), [2, 24, 20, 2]);
    const noisy = tf.add(x, tf.tensor4d(randomValues(random, 2 * 24 * 20 * 2), [2, 24, 20, 2]));
    expect(await value(ssim(x, x))).toBeCloseTo(1, 5);
    expect(await value(ssimLoss(x, x))).toBeCloseTo(0, 5);
    expect(await value(ssim(x, noisy))).toBeLessThan(0.8);
    expect(windowWeights('gaussian', 11).reduce((a, b) => a + b)).toBeCloseTo(1, 6);
  });
});

describe('spectral loss', () => {
  it('compares |DFT| along time: hand values for 4-sample traces', async () => {
    // |DFT[1,0,0,0]| = [1, 1, 1] against 0s; |DFT[1,1,1,1]| = [4, 0, 0] against [1, 1, 1]: mean |difference| = 5/3.
    expect(await value(spectral(trace([1, 0, 0, 0]), trace([0, 0, 0, 0])))).toBeCloseTo(1, 5);
    expect(await value(spectral(trace([1, 1, 1, 1]), trace([1, 0, 0, 0])))).toBeCloseTo(5 / 3, 5);
    // 5 samples: bins 0, 1, 2; a cosine at bin 1 has |X| = [0, 2.5, 0].
    const cosine = [0, 1, 2, 3, 4].map((t) => Math.cos((2 * Math.PI * t) / 5));
    expect(await value(spectral(trace(cosine), trace([0, 0, 0, 0, 0])))).toBeCloseTo(2.5 / 3, 5);
  });

  it('is zero for identical inputs and for a circular time shift, not for a plain (zero-filled) shift', async () => {
    const random = seededRandom(6);
    const x = tf.tensor4d(randomValues(random, 2 * 32 * 3), [2, 32, 3, 1]);
    const scale = await value(tf.mean(tf.abs(x)));
    const circular = tf.concat(
      [tf.slice(x, [0, 27, 0, 0], [-1, 5, -1, -1]), tf.slice(x, [0, 0, 0, 0], [-1, 27, -1, -1])],
      1,
    );
    const zeroFilled = tf.concat([tf.zeros([2, 5, 3, 1]), tf.slice(x, [0, 0, 0, 0], [-1, 27, -1, -1])], 1);
    expect(await value(spectral(x, x))).toBeLessThan(1e-5 * scale);
    expect(await value(spectral(x, circular))).toBeLessThan(1e-5 * scale);
    expect(await value(spectral(x, zeroFilled))).toBeGreaterThan(0.05 * scale);
  });
});

describe('loss specs', () => {
  it("parses 'mse+spectral' and weighted 'mse+0.1*spectral'", () => {
    expect(parseLossSpec('mse+spectral')).toEqual([
      { name: 'mse', weight: 1 },
      { name: 'spectral', weight: 1 },
    ]);
    expect(parseLossSpec(' mse + 0.1*spectral + 2e-2 * SSIM ')).toEqual([
      { name: 'mse', weight: 1 },
      { name: 'spectral', weight: 0.1 },
      { name: 'ssim', weight: 0.02 },
    ]);
  });

  it('rejects unknown names and malformed terms with the list of known losses', () => {
    for (const bad of ['mse+foo', '0.1*', 'toString', 'mse++l1', '']) {
      expect(() => parseLossSpec(bad), bad).toThrow(LossSpecError);
    }
    expect(() => parseLossSpec('mse+foo')).toThrow(/'foo' is not a loss \(use mse, l1, ssim, spectral/);
  });

  it('sums the weighted terms, and every loss has a finite gradient', async () => {
    const random = seededRandom(7);
    const target = tf.tensor4d(randomValues(random, 16 * 16), [1, 16, 16, 1]);
    const prediction = tf.tensor4d(randomValues(random, 16 * 16), [1, 16, 16, 1]);
    const combined = lossFromSpec('mse+0.1*spectral+0.5*ssim');
    const expected =
      (await value(mse(target, prediction))) +
      0.1 * (await value(spectral(target, prediction))) +
      0.5 * (await value(ssimLoss(target, prediction)));
    expect(await value(combined(target, prediction))).toBeCloseTo(expected, 5);
    const gradient = tf.grad((p: tf.Tensor) => combined(target, p))(prediction);
    expect(await value(tf.all(tf.isFinite(gradient)))).toBe(1);
    expect(await value(tf.max(tf.abs(gradient)))).toBeGreaterThan(0);
  });
});
