/**
 * Crash safety of volumes.apply on a synthetic survey bigger than the real fixtures: the compute process killed with
 * SIGKILL mid-job, then the whole app (the CLI, with its compute process) killed with SIGKILL. Each time the job must
 * show as interrupted, the project database must be intact, every inline chunk on disk complete, and jobs.resume
 * must continue after the last finished inline and give exactly what an uninterrupted run gives.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../preload/contract';
import type { ApplyVolumeProgress, ApplyVolumeResult } from '../../main/compute/applyVolume';
import type { AppServices } from '../../main/workflows/services';
import { SurveyCache } from '../../main/survey/cache';
import { openServices } from '../support/services';

const INLINES = 48;
const CROSSLINES = 160;
const SAMPLES = 600;
const KILL_AFTER_LINES = 10;

const work = mkdtempSync(path.join(os.tmpdir(), 'promethium-volume-crash-'));
const home = path.join(work, 'home');
const survey = path.join(work, 'synth.sgy');
afterAll(() => rmSync(work, { recursive: true, force: true }));

function promethium(...args: string[]): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['bin/promethium.cjs', ...args], {
    encoding: 'utf8',
    env: { ...process.env, PROMETHIUM_HOME: home },
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

function openProject(projectDir: string): AppServices {
  return openServices({ home, projectDir, backend: 'wasm' });
}

function ended(services: AppServices, id: string): Promise<JobInfo> {
  return new Promise((resolve) => {
    const stop = services.bus.on('jobs.changed', (job) => {
      if (job.id === id && !['queued', 'running'].includes(job.state)) {
        stop();
        resolve(job);
      }
    });
  });
}

function chunkFolder(volumeDir: string): string {
  return path.join(volumeDir, 'seismic', 'fast_inline', 'c');
}

/** The inline chunks on disk; each must be complete (a whole inline of float32). */
function finishedChunks(volumeDir: string): number[] {
  const folder = chunkFolder(volumeDir);
  if (!existsSync(folder)) return [];
  // An inline's folder is made before its chunk is renamed into it: only the chunk files count.
  const inlines = readdirSync(folder).filter((il) => existsSync(path.join(folder, il, '0', '0')));
  for (const il of inlines) expect(statSync(path.join(folder, il, '0', '0')).size).toBe(CROSSLINES * SAMPLES * 4);
  return inlines.map(Number).sort((a, b) => a - b);
}

