/**
 * `npm run bench -- multigpu-train [CONFIG]`: data-parallel training (main/compute/workers/spreadTraining.ts) of a
 * bundled config (default unet-small; unet-seeds on GPUs) on a generated cube with one global batch, on 1, 2 and 4
 * workers: one per GPU where the backend chose a GPU and the machine has that many, else CPU workers sharing the cores
 * (then a measure of the exchange's cost, not a speed-up). The time of the second epoch is compared: the first also
 * holds the workers' start and the kernels' compilation.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import type { BackendReport } from '../../preload/contract';
import { gpuWorkerDevices } from '../../main/compute/workers/gpuWorkers';
import { spreadTraining } from '../../main/compute/workers/spreadTraining';
import type { WorkerDevice } from '../../main/compute/workers/workerProcess';
import type { TrainRequest } from '../../main/compute/workers/workerProtocol';
import { chooseBackend } from '../../main/ml/backends';
import { resolveModelConfig } from '../../main/ml/configCatalog';
import { importSurvey } from '../../main/survey/importSurvey';
import { parseWaveletSpec } from '../../main/synth/specs';
import { writeSyntheticSegy } from '../../main/synth/syntheticSegy';

const CUBE = { inlines: 8, crosslines: 128, samples: 128 };
const TRAINING = { batchSize: 16, patch: 64, epochs: 2 };
const WORKER_COUNTS = [1, 2, 4];
const quiet = { signal: new AbortController().signal, progress: () => undefined };

/** `count` workers: one per GPU where the backend has that many, else CPU workers sharing the cores. */
function devicesFor(report: BackendReport, count: number): WorkerDevice[] | null {
  if (report.gpus.length > 0) {
    const devices = gpuWorkerDevices(report).slice(0, count);
    return devices.length === count ? devices : null;
  }
  if (count > availableParallelism()) return null;
  return Array.from({ length: count }, (_, k) => ({
    label: `CPU worker ${k}`,
    env: { PROMETHIUM_BACKEND: report.backend },
  }));
}

async function generatedCube(work: string): Promise<string> {
  const segy = path.join(work, 'cube.sgy');
  await writeSyntheticSegy(segy, {
    kind: 'cube',
    seed: 6,
    ...CUBE,
    sampleIntervalMs: 4,
    wavelet: parseWaveletSpec('ricker:25'),
  });
  const cacheDir = path.join(work, 'cache.zarr');
  await importSurvey({ path: segy, cacheDir }, quiet);
  return cacheDir;
}

export async function benchMultiGpuTraining(configName: string): Promise<string> {
  const report = await chooseBackend();
  const config = await resolveModelConfig(configName);
  const work = await mkdtemp(path.join(tmpdir(), 'promethium-bench-multigpu-train-'));
  try {
    const cacheDir = await generatedCube(work);
    const rows: string[] = [];
    let oneWorker: number | null = null;
    for (const count of WORKER_COUNTS) {
      const devices = devicesFor(report, count);
      if (!devices) continue;
      const request: TrainRequest = {
        kind: 'train-model',
        name: `bench-${count}`,
        task: 'denoise',
        config,
        sources: [{ surveyId: 'cube', cacheDir }],
        ...TRAINING,
        learningRate: 1e-3,
        parentId: null,
        checkpointDir: path.join(work, `run-${count}`),
        resume: false,
      };
      const script = path.join(__dirname, 'trainWorker.cjs');
      const { history } = await spreadTraining(request, quiet, { devices, workerScript: script });
      const seconds = history[TRAINING.epochs - 1]!.seconds;
      oneWorker ??= count === 1 ? seconds : null;
      const speedUp =
        oneWorker === null
          ? '—'
          : `${(oneWorker / seconds).toFixed(2)}x (${(oneWorker / seconds / count).toFixed(2)} N)`;
      rows.push(`| ${count} | ${devices.map((d) => d.label).join(', ')} | ${seconds.toFixed(1)} s | ${speedUp} |`);
    }
    return [
      `Data-parallel training of ${configName} on a ${CUBE.inlines} x ${CUBE.crosslines} x ${CUBE.samples} generated ` +
        `cube, global batch ${TRAINING.batchSize} of ${TRAINING.patch}² patches; backend ${report.backend} ` +
        `(${report.device}); ${report.gpus.length > 0 ? 'one worker per GPU' : `CPU workers sharing ${availableParallelism()} cores`}. ` +
        'Time of the second epoch, one run each: training and validation, which every worker runs whole (it does not ' +
        'speed up with more workers).',
      '',
      '| workers | devices | epoch 2 | speed-up over 1 worker |',
      '| --- | --- | --- | --- |',
      ...rows,
    ].join('\n');
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
