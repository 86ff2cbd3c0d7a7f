/**
 * Data-parallel training on the CPU with workers in one process, linked through memory (localExchanges): the loss
 * curve must be one worker's with the same global batch, and a checkpoint written by two workers must resume on three
 * and on one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EpochMetrics } from '../../../preload/contract';
import { chooseBackend } from '../backends';
import { parseModelConfig } from '../modelConfig';
import { LayeredVolume } from '../../synth/layeredVolume';
import { GradientSums, localExchanges, shareOf, type GradientExchange } from './dataParallel';
import { InMemoryPatchSource } from './patchSource';
import { train } from './trainer';
import type { TrainOptions } from './trainOptions';

// 8 inlines of 64 traces x 32 samples, 32 x 32 patches at stride 32: 2 patches a line, 6 training lines (12 patches:
// 3 batches of 4 an epoch), 2 validation lines.
const SHAPE = { traces: 64, samples: 32 };

function sources(): InMemoryPatchSource[] {
  const volume = new LayeredVolume({ inlines: 8, crosslines: SHAPE.traces, samples: SHAPE.samples, seed: 3 });
  return [
    new InMemoryPatchSource(
      'layered',
      Array.from({ length: 8 }, (_, i) => ({ data: volume.inline(i), shape: SHAPE })),
    ),
  ];
}

let root = '';
let startingModel = '';
let runs = 0;

function options(overrides: Partial<TrainOptions> = {}): TrainOptions {
  return {
    config: parseModelConfig({ architecture: 'unet', params: { features: [4, 8], bottleneck: 8, dropout: 0 } }),
    task: 'denoise',
    loss: 'mse',
    epochs: 3,
    batchSize: 4,
    patch: 32,
    stride: 32,
    learningRate: 3e-3,
    weightDecay: 1e-4,
    validationFraction: 0.25,
    seed: 11,
    plateau: { factor: 0.5, patience: 10 },
    earlyStopping: { patience: 20 },
    corruption: { snrDbRange: [0, 6] },
    // BatchNorm on batch statistics would normalise each worker's share by itself (dataParallel.ts).
    freezeBatchNorm: true,
    checkpointDir: path.join(root, `run-${++runs}`),
    resume: false,
    ...overrides,
  };
}

/** Trains with `workers` workers in this process; returns worker 0's epochs (every worker's are the same). */
async function trainOnWorkers(workers: number, run: TrainOptions): Promise<EpochMetrics[]> {
  const exchanges: GradientExchange[] = localExchanges(workers);
  const results = await Promise.all(exchanges.map((exchange) => train(sources(), run, { exchange })));
  const curves = results.map((result) => result.history.map(({ seconds: _, ...metrics }) => metrics));
  for (const curve of curves) expect(curve).toEqual(curves[0]);
  return results[0]!.history;
}

function expectSameCurve(actual: EpochMetrics[], expected: EpochMetrics[]): void {
  expect(actual.map((m) => m.epoch)).toEqual(expected.map((m) => m.epoch));
  actual.forEach((metrics, k) => {
    expect(metrics.trainLoss).toBeCloseTo(expected[k]!.trainLoss, 5);
    expect(metrics.valLoss).toBeCloseTo(expected[k]!.valLoss, 5);
  });
}

beforeAll(async () => {
  await chooseBackend('wasm');
  root = await mkdtemp(path.join(tmpdir(), 'promethium-data-parallel-'));
  // Every run starts from these weights (a fresh model's are random).
  startingModel = (await train(sources(), options({ epochs: 1 }))).bestModelDir;
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('shares of a batch', () => {
  it('splits a batch into contiguous shares, as even as possible', () => {
    expect([0, 1, 2].map((rank) => shareOf(4, rank, 3))).toEqual([
      { first: 0, count: 1 },
      { first: 1, count: 1 },
      { first: 2, count: 2 },
    ]);
    expect(shareOf(1, 0, 2)).toEqual({ first: 0, count: 0 });
  });
});

describe('GradientSums', () => {
  it("answers every worker with the round's sum, or with worker 0's values", async () => {
    const sums = new GradientSums(2);
    const both = await Promise.all([
      sums.contribute('sum', 1, Float32Array.of(1, 2)),
      sums.contribute('sum', 0, Float32Array.of(10, 20)),
    ]);
    expect(both.map((values) => Array.from(values))).toEqual([
      [11, 22],
      [11, 22],
    ]);
    const broadcast = await Promise.all([
      sums.contribute('broadcast', 1, Float32Array.of(5)),
      sums.contribute('broadcast', 0, Float32Array.of(7)),
    ]);
    expect(broadcast.map((values) => values[0])).toEqual([7, 7]);
  });

  it('refuses a worker that asks for something else than the others', async () => {
    const sums = new GradientSums(2);
    void sums.contribute('sum', 0, Float32Array.of(1));
    await expect(sums.contribute('broadcast', 1, Float32Array.of(1))).rejects.toThrow(/asked for a broadcast while/);
  });
});

describe('data-parallel training', () => {
  let alone: EpochMetrics[] = [];

  beforeAll(async () => {
    alone = (await train(sources(), options({ initialModelDir: startingModel }))).history;
  }, 120_000);

  it('gives the loss curve of one worker with the same global batch', async () => {
    expectSameCurve(await trainOnWorkers(2, options({ initialModelDir: startingModel })), alone);
  }, 120_000);

  it("resumes two workers' checkpoint on three workers, and on one", async () => {
    const onTwo = options({ initialModelDir: startingModel, epochs: 1 });
    await trainOnWorkers(2, onTwo);
    const onThree = await trainOnWorkers(3, { ...onTwo, epochs: 2, resume: true });
    const onOne = (await train(sources(), { ...onTwo, epochs: 3, resume: true })).history;
    expectSameCurve(onOne, alone);
    expectSameCurve(onThree, alone.slice(0, 2));
  }, 120_000);
});