async function volumeValues(volumeDir: string): Promise<Float32Array> {
  const cache = await SurveyCache.open(volumeDir);
  const values = (await cache.subVolume(0, INLINES, 0, CROSSLINES, 0, SAMPLES)).data;
  await cache.close();
  return values;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let reference: Float32Array;

beforeAll(() => {
  const made = promethium(
    'synth',
    '--out',
    survey,
    '--inlines',
    String(INLINES),
    '--crosslines',
    String(CROSSLINES),
    '--samples',
    String(SAMPLES),
    '--noise',
    'gaussian:6',
    '--seed',
    '17',
  );
  expect(made.status, made.stderr).toBe(0);
}, 120_000);

describe('volumes.apply crash safety', () => {
  it('survives a SIGKILL of the compute process and resumes after the last finished inline', async () => {
    const services = openProject(path.join(work, 'project-a'));
    try {
      const { survey: imported, job: importJob } = services.surveys.startImport({ path: survey });
      expect((await ended(services, importJob.id)).state).toBe('done');
      const request = { surveyId: imported.id, task: 'denoise', method: 'fx', tta: false, ensemble: 1 } as const;

      const { volume, job } = await services.volumes.apply(request);
      const volumeDir = path.join(services.project.volumesDir, `${volume.id}.zarr`);
      const computePid = await new Promise<number>((resolve) => {
        const stop = services.bus.on('jobs.changed', (update) => {
          const detail = update.detail as ApplyVolumeProgress | null;
          if (update.id === job.id && detail && detail.completedLines >= KILL_AFTER_LINES) {
            stop();
            resolve(services.compute.status.pid!);
          }
        });
      });
      process.kill(computePid, 'SIGKILL');
      const interrupted = await ended(services, job.id);
      expect(interrupted).toMatchObject({ state: 'interrupted', error: { code: 'compute-crashed' } });
      expect(services.project.db.pragma('integrity_check', { simple: true })).toBe('ok');
      const stored = services.volumes.get(volume.id);
      expect(stored.state).toBe('interrupted');
      const onDisk = finishedChunks(volumeDir);
      expect(onDisk).toEqual([...Array(onDisk.length).keys()]); // inline by inline, no gap
      expect(onDisk.length).toBeGreaterThanOrEqual(KILL_AFTER_LINES);
      expect(onDisk.length).toBeLessThan(INLINES);
      expect(stored.completedLines).toBeLessThanOrEqual(onDisk.length);

      const resumed = services.jobs.resume(job.id);
      const done = await ended(services, resumed.id);
      expect(done.state, done.error?.message).toBe('done');
      const result = done.result as ApplyVolumeResult;
      console.log(
        `[volume-crash] compute SIGKILL after ${onDisk.length} of ${INLINES} inlines; resumed at inline ${result.firstInlineWritten}, ` +
          `${result.inlinesReconstructed} reconstructed, f-x ${(result.secondsPerReconstructedInline! * 1000).toFixed(0)} ms per ${CROSSLINES} x ${SAMPLES} inline`,
      );
      expect(result).toMatchObject({ inlinesAlreadyDone: onDisk.length, firstInlineWritten: onDisk.length });
      expect(services.volumes.get(volume.id)).toMatchObject({
        state: 'ready',
        completedLines: INLINES,
        jobId: resumed.id,
      });

      const uninterrupted = await services.volumes.apply(request);
      expect((await ended(services, uninterrupted.job.id)).state).toBe('done');
      reference = await volumeValues(path.join(services.project.volumesDir, `${uninterrupted.volume.id}.zarr`));
      const resumedValues = await volumeValues(volumeDir);
      expect(Buffer.from(resumedValues.buffer).equals(Buffer.from(reference.buffer))).toBe(true);

      // A cancel stops the job within the inline being processed; the volume stays resumable.
      const cancelled = await services.volumes.apply(request);
      const cancelMs = await new Promise<number>((resolve) => {
        const stop = services.bus.on('jobs.changed', (update) => {
          const detail = update.detail as ApplyVolumeProgress | null;
          if (update.id === cancelled.job.id && detail && detail.completedLines >= 3) {
            stop();
            const asked = performance.now();
            services.jobs.cancel(cancelled.job.id);
            void ended(services, cancelled.job.id).then(() => resolve(performance.now() - asked));
          }
        });
      });
      console.log(`[volume-crash] cancel took effect after ${cancelMs.toFixed(0)} ms`);
      expect(services.jobs.get(cancelled.job.id).state).toBe('cancelled');
      expect(services.volumes.get(cancelled.volume.id).state).toBe('interrupted');
      expect(cancelMs).toBeLessThan(2000);
    } finally {
      services.close();
    }
  }, 300_000);

  it('survives a SIGKILL of the whole app (the CLI and its compute process) and resumes in a fresh app', async () => {
    const projectDir = path.join(work, 'project-b');
    const importRun = promethium('import', survey, '--project', projectDir, '--json');
    expect(importRun.status, importRun.stderr).toBe(0);
    const surveyId = (JSON.parse(importRun.stdout) as { id: string }).id;
    const app = spawn(
      process.execPath,
      [
        'bin/promethium.cjs',
        'apply',
        '--project',
        projectDir,
        '--survey',
        surveyId,
        '--task',
        'denoise',
        '--method',
        'fx',
      ],
      { env: { ...process.env, PROMETHIUM_HOME: home }, stdio: 'ignore' },
    );
    const volumesDir = path.join(projectDir, 'volumes');
    const volumeDir = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const folder = existsSync(volumesDir) ? readdirSync(volumesDir).find((n) => n.endsWith('.zarr')) : undefined;
        if (folder && finishedChunks(path.join(volumesDir, folder)).length >= KILL_AFTER_LINES) {
          clearInterval(timer);
          resolve(path.join(volumesDir, folder));
        }
        if (app.exitCode !== null) reject(new Error(`the CLI ended first (exit ${app.exitCode})`));
      }, 20);
    });
    const children = spawnSync('ps', ['-o', 'pid=', '--ppid', String(app.pid)], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter((line) => line.trim())
      .map(Number);
    app.kill('SIGKILL');
    await new Promise((resolve) => app.once('exit', resolve));
    // The compute process notices its host is gone and stops: nothing keeps writing the volume.
    const deadline = Date.now() + 5000;
    while (children.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(children.filter(isAlive)).toEqual([]);
    const onDisk = finishedChunks(volumeDir);
    expect(onDisk).toEqual([...Array(onDisk.length).keys()]);

    const services = openProject(projectDir);
    try {
      expect(services.project.db.pragma('integrity_check', { simple: true })).toBe('ok');
      const [job] = services.jobs.list().filter((j) => j.kind === 'apply-volume');
      expect(job).toMatchObject({ state: 'interrupted' });
      const [volume] = services.volumes.list(surveyId);
      expect(volume).toMatchObject({ state: 'interrupted', jobId: job!.id });
      const resumed = services.jobs.resume(job!.id);
      const done = await ended(services, resumed.id);
      expect(done.state, done.error?.message).toBe('done');
      const result = done.result as ApplyVolumeResult;
      console.log(
        `[volume-crash] app SIGKILL after ${onDisk.length} of ${INLINES} inlines; a fresh app resumed at inline ${result.firstInlineWritten}`,
      );
      expect(result).toMatchObject({ inlinesAlreadyDone: onDisk.length, firstInlineWritten: onDisk.length });
      expect(services.volumes.get(volume!.id)).toMatchObject({ state: 'ready', completedLines: INLINES });
      const values = await volumeValues(volumeDir);
      expect(Buffer.from(values.buffer).equals(Buffer.from(reference.buffer))).toBe(true);
    } finally {
      services.close();
    }
    const volumeId = path.basename(volumeDir, '.zarr');
    const out = path.join(work, 'synth-fx.sgy');
    const exported = promethium('export-volume', '--project', projectDir, volumeId, out, '--json');
    expect(exported.status, exported.stderr).toBe(0);
    expect(JSON.parse(exported.stdout)).toMatchObject({ traces: INLINES * CROSSLINES, addedTraces: 0 });
    expect(promethium('export-volume', '--project', projectDir, '0000000000', out).status).toBe(2);
    expect(promethium('export-volume', '--project', projectDir, volumeId, out, '--uncertainty').status).toBe(2);
    expect(promethium('apply', '--project', projectDir, '--survey', surveyId, '--task', 'smooth').status).toBe(2);
  }, 300_000);
});
