import { mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as zarr from 'zarrita';
import FileSystemStore from '@zarrita/storage/fs';
import { SurveyCache } from './cache';
import { SurveyCacheError } from './cacheErrors';
import { SurveyCacheWriter, type SurveyCacheWriterOptions } from './cacheWriter';

// A small cube with odd extents so blocks, time chunks and LOD cells all end part-way.
const INLINES = 7;
const CROSSLINES = 11;
const SAMPLES = 37;
const SEED = 20261121;

/** The value at (il, xl, s): a seeded integer hash mapped to [-1, 1), so a misplaced value never matches by chance. */
function expectedValue(il: number, xl: number, s: number): number {
  let h = (SEED ^ Math.imul(il + 1, 0x9e3779b1) ^ Math.imul(xl + 1, 0x85ebca6b) ^ Math.imul(s + 1, 0xc2b2ae35)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return Math.fround(((h ^ (h >>> 16)) >>> 0) / 2 ** 31 - 1);
}

function traceValues(il: number, xl: number): Float32Array {
  return Float32Array.from({ length: SAMPLES }, (_, s) => expectedValue(il, xl, s));
}

/** Dead traces: a diagonal pattern plus the whole of inline 3, so both scattered holes and an empty block occur. */
function isLive(il: number, xl: number): boolean {
  return il !== 3 && (il + 2 * xl) % 5 !== 0;
}

type TraceOrder = 'inline-sorted' | 'crossline-sorted' | 'shuffled';

function gridPositions(order: TraceOrder): [number, number][] {
  const positions: [number, number][] = [];
  if (order === 'crossline-sorted') {
    for (let xl = 0; xl < CROSSLINES; xl++) for (let il = 0; il < INLINES; il++) positions.push([il, xl]);
  } else {
    for (let il = 0; il < INLINES; il++) for (let xl = 0; xl < CROSSLINES; xl++) positions.push([il, xl]);
  }
  if (order === 'shuffled') shuffle(positions, SEED);
  return positions.filter(([il, xl]) => isLive(il, xl));
}

function shuffle<T>(items: T[], seed: number): void {
  let state = seed;
  for (let i = items.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

function writerOptions(overrides: Partial<SurveyCacheWriterOptions> = {}): SurveyCacheWriterOptions {
  return {
    inlines: Array.from({ length: INLINES }, (_, i) => 1000 + 2 * i),
    crosslines: Array.from({ length: CROSSLINES }, (_, j) => 500 + j),
    samples: { count: SAMPLES, start: 100, interval: 4, unit: 'ms' },
    // two inlines per block: several blocks, the last one short
    memoryBudgetBytes: 2 * CROSSLINES * SAMPLES * 4,
    attributes: { source: 'generated', seed: SEED },
    ...overrides,
  };
}

async function buildCache(dir: string, order: TraceOrder, overrides: Partial<SurveyCacheWriterOptions> = {}) {
  const writer = await SurveyCacheWriter.create(dir, writerOptions(overrides));
  for (const [il, xl] of gridPositions(order)) await writer.writeTrace(il, xl, traceValues(il, xl));
  return writer.finish();
}

function expectedBox(il0: number, il1: number, xl0: number, xl1: number, s0: number, s1: number): Float32Array {
  const values: number[] = [];
  for (let il = il0; il < il1; il++) {
    for (let xl = xl0; xl < xl1; xl++) {
      for (let s = s0; s < s1; s++) values.push(isLive(il, xl) ? expectedValue(il, xl, s) : 0);
    }
  }
  return Float32Array.from(values);
}

async function expectEveryDirectionCorrect(cache: SurveyCache): Promise<void> {
  for (let il = 0; il < INLINES; il++) {
    const section = await cache.inline(il);
    expect(section.shape).toEqual([CROSSLINES, SAMPLES]);
    expect(section.data).toEqual(expectedBox(il, il + 1, 0, CROSSLINES, 0, SAMPLES));
  }
  for (let xl = 0; xl < CROSSLINES; xl++) {
    const section = await cache.crossline(xl);
    expect(section.shape).toEqual([INLINES, SAMPLES]);
    expect(section.data).toEqual(expectedBox(0, INLINES, xl, xl + 1, 0, SAMPLES));
  }
  for (let s = 0; s < SAMPLES; s++) {
    const slice = await cache.timeSlice(s);
    expect(slice.shape).toEqual([INLINES, CROSSLINES]);
    expect(slice.data).toEqual(expectedBox(0, INLINES, 0, CROSSLINES, s, s + 1));
  }
  expect((await cache.trace(5, 7)).data).toEqual(traceValues(5, 7));
  const box = await cache.subVolume(1, 6, 2, 9, 3, 30);
  expect(box.shape).toEqual([5, 7, 27]);
  expect(box.data).toEqual(expectedBox(1, 6, 2, 9, 3, 30));
}

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'promethium-cache-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('SurveyCache round trip', () => {
  for (const order of ['inline-sorted', 'crossline-sorted', 'shuffled'] as const) {
    it(`returns exactly the written values in every direction (${order} input)`, async () => {
      const dir = join(work, 'survey.zarr');
      await buildCache(dir, order);
      const cache = await SurveyCache.open(dir);
      try {
        await expectEveryDirectionCorrect(cache);
      } finally {
        await cache.close();
      }
    });
  }

  it('reads correctly with multi-sample time chunks and with only the inline copy', async () => {
    for (const overrides of [{ timeChunkSamples: 4 }, { layouts: { crossline: false, time: false } }]) {
      const dir = join(work, `survey-${JSON.stringify(overrides).length}.zarr`);
      const attributes = await buildCache(dir, 'shuffled', overrides);
      expect(attributes.layouts.length).toBe(overrides.layouts ? 1 : 3);
      const cache = await SurveyCache.open(dir);
      await expectEveryDirectionCorrect(cache);
      await cache.close();
    }
  });

  it('stores a 2D line as a cube with one inline', async () => {
    const dir = join(work, 'line.zarr');
    const writer = await SurveyCacheWriter.create(dir, writerOptions({ inlines: [1] }));
    for (let xl = 0; xl < CROSSLINES; xl++) await writer.writeTrace(0, xl, traceValues(4, xl));
    await writer.finish();
    const line = await SurveyCache.open(dir);
    expect((await line.inline(0)).data).toEqual(
      Float32Array.from(Array.from({ length: CROSSLINES }, (_, xl) => Array.from(traceValues(4, xl))).flat()),
    );
    expect((await line.crossline(3)).data).toEqual(traceValues(4, 3));
    const slice = await line.timeSlice(10);
    expect(slice.shape).toEqual([1, CROSSLINES]);
    expect(Array.from(slice.data)).toEqual(Array.from({ length: CROSSLINES }, (_, xl) => expectedValue(4, xl, 10)));
    await line.close();
  });

  it('flags missing traces in the live mask and stores the geometry', async () => {
    const dir = join(work, 'survey.zarr');
    const attributes = await buildCache(dir, 'inline-sorted');
    const cache = await SurveyCache.open(dir);
    const mask = cache.liveMask();
    expect(mask.shape).toEqual([INLINES, CROSSLINES]);
    const expectedMask = Array.from({ length: INLINES * CROSSLINES }, (_, t) =>
      isLive(Math.floor(t / CROSSLINES), t % CROSSLINES) ? 1 : 0,
    );
    expect(Array.from(mask.data)).toEqual(expectedMask);
    expect(attributes.liveTraceCount).toBe(gridPositions('inline-sorted').length);
    expect(cache.attributes.sampleAxis).toEqual({ start: 100, interval: 4, unit: 'ms' });
    expect(cache.attributes.survey).toEqual({ source: 'generated', seed: SEED });
    expect(Array.from(cache.inlineNumbers)).toEqual(writerOptions().inlines);
    expect(Array.from(cache.crosslineNumbers)).toEqual(writerOptions().crosslines);
    expect((await cache.trace(3, 4)).data).toEqual(new Float32Array(SAMPLES));
    await cache.close();
  });

  it('downsamples to the LOD volume as means of live traces over factor^3 boxes', async () => {
    const dir = join(work, 'survey.zarr');
    const attributes = await buildCache(dir, 'crossline-sorted', { lodMaxBytes: 4 * 6 * 19 * 4 });
    expect(attributes.lod.factor).toBe(2);
    const cache = await SurveyCache.open(dir);
    const lod = await cache.lod();
    expect(lod.shape).toEqual([4, 6, 19]);
    const [ci, cj, ck] = [0, 1, 18]; // a cell with a dead trace and a single-sample time window
    let sum = 0;
    let count = 0;
    for (let il = 2 * ci; il < 2 * ci + 2; il++) {
      for (let xl = 2 * cj; xl < 2 * cj + 2; xl++) {
        if (!isLive(il, xl)) continue;
        for (let s = 2 * ck; s < Math.min(2 * ck + 2, SAMPLES); s++)
          [sum, count] = [sum + expectedValue(il, xl, s), count + 1];
      }
    }
    expect(count).toBe(3);
    expect(lod.data[(ci * 6 + cj) * 19 + ck]).toBeCloseTo(sum / count, 6);
    await cache.close();
  });
});

describe('SurveyCache as standard Zarr v3', () => {
  it('writes spec-conformant metadata that zarrita reads back to the same values', async () => {
    const dir = join(work, 'survey.zarr');
    await buildCache(dir, 'inline-sorted');
    const group = JSON.parse(await readFile(join(dir, 'seismic/zarr.json'), 'utf8'));
    expect(group).toEqual({ zarr_format: 3, node_type: 'group', attributes: {} }); // explicit: zarr-python 3 needs it
    const metadata = JSON.parse(await readFile(join(dir, 'seismic/fast_crossline/zarr.json'), 'utf8'));
    expect(metadata).toMatchObject({
      zarr_format: 3,
      node_type: 'array',
      shape: [INLINES, CROSSLINES, SAMPLES],
      data_type: 'float32',
      chunk_grid: { name: 'regular', configuration: { chunk_shape: [INLINES, 1, SAMPLES] } },
      chunk_key_encoding: { name: 'default', configuration: { separator: '/' } },
      codecs: [{ name: 'bytes', configuration: { endian: 'little' } }],
      fill_value: 0,
      dimension_names: ['inline', 'crossline', 'sample'],
    });
    const root = zarr.root(new FileSystemStore(dir));
    const rootGroup = await zarr.open.v3(root, { kind: 'group' });
    expect(rootGroup.attrs).toHaveProperty('promethium.formatVersion', 1);
    const crosslineCopy = await zarr.open.v3(root.resolve('seismic/fast_crossline'), { kind: 'array' });
    const viaZarrita = await zarr.get(crosslineCopy, [null, 4, null]);
    expect(viaZarrita.data).toEqual(expectedBox(0, INLINES, 4, 5, 0, SAMPLES));
    const timeCopy = await zarr.open.v3(root.resolve('seismic/fast_time'), { kind: 'array' });
    expect((await zarr.get(timeCopy, [null, null, 9])).data).toEqual(expectedBox(0, INLINES, 0, CROSSLINES, 9, 10));
    const mask = await zarr.open.v3(root.resolve('live_mask'), { kind: 'array' });
    expect((await zarr.get(mask, [3, null])).data).toEqual(new Uint8Array(CROSSLINES));
  });
});

describe('SurveyCache failures', () => {
  it('leaves nothing behind after abort, and nothing that opens after a crash', async () => {
    const dir = join(work, 'survey.zarr');
    const aborted = await SurveyCacheWriter.create(dir, writerOptions());
    await aborted.writeTrace(0, 0, traceValues(0, 0));
    await aborted.abort();
    await expect(stat(`${dir}.partial`)).rejects.toThrow();
    await expect(stat(dir)).rejects.toThrow();

    const crashed = await SurveyCacheWriter.create(dir, writerOptions());
    for (const [il, xl] of gridPositions('inline-sorted').slice(0, 40))
      await crashed.writeTrace(il, xl, traceValues(il, xl));
    // no finish(): what a killed import leaves
    const opening = SurveyCache.open(dir);
    await expect(opening).rejects.toBeInstanceOf(SurveyCacheError);
    await expect(opening).rejects.toThrow(/never completed/);
    await crashed.abort();
  });

  it('reports a truncated chunk file as a damaged cache', async () => {
    const dir = join(work, 'survey.zarr');
    await buildCache(dir, 'inline-sorted');
    await truncate(join(dir, 'seismic/fast_crossline/c/0/5/0'), 100);
    const cache = await SurveyCache.open(dir);
    const reading = cache.crossline(5);
    await expect(reading).rejects.toMatchObject({
      apiCode: 'io',
      message: expect.stringMatching(/damaged.*c\/0\/5\/0/),
    });
    expect((await cache.crossline(4)).data).toEqual(expectedBox(0, INLINES, 4, 5, 0, SAMPLES));
    await cache.close();
  });

  it('reports damaged metadata and bad requests with typed errors', async () => {
    const dir = join(work, 'survey.zarr');
    await buildCache(dir, 'inline-sorted');
    const cache = await SurveyCache.open(dir);
    await expect(cache.inline(INLINES)).rejects.toMatchObject({ apiCode: 'invalid-argument' });
    await expect(cache.subVolume(0, 2, 5, 3, 0, 1)).rejects.toMatchObject({ apiCode: 'invalid-argument' });
    await cache.close();
    await writeFile(join(dir, 'seismic/fast_time/zarr.json'), '{"zarr_format": 3, "shape": [');
    await expect(SurveyCache.open(dir)).rejects.toMatchObject({
      apiCode: 'io',
      message: expect.stringMatching(/JSON/),
    });
    await expect(SurveyCache.open(join(work, 'nothing.zarr'))).rejects.toMatchObject({ apiCode: 'not-found' });
  });

  it('rejects traces that do not fit the grid', async () => {
    const writer = await SurveyCacheWriter.create(join(work, 'survey.zarr'), writerOptions());
    await expect(writer.writeTrace(0, CROSSLINES, traceValues(0, 0))).rejects.toMatchObject({
      apiCode: 'invalid-argument',
    });
    await expect(writer.writeTrace(0, 0, new Float32Array(SAMPLES - 1))).rejects.toThrow(/36 samples, 37 expected/);
    await writer.abort();
  });

  it('replaces an existing cache only when the new one is complete', async () => {
    const dir = join(work, 'survey.zarr');
    await buildCache(dir, 'inline-sorted');
    const writer = await SurveyCacheWriter.create(dir, writerOptions());
    await writer.writeTrace(0, 0, new Float32Array(SAMPLES).fill(7));
    const stillOld = await SurveyCache.open(dir);
    expect((await stillOld.trace(0, 1)).data).toEqual(traceValues(0, 1));
    await stillOld.close();
    await writer.finish();
    const replaced = await SurveyCache.open(dir);
    expect(replaced.attributes.liveTraceCount).toBe(1);
    expect((await replaced.trace(0, 0)).data).toEqual(new Float32Array(SAMPLES).fill(7));
    await replaced.close();
  });
});
