import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildWithSeededInitialisers } from '../ml/seededInitialisers';
import { buildInversionNet, outputToVelocity } from './inversionNet';
import { INVERSION_NET_CONFIG_SCHEMA, parseInversionNetConfigText } from './inversionNetConfig';

const CONFIG_FILE = path.resolve('resources/configs/velocity/inversionnet.yaml');

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('InversionNet', () => {
  it('builds from the bundled config with OpenFWI widths: 1000 x 70 x 5 shots in, a 70 x 70 map out', () => {
    const config = parseInversionNetConfigText(readFileSync(CONFIG_FILE, 'utf8'), CONFIG_FILE);
    const model = buildInversionNet(config.params);
    expect(model.inputs[0]!.shape).toEqual([null, 1000, 70, 5]);
    expect(model.outputs[0]!.shape).toEqual([null, 70, 70, 1]);
    expect(model.getLayer('code_conv').outputShape).toEqual([null, 1, 1, 512]);
    model.dispose();
  });

  // A narrow, small version (the cpu backend trains the full one far too slowly for a unit test).
  it('predicts velocities within the configured range and learns one sample in a few steps', async () => {
    const small = { samples: 128, receivers: 24, shots: 5, output_size: 24, base: 4 };
    const params = INVERSION_NET_CONFIG_SCHEMA.parse({ architecture: 'inversionnet', params: small }).params;
    const model = buildWithSeededInitialisers(5, () => buildInversionNet(params));
    const shots = tf.randomNormal([1, 128, 24, 5], 0, 1, 'float32', 3);
    const target = tf.tile(tf.reshape(tf.linspace(-0.8, 0.8, 24), [1, 24, 1, 1]), [1, 1, 24, 1]);
    const prediction = model.predict(shots) as tf.Tensor;
    const velocities = outputToVelocity(prediction.dataSync() as Float32Array, params);
    expect(Math.min(...velocities)).toBeGreaterThanOrEqual(1500);
    expect(Math.max(...velocities)).toBeLessThanOrEqual(4500);
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanAbsoluteError' });
    const history = await model.fit(shots, target, { epochs: 12, batchSize: 1, verbose: 0 });
    const losses = history.history.loss as number[];
    // The first steps overshoot (the loss rises, then falls steadily): judge the end of the run against its start.
    expect(losses.at(-1)!).toBeLessThan(0.75 * losses[0]!);
    tf.dispose([shots, target, prediction]);
    model.dispose();
  }, 300_000);

  it('refuses a config whose velocity range is empty, naming the field', () => {
    expect(() =>
      parseInversionNetConfigText(
        'architecture: inversionnet\nparams: { min_velocity: 3000, max_velocity: 2000 }',
        'x.yaml',
      ),
    ).toThrow(/x.yaml: params: max_velocity must exceed min_velocity/);
  });
});
