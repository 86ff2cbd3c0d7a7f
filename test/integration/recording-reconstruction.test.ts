/**
 * The reconstruction view's data through the real services and the API's dispatcher: a generated three-component
 * recording imported into a project, its detector trained by Find anomalies (2 epochs), then run over a window by
 * recordings.reconstruct (a compute job) and read back by recordings.reconstruction.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo, RecordingReconstruction, RecordingSetSummary } from '../../preload/contract';
import { createDispatcher } from '../../main/api/dispatch';
import { createApiHandlers } from '../../main/api/handlers';
import { dataRootsFence } from '../../main/api/pathFence';
import { encodeMseed } from '../../main/passive/mseed/writer';
import { seededRandom } from '../../main/signal/random';
import type { AppServices } from '../../main/workflows/services';
import { jobWhen, openServices } from '../support/services';

const work = mkdtempSync(path.join(os.tmpdir(), 'promethium-reconstruction-'));
const folder = path.join(work, 'node-7');
let services: AppServices;
let call: (method: string, ...args: unknown[]) => Promise<unknown>;

beforeAll(() => {
  mkdirSync(path.join(work, 'home'));
  // WebAssembly: Find anomalies trains the spectrogram autoencoder, far too slow on tfjs's plain-JS backend.
  services = openServices({ home: path.join(work, 'home'), backend: 'wasm' });
  const dispatch = createDispatcher(createApiHandlers(services), dataRootsFence([work]));
  call = async (method, ...args) => {
    const outcome = await dispatch(method, args);
    if (!outcome.ok) throw Object.assign(new Error(outcome.error.message), { code: outcome.error.code });
    return outcome.value;
  };
});
afterAll(() => {
  services?.close();
  rmSync(work, { recursive: true, force: true });
});

const T0 = 1_700_000_000_000_000_000n; // 2023-11-14T22:13:20Z
const T0_MS = 1_700_000_000_000;
const SOURCE_IDS = ['FDSN:XX_ND7_00_H_H_E', 'FDSN:XX_ND7_00_H_H_N', 'FDSN:XX_ND7_00_H_H_Z'];
const SAMPLES = 12_000; // 2 minutes at 100 Hz

/** Three components of noise, a 10 Hz burst in the middle of the record. */
function writeStation(): void {
  mkdirSync(folder);
  const random = seededRandom(5);
  for (const component of ['HHE', 'HHN', 'HHZ']) {
    const samples = Int32Array.from({ length: SAMPLES }, (_, i) => {
      const burst = i >= 6000 && i < 6300 ? 4000 * Math.sin((2 * Math.PI * 10 * i) / 100) : 0;
      return Math.round((random() - 0.5) * 1000 + burst);
    });
    const bytes = encodeMseed(
      { channel: `XX.ND7.00.${component}`, startNs: T0, sampleRate: 100, samples },
      { formatVersion: 2, encoding: 'steim2', recordLength: 512 },
    );
    writeFileSync(path.join(folder, `${component}.mseed`), bytes);
  }
}

describe('recordings.reconstruct and recordings.reconstruction', () => {
  let setId = '';
  const window = { startMs: T0_MS + 20_000, endMs: T0_MS + 100_000 };

  it('refuses before Find anomalies has trained a detector, and refuses a bad window', async () => {
    writeStation();
    const { recordingSet, job } = (await call('recordings.import', { dir: folder })) as {
      recordingSet: RecordingSetSummary;
      job: JobInfo;
    };
    expect((await jobWhen(services, job.id)).state).toBe('done');
    setId = recordingSet.id;
    const request = { setId, sourceIds: SOURCE_IDS, ...window, columns: 64 };
    await expect(call('recordings.reconstruct', request)).rejects.toMatchObject({
      code: 'not-found',
      message: expect.stringContaining('run Find anomalies on them first'),
    });
    await expect(call('recordings.reconstruction', { setId, sourceIds: SOURCE_IDS })).resolves.toBeNull();
    await expect(call('recordings.reconstruct', { ...request, endMs: window.startMs - 1 })).rejects.toMatchObject({
      code: 'invalid-argument',
      message: expect.stringContaining('six hours at most'),
    });
    await expect(
      call('recordings.reconstruct', { ...request, endMs: window.startMs + 7 * 3_600_000 }),
    ).rejects.toMatchObject({ code: 'invalid-argument' });
  });

  it('runs the detector over a window: three spectrograms per component, MSE and MAE, the denoised waveform', async () => {
    const detect = (await call('recordings.detect', { setId, sourceIds: SOURCE_IDS, epochs: 1 })) as JobInfo;
    expect((await jobWhen(services, detect.id)).error).toBeNull();

    const job = (await call('recordings.reconstruct', {
      setId,
      sourceIds: SOURCE_IDS,
      ...window,
      columns: 64,
    })) as JobInfo;
    expect(job.title).toBe('Reconstruct node-7 (XX.ND7.00.HHE, XX.ND7.00.HHN, XX.ND7.00.HHZ) with its detector');
    const done = await jobWhen(services, job.id);
    expect(done.error).toBeNull();
    const result = (await call('recordings.reconstruction', {
      setId,
      sourceIds: SOURCE_IDS,
    })) as RecordingReconstruction;
    expect(result).toMatchObject({ setId, sourceIds: SOURCE_IDS, epochs: 1, startMs: window.startMs });
    expect(result.endMs).toBeCloseTo(window.endMs, 6);
    expect(result.components.map((c) => c.name)).toEqual(['XX.ND7.00.HHE', 'XX.ND7.00.HHN', 'XX.ND7.00.HHZ']);
    for (const component of result.components) {
      const { input, output, difference } = component;
      // 80 s at 100 Hz in 64 columns of 1.25 s; 129 bins from 0 to 50 Hz.
      for (const spectrogram of [input, output, difference]) {
        expect(spectrogram).toMatchObject({ columns: 64, columnMs: 1250, startMs: window.startMs });
        expect(spectrogram.frequencies).toHaveLength(129);
        expect(spectrogram.frequencies[128]).toBe(50);
        expect(spectrogram.decibels).toHaveLength(64 * 129);
      }
      // A frame's time is its centre, half a segment (1.28 s) in from either end: the first and last columns hold none.
      const empty = Array.from({ length: 64 }, (_, c) => c).filter((c) => Number.isNaN(difference.decibels[c * 129]));
      expect(empty).toEqual([0, 63]);
      difference.decibels.forEach((value, k) => {
        if (Number.isNaN(value)) return;
        expect(value).toBeCloseTo(output.decibels[k]! - input.decibels[k]!, 3);
      });
      expect(component.mse).toBeGreaterThan(0);
      expect(component.mae).toBeGreaterThan(0);
      // Mean |d| can never exceed the root of mean d^2.
      expect(component.mae).toBeLessThanOrEqual(Math.sqrt(component.mse) + 1e-9);
      for (const trace of [component.original, component.denoised]) {
        expect(trace).toMatchObject({ sourceId: component.sourceId, sampleRate: 100, samplesPerColumn: 125 });
        expect(trace.pieces).toHaveLength(1);
        expect(trace.pieces[0]!.min).toHaveLength(64);
      }
      // The denoised waveform differs from the record (the mask took something out) and is no louder.
      const peak = (trace: typeof component.original) => Math.max(...trace.pieces[0]!.max);
      expect(component.denoised.pieces[0]!.max).not.toEqual(component.original.pieces[0]!.max);
      expect(peak(component.denoised)).toBeLessThanOrEqual(peak(component.original) * 1.05);
    }
  }, 240_000);
});
