import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelCard } from '../../../preload/contract';
import { Project } from '../../project/project';
import { buildModel } from '../architectures';
import { parseModelConfig } from '../modelConfig';
import { loadModelFolder, readModelFiles, saveModelFolder } from './modelFiles';
import { ModelRegistry } from './modelRegistry';
import { readTar, writeTar } from './tarArchive';

const work = mkdtempSync(path.join(os.tmpdir(), 'promethium-models-'));
let project: Project;
let registry: ModelRegistry;
const bundledDir = path.join(work, 'bundled');
const config = parseModelConfig({ architecture: 'unet', params: { features: [4, 8], bottleneck: 8, dropout: 0 } });

function card(name: string): ModelCard {
  return {
    name,
    architecture: 'unet',
    task: 'denoise',
    config,
    training: {
      data: 'test',
      seed: 1,
      epochs: 0,
      command: null,
      durationSeconds: null,
      hardware: null,
      backend: 'cpu',
    },
    metrics: { valSnrDb: 1.5 },
    parentId: null,
    createdAt: new Date().toISOString(),
    notes: '',
  };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  project = Project.open(path.join(work, 'project'), { create: true });
  registry = new ModelRegistry(() => project, bundledDir);
  mkdirSync(bundledDir);
  await saveModelFolder(path.join(bundledDir, 'unet_denoise_v1'), buildModel(config).model, card('U-Net denoise v1'));
});
afterAll(() => {
  project.close();
  rmSync(work, { recursive: true, force: true });
});

describe('model registry', () => {
  it('registers, lists, renames, exports, imports and deletes a model; the weights survive the round trip', async () => {
    const model = buildModel(config).model;
    const staging = path.join(work, 'staging');
    await saveModelFolder(staging, model, card('my model'));
    const added = await registry.add(await readModelFiles(staging), 'job-1');
    expect(added).toMatchObject({ name: 'my model', bundled: false, task: 'denoise', metrics: { valSnrDb: 1.5 } });
    expect((await registry.list()).map((m) => [m.id, m.bundled])).toEqual([
      ['unet_denoise_v1', true],
      [added.id, false],
    ]);
    project.models.recordEpoch('job-1', {
      epoch: 1,
      trainLoss: 1,
      valLoss: 2,
      valSnrDb: 3,
      learningRate: 1e-3,
      seconds: 4,
    });
    const ganEpoch = {
      epoch: 2,
      trainLoss: 1,
      discriminatorLoss: 0.7,
      valLoss: 2,
      valSnrDb: 3,
      learningRate: 1,
      seconds: 4,
    };
    project.models.recordEpoch('job-1', ganEpoch);
    const { history } = await registry.get(added.id);
    expect(history).toHaveLength(2);
    expect(history[0]).not.toHaveProperty('discriminatorLoss');
    expect(history[1]).toEqual(ganEpoch);
    expect((await registry.rename(added.id, 'renamed')).name).toBe('renamed');
    expect((await registry.get(added.id)).card.name).toBe('renamed');

    const archive = await registry.export(added.id, path.join(work, 'shared'));
    expect(archive.path.endsWith('shared.pmodel')).toBe(true);
    const imported = await registry.import(archive.path);
    expect(imported.id).not.toBe(added.id);
    const input = tf.randomNormal([1, 16, 16, 1], 0, 1, 'float32', 3);
    const original = model.predict(input) as tf.Tensor;
    const reloaded = (await loadModelFolder(registry.folder(imported.id))).predict(input) as tf.Tensor;
    expect(Array.from(await reloaded.data())).toEqual(Array.from(await original.data()));

    await registry.remove(added.id);
    await expect(registry.get(added.id)).rejects.toThrow(/no model/);
  });

  it('keeps bundled models read-only', async () => {
    expect((await registry.get('unet_denoise_v1')).summary.bundled).toBe(true);
    await expect(registry.rename('unet_denoise_v1', 'x')).rejects.toThrow(/read-only/);
    await expect(registry.remove('unet_denoise_v1')).rejects.toThrow(/read-only/);
  });

  it('registers a trained velocity ensemble folder as a velocity model, and refuses one without a complete card', async () => {
    const velocity = await registry.addFolder(path.resolve('resources/models/velocity_ensemble_v1'));
    expect([velocity.task, velocity.architecture, velocity.bundled]).toEqual(['velocity', 'velocity_ensemble', false]);
    expect((await registry.list()).map((m) => m.id)).toContain(velocity.id);
    expect((await registry.get(velocity.id)).card.metrics.heldOutMape).toBeGreaterThan(0);
    const incomplete = path.join(work, 'incomplete');
    mkdirSync(incomplete);
    const files = await readModelFiles(path.resolve('resources/models/velocity_ensemble_v1'));
    for (const [name, bytes] of files) writeFileSync(path.join(incomplete, name), bytes);
    writeFileSync(path.join(incomplete, 'card.json'), JSON.stringify({ name: 'velocity ensemble', task: 'velocity' }));
    await expect(registry.addFolder(incomplete)).rejects.toThrow(/card.json: architecture/);
    await expect(registry.addFolder(path.join(work, 'nowhere'))).rejects.toThrow(/not a complete model folder/);
  });

  it('refuses malformed archives with readable errors', async () => {
    const files = await readModelFiles(path.join(bundledDir, 'unet_denoise_v1'));
    const write = (name: string, bytes: Uint8Array): string => {
      const file = path.join(work, name);
      writeFileSync(file, bytes);
      return file;
    };
    const good = writeTar(files);
    const corrupt = good.slice();
    corrupt[10] = corrupt[10]! ^ 0xff;
    await expect(registry.import(write('corrupt.pmodel', corrupt))).rejects.toThrow(/checksum/);
    await expect(registry.import(write('short.pmodel', good.slice(0, 700)))).rejects.toThrow(/truncated/);
    const noCard = new Map(files);
    noCard.delete('card.json');
    await expect(registry.import(write('nocard.pmodel', writeTar(noCard)))).rejects.toThrow(/card.json is missing/);
    const badCard = new Map(files).set('card.json', new TextEncoder().encode('{"name": 3}'));
    await expect(registry.import(write('badcard.pmodel', writeTar(badCard)))).rejects.toThrow(/card.json: name/);
    await expect(registry.import(path.resolve('README.md'))).rejects.toThrow(/not a model archive/);
    expect(() => writeTar(new Map([['../evil', new Uint8Array(1)]]))).not.toThrow();
    expect(() => readTar(writeTar(new Map([['../evil', new Uint8Array(1)]])))).toThrow(/disallowed name/);
    expect(readFileSync(path.join(bundledDir, 'unet_denoise_v1', 'card.json'), 'utf8')).toContain('U-Net denoise v1');
  });
});
