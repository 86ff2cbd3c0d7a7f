import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelCard } from '../../../preload/contract';
import { AdamWOptimizer } from '../adamw';
import { buildModel } from '../architectures';
import { chooseBackend } from '../backends';
import { mse } from '../losses';
import { parseModelConfig } from '../modelConfig';
import { trainStep, trainingObjective } from '../trainStep';
import {
  loadWeightsInto,
  readLastState,
  recoverFolder,
  restoreOptimizer,
  writeLastCheckpoint,
  type TrainingState,
} from './checkpoint';

const config = parseModelConfig({ architecture: 'unet', params: { features: [4], bottleneck: 4, dropout: 0 } });

const card: ModelCard = {
  name: 'test',
  architecture: 'unet',
  task: 'denoise',
  config: { model: config },
  training: { data: 'x', seed: 1, epochs: 1, command: null, durationSeconds: 0, hardware: null, backend: 'wasm' },
  metrics: {},
  parentId: null,
  createdAt: '2026-01-01T00:00:00Z',
  notes: '',
};

const state: TrainingState = {
  version: 1,
  epoch: 2,
  task: 'denoise',
  config,
  seed: 1,
  schedule: { learningRate: 1e-3, bestLoss: 0.5, bestEpoch: 1, epochsOnPlateau: 1, epochsWithoutImprovement: 1 },
  optimizerIterations: 2,
  history: [{ epoch: 1, trainLoss: 1, valLoss: 0.5, valSnrDb: Infinity, learningRate: 1e-3, seconds: 1 }],
  normalization: [{ source: 'x', scale: { divisor: 2, percentile: 99.5, percentileValue: 1.9 } }],
  validationLines: [3],
  corruption: { kind: 'blind-spot', cell: 8, radius: 2 },
  trainingSeconds: 2,
};

let root = '';

beforeAll(async () => {
  await chooseBackend('wasm');
  root = await mkdtemp(path.join(tmpdir(), 'promethium-checkpoint-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function values(tensors: readonly tf.Tensor[]): Promise<number[][]> {
  return Promise.all(tensors.map(async (t) => Array.from(await t.data())));
}

function largestDifference(a: number[][], b: number[][]): number {
  return Math.max(...a.flatMap((tensor, i) => tensor.map((v, j) => Math.abs(v - b[i]![j]!))));
}

describe('training checkpoints', () => {
  it('a model and optimizer restored from last/ take the same next step as the originals', async () => {
    const inputs = tf.randomNormal([2, 16, 16, 1], 0, 1, 'float32', 1);
    const targets = tf.randomNormal([2, 16, 16, 1], 0, 1, 'float32', 2);
    const objective = trainingObjective(mse);
    const original = buildModel(config).model;
    const optimizer = new AdamWOptimizer({ learningRate: 1e-2, weightDecay: 0.1 });
    for (let step = 0; step < 2; step++) trainStep(original, optimizer, inputs, targets, objective).dispose();
    await writeLastCheckpoint(root, { model: original, card, optimizer, state });

    const lastDir = path.join(root, 'last');
    const [restored, fresh] = [buildModel(config).model, buildModel(config).model];
    const restoredOptimizer = new AdamWOptimizer({ learningRate: 1e-2, weightDecay: 0.1 });
    const freshOptimizer = new AdamWOptimizer({ learningRate: 1e-2, weightDecay: 0.1 });
    await loadWeightsInto(restored, lastDir);
    await loadWeightsInto(fresh, lastDir);
    await restoreOptimizer(restoredOptimizer, lastDir);
    expect(restoredOptimizer.iterations).toBe(2);

    trainStep(original, optimizer, inputs, targets, objective).dispose();
    trainStep(restored, restoredOptimizer, inputs, targets, objective).dispose();
    trainStep(fresh, freshOptimizer, inputs, targets, objective).dispose();
    const expected = await values(original.getWeights());
    // tfjs recomputes Adam's bias corrections as beta^(t+1) on restore instead of a running product: last-bit rounding.
    expect(largestDifference(await values(restored.getWeights()), expected)).toBeLessThan(1e-6);
    // Without the moments the step is Adam's first one, of about the learning rate on every weight.
    expect(largestDifference(await values(fresh.getWeights()), expected)).toBeGreaterThan(1e-3);
    tf.dispose([inputs, targets]);
    for (const model of [original, restored, fresh]) model.dispose();
    for (const adamW of [optimizer, restoredOptimizer, freshOptimizer]) adamW.dispose();
  });

  it('keeps state.json with the model, infinities included, and leaves no staging folder behind', async () => {
    expect(await readLastState(root)).toEqual(state);
    expect((await readdir(root)).sort()).toEqual(['last']);
    expect((await readdir(path.join(root, 'last'))).sort()).toEqual([
      'card.json',
      'model.json',
      'optimizer.bin',
      'optimizer.json',
      'state.json',
      'weights.bin',
    ]);
  });

  it('reads a state written before blind-spot training existed as synthetic corruption', async () => {
    const dir = path.join(root, 'older');
    const { corruption: _, ...older } = state;
    await mkdir(path.join(dir, 'last'), { recursive: true });
    await writeFile(path.join(dir, 'last', 'state.json'), JSON.stringify({ ...older, history: [] }));
    expect((await readLastState(dir))?.corruption).toEqual({ kind: 'synthetic' });
  });

  it('after a kill between the two renames of a swap, the previous folder is put back', async () => {
    const dir = path.join(root, 'swap');
    await mkdir(`${dir}.previous`, { recursive: true });
    await writeFile(path.join(`${dir}.previous`, 'state.json'), '{}');
    await recoverFolder(dir);
    expect(await readdir(dir)).toEqual(['state.json']);
    expect(await readLastState(path.join(root, 'nothing-here'))).toBeNull();
  });
});
