import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SurveyDescription } from '../../preload/contract';
import { hasTestdata, testdataPath } from '../../test/testdata';
import { openSegy, type SegyFile } from '../segy/reader';
import { arbitraryLinePath } from './arbitraryLine';
import { importSurvey } from './importSurvey';
import { SectionReader, type SurveyLocation } from './sectionReader';

describe('arbitraryLinePath', () => {
  const shape = { inlines: 10, crosslines: 20 };

  it('follows an inline trace by trace and marks both ends', () => {
    const line = arbitraryLinePath(
      [
        [3, 2],
        [3, 9],
      ],
      shape,
      null,
    );
    expect(Array.from(line.inlineIndex)).toEqual(Array(8).fill(3));
    expect(Array.from(line.crosslineIndex)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(line.vertexTraces).toEqual([0, 7]);
  });

  it('samples a diagonal at the bin spacing (the finer of the two) and a bent line at its vertex', () => {
    // 25 m between inlines, 12.5 m between crosslines: 4 inlines across is 100 m, 8 steps of 12.5 m.
    const diagonal = arbitraryLinePath(
      [
        [0, 0],
        [4, 0],
      ],
      shape,
      { inline: 25, crossline: 12.5 },
    );
    expect(Array.from(diagonal.inlineIndex)).toEqual([0, 1, 2, 3, 4]); // rounding drops the repeated cells
    const bent = arbitraryLinePath(
      [
        [0, 0],
        [5, 5],
        [5, 10],
      ],
      shape,
      null,
    );
    const cells = Array.from(bent.inlineIndex, (il, t) => [il, bent.crosslineIndex[t]]);
    expect(cells[0]).toEqual([0, 0]);
    expect(cells[bent.vertexTraces[1]!]).toEqual([5, 5]);
    expect(cells.at(-1)).toEqual([5, 10]);
    // No repeated cell in a row, and every step moves at most one cell in each direction.
    for (let t = 1; t < cells.length; t++) {
      const [a, b] = [cells[t - 1]!, cells[t]!];
      expect(a).not.toEqual(b);
      expect(Math.abs(a[0]! - b[0]!)).toBeLessThanOrEqual(1);
      expect(Math.abs(a[1]! - b[1]!)).toBeLessThanOrEqual(1);
    }
  });

  it('refuses points outside the survey and lines of one point, naming the problem', () => {
    expect(() => arbitraryLinePath([[0, 0]], shape, null)).toThrow(/at least two points/);
    expect(() =>
      arbitraryLinePath(
        [
          [0, 0],
          [12, 3],
        ],
        shape,
        null,
      ),
    ).toThrow(/point 2 of the line \(inline index 12, crossline index 3\) is outside/);
  });
});

describe.skipIf(!hasTestdata)('arbitrary lines and trace headers of a cached F3', () => {
  const file = testdataPath('segy', 'f3.sgy');
  let dir: string;
  let survey: SurveyLocation;
  let segy: SegyFile;
  const reader = new SectionReader();

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'promethium-arbitrary-'));
    const cacheDir = path.join(dir, 'f3.zarr');
    const description: SurveyDescription = await importSurvey(
      { path: file, cacheDir },
      { signal: new AbortController().signal, progress: () => undefined },
    );
    survey = { id: 'f3', cacheDir, sourcePath: file, description };
    segy = await openSegy(file);
  });

  afterAll(async () => {
    await reader.close();
    await segy?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads a line along inline index 5 equal to that inline', async () => {
    const line = await reader.arbitrary(survey, [
      [5, 0],
      [5, 17],
    ]);
    const inline = await reader.section(survey, 'inline', 5);
    expect(line).toMatchObject({
      axis: 'arbitrary',
      traces: 18,
      samples: 75,
      label: 'Arbitrary line IL 116/XL 875 – IL 116/XL 892',
    });
    expect(Array.from(line.data)).toEqual(Array.from(inline.data));
    expect(line.vertices).toEqual([
      { trace: 0, inline: 116, crossline: 875 },
      { trace: 17, inline: 116, crossline: 892 },
    ]);
  });

  it('reads a bent line trace for trace equal to the SEG-Y traces of its cells', async () => {
    const line = await reader.arbitrary(survey, [
      [0, 0],
      [22, 10],
      [10, 17],
    ]);
    expect(line.vertices.map((v) => [v.inline, v.crossline])).toEqual([
      [111, 875],
      [133, 885],
      [121, 892],
    ]);
    // F3 is complete and sorted inline-major, 18 crosslines per inline: the cell's trace is il * 18 + xl.
    for (let t = 0; t < line.traces; t += 3) {
      const [il, xl] = [line.cellIndices.inlines[t]!, line.cellIndices.crosslines[t]!];
      expect(line.cells.inlines[t]).toBe(111 + il);
      expect(Array.from(line.data.subarray(t * 75, (t + 1) * 75))).toEqual(
        Array.from(await segy.readTrace(il * 18 + xl)),
      );
    }
    expect(line.live.every((v) => v === 1)).toBe(true);
  });

  it('finds the source trace header of a cell, every field by name and byte', async () => {
    const header = await reader.cellTraceHeader(survey, 7, 4);
    expect(header.traceIndex).toBe(7 * 18 + 4);
    expect(header.label).toBe('IL 118 · XL 879');
    const expected = await segy.readTraceHeader(7 * 18 + 4);
    const byName = Object.fromEntries(header.fields.map((f) => [f.name, f]));
    expect(byName.inline).toMatchObject({ byte: 189, value: 118 });
    expect(byName.crossline).toMatchObject({ byte: 193, value: 879 });
    expect(header.fields.length).toBeGreaterThan(80);
    for (const field of header.fields) expect(field.value).toBe(expected[field.name as keyof typeof expected]);
    await expect(reader.cellTraceHeader(survey, 23, 0)).rejects.toThrow(/inline index 23 is outside 0..22/);
  });
});
