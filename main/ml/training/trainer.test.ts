import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EpochMetrics } from '../../../preload/contract';
import { JobCancelledError } from '../cancellation';
import { chooseBackend } from '../backends';
import { signalToNoiseDb } from '../../signal/metrics';
import { parseModelConfig } from '../modelConfig';
import { loadModelFolder, readModelCard } from '../registry/modelFiles';
import { LayeredVolume } from '../../synth/layeredVolume';
import { seededRandom } from '../../signal/random';
import type { TrainingState } from './checkpoint';
import { InMemoryPatchSource, PatchSourceSet } from './patchSource';
import { splitTrainingData, train } from './trainer';
import { snrDbFromEnergies } from './trainingReport';
import type { TrainOptions } from './trainOptions';

// 8 inlines of 48 traces x 64 samples: with 32 x 32 patches at stride 16, 6 patches a line; 6 training lines
// (36 patches: 5 batches of 8 per epoch) and 2 validation lines (12 patches: 2 batches).
const SHAPE = { traces: 48, samples: 64 };
const volume = new LayeredVolume({ inlines: 8, crosslines: SHAPE.traces, samples: SHAPE.samples, seed: 1 });
const synthetic = new InMemoryPatchSource(
  'layered',
  Array.from({ length: 8 }, (_, i) => ({ data: volume.inline(i), shape: SHAPE })),
);
const BATCHES_PER_EPOCH = 5;

const tinyUnet = parseModelConfig({ architecture: 'unet', params: { features: [8, 16], bottleneck: 16, dropout: 0 } });
/**
 * The learning test trains the tiny autoencoder rather than the U-Net: the U-Net's BatchNorm layers keep tfjs's default
 * moving-average momentum 0.99, so after the ~70 steps a test can afford their inference-mode statistics are still
 * mostly their initial values and the validation loss measures that lag, not learning (PyTorch's default, as in the
 * seeds, is momentum 0.1, i.e. 0.9 in tfjs terms).
 */
const tinyAutoencoder = parseModelConfig({
  architecture: 'autoencoder',
  params: { features: [8, 16], bottleneck: 16 },
});

let root = '';
let runs = 0;

function options(overrides: Partial<TrainOptions> = {}): TrainOptions {
  return {
    config: tinyUnet,
    task: 'denoise',
    loss: 'mse',
    epochs: 4,
    batchSize: 8,
    patch: 32,
    stride: 16,
    learningRate: 3e-3,
    weightDecay: 1e-4,
    validationFraction: 0.25,
    seed: 5,
    plateau: { factor: 0.5, patience: 10 },
    earlyStopping: { patience: 20 },
    corruption: { snrDbRange: [0, 6] },
    checkpointDir: path.join(root, `run-${++runs}`),
    resume: false,
    ...overrides,
  };
}

async function readState(checkpointDir: string): Promise<TrainingState> {
  return JSON.parse(await readFile(path.join(checkpointDir, 'last', 'state.json'), 'utf8')) as TrainingState;
}

