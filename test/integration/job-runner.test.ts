/**
 * The job path end to end with the real compute process (the built dist/compute.cjs, forked) and a real project
 * database: progress, ETA, cancel, persistence, a crash of the compute process, and the main loop's responsiveness.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo, JobRequest } from '../../preload/contract';
import { AppServices } from '../../main/workflows/services';
import { forkComputeLauncher } from '../../main/jobs/forkCompute';

const bundle = path.resolve('dist/compute.cjs');
let services: AppServices;
let home: string;

beforeAll(() => {
  if (!existsSync(bundle)) throw new Error('dist/compute.cjs is missing: run `npm run build` before the tests');
  home = mkdtempSync(path.join(os.tmpdir(), 'promethium-jobs-'));
  services = new AppServices({
    userDataDir: home,
    bundledModelsDir: path.resolve('resources/models'),
    host: {
      kind: 'browser',
      versions: {},
      launchCompute: forkComputeLauncher(bundle, { ...process.env, PROMETHIUM_BACKEND: 'cpu' }),
      showOpenDialog: async () => ({ canceled: true, paths: [] }),
    },
  });
});

afterAll(() => {
  services?.close();
  rmSync(home, { recursive: true, force: true });
});

const bigVolume: JobRequest = { kind: 'synthetic-stats', inlines: 400, crosslines: 300, samples: 1000, seed: 3 };

function waitFor(id: string, predicate: (job: JobInfo) => boolean, timeoutMs = 60_000): Promise<JobInfo> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`job ${id} did not reach the expected state in time`));
    }, timeoutMs);
    const stop = services.bus.on('jobs.changed', (job) => {
      if (job.id === id && predicate(job)) {
        clearTimeout(timer);
        stop();
        resolve(job);
      }
    });
  });
}

describe('job runner with the compute process', () => {
  it('runs a job to completion with progress and stores its result', async () => {
    const seen: number[] = [];
    const stop = services.bus.on('jobs.changed', (job) => seen.push(job.progress));
    const started = services.jobs.start({
      kind: 'synthetic-stats',
      inlines: 40,
      crosslines: 50,
      samples: 300,
      seed: 1,
    });
    const done = await waitFor(started.id, (job) => job.state === 'done');
    stop();
    expect(done.result).toMatchObject({ count: 40 * 50 * 300 });
    expect(new Set(seen).size).toBeGreaterThan(2);
    expect(services.project.jobs.get(started.id)!.info).toMatchObject({ state: 'done', progress: 1 });
    expect(services.compute.status).toMatchObject({ state: 'ready', backend: { backend: 'cpu', forced: true } });
  });

  it('keeps the main event loop responsive (p99 delay under 50 ms) while a job runs, and cancels it', async () => {
    const delay = monitorEventLoopDelay({ resolution: 10 });
    const started = services.jobs.start(bigVolume);
    await waitFor(started.id, (job) => job.progress > 0.05);
    delay.enable();
    const progressing = await waitFor(started.id, (job) => job.progress > 0.15 && job.etaSeconds !== null);
    delay.disable();
    expect(progressing.etaSeconds).toBeGreaterThan(0);
    const p99Ms = delay.percentile(99) / 1e6;
    console.log(
      `event-loop delay while a job runs: p99 ${p99Ms.toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(1)} ms`,
    );
    expect(p99Ms).toBeLessThan(50);

    services.jobs.cancel(started.id);
    const cancelled = await waitFor(started.id, (job) => job.state !== 'running');
    expect(cancelled.state).toBe('cancelled');
    expect(services.project.jobs.get(started.id)!.info.state).toBe('cancelled');
  });

  it('cancels a queued job without running it', async () => {
    const first = services.jobs.start(bigVolume);
    const second = services.jobs.start(bigVolume);
    expect(services.jobs.cancel(second.id).state).toBe('cancelled');
    services.jobs.cancel(first.id);
    await waitFor(first.id, (job) => job.state === 'cancelled');
    expect(services.project.jobs.get(second.id)!.info).toMatchObject({ state: 'cancelled', startedAt: null });
  });

  it('marks a job interrupted when the compute process dies, and starts a new process for the next job', async () => {
    const started = services.jobs.start(bigVolume);
    await waitFor(started.id, (job) => job.progress > 0.02);
    const pid = services.compute.status.pid!;
    process.kill(pid, 'SIGKILL');
    const interrupted = await waitFor(started.id, (job) => job.state !== 'running');
    expect(interrupted).toMatchObject({ state: 'interrupted', error: { code: 'compute-crashed' } });
    expect(services.compute.status).toMatchObject({ state: 'crashed', restarts: 1 });

    const next = services.jobs.start({ kind: 'synthetic-stats', inlines: 2, crosslines: 2, samples: 10, seed: 1 });
    await waitFor(next.id, (job) => job.state === 'done');
    expect(services.compute.status.pid).not.toBe(pid);
    expect(services.jobs.list().find((job) => job.id === started.id)!.state).toBe('interrupted');
  });

  it('reports a readable error for an unknown job id', () => {
    expect(() => services.jobs.get('0000000000000000')).toThrow(/no job/);
  });

  // Last of the stateful tests: it leaves the project's database closed.
  it('keeps a job running, and the host up, when its project database fails under it', async () => {
    const started = services.jobs.start({ ...bigVolume, inlines: 60 });
    await waitFor(started.id, (job) => job.state === 'running' && job.progress > 0);
    services.project.close(); // every later write of the job's status throws "The database connection is not open"
    const ended = await waitFor(started.id, (job) => job.state === 'done');
    expect(ended.result).toMatchObject({ count: 60 * 300 * 1000 });
  });
});
