/**
 * Import through the real services (compute process, project database, survey cache) and read sections back,
 * compared with the SEG-Y reader (itself checked bit for bit against segyio in segy-oracle.test.ts).
 */
import { copyFileSync, existsSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo, SurveySummary } from '../../preload/contract';
import { openSegy } from '../../main/segy/reader';
import { TRACE_ID_BYTE } from '../../main/segy/traceHeaderEdit';
import { writeSegyLike } from '../../main/segy/writer';
import type { AppServices } from '../../main/workflows/services';
import { createTestServices, jobWhen, type TestServices } from '../support/services';
import { hasTestdata, testdataPath } from '../testdata';

let context: TestServices;
let services: AppServices;

beforeAll(() => {
  context = createTestServices('cpu', 'promethium-import-');
  services = context.services;
});

afterAll(() => context?.dispose());

const finished = (job: JobInfo): Promise<JobInfo> => jobWhen(services, job.id);

async function importFile(file: string): Promise<{ survey: SurveySummary; job: JobInfo }> {
  const { survey, job } = services.surveys.startImport({ path: file });
  expect(survey.state).toBe('importing');
  const done = await finished(job);
  return { survey: services.surveys.get(survey.id), job: done };
}

describe.skipIf(!hasTestdata)('survey import and sections', () => {
  it('imports f3.sgy (3D) and reads inlines, crosslines and time slices equal to the SEG-Y traces', async () => {
    const file = testdataPath('segy', 'f3.sgy');
    const { survey, job } = await importFile(file);
    expect(job.state).toBe('done');
    expect(survey).toMatchObject({ state: 'ready', sourceStatus: 'ok' });
    expect(survey.description).toMatchObject({
      kind: 'post-stack-3d',
      grid: { inlines: { first: 111, count: 23 }, crosslines: { first: 875, count: 18 }, liveCells: 414 },
    });
    const segy = await openSegy(file);
    const inline = await services.surveys.section(survey.id, 'inline', 5);
    expect(inline).toMatchObject({ label: 'Inline 116', traces: 18, samples: 75, count: 23 });
    expect(Array.from(inline.data)).toEqual(Array.from(await segy.readTraces(5 * 18, 18)));
    const crossline = await services.surveys.section(survey.id, 'crossline', 3);
    expect(Array.from(crossline.data.subarray(2 * 75, 3 * 75))).toEqual(Array.from(await segy.readTrace(2 * 18 + 3)));
    const slice = await services.surveys.section(survey.id, 'time', 40);
    expect(slice.data[7 * 18 + 9]).toBe((await segy.readTrace(7 * 18 + 9))[40]);
    await segy.close();
    await expect(services.surveys.section(survey.id, 'inline', 23)).rejects.toThrow(/inline index 23 is outside 0..22/);
  });

  it('keeps missing traces visible: ex1 has a 75 x 71 grid with 4938 live traces', async () => {
    const { survey } = await importFile(testdataPath('segy', 'ex1_missing_traces_75x71x26.segy'));
    expect(survey.description?.grid?.liveCells).toBe(4938);
    let dead = 0;
    for (let il = 0; il < 75; il++) {
      const section = await services.surveys.section(survey.id, 'inline', il);
      for (let t = 0; t < section.traces; t++) {
        if (section.live[t] === 0) {
          dead++;
          expect(section.data.subarray(t * 26, (t + 1) * 26).every((v) => v === 0)).toBe(true);
        }
      }
    }
    expect(dead).toBe(75 * 71 - 4938);
  });

  it('browses viking_small.segy as 4 shot gathers of 120 channels', async () => {
    const file = testdataPath('segy', 'viking_small.segy');
    const { survey } = await importFile(file);
    expect(survey.description).toMatchObject({ kind: 'pre-stack-2d', gathers: { count: 4, maxFold: 120 } });
    const gather = await services.surveys.gather(survey.id, 2);
    expect(gather).toMatchObject({ traces: 120, count: 4, axis: 'gather' });
    const segy = await openSegy(file);
    expect(Array.from(gather.data.subarray(0, gather.samples))).toEqual(Array.from(await segy.readTrace(240)));
    await segy.close();
    await expect(services.surveys.section(survey.id, 'inline', 0)).rejects.toThrow(/browse its gathers/);
  });

  it('browses small-ps.sgy (pre-stack 3D) as one CMP gather per cell, traces in offset order', async () => {
    const { survey } = await importFile(testdataPath('segy', 'small-ps.sgy'));
    expect(survey.description).toMatchObject({ kind: 'pre-stack-3d', gathers: { count: 12, maxFold: 2 } });
    const gather = await services.surveys.gather(survey.id, 4);
    expect(gather).toMatchObject({ traces: 2, count: 12, label: 'CMP inline 2 crossline 2' });
    expect(Array.from(gather.traceAxis.values)).toEqual([1, 2]);
  });

  it('keeps dead traces (all-zero samples, or trace identification code 2) out of the live mask', async () => {
    const source = await openSegy(testdataPath('segy', 'f3.sgy'));
    const copy = path.join(context.home, 'f3-dead.sgy');
    await writeSegyLike(source, copy, {
      samples: async (i) => (i === 7 ? new Float32Array(source.samplesPerTrace) : source.readTrace(i)),
      headerEdits: (i) => (i === 5 ? new Map([[TRACE_ID_BYTE, 2]]) : undefined),
    });
    await source.close();
    const { survey } = await importFile(copy);
    expect(survey.description?.deadTraces).toBe(2);
    const inline = await services.surveys.section(survey.id, 'inline', 0);
    expect([inline.live[5], inline.live[7], inline.live[6]]).toEqual([0, 0, 1]);
    expect((await services.surveys.liveMask(survey.id)).mask.reduce((a, b) => a + b, 0)).toBe(412);
  });

  it('gives the live mask and the downsampled volume of a 3D survey', async () => {
    const { survey } = await importFile(testdataPath('segy', 'ex1_missing_traces_75x71x26.segy'));
    const live = await services.surveys.liveMask(survey.id);
    expect(live).toMatchObject({ inlines: 75, crosslines: 71 });
    expect(live.mask.reduce((a, b) => a + b, 0)).toBe(4938);
    const lod = await services.surveys.lod(survey.id);
    expect(lod.data.length).toBe(lod.shape[0] * lod.shape[1] * lod.shape[2]);
  });

  it('notices a changed or moved source file, and removes a survey without touching the file', async () => {
    const copy = path.join(context.home, 'copy.sgy');
    copyFileSync(testdataPath('segy', 'small.sgy'), copy);
    const { survey } = await importFile(copy);
    expect(services.surveys.get(survey.id).sourceStatus).toBe('ok');
    utimesSync(copy, new Date(), new Date(Date.now() + 5000));
    expect(services.surveys.get(survey.id).sourceStatus).toBe('changed');
    rmSync(copy);
    expect(services.surveys.get(survey.id).sourceStatus).toBe('missing');
    await services.surveys.remove(survey.id);
    expect(() => services.surveys.get(survey.id)).toThrow(/no survey/);
  });

  it('fails the import of a file that is not SEG-Y with a readable error and no cache left', async () => {
    const bogus = path.join(context.home, 'notes.sgy');
    writeFileSync(bogus, 'field notes\n'.repeat(400));
    const { survey, job } = await importFile(bogus);
    expect(job).toMatchObject({ state: 'failed', error: { code: 'segy-format' } });
    expect(job.error?.message).toMatch(/not a SEG-Y file/);
    expect(survey.state).toBe('failed');
    expect(existsSync(path.join(services.project.cachesDir, `${survey.id}.zarr`))).toBe(false);
  });
});
