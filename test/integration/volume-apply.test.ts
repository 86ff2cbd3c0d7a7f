/**
 * Apply to volume and export, through the real services (jobs in the compute process) on the real files, with segyio
 * as the oracle of the exported SEG-Y: original headers kept byte for byte, the volume's samples written.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo, VolumeSummary } from '../../preload/contract';
import type { AppServices } from '../../main/workflows/services';
import { createTestServices, jobWhen } from '../support/services';
import { SurveyCache } from '../../main/survey/cache';
import { hasTestdata, testdataPath } from '../testdata';
import { segyioAvailable } from './segyOracle';
import { compareExportWithSegyio } from './volumeOracle';

let home: string;
let services: AppServices;
let disposeServices = (): void => undefined;
const hasSegyio = segyioAvailable();
if (!hasSegyio) console.warn('[volume-apply] segyio is not installed: the export checks against segyio are SKIPPED');

beforeAll(() => {
  ({ services, home, dispose: disposeServices } = createTestServices('wasm', 'promethium-volume-'));
});
afterAll(() => disposeServices());

const ended = (id: string): Promise<JobInfo> => jobWhen(services, id);

async function imported(file: string): Promise<string> {
  const { survey, job } = services.surveys.startImport({ path: testdataPath('segy', file) });
  await ended(job.id);
  return survey.id;
}

async function applied(request: Parameters<AppServices['volumes']['apply']>[0]): Promise<[VolumeSummary, JobInfo]> {
  const { volume, job } = await services.volumes.apply(request);
  const done = await ended(job.id);
  expect(done.state, done.error?.message).toBe('done');
  return [services.volumes.get(volume.id), done];
}

async function exported(volumeId: string, out: string, options: { format?: 'ieee'; uncertainty?: boolean } = {}) {
  const job = services.volumes.export({
    volumeId,
    path: out,
    format: options.format ?? 'source',
    uncertainty: Boolean(options.uncertainty),
  });
  return ended(job.id);
}

/** The volume's trace at (inline number, crossline number). */
async function volumeTraces(volumeId: string, uncertainty = false): Promise<(il: number, xl: number) => Float32Array> {
  const dir = path.join(services.project.volumesDir, `${volumeId}.zarr`, uncertainty ? 'uncertainty' : '');
  const cache = await SurveyCache.open(dir);
  const [inlines, crosslines, samples] = cache.shape;
  const all = (await cache.subVolume(0, inlines, 0, crosslines, 0, samples)).data;
  const ilIndex = new Map(Array.from(cache.inlineNumbers, (n, i) => [n, i]));
  const xlIndex = new Map(Array.from(cache.crosslineNumbers, (n, i) => [n, i]));
  await cache.close();
  return (il, xl) => {
    const cell = ilIndex.get(il)! * crosslines + xlIndex.get(xl)!;
    return all.subarray(cell * samples, (cell + 1) * samples);
  };
}

/** Largest |exported - volume| over all traces (matched by their inline/crossline keys). */
function largestDifference(
  comparison: ReturnType<typeof compareExportWithSegyio>,
  trace: (il: number, xl: number) => Float32Array,
  samples: number,
): number {
  let worst = 0;
  comparison.keys.forEach(([il, xl], t) => {
    const expected = trace(il, xl);
    for (let k = 0; k < samples; k++) {
      worst = Math.max(worst, Math.abs(comparison.samples[t * samples + k]! - expected[k]!));
    }
  });
  return worst;
}

