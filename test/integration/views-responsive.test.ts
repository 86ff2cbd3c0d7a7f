/**
 * The views' heavy reads leave the main process's event loop free (DESIGN.md: no task over 50 ms on it), measured
 * while the loop's delay is monitored, through the API's dispatcher: a day of one 100 Hz channel, written as real
 * miniSEED files and imported as a set, read as a day-long spectrogram and a detrended, band-passed waveform; and the
 * 3D view's LOD cube of a survey whose LOD volume is 11.5 M values (each hundreds of milliseconds of CPU). What comes
 * back must equal what the same code computes in this thread. Needs `node scripts/build.mjs` first (the compute
 * process imports the set and the survey; the view thread is dist/viewWorker.cjs).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo, RecordingSetSummary } from '../../preload/contract';
import { createDispatcher } from '../../main/api/dispatch';
import { createApiHandlers } from '../../main/api/handlers';
import { dataRootsFence } from '../../main/api/pathFence';
import { encodeMseed } from '../../main/passive/mseed/writer';
import { viewReaders } from '../../main/workflows/viewThread/viewReads';
import { parseWaveletSpec } from '../../main/synth/specs';
import { writeSyntheticSegy } from '../../main/synth/syntheticSegy';
import type { AppServices } from '../../main/workflows/services';
import { noiseDay } from '../bench/mseed';
import { jobWhen, openServices } from '../support/services';

/**
 * The design's budget is 50 ms; the test allows 100 ms because this machine's two cores are shared with other users
 * and the test's own threads (the view thread, vitest's workers): a loop that is free waits for a core now and then
 * (quietestStall tries again then). Computed on the loop (measured here, least of three tries), the day's band-passed
 * waveform stalls it for 380 ms, the LOD cube for 320 ms, the spectrogram (which yields between batches) for 78 ms.
 */
const LONGEST_STALL_MS = 100;

const work = mkdtempSync(path.join(os.tmpdir(), 'promethium-views-'));
const folder = path.join(work, 'day');
const T0 = 1_700_000_000_000_000_000n;
const T0_MS = 1_700_000_000_000;
const DAY_MS = 86_400_000;
const HHZ = 'FDSN:XX_DAY_00_H_H_Z';
let services: AppServices;
let call: (method: string, ...args: unknown[]) => Promise<unknown>;
let set: RecordingSetSummary;

beforeAll(async () => {
  const home = path.join(work, 'home');
  mkdirSync(home);
  mkdirSync(folder);
  const samples = noiseDay();
  const half = samples.length / 2;
  const file = (first: number, end: number, startNs: bigint) =>
    encodeMseed(
      { channel: 'XX.DAY.00.HHZ', startNs, sampleRate: 100, samples: samples.subarray(first, end) },
      { formatVersion: 2, encoding: 'steim2', recordLength: 4096 },
    );
  writeFileSync(path.join(folder, 'am.mseed'), file(0, half, T0));
  writeFileSync(path.join(folder, 'pm.mseed'), file(half, samples.length, T0 + BigInt(half) * 10_000_000n));
  services = openServices({ home, viewWorkerScript: path.resolve('dist/viewWorker.cjs') });
  const dispatch = createDispatcher(createApiHandlers(services), dataRootsFence([work]));
  call = async (method, ...args) => {
    const outcome = await dispatch(method, args);
    if (!outcome.ok) throw Object.assign(new Error(outcome.error.message), { code: outcome.error.code });
    return outcome.value;
  };
  const { recordingSet, job } = (await call('recordings.import', { dir: folder })) as {
    recordingSet: RecordingSetSummary;
    job: JobInfo;
  };
  expect((await jobWhen(services, job.id)).state).toBe('done');
  set = (await call('recordings.get', recordingSet.id)) as RecordingSetSummary;
}, 180_000);

/** Large enough that its LOD volume (the survey itself at this size) is reduced by a stride of 2 for the cube. */
const CUBE = { inlines: 192, crosslines: 200, samples: 300 };
let surveyId = '';

beforeAll(async () => {
  const segy = path.join(work, 'cube.sgy');
  await writeSyntheticSegy(segy, {
    kind: 'cube',
    seed: 5,
    ...CUBE,
    sampleIntervalMs: 4,
    wavelet: parseWaveletSpec('ricker:25'),
  });
  const { survey, job } = (await call('survey.import', { path: segy })) as { survey: { id: string }; job: JobInfo };
  expect((await jobWhen(services, job.id)).state).toBe('done');
  surveyId = survey.id;
}, 300_000);

