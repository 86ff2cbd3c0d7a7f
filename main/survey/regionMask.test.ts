import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SurveyDescription } from '../../preload/contract';
import { hasTestdata, testdataPath } from '../../test/testdata';
import { SurveyCache } from './cache';
import { importSurvey } from './importSurvey';
import { insidePolygon, regionMask } from './regionMask';

describe('regionMask', () => {
  it('selects whole inlines of the range', () => {
    const mask = regionMask(4, 3, [1, 2], null);
    expect(Array.from(mask)).toEqual([0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
  });

  it('narrows the range to the cells inside a polygon (a triangle, then a concave L shape)', () => {
    const triangle: [number, number][] = [
      [-0.5, -0.5],
      [4.5, -0.5],
      [-0.5, 4.5],
    ];
    const mask = regionMask(5, 5, [0, 4], triangle);
    for (let il = 0; il < 5; il++) {
      for (let xl = 0; xl < 5; xl++) expect(mask[il * 5 + xl], `${il},${xl}`).toBe(il + xl < 4 ? 1 : 0);
    }
    const ell: [number, number][] = [
      [0, 0],
      [4, 0],
      [4, 1],
      [1, 1],
      [1, 4],
      [0, 4],
    ];
    expect(insidePolygon(ell, 0.5, 3)).toBe(true);
    expect(insidePolygon(ell, 3, 0.5)).toBe(true);
    expect(insidePolygon(ell, 3, 3)).toBe(false);
  });

  it('clips a range beyond the grid', () => {
    expect(regionMask(2, 1, [1, 9], null)).toEqual(Uint8Array.of(0, 1));
  });
});

/** Winding number of the polygon around a point (non-zero: inside): an independent check of the even-odd rule. */
function winding(polygon: readonly (readonly [number, number])[], y: number, x: number): number {
  let turns = 0;
  for (let i = 0; i < polygon.length; i++) {
    const [y0, x0] = polygon[i]!;
    const [y1, x1] = polygon[(i + 1) % polygon.length]!;
    const side = (x1 - x0) * (y - y0) - (x - x0) * (y1 - y0);
    if (x0 <= x && x1 > x && side < 0) turns++;
    else if (x0 > x && x1 <= x && side > 0) turns--;
  }
  return turns;
}

describe.skipIf(!hasTestdata)('regionMask on a real cached survey (ex1: 75 x 71 cells, 387 missing traces)', () => {
  let dir = '';
  let description: SurveyDescription;
  let live: Uint8Array;
  const [INLINES, CROSSLINES] = [75, 71];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'promethium-region-'));
    const cacheDir = path.join(dir, 'ex1.zarr');
    description = await importSurvey(
      { path: testdataPath('segy', 'ex1_missing_traces_75x71x26.segy'), cacheDir },
      { signal: new AbortController().signal, progress: () => undefined },
    );
    const cache = await SurveyCache.open(cacheDir);
    live = cache.liveMask().data;
    await cache.close();
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("an area drawn along the base map's edges (the outer cells' edges) takes in every cell, live or missing", () => {
    expect(description.grid).toMatchObject({ inlines: { count: INLINES }, crosslines: { count: CROSSLINES } });
    const edges: [number, number][] = [
      [-0.5, -0.5],
      [INLINES - 0.5, -0.5],
      [INLINES - 0.5, CROSSLINES - 0.5],
      [-0.5, CROSSLINES - 0.5],
    ];
    const mask = regionMask(INLINES, CROSSLINES, [0, INLINES - 1], edges);
    expect(mask.reduce((n, v) => n + v, 0)).toBe(INLINES * CROSSLINES);
    expect(live.reduce((n, v) => n + v, 0)).toBe(INLINES * CROSSLINES - 387);
  });

  it('selects the cells whose centres lie inside a concave polygon, the same in inline and crossline numbers', () => {
    const grid = description.grid!;
    // A concave, base-map-like outline at fractional grid positions, over live and missing cells alike.
    const polygon: [number, number][] = [
      [3.2, 2.7],
      [66.4, 1.1],
      [40.6, 30.3],
      [70.9, 65.2],
      [10.1, 55.8],
      [25.5, 28.4],
    ];
    const mask = regionMask(INLINES, CROSSLINES, [0, INLINES - 1], polygon);
    // The same polygon in header numbers, and the cells' header numbers: what the user sees on the map's caption.
    const numbers = polygon.map(
      ([il, xl]) =>
        [grid.inlines.first + il * grid.inlines.step, grid.crosslines.first + xl * grid.crosslines.step] as const,
    );
    let selected = 0;
    let selectedMissing = 0;
    for (let il = 0; il < INLINES; il++) {
      for (let xl = 0; xl < CROSSLINES; xl++) {
        const cell = il * CROSSLINES + xl;
        const inside = winding(polygon, il, xl) !== 0;
        expect(mask[cell], `cell ${il},${xl}`).toBe(inside ? 1 : 0);
        const ilNumber = grid.inlines.first + il * grid.inlines.step;
        const xlNumber = grid.crosslines.first + xl * grid.crosslines.step;
        expect(insidePolygon(numbers, ilNumber, xlNumber), `IL ${ilNumber} XL ${xlNumber}`).toBe(inside);
        selected += mask[cell]!;
        if (mask[cell] && !live[cell]) selectedMissing++;
      }
    }
    expect(selected).toBeGreaterThan(500);
    expect(selected).toBeLessThan((INLINES * CROSSLINES) / 2);
    expect(selectedMissing).toBeGreaterThan(0); // missing traces inside are filled too (interpolation)
    // A range narrower than the polygon keeps only its inlines.
    const narrowed = regionMask(INLINES, CROSSLINES, [20, 30], polygon);
    for (let il = 0; il < INLINES; il++) {
      for (let xl = 0; xl < CROSSLINES; xl++) {
        const cell = il * CROSSLINES + xl;
        expect(narrowed[cell]).toBe(il >= 20 && il <= 30 ? mask[cell] : 0);
      }
    }
  });
});
