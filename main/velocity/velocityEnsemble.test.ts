import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseBackend } from '../ml/backends';
import { loadModelFolder, saveModelFolder } from '../ml/registry/modelFiles';
import type { ModelCard } from '../../preload/contract';
import { buildVelocityEnsemble, memberWeights } from './velocityEnsemble';
import { parseVelocityEnsembleConfigText, VELOCITY_ENSEMBLE_SCHEMA } from './velocityNetworkConfig';

const CONFIGS = path.resolve('resources/configs/velocity');
const scratch = mkdtempSync(path.join(tmpdir(), 'velocity-ensemble-'));

beforeAll(async () => {
  await chooseBackend('wasm');
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function readConfig(name: string) {
  const file = path.join(CONFIGS, name);
  return parseVelocityEnsembleConfigText(readFileSync(file, 'utf8'), file);
}

describe('velocity ensemble', () => {
  it('builds both bundled configs: OpenFWI shots in, the ensemble map and one map per member out', () => {
    for (const [name, members] of [
      ['ensemble-small.yaml', 3],
      ['ensemble.yaml', 5],
    ] as const) {
      const model = buildVelocityEnsemble(readConfig(name).params);
      expect(model.inputs[0]!.shape).toEqual([null, 1000, 70, 5]);
      expect(model.outputs.map((o) => o.shape)).toEqual([
        [null, 70, 70, 1],
        [null, 70, 70, members],
      ]);
      model.dispose();
    }
  });

  it('answers velocities in m/s, starts as the plain mean of its members, and saves and loads as one model', async () => {
    const model = buildVelocityEnsemble(readConfig('ensemble-small.yaml').params);
    expect(model.countParams()).toBeLessThan(500_000);
    const shots = tf.randomNormal([2, 1000, 70, 5], 0, 1, 'float32', 7);
    const [velocity, members] = model.predict(shots) as [tf.Tensor, tf.Tensor];
    const mean = tf.mean(members, -1, true);
    expect(tf.max(tf.abs(tf.sub(velocity, mean))).dataSync()[0]).toBeLessThan(1e-2);
    expect(tf.min(members).dataSync()[0]).toBeGreaterThanOrEqual(1500);
    expect(memberWeights(model)).toEqual([1 / 3, 1 / 3, 1 / 3].map((w) => expect.closeTo(w, 6)));

    const dir = path.join(scratch, 'saved');
    await saveModelFolder(dir, model, { name: 'velocity test' } as unknown as ModelCard);
    const loaded = await loadModelFolder(dir);
    const [again] = loaded.predict(shots) as [tf.Tensor, tf.Tensor];
    expect(tf.max(tf.abs(tf.sub(again, velocity))).dataSync()[0]).toBeLessThan(1e-3);
    tf.dispose([shots, velocity, members, mean, again]);
    model.dispose();
    loaded.dispose();
  }, 120_000);

  it('refuses a transformer whose query grid does not divide the map, naming the rule', () => {
    const member = { architecture: 'seismic_transformer', params: { query_grid: 8 } };
    const result = VELOCITY_ENSEMBLE_SCHEMA.safeParse({
      architecture: 'velocity_ensemble',
      params: { members: [member] },
    });
    expect(result.success).toBe(false);
    expect(() =>
      parseVelocityEnsembleConfigText(
        'architecture: velocity_ensemble\nparams: { members: [{ architecture: seismic_transformer, params: { query_grid: 8 } }] }',
        'v.yaml',
      ),
    ).toThrow(/v.yaml: params: every seismic_transformer query_grid must divide output_size/);
  });
});
