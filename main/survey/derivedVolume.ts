/**
 * A derived volume: the result of a reconstruction applied to a whole survey, stored like a survey cache (a Zarr v3
 * group that SurveyCache.open reads) with only the fast_inline chunking, because it is written inline by inline.
 *
 *   <volume>.zarr/                 same arrays as a survey cache (cacheLayout.ts), layouts ['fast_inline']
 *   <volume>.zarr/filled_mask      uint8 [inline, crossline]: 1 where a dead input trace was filled (for export headers)
 *   <volume>.zarr/uncertainty/     optional: the Monte Carlo dropout standard deviation, the same kind of group
 *
 * Crash safety: every inline chunk is written atomically (main/files/atomicFile.ts), so an inline chunk that exists is
 * complete; a resumed job asks `finishedInlines` and skips those. Each inline is one chunk file of its own, so writers
 * of different inlines (cluster tasks) never write the same file. The metadata is written before the first inline
 * (root zarr.json last, so its presence means the group is set up), the LOD after the last one.
 */
import { mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { bytesOf, isMissingFile } from './cacheFiles';
import {
  CACHE_FORMAT_VERSION,
  DEFAULT_LOD_MAX_BYTES,
  LOD_ARRAY_PATH,
  VOLUME_DIMENSIONS,
  chunkFilePath,
  layoutSpec,
  type SurveyCacheAttributes,
} from './cacheLayout';
import { LodAccumulator } from './cacheLod';
import { CacheMetadataWriter, fileExists, readSingleChunk, writeSingleChunk } from './cacheMetadata';
import type { SurveyCache } from './cache';
import { removeStaleTemporaries, writeFileAtomically } from '../files/atomicFile';

export const UNCERTAINTY_GROUP = 'uncertainty';
const INLINE_ARRAY = layoutSpec('fast_inline', [1, 1, 1], 1).arrayPath;

/** The geometry a derived volume shares with its input, and what the input cannot tell (the output live mask). */
export interface DerivedVolumeSpec {
  input: SurveyCache;
  liveMask: Uint8Array;
  /** Kept as attributes.promethium.survey: lineage (survey, volume, task, method). */
  lineage: Record<string, unknown>;
  /** Keep a standard-deviation group (Monte Carlo dropout ensembles). */
  uncertainty: boolean;
}

export const FILLED_MASK_ARRAY = 'filled_mask';

export class DerivedVolumeWriter {
  private constructor(
    readonly dir: string,
    private readonly shape: [number, number, number],
  ) {}

  /**
   * Sets the group up unless an earlier (interrupted) run already did; never touches finished inline chunks.
   * Every leftover temporary of a killed run is cleared first, unless `shared`: other writers (cluster tasks) may be
   * writing other inlines now, next to their own temporaries.
   */
  static async openOrCreate(
    dir: string,
    spec: DerivedVolumeSpec,
    { shared }: { shared: boolean } = { shared: false },
  ): Promise<DerivedVolumeWriter> {
    const shape: [number, number, number] = [...spec.input.attributes.shape];
    if (!(await fileExists(join(dir, 'zarr.json')))) await writeGroup(dir, spec, shape);
    // Chunks a killed run was writing: never renamed into place, so never part of the volume.
    if (!shared) removeStaleTemporaries(dir, { recursive: true });
    return new DerivedVolumeWriter(dir, shape);
  }

  /** Inline indices whose chunk is on disk (renamed into place, so complete). */
  finishedInlines(): Promise<Set<number>> {
    return finishedInlineChunks(this.dir, this.inlineBytes);
  }

  /** Writes one inline ([crossline][sample]) of the volume, and of its uncertainty group when given. */
  async writeInline(inline: number, values: Float32Array, uncertainty: Float32Array | null): Promise<void> {
    // The uncertainty goes first: a finished main chunk then implies a finished uncertainty chunk.
    if (uncertainty) await this.writeChunk(join(this.dir, UNCERTAINTY_GROUP), inline, uncertainty);
    await this.writeChunk(this.dir, inline, values);
  }

  /**
   * After the last inline: the downsampled volume for the 3D view and the filled-trace mask, from one pass over the
   * finished inlines and the input (an inline at a time, so a resumed job gets them right too).
   */
  async finish(input: SurveyCache, output: SurveyCache): Promise<{ tracesFilled: number }> {
    const [inlines, crosslines, samples] = this.shape;
    const lod = new LodAccumulator(this.shape, DEFAULT_LOD_MAX_BYTES);
    const filled = new Uint8Array(inlines * crosslines);
    const inputFilled = await readFilledMask(input.dir, inlines * crosslines);
    for (let il = 0; il < inlines; il++) {
      const [before, after] = [(await input.inline(il)).data, (await output.inline(il)).data];
      for (let xl = 0; xl < crosslines; xl++) {
        const cell = il * crosslines + xl;
        const range = [xl * samples, (xl + 1) * samples] as const;
        const wasDead = isZeroTrace(before.subarray(...range));
        filled[cell] = inputFilled?.[cell] || (wasDead && !isZeroTrace(after.subarray(...range))) ? 1 : 0;
      }
      lod.addInlines(after, il, 1, output.liveMask().data);
    }
    await writeSingleChunk(this.dir, FILLED_MASK_ARRAY, [0, 0], filled);
    await writeSingleChunk(this.dir, LOD_ARRAY_PATH, [0, 0, 0], lod.means());
    return { tracesFilled: filled.reduce((n, v) => n + v, 0) };
  }

  private get inlineBytes(): number {
    return this.shape[1] * this.shape[2] * 4;
  }

  private async writeChunk(groupDir: string, inline: number, values: Float32Array): Promise<void> {
    if (values.length * 4 !== this.inlineBytes) {
      throw new Error(`inline ${inline}: ${values.length} values, ${this.inlineBytes / 4} expected`);
    }
    const file = chunkFilePath(groupDir, INLINE_ARRAY, [inline, 0, 0]);
    await mkdir(dirname(file), { recursive: true });
    await writeFileAtomically(file, bytesOf(values));
  }
}

/**
 * Inline indices of a derived volume whose chunk file is on disk (its folder is made just before it is written). A
 * chunk is renamed into place only when complete; where the writer knows the size, a chunk of another size does not
 * count.
 */
export async function finishedInlineChunks(dir: string, inlineBytes?: number): Promise<Set<number>> {
  let names: string[];
  try {
    names = await readdir(join(dir, INLINE_ARRAY, 'c'));
  } catch (error) {
    if (isMissingFile(error)) return new Set();
    throw error;
  }
  const finished = new Set<number>();
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const size = await stat(chunkFilePath(dir, INLINE_ARRAY, [Number(name), 0, 0])).then(
      (s) => s.size,
      () => -1,
    );
    if (size >= 0 && (inlineBytes === undefined || size === inlineBytes)) finished.add(Number(name));
  }
  return finished;
}

