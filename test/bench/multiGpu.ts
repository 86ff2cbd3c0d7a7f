/**
 * `npm run bench -- multigpu [INLINES]`: apply to volume of a generated cube with the bundled default denoiser at
 * checked strength, in this process and spread over 1, 2 and 4 worker processes (main/compute/workers/). Where the
 * backend chose a GPU, each worker gets its own GPU (as many counts as the machine has GPUs); elsewhere the workers
 * share the CPU, each with its share of the cores for inference, which measures the dealing and its overhead, not a
 * speed-up. Every spread volume is compared byte for byte with the one written in this process.
 */
import { readFile, rm, mkdtemp } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_MODELS, type ApplyVolumeRequest, type BackendReport } from '../../preload/contract';
import { applyVolume } from '../../main/compute/applyVolume';
import { gpuWorkerDevices } from '../../main/compute/workers/gpuWorkers';
import { spreadApply } from '../../main/compute/workers/spreadApply';
import type { WorkerDevice } from '../../main/compute/workers/workerProcess';
import { chooseBackend } from '../../main/ml/backends';
import { SurveyCache } from '../../main/survey/cache';
import { importSurvey } from '../../main/survey/importSurvey';
import { parseWaveletSpec } from '../../main/synth/specs';
import { writeSyntheticSegy } from '../../main/synth/syntheticSegy';

const CUBE = { crosslines: 200, samples: 1000 };
const WORKER_COUNTS = [1, 2, 4];
const quiet = { signal: new AbortController().signal, progress: () => undefined };

interface Run {
  label: string;
  workers: number;
  seconds: number;
  identical: boolean | null;
}

/** `count` workers: one per GPU where the backend has that many, else CPU workers sharing the cores. */
function devicesFor(report: BackendReport, count: number): WorkerDevice[] | null {
  if (report.gpus.length > 0) {
    const devices = gpuWorkerDevices(report).slice(0, count);
    return devices.length === count ? devices : null;
  }
  const threads = String(Math.max(1, Math.floor(availableParallelism() / count)));
  return Array.from({ length: count }, (_, k) => ({
    label: `CPU worker ${k}`,
    env: { PROMETHIUM_BACKEND: report.backend, PROMETHIUM_INFERENCE_THREADS: threads },
  }));
}

async function volumeBytes(dir: string, inlines: number): Promise<Buffer> {
  const cache = await SurveyCache.open(dir);
  try {
    const { data } = await cache.subVolume(0, inlines, 0, CUBE.crosslines, 0, CUBE.samples);
    return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  } finally {
    await cache.close();
  }
}

export async function benchMultiGpu(inlines: number): Promise<string> {
  const report = await chooseBackend();
  const work = await mkdtemp(path.join(tmpdir(), 'promethium-bench-multigpu-'));
  try {
    const segy = path.join(work, 'cube.sgy');
    const cube = { inlines, ...CUBE };
    await writeSyntheticSegy(segy, {
      kind: 'cube',
      seed: 5,
      ...cube,
      sampleIntervalMs: 4,
      wavelet: parseWaveletSpec('ricker:25'),
      noise: [{ kind: 'gaussian', snrDb: 0 }],
    });
    const cacheDir = path.join(work, 'cache.zarr');
    await importSurvey({ path: segy, cacheDir }, quiet);
    const card = JSON.parse(
      await readFile(path.resolve('resources/models', DEFAULT_MODELS.denoise, 'card.json'), 'utf8'),
    ) as { name: string };
    const request = (name: string): ApplyVolumeRequest => ({
      kind: 'apply-volume',
      volumeId: name,
      surveyId: 'cube',
      inputDir: cacheDir,
      volumeDir: path.join(work, `${name}.zarr`),
      task: 'denoise',
      model: { dir: path.resolve('resources/models', DEFAULT_MODELS.denoise), name: card.name },
      method: null,
      tta: false,
      ensemble: 1,
      fullStrength: false,
      inlines: [0, inlines - 1],
      polygon: null,
    });

    const runs: Run[] = [];
    let started = performance.now();
    const local = request('local');
    await applyVolume(local, quiet);
    runs.push({ label: 'in this process', workers: 0, seconds: (performance.now() - started) / 1000, identical: null });
    const reference = await volumeBytes(local.volumeDir, inlines);
    for (const count of WORKER_COUNTS) {
      const devices = devicesFor(report, count);
      if (!devices) continue;
      const spread = request(`workers-${count}`);
      started = performance.now();
      await spreadApply(spread, quiet, { devices, workerScript: path.join(__dirname, 'applyWorker.cjs') });
      const seconds = (performance.now() - started) / 1000;
      const identical = (await volumeBytes(spread.volumeDir, inlines)).equals(reference);
      runs.push({ label: devices.map((d) => d.label).join(', '), workers: count, seconds, identical });
    }
    return formatReport(report, cube, runs);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function formatReport(report: BackendReport, cube: { inlines: number } & typeof CUBE, runs: Run[]): string {
  const samples = cube.inlines * cube.crosslines * cube.samples;
  const one = runs.find((run) => run.workers === 1);
  const rows = runs.map((run) => {
    const rate = samples / run.seconds / 1e6;
    const speedUp = one && run.workers > 0 ? one.seconds / run.seconds : null;
    const efficiency = speedUp !== null ? `${speedUp.toFixed(2)}x (${(speedUp / run.workers).toFixed(2)} N)` : '—';
    const identical = run.identical === null ? 'reference' : run.identical ? 'yes' : '**NO**';
    return `| ${run.workers || '—'} | ${run.label} | ${run.seconds.toFixed(1)} s | ${rate.toFixed(2)} | ${efficiency} | ${identical} |`;
  });
  const where =
    report.gpus.length > 0
      ? `one worker per GPU (${report.gpus.length} in use)`
      : `workers sharing ${availableParallelism()} CPU cores (each with cores / N inference threads): ` +
        'this measures the cost of dealing inlines to processes, not a speed-up';
  return [
    `Apply to volume of a ${cube.inlines} x ${cube.crosslines} x ${cube.samples} generated cube ` +
      `(${(samples / 1e6).toFixed(0)} M samples, 0 dB Gaussian noise) with ${DEFAULT_MODELS.denoise} at checked ` +
      `strength; backend ${report.backend} (${report.device}); ${where}. One run each, wall time of the whole job ` +
      '(workers start, load tfjs and the model, apply, and the volume is finished).',
    '',
    '| workers | devices | time | M samples/s | speed-up over 1 worker | same bytes as in-process |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
