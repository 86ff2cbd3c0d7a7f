/**
 * SIGKILL during survey import, SEG-Y export and training, each at two moments, of the compute process (the app
 * survives) and of the whole app (the CLI with its compute process). After each kill: the job is interrupted, nothing
 * half-written sits at a target path (no survey cache, no SEG-Y file), the next open of the project removes what the
 * killed write left, and jobs.resume finishes the job: imports and exports with exactly what an uninterrupted run
 * gives, training from the epoch after its last checkpoint. (Apply-to-volume is covered the same way by
 * volume-crash.test.ts.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EpochMetrics, JobInfo } from '../../preload/contract';
import type { AppServices } from '../../main/workflows/services';
import { SurveyCache } from '../../main/survey/cache';
import { jobWhen, openServices } from '../support/services';

const [INLINES, CROSSLINES, SAMPLES] = [32, 120, 500];
const SEGY_BYTES = 3600 + INLINES * CROSSLINES * (240 + SAMPLES * 4);
const MOMENTS = [0.25, 0.7];

const work = mkdtempSync(path.join(os.tmpdir(), 'promethium-kill-recovery-'));
const home = path.join(work, 'home');
const survey = path.join(work, 'synth.sgy');
afterAll(() => rmSync(work, { recursive: true, force: true }));

function cli(args: string[]): ChildProcess {
  return spawn(process.execPath, ['bin/promethium.cjs', ...args], {
    env: { ...process.env, PROMETHIUM_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, with the compute process it forks: killApp kills both at once
  });
}

/** Runs the CLI to the end; returns what it printed. */
async function cliRun(args: string[]): Promise<string> {
  const child = cli(args);
  let [stdout, stderr] = ['', ''];
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(code, stderr).toBe(0);
  return stdout;
}

async function cliJson<T>(args: string[]): Promise<T> {
  return JSON.parse(await cliRun([...args, '--json'])) as T;
}

function openProject(projectDir: string): AppServices {
  return openServices({ home, projectDir });
}

