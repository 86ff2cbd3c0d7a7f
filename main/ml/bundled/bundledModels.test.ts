import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseBackend } from '../backends';
import { loadModelFolder } from '../registry/modelFiles';
import { readModelCard } from '../registry/modelFiles';
import { BUNDLED_MODELS, trainBundledModel } from './bundledModels';
import { BUNDLED_TRAINING_DATA, syntheticTrainingSources } from './syntheticTraining';

const out = mkdtempSync(path.join(os.tmpdir(), 'promethium-bundled-'));
beforeAll(async () => {
  await chooseBackend('wasm');
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('bundled model training', () => {
  it('generates reproducible post-stack and pre-stack training sources', async () => {
    const small = {
      postStack: { ...BUNDLED_TRAINING_DATA.postStack, cubes: 1, inlinesPerCube: 2 },
      preStack: { ...BUNDLED_TRAINING_DATA.preStack, earthModels: 1, gathersPerModel: 2 },
      seed: BUNDLED_TRAINING_DATA.seed,
    };
    const [postA, preA] = syntheticTrainingSources(small);
    const [postB, preB] = syntheticTrainingSources(small);
    expect(postA!.lines).toHaveLength(2);
    expect(preA!.lines).toHaveLength(2);
    expect(postA!.lines[0]).toMatchObject({ traces: small.postStack.crosslines, samples: small.postStack.samples });
    expect(preA!.lines[0]).toMatchObject({ traces: small.preStack.channels, samples: small.preStack.samples });
    const patch = { traces: 32, samples: 32 };
    for (const [a, b] of [
      [postA!, postB!],
      [preA!, preB!],
    ] as const) {
      const [pa, pb] = await Promise.all([
        a.readPatch({ line: 1, traceStart: 0, sampleStart: 0 }, patch),
        b.readPatch({ line: 1, traceStart: 0, sampleStart: 0 }, patch),
      ]);
      expect(Array.from(pa)).toEqual(Array.from(pb));
      expect(pa.some((v) => v !== 0)).toBe(true);
    }
  });

  it('trains a bundled model (one tiny epoch here) into a loadable folder with its model card', async () => {
    const spec = BUNDLED_MODELS.find((m) => m.id === 'unet_interp_v1')!;
    await trainBundledModel(spec, out, {
      epochs: 1,
      batchesPerEpoch: 1,
      batchSize: 2,
      learningRate: 2e-3,
      timeBudgetSeconds: 60,
      hardware: 'test',
      command: 'test',
    });
    const card = await readModelCard(path.join(out, spec.id));
    expect(card).toMatchObject({ name: 'U-Net interpolation v1', task: 'interpolate', architecture: 'unet' });
    expect(card.notes).toMatch(/synthetic cubes/);
    const model = await loadModelFolder(path.join(out, spec.id));
    expect(model.inputs[0]!.shape).toEqual([null, null, null, 2]);
  }, 120_000);
});