describe.skipIf(!hasTestdata)('volumes.apply and volumes.export', () => {
  const f3 = testdataPath('segy', 'f3.sgy');
  const ex1 = testdataPath('segy', 'ex1_missing_traces_75x71x26.segy');

  it('denoises F3 with f-x deconvolution into a derived volume and exports it with the source headers', async () => {
    const surveyId = await imported('f3.sgy');
    const [volume, job] = await applied({ surveyId, task: 'denoise', method: 'fx', tta: false, ensemble: 1 });
    expect(volume).toMatchObject({ state: 'ready', completedLines: 23, totalLines: 23, method: 'fx', modelId: null });
    expect(job.result).toMatchObject({
      inlines: 23,
      inlinesReconstructed: 23,
      inlinesAlreadyDone: 0,
      firstInlineWritten: 0,
    });
    const perInline = (job.result as { secondsPerReconstructedInline: number }).secondsPerReconstructedInline;
    console.log(`[volume] F3 f-x denoise: ${(perInline * 1000).toFixed(1)} ms per inline (18 x 75)`);
    const input = await services.surveys.section(surveyId, 'inline', 4);
    const output = await services.volumes.section({
      volumeId: volume.id,
      axis: 'inline',
      index: 4,
      uncertainty: false,
    });
    expect(output).toMatchObject({ surveyId, traces: 18, samples: 75, label: input.label });
    expect(output.data).not.toEqual(input.data);
    expect(services.volumes.list(surveyId).map((v) => v.id)).toEqual([volume.id]);

    const work = mkdtempSync(path.join(home, 'out-'));
    for (const format of ['source', 'ieee'] as const) {
      const out = path.join(work, `f3-fx-${format}.sgy`);
      const done = await exported(volume.id, out, { format: format === 'ieee' ? 'ieee' : undefined });
      expect(done.state, done.error?.message).toBe('done');
      expect(done.result).toMatchObject({ traces: 414, addedTraces: 0, filledDeadTraces: 0 });
      if (!hasSegyio) continue;
      const check = compareExportWithSegyio(f3, out);
      expect(check).toMatchObject({
        sourceTraces: 414,
        exportedTraces: 414,
        headersChangedOtherThanTraceId: 0,
        traceIdChanged: 0,
        sourceTracesMissing: 0,
      });
      expect(check.differentCards).toHaveLength(1);
      expect(check.historyCards[0]).toMatch(/Promethium \d{4}-\d\d-\d\d: denoise \(fx\)/);
      // The binary header differs only in the format code when IEEE is asked for.
      expect(check.binaryHeaderEqual).toBe(format === 'source');
      // F3 stores 16-bit integers: the source format rounds the volume's samples, IEEE keeps them exactly.
      const worst = largestDifference(check, await volumeTraces(volume.id), 75);
      expect(worst).toBeLessThanOrEqual(format === 'source' ? 0.5 : 0);
    }
    expect(readdirSync(work).filter((name) => name.includes('.tmp-'))).toEqual([]);
  }, 120_000);

  it('denoises F3 with the bundled model by default at checked strength, keeping the Monte Carlo standard deviation', async () => {
    const surveyId = services.surveys.list().find((s) => s.sourcePath === f3)!.id;
    const [volume, job] = await applied({ surveyId, task: 'denoise', tta: false, ensemble: 2 });
    expect(volume).toMatchObject({
      method: 'model U-Net denoise v1',
      modelId: 'unet_denoise_v1',
      hasUncertainty: true,
      params: { fullStrength: false },
    });
    // Every inline at its own checked strength (ml/sure.ts); the job reports their range.
    const { strength } = job.result as { strength: { median: number; min: number; max: number } };
    expect(strength.min).toBeGreaterThanOrEqual(0);
    expect(strength.max).toBeLessThanOrEqual(1);
    expect(strength.min).toBeLessThanOrEqual(strength.median);
    const perInline = (job.result as { secondsPerReconstructedInline: number }).secondsPerReconstructedInline;
    console.log(`[volume] F3 bundled denoise model, 2 MC passes, wasm: ${(perInline * 1000).toFixed(0)} ms per inline`);
    const deviation = await services.volumes.section({
      volumeId: volume.id,
      axis: 'inline',
      index: 3,
      uncertainty: true,
    });
    expect(Math.max(...deviation.data)).toBeGreaterThan(0);
    expect(Math.min(...deviation.data)).toBeGreaterThanOrEqual(0);
    const out = path.join(home, 'f3-model-std.sgy');
    const done = await exported(volume.id, out, { format: 'ieee', uncertainty: true });
    expect(done.state, done.error?.message).toBe('done');
    if (hasSegyio) {
      const check = compareExportWithSegyio(f3, out);
      expect(check).toMatchObject({ exportedTraces: 414, headersChangedOtherThanTraceId: 0 });
      expect(check.historyCards[0]).toMatch(/std of 2-pass denoise \(model U-Net denoise v1\)/);
      expect(largestDifference(check, await volumeTraces(volume.id, true), 75)).toBe(0);
    }
    const plain = await services.volumes.apply({
      surveyId,
      task: 'denoise',
      method: 'median',
      tta: false,
      ensemble: 1,
    });
    await ended(plain.job.id);
    expect(() =>
      services.volumes.export({ volumeId: plain.volume.id, path: out, format: 'source', uncertainty: true }),
    ).toThrow(/has no uncertainty/);
  }, 300_000);

  it('fills ex1 with the bundled model: segyio sees the full 75 x 71 cube, live traces keep their samples', async () => {
    const surveyId = await imported('ex1_missing_traces_75x71x26.segy');
    const [volume, job] = await applied({ surveyId, task: 'interpolate', tta: false, ensemble: 1 });
    expect(job.result).toMatchObject({ tracesFilled: 387 });
    const perInline = (job.result as { secondsPerReconstructedInline: number }).secondsPerReconstructedInline;
    console.log(
      `[volume] ex1 bundled interpolation model, wasm: ${(perInline * 1000).toFixed(0)} ms per inline (71 x 26)`,
    );
    const mask = await services.surveys.liveMask(surveyId);
    expect(mask.mask.includes(0)).toBe(true);
    const out = path.join(home, 'ex1-filled.sgy');
    const done = await exported(volume.id, out);
    expect(done.state, done.error?.message).toBe('done');
    expect(done.result).toMatchObject({ traces: 5325, addedTraces: 387 });
    if (!hasSegyio) return;
    const check = compareExportWithSegyio(ex1, out);
    expect(check).toMatchObject({
      sourceTraces: 4938,
      exportedTraces: 5325,
      cube: [75, 71],
      headersChangedOtherThanTraceId: 0,
      traceIdChanged: 0,
      sourceTracesMissing: 0,
    });
    expect(largestDifference(check, await volumeTraces(volume.id), 26)).toBe(0);
    // Live traces: the exported samples are the source's own.
    const source = compareExportWithSegyio(ex1, ex1);
    const exportedByKey = new Map(check.keys.map(([il, xl], t) => [`${il}/${xl}`, t]));
    source.keys.forEach(([il, xl], t) => {
      const e = exportedByKey.get(`${il}/${xl}`)!;
      expect(check.samples.subarray(e * 26, (e + 1) * 26)).toEqual(source.samples.subarray(t * 26, (t + 1) * 26));
    });
  }, 300_000);

  it('replaces only the cells inside a polygon (linear interpolation of ex1)', async () => {
    const surveyId = services.surveys.list().find((s) => s.sourcePath === ex1)!.id;
    const mask = (await services.surveys.liveMask(surveyId)).mask;
    const polygon: [number, number][] = [
      [0, 0],
      [40, 0],
      [40, 35],
      [0, 35],
    ];
    const [volume] = await applied({
      surveyId,
      task: 'interpolate',
      method: 'linear',
      tta: false,
      ensemble: 1,
      polygon,
    });
    expect(volume.params).toMatchObject({ inlines: [0, 40], polygon });
    let filledInside = 0;
    for (let il = 0; il < 75; il++) {
      const input = await services.surveys.section(surveyId, 'inline', il);
      const output = await services.volumes.section({
        volumeId: volume.id,
        axis: 'inline',
        index: il,
        uncertainty: false,
      });
      for (let xl = 0; xl < 71; xl++) {
        const [a, b] = [input.data.subarray(xl * 26, (xl + 1) * 26), output.data.subarray(xl * 26, (xl + 1) * 26)];
        // Cells on the polygon's edges may fall either way; the others are clearly in or out.
        if (il > 40 || xl > 35) expect(b, `${il},${xl}`).toEqual(a);
        else if (il > 0 && il < 40 && xl > 0 && xl < 35 && !mask[il * 71 + xl])
          filledInside += b.some((v) => v !== 0) ? 1 : 0;
      }
    }
    expect(filledInside).toBeGreaterThan(0);
    await services.volumes.remove(volume.id);
    expect(existsSync(path.join(services.project.volumesDir, `${volume.id}.zarr`))).toBe(false);
    expect(() => services.volumes.get(volume.id)).toThrow(/no volume/);
  }, 120_000);

  it('export to a full disk fails clearly and leaves no partial file', async () => {
    const volume = services.volumes.list().find((v) => v.task === 'interpolate' && v.state === 'ready')!;
    const disk = path.join(home, 'tiny-disk');
    mkdirSync(disk);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=200k', 'tmpfs', disk], { stdio: 'ignore' });
    } catch {
      console.warn(
        '[volume-apply] cannot mount a 200 kB tmpfs here (not root?): the full-disk export check is SKIPPED',
      );
      return;
    }
    try {
      const done = await exported(volume.id, path.join(disk, 'ex1.sgy'));
      expect(done.state).toBe('failed');
      expect(done.error).toMatchObject({
        code: 'io',
        message: expect.stringMatching(/disk is full.*partial file was removed/),
      });
      expect(readdirSync(disk)).toEqual([]);
    } finally {
      execFileSync('umount', [disk]);
    }
  }, 120_000);
});
