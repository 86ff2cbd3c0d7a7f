import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { buildModel } from '../architectures';
import { chooseBackend } from '../backends';
import { parseModelConfig } from '../modelConfig';
import { randomValues, seededRandom } from '../testRandom';
import { createOnnxPredictor, onnxRuntimeAvailable } from './onnxRuntime';
import { OnnxConversionError } from './toOnnx';

const status = onnxRuntimeAvailable();

describe.skipIf(!status.available)(
  `ONNX Runtime patch predictor${status.available ? '' : ` (skipped: ${status.reason})`}`,
  () => {
    const patch = 32;
    const channels = 2;
    let model: tfl.LayersModel;

    beforeAll(async () => {
      await chooseBackend('cpu');
      const config = { architecture: 'unet', params: { features: [4, 8], bottleneck: 8, in_channels: channels } };
      model = buildModel(parseModelConfig(config)).model;
    });

    it('reports the runtime version', () => {
      expect(status).toMatchObject({ available: true, version: expect.stringMatching(/^\d+\.\d+/) });
    });

    it.each([1, 2])(
      'predicts the first `count` patches of a longer batch view as tfjs does, on %i threads',
      async (threads) => {
        const values = patch * patch * channels;
        // Three patches' room after one patch of other data: a view at an offset, longer than the two patches asked.
        const storage = randomValues(seededRandom(threads), 4 * values);
        const batch = storage.subarray(values);
        const predictor = await createOnnxPredictor(model, patch, channels, { threads });
        const actual = await predictor.predict(batch, 2);
        await predictor.dispose();
        const expected = tf.tidy(
          () =>
            (
              model.predict(tf.tensor4d(batch.slice(0, 2 * values), [2, patch, patch, channels])) as tf.Tensor
            ).dataSync() as Float32Array,
        );
        expect(actual.length).toBe(expected.length);
        const largest = expected.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
        const worst = expected.reduce((a, v, i) => Math.max(a, Math.abs(v - (actual[i] as number))), 0);
        expect(worst / largest).toBeLessThan(1e-4);
      },
    );

    it('samples dropout on every run when asked (Monte Carlo dropout): each value dropped or scaled by 1 / (1 - rate)', async () => {
      const input = tfl.input({ shape: [null, null, 1] });
      const dropped = tfl.layers.dropout({ rate: 0.5 }).apply(input) as tfl.SymbolicTensor;
      const output = tfl.layers
        .conv2d({ filters: 1, kernelSize: 1, useBias: false, kernelInitializer: 'ones' })
        .apply(dropped) as tfl.SymbolicTensor;
      const dropout = tfl.model({ inputs: input, outputs: output });
      const batch = Float32Array.from({ length: 16 * 16 }, (_, i) => 1 + (i % 7));
      const sampling = await createOnnxPredictor(dropout, 16, 1, { sampleDropout: true });
      const first = await sampling.predict(batch, 1);
      const second = await sampling.predict(batch, 1);
      await sampling.dispose();
      for (const run of [first, second]) {
        run.forEach((v, i) => expect([0, 2 * batch[i]!]).toContain(v));
        const kept = run.filter((v) => v !== 0).length;
        expect(kept).toBeGreaterThan(64);
        expect(kept).toBeLessThan(192);
      }
      expect(Array.from(first)).not.toEqual(Array.from(second));
      const plain = await createOnnxPredictor(dropout, 16, 1);
      expect(Array.from(await plain.predict(batch, 1))).toEqual(Array.from(batch));
      await plain.dispose();
    });

    it('refuses a batch too short for its count and a channel count the model does not take', async () => {
      const predictor = await createOnnxPredictor(model, patch, channels, { threads: 1 });
      await expect(predictor.predict(new Float32Array(patch * patch * channels), 2)).rejects.toThrow(
        /a batch of 2 patches needs 4096 values, got 2048/,
      );
      await predictor.dispose();
      await expect(createOnnxPredictor(model, patch, 1)).rejects.toThrow(/takes 2 input channels, not 1/);
    });

    it('rejects a model it cannot convert with the layer at fault, so the caller can stay on tfjs', async () => {
      const input = tfl.input({ shape: [null, null, 1] });
      const output = tfl.layers.dense({ units: 1, name: 'dense_head' }).apply(input) as tfl.SymbolicTensor;
      const promise = createOnnxPredictor(tfl.model({ inputs: input, outputs: output }), patch, 1);
      await expect(promise).rejects.toThrow(OnnxConversionError);
      await expect(promise).rejects.toThrow(/'dense_head' \(Dense\)/);
    });
  },
);
