/**
 * SIGKILL during survey import and SEG-Y export, each at two moments, of the compute process (the app survives) and of
 * the whole app (the CLI with its compute process). After each kill: the job is interrupted, nothing half-written sits
 * at a target path (no survey cache, no SEG-Y file), the next open of the project removes what the killed write left,
 * and jobs.resume finishes the job with exactly what an uninterrupted run gives. (Apply-to-volume is covered the same
 * way by volume-crash.test.ts, training checkpoints by main/ml/training/trainer.kill.test.ts.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../preload/contract';
import { forkComputeLauncher } from '../../main/jobs/forkCompute';
import { AppServices } from '../../main/services';
import { SurveyCache } from '../../main/survey/cache';
import { jobWhen } from '../support/services';

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

function openServices(projectDir: string): AppServices {
  return new AppServices({
    userDataDir: home,
    projectDir,
    bundledModelsDir: path.resolve('resources/models'),
    host: {
      kind: 'browser',
      versions: {},
      launchCompute: forkComputeLauncher(path.resolve('dist/compute.cjs'), {
        ...process.env,
        PROMETHIUM_BACKEND: 'cpu',
      }),
      showOpenDialog: async () => ({ canceled: true, paths: [] }),
    },
  });
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

/** Kills the CLI and the compute process it started, both with SIGKILL. */
async function killApp(app: ChildProcess, computePid: () => number | undefined): Promise<void> {
  const compute = computePid();
  app.kill('SIGKILL');
  if (compute) process.kill(compute, 'SIGKILL');
  await new Promise((resolve) => (app.exitCode !== null || app.signalCode ? resolve(null) : app.once('exit', resolve)));
}

/** The pid of the compute process the CLI forked (its only node child). */
function childPid(parent: number): number | undefined {
  const tasks = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  return tasks.map(Number).find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1] === String(parent);
    } catch {
      return false;
    }
  });
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
      const services = openServices(path.join(work, `import-compute-${moment}`));
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
      await killApp(app, () => childPid(app.pid!));
      const cacheDir = partialDir.slice(0, -'.partial'.length);
      expect(existsSync(cacheDir)).toBe(false);

      const services = openServices(projectDir);
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
      const services = openServices(exportProject);
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
      await killApp(app, () => childPid(app.pid!));
      expect(existsSync(out)).toBe(false);
      expect(temporariesOf(out)).toHaveLength(1);

      const services = openServices(exportProject);
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