afterAll(() => {
  services?.close();
  rmSync(work, { recursive: true, force: true });
});

/** What `work` resolves to, and the longest the event loop waited for a turn meanwhile (ms). */
async function longestStall<T>(work: () => Promise<T>): Promise<{ result: T; stallMs: number }> {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const result = await work();
  // The monitor records a stall when its timer next fires: give it that turn before it stops.
  await new Promise((resolve) => setTimeout(resolve, 20));
  delay.disable();
  return { result, stallMs: delay.max / 1e6 };
}

/**
 * The longest stall of `work`, tried up to three times while it is over the limit, the smallest kept: work on the
 * loop stalls it every time, while a loop that is free stalls only when the machine's other users take both cores.
 */
async function quietestStall<T>(work: () => Promise<T>): Promise<{ result: T; stallMs: number }> {
  let quietest = await longestStall(work);
  for (let attempt = 1; attempt < 3 && quietest.stallMs >= LONGEST_STALL_MS; attempt++) {
    const again = await longestStall(work);
    if (again.stallMs < quietest.stallMs) quietest = again;
  }
  return quietest;
}

function cacheDir(): string {
  return services.project.recordings.get(set.id)!.cacheDir;
}

describe('the views off the main event loop', () => {
  it('imports the day as one continuous channel', () => {
    expect(set.channels.map((c) => [c.name, c.sampleCount, c.gaps.length])).toEqual([['XX.DAY.00.HHZ', 8_640_000, 0]]);
  });

  it('reads a day-long spectrogram without stalling the loop', async () => {
    const request = { setId: set.id, sourceId: HHZ, startMs: T0_MS, endMs: T0_MS + DAY_MS, columns: 2000 };
    const { result, stallMs } = await quietestStall(() => call('recordings.spectrogram', request));
    console.log(`recordings.spectrogram, a day of 100 Hz: longest stall ${stallMs.toFixed(0)} ms`);
    expect(stallMs).toBeLessThan(LONGEST_STALL_MS);
    expect(result).toEqual(await viewReaders.spectrogram({ cacheDir: cacheDir(), window: request }));
  }, 120_000);

  it('reads a day-long detrended, band-passed waveform without stalling the loop', async () => {
    const request = {
      setId: set.id,
      sourceIds: [HHZ],
      startMs: T0_MS,
      endMs: T0_MS + DAY_MS,
      columns: 2000,
      detrend: true,
      bandpass: [1, 10] as [number, number],
    };
    const { result, stallMs } = await quietestStall(() => call('recordings.waveform', request));
    console.log(`recordings.waveform (detrend, 1-10 Hz), a day of 100 Hz: longest stall ${stallMs.toFixed(0)} ms`);
    expect(stallMs).toBeLessThan(LONGEST_STALL_MS);
    expect(result).toEqual(await viewReaders.waveform({ cacheDir: cacheDir(), window: request }));
  }, 120_000);

  it("reduces a survey's LOD volume to the 3D view's cube without stalling the loop", async () => {
    const { result, stallMs } = await quietestStall(() => call('survey.lodCube', surveyId));
    console.log(
      `survey.lodCube, a ${Object.values(CUBE).join(' x ')} LOD volume: longest stall ${stallMs.toFixed(0)} ms`,
    );
    expect(stallMs).toBeLessThan(LONGEST_STALL_MS);
    const expected = await viewReaders.lodCube(await services.surveys.lod(surveyId));
    expect(expected.shape).toEqual([96, 100, 150]);
    expect(result).toEqual(expected);
  }, 120_000);

  it('answers a channel the set lacks with the same error as before', async () => {
    const request = {
      setId: set.id,
      sourceId: 'FDSN:XX_DAY_00_H_H_E',
      startMs: T0_MS,
      endMs: T0_MS + 1000,
      columns: 16,
    };
    await expect(call('recordings.spectrogram', request)).rejects.toMatchObject({
      code: 'not-found',
      message: 'the recording set has no channel XX.DAY.00.HHE',
    });
  });
});