/** Resolves when `reached()` holds, polled every 5 ms (the kill moments are read from the files being written). */
async function until(reached: () => boolean, what: string, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!reached()) {
    if (child && child.exitCode !== null) throw new Error(`the app ended before ${what}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Kills the CLI and the compute process it started (its process group), both with SIGKILL. */
async function killApp(app: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => app.once('exit', resolve));
  process.kill(-app.pid!, 'SIGKILL');
  await exited;
}

function filesUnder(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String) : [];
}

function temporariesOf(target: string): string[] {
  return readdirSync(path.dirname(target)).filter((name) => name.startsWith(`${path.basename(target)}.tmp-`));
}

async function cacheValues(dir: string): Promise<Buffer> {
  const cache = await SurveyCache.open(dir);
  const values = (await cache.subVolume(0, INLINES, 0, CROSSLINES, 0, SAMPLES)).data;
  await cache.close();
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}

/** Checks the state a killed job leaves, resumes it in `services` and returns the finished job. */
async function resumeInterrupted(services: AppServices, jobId: string): Promise<JobInfo> {
  expect(services.project.db.pragma('integrity_check', { simple: true })).toBe('ok');
  expect(services.jobs.get(jobId).state).toBe('interrupted');
  const resumed = services.jobs.resume(jobId);
  const done = await jobWhen(services, resumed.id);
  expect(done.state, done.error?.message).toBe('done');
  return done;
}

let reference: { cacheValues: Buffer; cacheFiles: number; export: Buffer };
let volumeId = '';
const exportProject = path.join(work, 'export-project');

beforeAll(async () => {
  const size = ['--inlines', `${INLINES}`, '--crosslines', `${CROSSLINES}`, '--samples', `${SAMPLES}`];
  await cliRun(['synth', '--out', survey, ...size, '--noise', 'gaussian:6', '--seed', '11']);
  const { id: surveyId } = await cliJson<{ id: string }>(['import', survey, '--project', exportProject]);
  const applied = await cliJson<{ volume: { id: string } }>([
    'apply',
    '--project',
    exportProject,
    '--survey',
    surveyId,
    '--task',
    'denoise',
    '--method',
    'median',
  ]);
  volumeId = applied.volume.id;
  const out = path.join(work, 'reference.sgy');
  await cliJson(['export-volume', '--project', exportProject, volumeId, out]);
  const cacheDir = path.join(exportProject, 'caches', `${surveyId}.zarr`);
  reference = {
    cacheValues: await cacheValues(cacheDir),
    cacheFiles: filesUnder(cacheDir).length,
    export: readFileSync(out),
  };
}, 120_000);

describe('kill -9 during survey import', () => {
  it.each(MOMENTS)(
    'of the compute process at %s of the cache: resumes to the same cache',
    async (moment) => {
      const services = openProject(path.join(work, `import-compute-${moment}`));
      try {
        const { survey: started, job } = services.surveys.startImport({ path: survey });
        const cacheDir = path.join(services.project.cachesDir, `${started.id}.zarr`);
        await until(() => filesUnder(`${cacheDir}.partial`).length >= moment * reference.cacheFiles, 'the kill moment');
        process.kill(services.compute.status.pid!, 'SIGKILL');
        expect((await jobWhen(services, job.id)).state).toBe('interrupted');
        expect(existsSync(cacheDir)).toBe(false);
        expect(services.surveys.get(started.id).state).toBe('failed');

        await resumeInterrupted(services, job.id);
        expect(services.surveys.get(started.id).state).toBe('ready');
        expect((await cacheValues(cacheDir)).equals(reference.cacheValues)).toBe(true);
      } finally {
        services.close();
      }
    },
    60_000,
  );

  it.each(MOMENTS)(
    'of the whole app at %s of the cache: a fresh app resumes to the same cache',
    async (moment) => {
      const projectDir = path.join(work, `import-app-${moment}`);
      const app = cli(['import', survey, '--project', projectDir]);
      const cachesDir = path.join(projectDir, 'caches');
      const partial = (): string =>
        path.join(
          cachesDir,
          readdirSync(cachesDir).find((n) => n.endsWith('.partial'))!,
        );
      await until(
        () => existsSync(cachesDir) && readdirSync(cachesDir).some((n) => n.endsWith('.partial')),
        'a cache',
        app,
      );
      await until(() => filesUnder(partial()).length >= moment * reference.cacheFiles, 'the kill moment', app);
      const partialDir = partial();
      await killApp(app);
      const cacheDir = partialDir.slice(0, -'.partial'.length);
      expect(existsSync(cacheDir)).toBe(false);

      const services = openProject(projectDir);
      try {
        expect(existsSync(partialDir)).toBe(false); // removed when the project opened
        const [job] = services.jobs.list().filter((j) => j.kind === 'import-survey');
        const [stored] = services.surveys.list();
        expect(stored!.state).toBe('failed');
        await resumeInterrupted(services, job!.id);
        expect(services.surveys.get(stored!.id).state).toBe('ready');
        expect((await cacheValues(cacheDir)).equals(reference.cacheValues)).toBe(true);
      } finally {
        services.close();
      }
    },
    60_000,
  );
});

describe('kill -9 during SEG-Y export', () => {
  const written = (out: string): number => {
    const [temporary] = temporariesOf(out);
    return temporary ? statSync(path.join(path.dirname(out), temporary)).size : 0;
  };

  it.each(MOMENTS)(
    'of the compute process at %s of the file: no file at the target, resume writes it whole',
    async (moment) => {
      const out = path.join(work, `export-compute-${moment}.sgy`);
      const services = openProject(exportProject);
      try {
        const job = services.volumes.export({ volumeId, path: out, format: 'source', uncertainty: false });
        await until(() => written(out) >= moment * SEGY_BYTES, 'the kill moment');
        process.kill(services.compute.status.pid!, 'SIGKILL');
        expect((await jobWhen(services, job.id)).state).toBe('interrupted');
        expect(existsSync(out)).toBe(false);
        expect(temporariesOf(out)).toHaveLength(1);

        await resumeInterrupted(services, job.id);
        expect(readFileSync(out).equals(reference.export)).toBe(true);
        expect(temporariesOf(out)).toEqual([]);
      } finally {
        services.close();
      }
    },
    60_000,
  );

  it.each(MOMENTS)(
    'of the whole app at %s of the file: the next open removes the partial file',
    async (moment) => {
      const out = path.join(work, `export-app-${moment}.sgy`);
      const app = cli(['export-volume', '--project', exportProject, volumeId, out]);
      await until(() => written(out) >= moment * SEGY_BYTES, 'the kill moment', app);
      await killApp(app);
      expect(existsSync(out)).toBe(false);
      expect(temporariesOf(out)).toHaveLength(1);

      const services = openProject(exportProject);
      try {
        expect(temporariesOf(out)).toEqual([]);
        const job = services.jobs.list().find((j) => j.kind === 'export-volume' && j.state === 'interrupted')!;
        await resumeInterrupted(services, job.id);
        expect(readFileSync(out).equals(reference.export)).toBe(true);
      } finally {
        services.close();
      }
    },
    60_000,
  );
});

describe('kill -9 during training', () => {
  const EPOCHS = 3;
  const trainingSurvey = path.join(work, 'small.sgy');
  const config = path.join(work, 'tiny-unet.yaml');
  const training = (name: string) =>
    ['--task', 'denoise', '--out', name, '--config', config, '--epochs', `${EPOCHS}`, '--patch', '32'].concat([
      '--batch',
      '2',
    ]);

  beforeAll(async () => {
    await cliRun(['synth', '--out', trainingSurvey, '--inlines', '6', '--crosslines', '32', '--samples', '64']);
    writeFileSync(config, 'model:\n  architecture: unet\n  params: { features: [4], bottleneck: 4, dropout: 0 }\n');
  }, 60_000);

  /** Epochs in the training's last checkpoint (0 before the first). */
  function checkpointedEpochs(checkpointDir: string): number {
    try {
      return (JSON.parse(readFileSync(path.join(checkpointDir, 'last', 'state.json'), 'utf8')) as { epoch: number })
        .epoch;
    } catch {
      return 0;
    }
  }

  /** Resumes the interrupted training and returns the epochs the resumed run trained. */
  async function resumedEpochs(services: AppServices, jobId: string): Promise<{ trained: number[]; done: JobInfo }> {
    const trained: number[] = [];
    const stop = services.bus.on('jobs.changed', (job) => {
      const epoch = (job.detail as EpochMetrics | null)?.epoch;
      if (job.kind === 'train-model' && epoch && !trained.includes(epoch)) trained.push(epoch);
    });
    const done = await resumeInterrupted(services, jobId);
    stop();
    return { trained, done };
  }

  it.each([1])(
    'of the compute process after epoch %s: resume trains the remaining epochs',
    async (epochs) => {
      const services = openProject(path.join(work, `train-compute-${epochs}`));
      try {
        const { survey: imported, job: importJob } = services.surveys.startImport({ path: trainingSurvey });
        expect((await jobWhen(services, importJob.id)).state).toBe('done');
        const job = await services.training.start({
          ...{ name: 'tiny', task: 'denoise', surveyIds: [imported.id], config },
          ...{ epochs: EPOCHS, batchSize: 2, patch: 32, learningRate: 1e-3 },
        });
        const request = services.project.jobs.get(job.id)!.request as { checkpointDir: string };
        await until(() => checkpointedEpochs(request.checkpointDir) >= epochs, 'the kill moment');
        process.kill(services.compute.status.pid!, 'SIGKILL');
        expect((await jobWhen(services, job.id)).state).toBe('interrupted');
        const killedAt = checkpointedEpochs(request.checkpointDir);

        const { trained, done } = await resumedEpochs(services, job.id);
        expect(trained).toEqual(Array.from({ length: EPOCHS - killedAt }, (_, i) => killedAt + i + 1));
        const result = done.result as { modelId: string; epochs: number };
        expect(result.epochs).toBe(EPOCHS);
        expect((await services.models.get(result.modelId)).summary.name).toBe('tiny');
      } finally {
        services.close();
      }
    },
    90_000,
  );

  it.each([2])(
    'of the whole app after epoch %s: a fresh app resumes it',
    async (epochs) => {
      const projectDir = path.join(work, `train-app-${epochs}`);
      const app = cli(['train', '--data', trainingSurvey, '--project', projectDir, ...training('tiny')]);
      const trainingDir = path.join(projectDir, 'training');
      const checkpointDir = (): string => path.join(trainingDir, readdirSync(trainingDir)[0] ?? '');
      await until(
        () => existsSync(trainingDir) && checkpointedEpochs(checkpointDir()) >= epochs,
        'the kill moment',
        app,
      );
      await killApp(app);
      const killedAt = checkpointedEpochs(checkpointDir());

      const services = openProject(projectDir);
      try {
        const job = services.jobs.list().find((j) => j.kind === 'train-model')!;
        const { trained } = await resumedEpochs(services, job.id);
        expect(trained).toEqual(Array.from({ length: EPOCHS - killedAt }, (_, i) => killedAt + i + 1));
      } finally {
        services.close();
      }
    },
    90_000,
  );
});
