import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SurveyCache } from './cache';
import { SurveyCacheWriter } from './cacheWriter';
import { reduceLodCube } from './lodCube';

// A cube with odd extents, so the reduction's boxes end part-way along every axis.
const [INLINES, CROSSLINES, SAMPLES] = [9, 13, 41];
const value = (il: number, xl: number, s: number): number => Math.sin(il * 0.7 + xl * 0.3 + s * 0.11);

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'promethium-lodcube-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Writes a real survey cache (every trace live) and returns its LOD volume as the 3D view receives it. */
async function cachedLod(lodMaxBytes: number) {
  const dir = join(work, 'survey.zarr');
  const writer = await SurveyCacheWriter.create(dir, {
    inlines: Array.from({ length: INLINES }, (_, i) => 100 + i),
    crosslines: Array.from({ length: CROSSLINES }, (_, j) => 200 + j),
    samples: { count: SAMPLES, start: 0, interval: 4, unit: 'ms' },
    memoryBudgetBytes: 3 * CROSSLINES * SAMPLES * 4,
    lodMaxBytes,
    attributes: { source: 'generated' },
  });
  for (let il = 0; il < INLINES; il++) {
    for (let xl = 0; xl < CROSSLINES; xl++) {
      await writer.writeTrace(
        il,
        xl,
        Float32Array.from({ length: SAMPLES }, (_, s) => value(il, xl, s)),
      );
    }
  }
  const attributes = await writer.finish();
  const cache = await SurveyCache.open(dir);
  try {
    return { ...(await cache.lod()), factor: attributes.lod.factor };
  } finally {
    await cache.close();
  }
}

describe('reduceLodCube', () => {
  it('passes a LOD volume under the cap through unchanged', async () => {
    const lod = await cachedLod(64 * 1024 * 1024);
    expect(lod.factor).toBe(1);
    const cube = reduceLodCube(lod, INLINES * CROSSLINES * SAMPLES);
    expect(cube.shape).toEqual([INLINES, CROSSLINES, SAMPLES]);
    expect(cube.factor).toBe(1);
    expect(cube.data[(4 * CROSSLINES + 5) * SAMPLES + 6]).toBeCloseTo(value(4, 5, 6), 6);
  });

  it('box-means a cached survey to at most the cap, each cell the mean of the survey values it covers', async () => {
    const lod = await cachedLod(64 * 1024 * 1024);
    const cap = 200;
    const cube = reduceLodCube(lod, cap);
    // Stride 4 is the smallest that fits: ceil(9/4) * ceil(13/4) * ceil(41/4) = 3 * 4 * 11 = 132 <= 200 (stride 3: 3*5*14).
    expect(cube.shape).toEqual([3, 4, 11]);
    expect(cube.factor).toBe(4);
    expect(cube.data.length).toBeLessThanOrEqual(cap);
    // The last cell along every axis is partial (inline 8, crosslines 12, samples 40): the mean of what is there.
    const mean = (i0: number, i1: number, j0: number, j1: number, k0: number, k1: number): number => {
      let sum = 0;
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) for (let k = k0; k < k1; k++) sum += value(i, j, k);
      return sum / ((i1 - i0) * (j1 - j0) * (k1 - k0));
    };
    expect(cube.data[(1 * 4 + 2) * 11 + 3]).toBeCloseTo(mean(4, 8, 8, 12, 12, 16), 5);
    expect(cube.data[(2 * 4 + 3) * 11 + 10]).toBeCloseTo(mean(8, 9, 12, 13, 40, 41), 5);
  });

  it('multiplies the cache LOD factor by its own stride', async () => {
    const lod = await cachedLod(5 * 7 * 21 * 4); // the cache keeps a factor-2 LOD: 5 x 7 x 21
    expect(lod.factor).toBe(2);
    const cube = reduceLodCube(lod, 3 * 4 * 11);
    expect(cube.shape).toEqual([3, 4, 11]);
    expect(cube.factor).toBe(4);
  });

  it('refuses a LOD whose data does not match its shape, naming both', () => {
    expect(() => reduceLodCube({ data: new Float32Array(5), shape: [2, 2, 2], factor: 1 })).toThrow(/5 values.*8/);
  });
});
