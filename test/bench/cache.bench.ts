/**
 * Survey cache benchmark: builds a cache of a generated il x xl x samples cube in `dir`, then times reads at random
 * positions (medians after a warm-up), next to segyio reading the SEG-Y in `npm run bench -- segy`. Reads come from
 * the page cache, as they do in the app once a survey has been browsed. Peak RSS is sampled while importing.
 */
import { rm } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import * as zarr from 'zarrita';
import FileSystemStore from '@zarrita/storage/fs';
import { SurveyCache } from '../../main/survey/cache';
import { SurveyCacheWriter } from '../../main/survey/cacheWriter';

export interface CacheBenchOptions {
  il: number;
  xl: number;
  samples: number;
  /** Where the cache is built; removed afterwards. */
  dir: string;
  /** Timed reads per direction (default 50); 0 only imports, to watch memory on large cubes. */
  reads?: number;
  /** Trace order of the import (default inline-sorted, the common SEG-Y order). */
  order?: 'inline-sorted' | 'crossline-sorted' | 'shuffled';
  /** Samples per fast_time chunk (the writer's default, 1, unless given). */
  timeChunkSamples?: number;
}

export interface CacheBenchResult {
  writeMBps: number;
  inlineMs: number;
  crosslineMs: number;
  timeSliceMs: number;
  traceMs: number;
  subVolumeMs: number;
  /** The same inline, crossline and time slice reads through zarrita's zarr.get, for the cost of the generic path. */
  zarrita: { inlineMs: number; crosslineMs: number; timeSliceMs: number };
  peakRssMB: number;
  volumeMB: number;
  diskMB: number;
  blockInlines: number;
}

const WARM_UP_READS = 5;
const RSS_SAMPLE_EVERY_TRACES = 256;

export async function benchCache(options: CacheBenchOptions): Promise<CacheBenchResult> {
  const { il, xl, samples, dir } = options;
  await rm(dir, { recursive: true, force: true });
  try {
    const imported = await importCube(options);
    const diskMB = Number(execFileSync('du', ['-sm', dir], { encoding: 'utf8' }).split('\t')[0]);
    const reads = options.reads ?? 50;
    const timings = reads > 0 ? await timeReads(dir, il, xl, samples, reads) : undefined;
    return {
      writeMBps: imported.volumeMB / imported.seconds,
      inlineMs: timings?.inline ?? NaN,
      crosslineMs: timings?.crossline ?? NaN,
      timeSliceMs: timings?.timeSlice ?? NaN,
      traceMs: timings?.trace ?? NaN,
      subVolumeMs: timings?.subVolume ?? NaN,
      zarrita:
        reads > 0
          ? await timeZarritaReads(dir, il, xl, samples, reads)
          : { inlineMs: NaN, crosslineMs: NaN, timeSliceMs: NaN },
      peakRssMB: imported.peakRssMB,
      volumeMB: imported.volumeMB,
      diskMB,
      blockInlines: imported.blockInlines,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Traces are drawn from a pool of seeded random traces so generating them costs nothing next to writing them. */
function tracePool(samples: number, count: number): Float32Array[] {
  let state = 12345;
  const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 31 - 1;
  return Array.from({ length: count }, () => Float32Array.from({ length: samples }, random));
}

function tracePositions(il: number, xl: number, order: CacheBenchOptions['order']): Uint32Array {
  const positions = new Uint32Array(il * xl);
  for (let t = 0; t < positions.length; t++) {
    positions[t] = order === 'crossline-sorted' ? (t % il) * xl + Math.floor(t / il) : t;
  }
  if (order === 'shuffled') {
    let state = 777;
    for (let t = positions.length - 1; t > 0; t--) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      const u = state % (t + 1);
      [positions[t], positions[u]] = [positions[u]!, positions[t]!];
    }
  }
  return positions;
}

async function importCube({ il, xl, samples, dir, timeChunkSamples, order }: CacheBenchOptions) {
  const positions = tracePositions(il, xl, order);
  const pool = tracePool(samples, 61);
  let peakRss = process.memoryUsage.rss();
  const started = performance.now();
  const writer = await SurveyCacheWriter.create(dir, {
    inlines: Array.from({ length: il }, (_, i) => i + 1),
    crosslines: Array.from({ length: xl }, (_, j) => j + 1),
    samples: { count: samples, start: 0, interval: 4, unit: 'ms' },
    ...(timeChunkSamples ? { timeChunkSamples } : {}),
  });
  for (let t = 0; t < positions.length; t++) {
    const [i, j] = [Math.floor(positions[t]! / xl), positions[t]! % xl];
    await writer.writeTrace(i, j, pool[(i * 7 + j) % pool.length]!);
    if (t % RSS_SAMPLE_EVERY_TRACES === 0) peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }
  await writer.finish();
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  const seconds = (performance.now() - started) / 1000;
  return {
    seconds,
    volumeMB: (il * xl * samples * 4) / 1e6,
    peakRssMB: peakRss / 1e6,
    blockInlines: writer.blockInlines,
  };
}

async function timeReads(dir: string, il: number, xl: number, samples: number, reads: number) {
  const cache = await SurveyCache.open(dir);
  try {
    const pick = (extent: number) => Math.floor(Math.random() * extent);
    const sub = Math.min(64, il, xl, samples);
    return {
      inline: await medianMs(reads, () => cache.inline(pick(il))),
      crossline: await medianMs(reads, () => cache.crossline(pick(xl))),
      timeSlice: await medianMs(reads, () => cache.timeSlice(pick(samples))),
      trace: await medianMs(reads, () => cache.trace(pick(il), pick(xl))),
      subVolume: await medianMs(reads, () => {
        const [i, j, k] = [pick(il - sub + 1), pick(xl - sub + 1), pick(samples - sub + 1)];
        return cache.subVolume(i, i + sub, j, j + sub, k, k + sub);
      }),
    };
  } finally {
    await cache.close();
  }
}

async function timeZarritaReads(dir: string, il: number, xl: number, samples: number, reads: number) {
  const root = zarr.root(new FileSystemStore(dir));
  const copy = (layout: string) => zarr.open.v3(root.resolve(`seismic/${layout}`), { kind: 'array' });
  const [byInline, byCrossline, byTime] = await Promise.all([
    copy('fast_inline'),
    copy('fast_crossline'),
    copy('fast_time'),
  ]);
  const pick = (extent: number) => Math.floor(Math.random() * extent);
  return {
    inlineMs: await medianMs(reads, () => zarr.get(byInline, [pick(il), null, null])),
    crosslineMs: await medianMs(reads, () => zarr.get(byCrossline, [null, pick(xl), null])),
    timeSliceMs: await medianMs(reads, () => zarr.get(byTime, [null, null, pick(samples)])),
  };
}

async function medianMs(reads: number, read: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < WARM_UP_READS; i++) await read();
  const times: number[] = [];
  for (let i = 0; i < reads; i++) {
    const started = performance.now();
    await read();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}
