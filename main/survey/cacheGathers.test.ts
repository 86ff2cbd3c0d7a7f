import { mkdtemp, readFile, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as zarr from 'zarrita';
import FileSystemStore from '@zarrita/storage/fs';
import { GatherCache, GatherCacheWriter, type GatherCacheWriterOptions } from './cacheGathers';

// Gather g has 3 + (g % 4) traces (gather 5 none at all); trace t of gather g has offset 100 * (t + 1) + g.
const GATHERS = 9;
const MAX_TRACES = 6;
const SAMPLES = 23;
const SEED = 7;

const tracesIn = (gather: number) => (gather === 5 ? 0 : 3 + (gather % 4));
const offsetOf = (gather: number, trace: number) => 100 * (trace + 1) + gather;
const sampleValue = (gather: number, trace: number, s: number) =>
  Math.fround(Math.sin(gather * 7.1 + trace * 1.3 + s * 0.37 + SEED));

function traceSamples(gather: number, trace: number): Float32Array {
  return Float32Array.from({ length: SAMPLES }, (_, s) => sampleValue(gather, trace, s));
}

/** Gather-sorted, or round-robin over the gathers (every trace lands in a different gather than the one before). */
function arrivalOrder(order: 'gather-sorted' | 'interleaved'): [number, number][] {
  const traces: [number, number][] = [];
  if (order === 'gather-sorted') {
    for (let g = 0; g < GATHERS; g++) for (let t = 0; t < tracesIn(g); t++) traces.push([g, t]);
  } else {
    for (let t = 0; t < MAX_TRACES; t++) for (let g = 0; g < GATHERS; g++) if (t < tracesIn(g)) traces.push([g, t]);
  }
  return traces;
}

function writerOptions(): GatherCacheWriterOptions {
  return {
    gatherCount: GATHERS,
    maxTracesPerGather: MAX_TRACES,
    samples: { count: SAMPLES, start: 0, interval: 2, unit: 'ms' },
    traceKeys: ['offset', 'channel'],
    attributes: { seed: SEED },
  };
}

async function buildGatherCache(dir: string, order: 'gather-sorted' | 'interleaved') {
  const writer = await GatherCacheWriter.create(dir, writerOptions());
  for (const [g, t] of arrivalOrder(order)) {
    await writer.writeTrace(g, traceSamples(g, t), { offset: offsetOf(g, t), channel: t + 1 });
  }
  return writer.finish();
}

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'promethium-gathers-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('GatherCache', () => {
  for (const order of ['gather-sorted', 'interleaved'] as const) {
    it(`returns every gather's traces and keys in arrival order (${order} input)`, async () => {
      const dir = join(work, 'gathers.zarr');
      const attributes = await buildGatherCache(dir, order);
      expect(attributes.traceCount).toBe(arrivalOrder(order).length);
      const cache = await GatherCache.open(dir);
      for (let g = 0; g < GATHERS; g++) {
        const gather = await cache.gather(g);
        const traces = tracesIn(g);
        expect(gather.shape).toEqual([traces, SAMPLES]);
        const expected = Array.from({ length: traces }, (_, t) => Array.from(traceSamples(g, t))).flat();
        expect(Array.from(gather.data)).toEqual(expected);
        expect(Array.from(gather.keys.offset!)).toEqual(Array.from({ length: traces }, (_, t) => offsetOf(g, t)));
        expect(Array.from(gather.keys.channel!)).toEqual(Array.from({ length: traces }, (_, t) => t + 1));
      }
      await cache.close();
    });
  }

  it('is standard Zarr v3 that zarrita reads', async () => {
    const dir = join(work, 'gathers.zarr');
    await buildGatherCache(dir, 'gather-sorted');
    const metadata = JSON.parse(await readFile(join(dir, 'gathers/keys/offset/zarr.json'), 'utf8'));
    expect(metadata).toMatchObject({
      zarr_format: 3,
      node_type: 'array',
      data_type: 'float64',
      shape: [GATHERS, MAX_TRACES],
    });
    const root = zarr.root(new FileSystemStore(dir));
    const data = await zarr.open.v3(root.resolve('gathers/data'), { kind: 'array' });
    const gather2 = await zarr.get(data, [2, zarr.slice(0, tracesIn(2)), null]);
    expect(Array.from(gather2.data as Float32Array)).toEqual(
      Array.from({ length: tracesIn(2) }, (_, t) => Array.from(traceSamples(2, t))).flat(),
    );
    const counts = await zarr.open.v3(root.resolve('gathers/trace_count'), { kind: 'array' });
    expect(Array.from((await zarr.get(counts)).data as Int32Array)).toEqual(
      Array.from({ length: GATHERS }, (_, g) => tracesIn(g)),
    );
  });

  it('rejects a gather with more traces than announced, and cleans up on abort', async () => {
    const dir = join(work, 'gathers.zarr');
    const writer = await GatherCacheWriter.create(dir, writerOptions());
    for (let t = 0; t < MAX_TRACES; t++) await writer.writeTrace(0, traceSamples(0, t), { offset: 1, channel: t });
    await expect(writer.writeTrace(0, traceSamples(0, 0), { offset: 1, channel: 9 })).rejects.toMatchObject({
      apiCode: 'invalid-argument',
    });
    await expect(writer.writeTrace(1, traceSamples(1, 0), { offset: 1 })).rejects.toThrow(/no channel/);
    await writer.abort();
    await expect(stat(`${dir}.partial`)).rejects.toThrow();
    await expect(GatherCache.open(dir)).rejects.toMatchObject({ apiCode: 'not-found' });
  });

  it('reports a truncated data chunk as a damaged cache', async () => {
    const dir = join(work, 'gathers.zarr');
    await buildGatherCache(dir, 'gather-sorted');
    await truncate(join(dir, 'gathers/data/c/0/0/0'), 64);
    const cache = await GatherCache.open(dir);
    await expect(cache.gather(3)).rejects.toMatchObject({ apiCode: 'io', message: expect.stringMatching(/damaged/) });
    await cache.close();
  });
});
