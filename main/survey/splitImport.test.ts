/**
 * The split import (as cluster tasks run it, here in one process) against a local import of the same file: the
 * survey cache must be byte-identical, also when a part stops after its first block and is run again.
 */
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectSameFiles } from '../../test/support/sameFiles';
import { encodeNewSegy } from '../segy/writer';
import { variableLengthFixture } from '../segy/testFixtures';
import { seededRandom } from '../signal/random';
import { LodAccumulator } from './cacheLod';
import { importSurvey } from './importSurvey';
import {
  fillPart,
  finishSplitImport,
  layoutSplitImport,
  planSplitImport,
  scanPart,
  splitImportProgress,
  type SplitImportPlan,
} from './splitImport';

const dir = mkdtempSync(path.join(tmpdir(), 'promethium-split-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * 13 inlines x 9 crosslines x 40 samples, written in `order`, with 7 cells missing and one all-zero (dead) trace, so
 * that blocks without traces, dead traces and the local writer's scattered mode are all met.
 */
function cubeFile(name: string, order: 'inline-sorted' | 'shuffled'): string {
  const rand = seededRandom(21);
  const cells = Array.from({ length: 13 * 9 }, (_, cell) => cell).filter((cell) => cell % 17 !== 3);
  if (order === 'shuffled') {
    for (let i = cells.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [cells[i], cells[j]] = [cells[j]!, cells[i]!];
    }
  }
  const samples = Float32Array.from({ length: cells.length * 40 }, () => rand() * 2 - 1);
  samples.fill(0, 5 * 40, 6 * 40);
  const file = path.join(dir, name);
  writeFileSync(
    file,
    encodeNewSegy({
      samples,
      traceCount: cells.length,
      samplesPerTrace: 40,
      sampleIntervalUs: 4000,
      traceHeaders: {
        inline: Int32Array.from(cells, (cell) => 1000 + Math.floor(cell / 9)),
        crossline: Int32Array.from(cells, (cell) => 20 + 2 * (cell % 9)),
      },
    }),
  );
  return file;
}

const job = { signal: new AbortController().signal, progress: () => undefined };

async function runSplit(plan: SplitImportPlan): Promise<void> {
  for (let part = 0; part < plan.parts; part++) await scanPart(plan, part, () => undefined);
  await layoutSplitImport(plan);
  for (let part = 0; part < plan.parts; part++) await fillPart(plan, part, () => undefined);
  await finishSplitImport(plan);
}

async function plan(file: string, name: string, parts: number): Promise<SplitImportPlan> {
  return planSplitImport({
    path: file,
    cacheDir: path.join(dir, `${name}.zarr`),
    workDir: path.join(dir, `${name}-work`),
    parts,
    blockBytes: 3 * 9 * 40 * 4, // blocks of three inlines, scan pieces of ten traces: several of each per part
  });
}

describe('an import split into parts', () => {
  for (const order of ['inline-sorted', 'shuffled'] as const) {
    it(`builds the same survey cache as a local import, byte for byte (${order} traces)`, async () => {
      const file = cubeFile(`${order}.sgy`, order);
      const local = path.join(dir, `${order}-local.zarr`);
      const localDescription = await importSurvey({ path: file, cacheDir: local }, job);
      const split = await plan(file, `${order}-split`, 3);
      expect(split.scanPieces.map((pieces) => pieces.length)).toEqual([3, 4, 4]);
      await runSplit(split);
      expect(await finishSplitImport(split)).toEqual(localDescription);
      expectSameFiles(local, split.cacheDir);
    });
  }

  it('writes the same gather index as a local import for a pre-stack survey, with nothing to fill', async () => {
    // 4 inlines x 5 crosslines x 3 offsets: CMP gathers, read from the SEG-Y itself through the index.
    const traces = 4 * 5 * 3;
    const file = path.join(dir, 'gathers.sgy');
    const rand = seededRandom(8);
    writeFileSync(
      file,
      encodeNewSegy({
        samples: Float32Array.from({ length: traces * 30 }, () => rand()),
        traceCount: traces,
        samplesPerTrace: 30,
        sampleIntervalUs: 4000,
        traceHeaders: {
          inline: Int32Array.from({ length: traces }, (_, t) => 10 + Math.floor(t / 15)),
          crossline: Int32Array.from({ length: traces }, (_, t) => 50 + (Math.floor(t / 3) % 5)),
          offset: Int32Array.from({ length: traces }, (_, t) => 100 * (1 + (t % 3))),
        },
      }),
    );
    const local = path.join(dir, 'gathers-local.zarr');
    const localDescription = await importSurvey({ path: file, cacheDir: local }, job);
    expect(localDescription.kind).toBe('pre-stack-3d');
    const split = await plan(file, 'gathers-split', 2);
    await runSplit(split);
    expect((await layoutSplitImport(split)).cube).toBeNull();
    expect(await finishSplitImport(split)).toEqual(localDescription);
    expectSameFiles(local, split.cacheDir);
  });

  it('resumes a part stopped after its first block: the finished block is kept, the cache is the same', async () => {
    const file = cubeFile('resumed.sgy', 'inline-sorted');
    const local = path.join(dir, 'resumed-local.zarr');
    await importSurvey({ path: file, cacheDir: local }, job);
    const split = await plan(file, 'resumed', 2);
    for (let part = 0; part < 2; part++) await scanPart(split, part, () => undefined);
    const layout = await layoutSplitImport(split);
    expect(layout.cube!.fillBlocks).toEqual([
      [
        [0, 3],
        [3, 3],
      ],
      [
        [6, 3],
        [9, 3],
        [12, 1],
      ],
    ]);
    const stop = new Error('killed');
    await expect(
      fillPart(split, 0, () => {
        throw stop;
      }),
    ).rejects.toBe(stop);
    expect(await splitImportProgress(split)).toEqual({
      scanPieces: { done: 11, total: 11 },
      fillBlocks: { done: 1, total: 5 },
    });
    const filled: string[] = [];
    await fillPart(split, 0, (_done, _total, what) => filled.push(what));
    expect(filled).toEqual(['inline indices 0-2', 'inline indices 3-5']);
    // Run again, the layout step leaves the cache being filled alone.
    await layoutSplitImport(split);
    await fillPart(split, 1, () => undefined);
    await finishSplitImport(split);
    expectSameFiles(local, split.cacheDir);
  });

  it('refuses variable-length traces and a file changed since planning, saying why', async () => {
    const variableFile = path.join(dir, 'variable.sgy');
    writeFileSync(variableFile, variableLengthFixture());
    await expect(plan(variableFile, 'variable', 2)).rejects.toThrow(/varying length.*import it on this workstation/);

    const file = cubeFile('changed.sgy', 'inline-sorted');
    const changed = await plan(file, 'changed', 2);
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    await expect(scanPart(changed, 0, () => undefined)).rejects.toThrow(/changed since the import was planned/);
  });

  it('sums each block of the 3D view copy as one pass over the volume does, when blocks start at the factor', () => {
    const shape = [10, 4, 9] as const;
    const rand = seededRandom(5);
    const values = Float32Array.from({ length: 10 * 4 * 9 }, () => rand());
    const live = Uint8Array.from({ length: 40 }, (_, cell) => (cell % 7 === 2 ? 0 : 1));
    const whole = new LodAccumulator(shape, 4 * 2 * 3 * 4);
    expect(whole.factor).toBe(3);
    whole.addInlines(values, 0, 10, live);
    const blocks = [
      [0, 6],
      [6, 3],
      [9, 1],
    ].map(([first, count]) => {
      const block = new LodAccumulator([count!, 4, 9], 0, 3);
      block.addInlines(values.subarray(first! * 36), 0, count!, live.subarray(first! * 4));
      return block.means();
    });
    const joined = new Float32Array(whole.shape[0] * whole.shape[1] * whole.shape[2]);
    let at = 0;
    for (const means of blocks) {
      joined.set(means, at);
      at += means.length;
    }
    expect(Buffer.from(joined.buffer).equals(Buffer.from(whole.means().buffer))).toBe(true);
  });
});
