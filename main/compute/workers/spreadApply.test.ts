/**
 * Apply to volume spread over several real worker processes (the worker bundled with esbuild, as plain node runs no
 * TypeScript), on the CPU: the workers differ from GPU workers only in the environment that pins them. The volume
 * must be byte-identical to one in-process apply, a worker killed with SIGKILL must leave its inlines to the others,
 * and a cancelled job must resume after its finished inlines.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApplyVolumeRequest } from '../../../preload/contract';
import { SurveyCache } from '../../survey/cache';
import { importSurvey } from '../../survey/importSurvey';
import { parseWaveletSpec } from '../../synth/specs';
import { writeSyntheticSegy } from '../../synth/syntheticSegy';
import { applyVolume, type ApplyVolumeProgress, INLINES_IN_FLIGHT } from '../applyVolume';
import type { JobContext } from '../protocol';
import { spreadApply, type SpreadOptions } from './spreadApply';
import { bundleWorker, cpuWorkers } from './workerTesting';

const CUBE = { inlines: 16, crosslines: 120, samples: 400 };

let root = '';
let cacheDir = '';
let workerScript = '';
let volumes = 0;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'promethium-spread-'));
  const segy = path.join(root, 'cube.sgy');
  await writeSyntheticSegy(segy, {
    kind: 'cube',
    seed: 23,
    ...CUBE,
    sampleIntervalMs: 4,
    wavelet: parseWaveletSpec('ricker:25'),
    noise: [{ kind: 'gaussian', snrDb: 5 }],
  });
  cacheDir = path.join(root, 'cache.zarr');
  const quiet = { signal: new AbortController().signal, progress: () => undefined };
  await importSurvey({ path: segy, cacheDir }, quiet);
  workerScript = await bundleWorker('applyWorker', root);
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A request for a new volume: f-x denoising of inline indices 2-13 (the others are copied). */
function applyRequest(): ApplyVolumeRequest {
  return {
    kind: 'apply-volume',
    volumeId: `volume-${++volumes}`,
    surveyId: 'cube',
    inputDir: cacheDir,
    volumeDir: path.join(root, `volume-${volumes}.zarr`),
    task: 'denoise',
    model: null,
    method: 'fx',
    tta: false,
    ensemble: 1,
    fullStrength: false,
    inlines: [2, 13],
    polygon: null,
  };
}

interface Watched {
  context: JobContext;
  progress: ApplyVolumeProgress[];
  abort(): void;
}

function watchedContext(onLine: (progress: ApplyVolumeProgress, message: string) => void = () => undefined): Watched {
  const controller = new AbortController();
  const progress: ApplyVolumeProgress[] = [];
  return {
    progress,
    abort: () => controller.abort(),
    context: {
      signal: controller.signal,
      progress: (_fraction, message, detail) => {
        if (!detail) return;
        progress.push(detail as ApplyVolumeProgress);
        onLine(detail as ApplyVolumeProgress, message);
      },
    },
  };
}

async function volumeBytes(volumeDir: string): Promise<Buffer> {
  const cache = await SurveyCache.open(volumeDir);
  try {
    const { data } = await cache.subVolume(0, CUBE.inlines, 0, CUBE.crosslines, 0, CUBE.samples);
    return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  } finally {
    await cache.close();
  }
}

let reference: Buffer;

describe('apply to volume spread over worker processes', () => {
  beforeAll(async () => {
    const request = applyRequest();
    await applyVolume(request, watchedContext().context);
    reference = await volumeBytes(request.volumeDir);
  }, 120_000);

  it('writes the volume one worker writes, byte for byte, with the inlines dealt between two workers', async () => {
    const request = applyRequest();
    const { context, progress } = watchedContext();
    const result = await spreadApply(request, context, { devices: cpuWorkers(2), workerScript });
    expect((await volumeBytes(request.volumeDir)).equals(reference)).toBe(true);
    expect(result.workers.map((w) => w.failure)).toEqual([null, null]);
    expect(result.workers.reduce((sum, w) => sum + w.inlinesWritten, 0)).toBe(CUBE.inlines);
    expect(result.inlinesReconstructed).toBe(12);
    expect(result.method).toBe('fx');
    expect(progress.map((p) => p.completedLines)).toEqual(Array.from({ length: CUBE.inlines }, (_, k) => k + 1));
  }, 120_000);

  it('finishes with the other worker when one is killed, its inlines given back', async () => {
    const request = applyRequest();
    const pids: number[] = [];
    const options: SpreadOptions = {
      devices: cpuWorkers(2),
      workerScript,
      onWorkerStarted: ({ pid }) => pids.push(pid),
    };
    let killed = false;
    const { context } = watchedContext(({ completedLines }, message) => {
      // Worker 1 just wrote an inline: worker 0 holds the ones it is reconstructing.
      if (completedLines >= 4 && message.endsWith('by CPU worker 1') && !killed) {
        killed = true;
        process.kill(pids[0]!, 'SIGKILL');
      }
    });
    const result = await spreadApply(request, context, options);
    expect(killed).toBe(true);
    expect(result.workers[0]!.failure).toBe('the worker process stopped (killed by SIGKILL)');
    expect(result.workers[0]!.inlinesGivenBack).toBeGreaterThanOrEqual(1);
    expect(result.workers[0]!.inlinesGivenBack).toBeLessThanOrEqual(INLINES_IN_FLIGHT);
    expect(result.workers[1]!.failure).toBeNull();
    expect((await volumeBytes(request.volumeDir)).equals(reference)).toBe(true);
  }, 120_000);

  it('stops on cancel and resumes after the finished inlines', async () => {
    const request = applyRequest();
    const first = watchedContext(({ completedLines }) => {
      if (completedLines === 5) first.abort();
    });
    await expect(spreadApply(request, first.context, { devices: cpuWorkers(2), workerScript })).rejects.toThrow(
      /cancelled/,
    );
    const stoppedAt = first.progress.length;
    expect(stoppedAt).toBeLessThan(CUBE.inlines);

    const resumed = await spreadApply(request, watchedContext().context, { devices: cpuWorkers(2), workerScript });
    expect(resumed.inlinesAlreadyDone).toBe(stoppedAt);
    expect((await volumeBytes(request.volumeDir)).equals(reference)).toBe(true);
  }, 120_000);

  it('fails with the reason when every worker fails', async () => {
    const request = { ...applyRequest(), method: 'pocs' as const };
    await expect(
      spreadApply(request, watchedContext().context, { devices: cpuWorkers(2), workerScript }),
    ).rejects.toThrow(
      /every worker stopped before the volume was complete \(CPU worker 0: pocs is not a denoise method/,
    );
  }, 120_000);
});