/** A recorded trace is dead when every sample is 0 (what the cache holds for missing traces too). */
export function isZeroTrace(trace: Float32Array): boolean {
  for (const value of trace) if (value !== 0) return false;
  return true;
}

/** The filled-trace mask of a finished derived volume; null for a survey cache (nothing filled). */
export async function readFilledMask(dir: string, cells: number): Promise<Uint8Array | null> {
  if (!(await fileExists(chunkFilePath(dir, FILLED_MASK_ARRAY, [0, 0])))) return null;
  return new Uint8Array(await readSingleChunk(dir, FILLED_MASK_ARRAY, [0, 0], cells));
}

async function writeGroup(dir: string, spec: DerivedVolumeSpec, shape: [number, number, number]): Promise<void> {
  const { input } = spec;
  await writeArrays(dir, input, spec.liveMask, shape);
  await new CacheMetadataWriter(dir).array(FILLED_MASK_ARRAY, {
    shape: [shape[0], shape[1]],
    chunkShape: [shape[0], shape[1]],
    dtype: 'uint8',
    dimensionNames: ['inline', 'crossline'],
  });
  if (spec.uncertainty) {
    const uncertaintyDir = join(dir, UNCERTAINTY_GROUP);
    await writeArrays(uncertaintyDir, input, spec.liveMask, shape);
    await new CacheMetadataWriter(uncertaintyDir).group('', {
      promethium: attributesOf(spec, shape, { ...spec.lineage, content: 'Monte Carlo dropout standard deviation' }),
    });
  }
  await new CacheMetadataWriter(dir).group('', { promethium: attributesOf(spec, shape, spec.lineage) });
}

function attributesOf(
  spec: DerivedVolumeSpec,
  shape: [number, number, number],
  survey: Record<string, unknown>,
): SurveyCacheAttributes {
  const lod = new LodAccumulator(shape, DEFAULT_LOD_MAX_BYTES);
  return {
    formatVersion: CACHE_FORMAT_VERSION,
    shape,
    sampleAxis: spec.input.attributes.sampleAxis,
    liveTraceCount: spec.liveMask.reduce((n, v) => n + v, 0),
    layouts: ['fast_inline'],
    timeChunkSamples: 1,
    lod: { factor: lod.factor, shape: lod.shape, method: 'mean of live traces' },
    survey,
  };
}

async function writeArrays(
  dir: string,
  input: SurveyCache,
  liveMask: Uint8Array,
  shape: [number, number, number],
): Promise<void> {
  const [inlines, crosslines, samples] = shape;
  const metadata = new CacheMetadataWriter(dir);
  const inlineSpec = layoutSpec('fast_inline', shape, 1);
  await metadata.group('seismic');
  await metadata.array(inlineSpec.arrayPath, { ...inlineSpec, dtype: 'float32', dimensionNames: VOLUME_DIMENSIONS });
  const lodShape = new LodAccumulator(shape, DEFAULT_LOD_MAX_BYTES).shape;
  await metadata.array(LOD_ARRAY_PATH, {
    shape: lodShape,
    chunkShape: lodShape,
    dtype: 'float32',
    dimensionNames: VOLUME_DIMENSIONS,
  });
  const coordinate = (name: string, extent: number, dtype: 'int32' | 'float32') =>
    metadata.array(name, { shape: [extent], chunkShape: [extent], dtype, dimensionNames: [name] });
  await coordinate('inline', inlines, 'int32');
  await coordinate('crossline', crosslines, 'int32');
  await coordinate('sample', samples, 'float32');
  await metadata.array('live_mask', {
    shape: [inlines, crosslines],
    chunkShape: [inlines, crosslines],
    dtype: 'uint8',
    dimensionNames: ['inline', 'crossline'],
  });
  const { start, interval } = input.attributes.sampleAxis;
  await writeSingleChunk(dir, 'inline', [0], input.inlineNumbers);
  await writeSingleChunk(dir, 'crossline', [0], input.crosslineNumbers);
  await writeSingleChunk(
    dir,
    'sample',
    [0],
    Float32Array.from({ length: samples }, (_, k) => start + k * interval),
  );
  await writeSingleChunk(dir, 'live_mask', [0, 0], liveMask);
}