beforeAll(async () => {
  await chooseBackend('wasm');
  root = await mkdtemp(path.join(tmpdir(), 'promethium-train-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('train (wasm, tiny U-Net, synthetic dipping Ricker events)', () => {
  let denoised: { bestModelDir: string; history: EpochMetrics[] };

  it('denoise training lowers the validation loss clearly and raises the validation SNR', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const epochs: EpochMetrics[] = [];
    // tfjs seeds its weight initialisers from Math.random: seeding it makes this run reproducible.
    const random = vi.spyOn(Math, 'random').mockImplementation(seededRandom(1));
    const run = options({ config: tinyAutoencoder, stride: 8, epochs: 6 });
    const result = await train([synthetic], run, { onEpoch: (metrics) => epochs.push(metrics) }).finally(() =>
      random.mockRestore(),
    );
    denoised = result;
    const first = result.history[0]!;
    const last = result.history.at(-1)!;
    expect(result.stoppedBecause).toBe('epochs');
    expect(epochs.map((m) => m.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(result.history).toEqual(epochs);
    expect(last.valLoss).toBeLessThan(0.6 * first.valLoss);
    expect(last.valSnrDb).toBeGreaterThan(first.valSnrDb + 2);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const card = await readModelCard(result.bestModelDir);
    expect(card).toMatchObject({
      task: 'denoise',
      architecture: 'autoencoder',
      training: { backend: 'wasm', seed: 5 },
    });
    expect((card.config as { normalization: { sources: unknown[] } }).normalization.sources).toHaveLength(1);
  }, 60_000);

  it('splits by line: no line gives patches to both the training and the validation set', async () => {
    const set = await PatchSourceSet.withEstimatedScales([synthetic]);
    const split = splitTrainingData(set, options());
    const trainLines = new Set(split.train.map((entry) => entry.line));
    const validationLines = new Set(split.validation.map((entry) => entry.line));
    expect(validationLines.size).toBe(2);
    expect(trainLines.size).toBe(6);
    expect([...validationLines].filter((line) => trainLines.has(line))).toEqual([]);
  });

  it('on a silent survey (nothing to learn) halves the learning rate on the plateau and stops early', async () => {
    const silent = new InMemoryPatchSource(
      'silent',
      Array.from({ length: 4 }, () => ({ data: new Float32Array(SHAPE.traces * SHAPE.samples), shape: SHAPE })),
    );
    const result = await train(
      [silent],
      options({
        epochs: 20,
        maxBatchesPerEpoch: 1,
        plateau: { factor: 0.5, patience: 1 },
        earlyStopping: { patience: 3 },
      }),
    );
    expect(result.stoppedBecause).toBe('early-stopping');
    expect(result.history.map((m) => m.learningRate)).toEqual([3e-3, 3e-3, 1.5e-3, 7.5e-4]);
  }, 30_000);

  it('a time budget stops at the end of the batch that exceeds it, with a checkpoint and a best model', async () => {
    const progress: [number, string][] = [];
    const result = await train([synthetic], options({ timeBudgetSeconds: 0, epochs: 1000 }), {
      onProgress: (fraction, message) => progress.push([fraction, message]),
    });
    expect(result.stoppedBecause).toBe('time-budget');
    // Counted as it is: the time box used up, one batch trained, no "epoch 1/1000".
    expect(progress).toContainEqual([1, 'epoch 1: training batch 1/5, 1 batch trained (0 s of the 0 s time box)']);
    expect(progress.some(([, message]) => message.includes('/1000'))).toBe(false);
    expect(result.history).toHaveLength(1);
    expect((await readState(path.dirname(result.lastCheckpointDir))).optimizerIterations).toBe(1);
    (await loadModelFolder(result.bestModelDir)).dispose();
  }, 30_000);

  it('cancelling stops within one batch and leaves a usable last/ checkpoint of the last complete epoch', async () => {
    const controller = new AbortController();
    const progress: string[] = [];
    let progressAfterAbort = 0;
    const run = options();
    const training = train([synthetic], run, {
      signal: controller.signal,
      onProgress: (_, message) => {
        if (controller.signal.aborted) progressAfterAbort++;
        progress.push(message);
        if (message === 'epoch 2/4: training batch 3/5') controller.abort();
      },
    });
    await expect(training).rejects.toBeInstanceOf(JobCancelledError);
    expect(progressAfterAbort).toBe(0);
    const state = await readState(run.checkpointDir);
    expect(state.epoch).toBe(1);
    const model = await loadModelFolder(path.join(run.checkpointDir, 'last'));
    const prediction = model.predict(tf.zeros([1, 32, 32, 1])) as tf.Tensor;
    expect(prediction.shape).toEqual([1, 32, 32, 1]);
    tf.dispose(prediction);
    model.dispose();
  }, 30_000);

  it('resumes after an interruption at epoch 3 with the optimizer iterations and the history kept', async () => {
    const controller = new AbortController();
    const run = options();
    const interrupted = train([synthetic], run, {
      signal: controller.signal,
      onEpoch: ({ epoch }) => epoch === 2 && controller.abort(),
    });
    await expect(interrupted).rejects.toBeInstanceOf(JobCancelledError);
    const saved = await readState(run.checkpointDir);
    expect(saved).toMatchObject({ epoch: 2, optimizerIterations: 2 * BATCHES_PER_EPOCH });

    const resumedEpochs: number[] = [];
    const result = await train(
      [synthetic],
      { ...run, resume: true },
      { onEpoch: ({ epoch }) => resumedEpochs.push(epoch) },
    );
    expect(resumedEpochs).toEqual([3, 4]);
    expect(result.history.slice(0, 2)).toEqual(saved.history);
    expect(result.history.map((m) => m.epoch)).toEqual([1, 2, 3, 4]);
    expect((await readState(run.checkpointDir)).optimizerIterations).toBe(4 * BATCHES_PER_EPOCH);
  }, 60_000);

  it('ends a resumed run bit for bit where the uninterrupted run ends (a killed cluster task relies on it)', async () => {
    // Stopped after epoch 1 (5 steps): AdamW's restored beta2^6 is where one float32 pow and six multiplications differ.
    const run = options({ epochs: 2 });
    const controller = new AbortController();
    const interrupted = train([synthetic], run, { signal: controller.signal, onEpoch: () => controller.abort() });
    await expect(interrupted).rejects.toBeInstanceOf(JobCancelledError);
    const resumed = await train([synthetic], { ...run, resume: true });
    const uninterrupted = await train([synthetic], { ...run, checkpointDir: path.join(root, `run-${++runs}`) });
    const weightsOf = (result: { lastCheckpointDir: string }) =>
      readFile(path.join(result.lastCheckpointDir, 'weights.bin'));
    expect((await weightsOf(resumed)).equals(await weightsOf(uninterrupted))).toBe(true);
  }, 60_000);

  it('fine-tunes from a saved model with its own architecture, starting from its quality', async () => {
    const fresh = denoised.history[0]!;
    const run = options({ config: tinyUnet, stride: 8, epochs: 1, initialModelDir: denoised.bestModelDir });
    const result = await train([synthetic], run);
    expect((await readState(run.checkpointDir)).config).toEqual(tinyAutoencoder);
    expect(result.history[0]!.valLoss).toBeLessThan(fresh.valLoss);
    // The base was validated first, as the epochs are; this epoch beat it, so it is the result.
    expect(result.baseline?.valLoss).toBeGreaterThan(result.history[0]!.valLoss);
    expect(result.keptBase).toBe(false);
    expect((await readModelCard(result.bestModelDir)).metrics).toMatchObject({ epoch: 1 });
  }, 30_000);

  it('a fine-tuning that never beats the base model hands back the base weights, says so, and counts from the base', async () => {
    const progress: string[] = [];
    // A learning rate of 5 wrecks the weights in one step: no epoch can beat the base on the validation lines.
    const run = options({
      epochs: 3,
      maxBatchesPerEpoch: 2,
      learningRate: 5,
      initialModelDir: denoised.bestModelDir,
      plateau: { factor: 0.5, patience: 1 },
      earlyStopping: { patience: 2 },
    });
    const result = await train([synthetic], run, { onProgress: (_, message) => progress.push(message) });
    expect(result.keptBase).toBe(true);
    expect(result.baseline).not.toBeNull();
    expect(result.history.every((m) => !(m.valLoss <= result.baseline!.valLoss))).toBe(true);
    // Epoch 1 did not beat the base (an improvement without the baseline): the rate halves, and two such epochs stop.
    expect(result.history.map((m) => m.learningRate)).toEqual([5, 2.5]);
    expect(result.stoppedBecause).toBe('early-stopping');
    expect(progress).toContain(
      `base model: validation SNR ${result.baseline!.valSnrDb.toFixed(2)} dB, the one to beat`,
    );
    const weightsOf = async (dir: string) => {
      const model = await loadModelFolder(dir);
      const values = model.getWeights().map((w) => Array.from(w.dataSync()));
      model.dispose();
      return values;
    };
    expect(await weightsOf(result.bestModelDir)).toEqual(await weightsOf(denoised.bestModelDir));
    expect(await weightsOf(result.lastCheckpointDir)).not.toEqual(await weightsOf(denoised.bestModelDir));
    const card = await readModelCard(result.bestModelDir);
    expect(card.notes).toMatch(/did not beat the base model.*base model's weights/);
    expect(card.metrics).toEqual({ epoch: 0, valLoss: result.baseline!.valLoss, valSnrDb: result.baseline!.valSnrDb });
  }, 30_000);

  it('trains an interpolation model (two input channels) and refuses a model with the wrong channels', async () => {
    const interpolation = parseModelConfig({
      architecture: 'unet',
      params: { in_channels: 2, features: [8, 16], bottleneck: 16, dropout: 0 },
    });
    const result = await train(
      [synthetic],
      options({ config: interpolation, task: 'interpolate', epochs: 1, maxBatchesPerEpoch: 2 }),
    );
    expect(Number.isFinite(result.history[0]!.valLoss)).toBe(true);
    await expect(train([synthetic], options({ task: 'interpolate' }))).rejects.toThrow(/2 input channel/);
  }, 30_000);

  it('measures the validation SNR as metrics.signalToNoiseDb over all validation patches together', () => {
    const clean = volume.inline(0);
    const processed = clean.map((v, i) => v + 0.1 * Math.sin(i));
    const energy = (values: Float32Array) => values.reduce((sum, v) => sum + v * v, 0);
    const error = clean.map((v, i) => v - processed[i]!);
    expect(snrDbFromEnergies(energy(clean), energy(error))).toBeCloseTo(signalToNoiseDb(clean, processed), 4);
    expect(snrDbFromEnergies(0, 0)).toBe(signalToNoiseDb(new Float32Array(2), new Float32Array(2)));
  });

  it('records blind-spot training in the state and the card, and refuses to resume it with another corruption', async () => {
    const run = options({ corruption: { kind: 'blind-spot' }, epochs: 1, maxBatchesPerEpoch: 2 });
    const result = await train([synthetic], run);
    expect(Number.isFinite(result.history[0]!.valLoss)).toBe(true);
    const recorded = { kind: 'blind-spot', cell: 8, radius: 2 };
    expect((await readState(run.checkpointDir)).corruption).toEqual(recorded);
    const card = await readModelCard(result.bestModelDir);
    expect((card.config as { training: { corruption: unknown } }).training.corruption).toEqual(recorded);
    await expect(train([synthetic], { ...run, epochs: 2, resume: true, corruption: {} })).rejects.toThrow(
      /the checkpoint trains with blind-spot \(cell 8, radius 2\) corruption, not synthetic/,
    );
  }, 30_000);

  it('with BatchNorm frozen, trains the weights but leaves the moving statistics as they were', async () => {
    const result = await train([synthetic], options({ freezeBatchNorm: true, epochs: 1, maxBatchesPerEpoch: 2 }));
    const model = await loadModelFolder(result.lastCheckpointDir);
    const statistics = model.weights.filter((w) => /moving_(mean|variance)/.test(w.originalName));
    expect(statistics.length).toBeGreaterThan(0);
    for (const weight of statistics) {
      const initial = weight.originalName.includes('mean') ? 0 : 1;
      expect(Array.from(await weight.read().data()).every((v) => v === initial)).toBe(true);
    }
    model.dispose();
    const card = await readModelCard(result.bestModelDir);
    expect((card.config as { training: { batchNorm: unknown } }).training.batchNorm).toBe('frozen');
  }, 30_000);

  it('refuses blind-spot training with a loss that is not sample by sample, and for interpolation', async () => {
    await expect(
      train([synthetic], options({ corruption: { kind: 'blind-spot' }, loss: 'mse+0.1*spectral' })),
    ).rejects.toThrow(/only a sample-by-sample loss can use \(mse, l1\)/);
    await expect(
      train([synthetic], options({ corruption: { kind: 'blind-spot' }, task: 'interpolate' })),
    ).rejects.toThrow(/blind-spot training is for denoising/);
  });

  it('refuses recorrupted training with any loss but mse', async () => {
    await expect(train([synthetic], options({ corruption: { kind: 'recorrupted' }, loss: 'l1' }))).rejects.toThrow(
      /recorrupted training needs the mse loss, got 'l1'/,
    );
  });

  it('refuses an unknown loss before doing any work', async () => {
    await expect(train([synthetic], options({ loss: 'mse+0.1*spectrall' }))).rejects.toThrow(
      /spectrall' is not a loss/,
    );
  });
});

describe('per-patch scaling', () => {
  it('is recorded in the state and the card, inherited by a fine-tuning, off unless asked', async () => {
    const scaled = options({ epochs: 1, maxBatchesPerEpoch: 1, patchScaling: true });
    const result = await train([synthetic], scaled);
    expect((await readState(scaled.checkpointDir)).patchScaling).toBe(true);
    const card = await readModelCard(result.bestModelDir);
    expect((card.config as { normalization: unknown }).normalization).toMatchObject({ patchScaling: true });
    const tuned = options({ epochs: 1, maxBatchesPerEpoch: 1, initialModelDir: result.bestModelDir });
    await train([synthetic], tuned);
    expect((await readState(tuned.checkpointDir)).patchScaling).toBe(true);
    const plain = options({ epochs: 1, maxBatchesPerEpoch: 1 });
    await train([synthetic], plain);
    expect((await readState(plain.checkpointDir)).patchScaling).toBe(false);
  }, 60_000);
});
