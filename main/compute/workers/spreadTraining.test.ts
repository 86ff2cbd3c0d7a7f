/**
 * The training job spread over two real worker processes (the worker bundled with esbuild) on the CPU, against the
 * same job in this process: the same loss curve; and a worker killed with SIGKILL stops the job with the reason, whose
 * checkpoint then resumes on one worker.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EpochMetrics } from '../../../preload/contract';
import { chooseBackend } from '../../ml/backends';
import { importSurvey } from '../../survey/importSurvey';
import { parseWaveletSpec } from '../../synth/specs';
import { writeSyntheticSegy } from '../../synth/syntheticSegy';
import type { JobContext } from '../protocol';
import { trainModel } from '../trainModel';
import { spreadTraining } from './spreadTraining';
import { bundleWorker, cpuWorkers } from './workerTesting';
import type { TrainRequest } from './workerProtocol';

let root = '';
let cacheDir = '';
let workerScript = '';
let startingModel = '';
let runs = 0;
const quiet: JobContext = { signal: new AbortController().signal, progress: () => undefined };

beforeAll(async () => {
  await chooseBackend('wasm');
  root = await mkdtemp(path.join(tmpdir(), 'promethium-spread-training-'));
  const segy = path.join(root, 'cube.sgy');
  await writeSyntheticSegy(segy, {
    kind: 'cube',
    seed: 8,
    inlines: 6,
    crosslines: 64,
    samples: 64,
    sampleIntervalMs: 4,
    wavelet: parseWaveletSpec('ricker:25'),
  });
  cacheDir = path.join(root, 'cache.zarr');
  await importSurvey({ path: segy, cacheDir }, quiet);
  workerScript = await bundleWorker('trainWorker', root);
  // Every run starts from these weights (a fresh model's are random).
  startingModel = (await trainModel(trainRequest({ epochs: 1, initialModelDir: undefined }), quiet)).bestModelDir;
}, 180_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function trainRequest(overrides: Partial<TrainRequest> = {}): TrainRequest {
  return {
    kind: 'train-model',
    name: 'spread',
    task: 'denoise',
    config: { architecture: 'unet', params: { features: [4, 8], bottleneck: 8, dropout: 0 } },
    sources: [{ surveyId: 'cube', cacheDir }],
    epochs: 3,
    batchSize: 4,
    patch: 32,
    learningRate: 3e-3,
    // Fine-tuning freezes BatchNorm: the workers' shares then train as the whole batch does (dataParallel.ts).
    initialModelDir: startingModel,
    parentId: null,
    checkpointDir: path.join(root, `run-${++runs}`),
    resume: false,
    ...overrides,
  };
}

function expectSameCurve(actual: EpochMetrics[], expected: EpochMetrics[]): void {
  expect(actual.map((m) => m.epoch)).toEqual(expected.map((m) => m.epoch));
  actual.forEach((metrics, k) => {
    expect(metrics.trainLoss).toBeCloseTo(expected[k]!.trainLoss, 5);
    expect(metrics.valLoss).toBeCloseTo(expected[k]!.valLoss, 5);
  });
}

describe('training spread over worker processes', () => {
  let alone: EpochMetrics[] = [];

  beforeAll(async () => {
    alone = (await trainModel(trainRequest(), quiet)).history;
  }, 120_000);

  it('gives the loss curve of the same job in one process', async () => {
    const epochs: EpochMetrics[] = [];
    const context: JobContext = {
      signal: new AbortController().signal,
      progress: (_fraction, _message, detail) => {
        if (detail) epochs.push(detail as EpochMetrics);
      },
    };
    const result = await spreadTraining(trainRequest(), context, { devices: cpuWorkers(2), workerScript });
    expectSameCurve(result.history, alone);
    expect(epochs.map((m) => m.epoch)).toEqual([1, 2, 3]);
  }, 120_000);

  it('stops when a worker is killed, and the checkpoint resumes on one worker', async () => {
    const request = trainRequest();
    const pids: number[] = [];
    const context: JobContext = {
      signal: new AbortController().signal,
      progress: (_fraction, _message, detail) => {
        if ((detail as EpochMetrics | undefined)?.epoch === 1) process.kill(pids[1]!, 'SIGKILL');
      },
    };
    const options = {
      devices: cpuWorkers(2),
      workerScript,
      onWorkerStarted: ({ pid }: { pid: number }) => pids.push(pid),
    };
    await expect(spreadTraining(request, context, options)).rejects.toThrow(
      /CPU worker 1: the worker process stopped \(killed by SIGKILL\); the other workers were stopped/,
    );
    const resumed = await trainModel({ ...request, resume: true }, quiet);
    expectSameCurve(resumed.history, alone);
  }, 120_000);
});
