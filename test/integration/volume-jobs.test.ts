/**
 * Derived volumes and their jobs, through the real services. Names: runs with and without test-time augmentation or a
 * Monte Carlo ensemble are told apart in the volume's and the job's names. Removal: volumes.remove against the job queue, through the real services (real project database, jobs in the compute
 * process): a volume whose apply job was resumed is refused removal while that job is queued, although the volume's
 * record still names the stopped job (the resumed one is named from its first finished line on). Removing it then would
 * delete the folder that the queued job goes on to rewrite, with no record pointing to it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../preload/contract';
import type { AppServices } from '../../main/workflows/services';
import { createTestServices, jobWhen } from '../support/services';
import { hasTestdata, testdataPath } from '../testdata';

let services: AppServices;
let disposeServices = (): void => undefined;

beforeAll(() => {
  ({ services, dispose: disposeServices } = createTestServices('wasm', 'promethium-volume-remove-'));
});
afterAll(() => disposeServices());

const ended = (id: string): Promise<JobInfo> => jobWhen(services, id);

describe.skipIf(!hasTestdata)('volumes and their jobs', () => {
  it('refuses to remove a volume whose resumed apply job is queued, naming the job; removes it once the job is done', async () => {
    const { survey, job: importJob } = services.surveys.startImport({
      path: testdataPath('segy', 'ex1_missing_traces_75x71x26.segy'),
    });
    expect((await ended(importJob.id)).state).toBe('done');

    // A long job ahead in the queue keeps the resumed apply queued for as long as the test needs.
    const blocker = services.jobs.start({
      kind: 'synthetic-stats',
      inlines: 4000,
      crosslines: 400,
      samples: 1000,
      seed: 1,
    });
    const { volume, job } = await services.volumes.apply({
      surveyId: survey.id,
      task: 'interpolate',
      method: 'linear',
      tta: false,
      ensemble: 1,
    });
    const cancelled = ended(job.id);
    services.jobs.cancel(job.id);
    expect((await cancelled).state).toBe('cancelled');
    expect(services.volumes.get(volume.id)).toMatchObject({ state: 'interrupted', jobId: job.id });

    const resumed = services.jobs.resume(job.id);
    expect(services.jobs.get(resumed.id).state).toBe('queued');
    // The gap: the record still names the stopped job.
    expect(services.volumes.get(volume.id).jobId).toBe(job.id);
    const volumeDir = path.join(services.project.volumesDir, `${volume.id}.zarr`);
    await expect(services.volumes.remove(volume.id)).rejects.toThrow(
      new RegExp(`being written by the queued job .*\\(${resumed.id}\\): cancel it first`),
    );
    expect(services.volumes.get(volume.id).name).toBe(volume.name);

    const done = ended(resumed.id);
    services.jobs.cancel(blocker.id);
    expect((await done).state, (await done).error?.message).toBe('done');
    expect(services.volumes.get(volume.id)).toMatchObject({ state: 'ready', jobId: resumed.id });
    expect(existsSync(volumeDir)).toBe(true);

    // A job that only reads the volume (applying on top of it) also holds it.
    const second = services.jobs.start({
      kind: 'synthetic-stats',
      inlines: 4000,
      crosslines: 400,
      samples: 1000,
      seed: 2,
    });
    const onTop = await services.volumes.apply({
      surveyId: survey.id,
      task: 'denoise',
      method: 'median',
      tta: false,
      ensemble: 1,
      parentVolumeId: volume.id,
    });
    await expect(services.volumes.remove(volume.id)).rejects.toThrow(/being read by the queued job/);
    const stopped = ended(onTop.job.id);
    services.jobs.cancel(onTop.job.id);
    await stopped;
    const secondEnded = ended(second.id);
    services.jobs.cancel(second.id);
    await secondEnded;

    await services.volumes.remove(volume.id);
    expect(services.volumes.list(survey.id).map((v) => v.id)).not.toContain(volume.id);
    expect(existsSync(volumeDir)).toBe(false);
  }, 120_000);

  it('names volumes and jobs made with and without an ensemble or TTA differently', async () => {
    const surveyId = services.surveys.list()[0]!.id;
    const blocker = services.jobs.start({
      kind: 'synthetic-stats',
      inlines: 4000,
      crosslines: 400,
      samples: 1000,
      seed: 3,
    });
    const runs = [
      { tta: false, ensemble: 1 },
      { tta: false, ensemble: 8 },
      { tta: true, ensemble: 8 },
      {
        tta: false,
        ensemble: 1,
        polygon: [
          [0, 0],
          [10, 0],
          [10, 10],
        ] as [number, number][],
      },
    ];
    const made = [];
    for (const options of runs) made.push(await services.volumes.apply({ surveyId, task: 'denoise', ...options }));
    const names = made.map(({ volume }) => services.volumes.get(volume.id).name);
    expect(names).toEqual([
      'ex1_missing_traces_75x71x26.segy denoised (model U-Net denoise v1)',
      'ex1_missing_traces_75x71x26.segy denoised (model U-Net denoise v1, ensemble 8)',
      'ex1_missing_traces_75x71x26.segy denoised (model U-Net denoise v1, TTA, ensemble 8)',
      'ex1_missing_traces_75x71x26.segy denoised (model U-Net denoise v1, inside an area)',
    ]);
    const titles = made.map(({ job }) => services.jobs.get(job.id).title);
    expect(new Set(titles).size).toBe(4);
    expect(titles[1]).toBe('Denoise ex1_missing_traces_75x71x26.segy (model U-Net denoise v1, ensemble 8)');
    for (const { job } of [...made].reverse()) {
      const stopped = ended(job.id);
      services.jobs.cancel(job.id);
      await stopped;
    }
    const stopped = ended(blocker.id);
    services.jobs.cancel(blocker.id);
    await stopped;
  }, 60_000);
});
