/**
 * Reads a survey cache written by SurveyCacheWriter (layout in cacheLayout.ts). Every read is a box of the
 * [inline, crossline, sample] volume, served from whichever stored chunking reads the fewest bytes in the fewest
 * reads: an inline from fast_inline, a crossline from fast_crossline, a time slice from fast_time, each one positional
 * read straight into the result. Results are trace-major Float32Arrays with their shape spelled out.
 */
import { join } from 'node:path';
import { SurveyCacheError, damagedCache, invalidCacheArgument } from './cacheErrors';
import { FileHandlePool } from './cacheFiles';
import {
  CACHE_FORMAT_VERSION,
  SEISMIC_LAYOUTS,
  layoutSpec,
  LOD_ARRAY_PATH,
  volumeOf,
  type ChunkedVolumeSpec,
  type SeismicLayout,
  type SurveyCacheAttributes,
  type VolumeShape,
} from './cacheLayout';
import { checkArrayMetadata, fileExists, readJson, readSingleChunk } from './cacheMetadata';
import { ChunkedVolumeReader, boxShape, type VolumeBox } from './cacheVolume';

/** Values with their shape, C order: the last dimension varies fastest. */
export interface CacheArray<Shape extends number[]> {
  data: Float32Array;
  shape: Shape;
}

/** The largest single read: a sub-volume bigger than this is a request to page, not to allocate. */
const MAX_READ_BYTES = 1024 * 1024 * 1024;
const READ_HANDLES = 64;

export class SurveyCache {
  private readonly pool = new FileHandlePool('r', READ_HANDLES);
  private readonly readers: ChunkedVolumeReader[];

  private constructor(
    readonly dir: string,
    readonly attributes: SurveyCacheAttributes,
    readonly inlineNumbers: Int32Array,
    readonly crosslineNumbers: Int32Array,
    private readonly mask: Uint8Array,
    specs: ChunkedVolumeSpec[],
  ) {
    this.readers = specs.map((spec) => new ChunkedVolumeReader(dir, spec, this.pool));
  }

  static async open(dir: string): Promise<SurveyCache> {
    const attributes = await readRootAttributes(dir);
    const [inlines, crosslines] = attributes.shape;
    const specs = attributes.layouts.map((layout) => layoutSpec(layout, attributes.shape, attributes.timeChunkSamples));
    for (const spec of specs) await checkArrayMetadata(dir, spec.arrayPath, spec.shape, spec.chunkShape, 'float32');
    const lodShape = attributes.lod.shape;
    await checkArrayMetadata(dir, LOD_ARRAY_PATH, lodShape, lodShape, 'float32');
    const inlineNumbers = new Int32Array(await readSingleChunk(dir, 'inline', [0], inlines * 4));
    const crosslineNumbers = new Int32Array(await readSingleChunk(dir, 'crossline', [0], crosslines * 4));
    const mask = new Uint8Array(await readSingleChunk(dir, 'live_mask', [0, 0], inlines * crosslines));
    return new SurveyCache(dir, attributes, inlineNumbers, crosslineNumbers, mask, specs);
  }

  get shape(): VolumeShape {
    return this.attributes.shape;
  }

  /** One inline: [crossline][sample]. */
  async inline(inlineIndex: number): Promise<CacheArray<[number, number]>> {
    const [, crosslines, samples] = this.shape;
    const { data } = await this.subVolume(inlineIndex, inlineIndex + 1, 0, crosslines, 0, samples);
    return { data, shape: [crosslines, samples] };
  }

  /** One crossline: [inline][sample]. */
  async crossline(crosslineIndex: number): Promise<CacheArray<[number, number]>> {
    const [inlines, , samples] = this.shape;
    const { data } = await this.subVolume(0, inlines, crosslineIndex, crosslineIndex + 1, 0, samples);
    return { data, shape: [inlines, samples] };
  }

  /** One time (or depth) slice: [inline][crossline]. */
  async timeSlice(sampleIndex: number): Promise<CacheArray<[number, number]>> {
    const [inlines, crosslines] = this.shape;
    const { data } = await this.subVolume(0, inlines, 0, crosslines, sampleIndex, sampleIndex + 1);
    return { data, shape: [inlines, crosslines] };
  }

  async trace(inlineIndex: number, crosslineIndex: number): Promise<CacheArray<[number]>> {
    const samples = this.shape[2];
    const { data } = await this.subVolume(inlineIndex, inlineIndex + 1, crosslineIndex, crosslineIndex + 1, 0, samples);
    return { data, shape: [samples] };
  }

  /** Inline indices [il0, il1), crossline indices [xl0, xl1), sample indices [s0, s1): [inline][crossline][sample]. */
  async subVolume(
    il0: number,
    il1: number,
    xl0: number,
    xl1: number,
    s0: number,
    s1: number,
  ): Promise<CacheArray<[number, number, number]>> {
    const box: VolumeBox = { start: [il0, xl0, s0], end: [il1, xl1, s1] };
    this.checkBox(box);
    const shape = boxShape(box);
    const data = new Float32Array(volumeOf(shape));
    await this.cheapestReader(box).read(box, data);
    return { data, shape };
  }

  /** The downsampled volume for the 3D view (see attributes.lod for its factor and shape). */
  async lod(): Promise<CacheArray<[number, number, number]>> {
    const shape = this.attributes.lod.shape;
    const bytes = await readSingleChunk(this.dir, LOD_ARRAY_PATH, [0, 0, 0], volumeOf(shape) * 4);
    return { data: new Float32Array(bytes), shape: [...shape] };
  }

  /** 1 where the survey has a trace, 0 where the cache holds fill zeros: [inline][crossline]. */
  liveMask(): { data: Uint8Array; shape: [number, number] } {
    return { data: this.mask, shape: [this.shape[0], this.shape[1]] };
  }

  async close(): Promise<void> {
    await this.pool.closeAll();
  }

  private checkBox(box: VolumeBox): void {
    const names = ['inline', 'crossline', 'sample'];
    for (let d = 0; d < 3; d++) {
      const [start, end, extent] = [box.start[d]!, box.end[d]!, this.shape[d]!];
      if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > extent || start >= end) {
        throw invalidCacheArgument(`${names[d]} index range ${start}..${end} is not inside 0..${extent} of the survey`);
      }
    }
    const bytes = volumeOf(boxShape(box)) * 4;
    if (bytes > MAX_READ_BYTES) {
      throw invalidCacheArgument(`a read of ${(bytes / 1e6).toFixed(0)} MB is too large; read it in smaller pieces`);
    }
  }

  private cheapestReader(box: VolumeBox): ChunkedVolumeReader {
    let best = this.readers[0]!;
    let bestCost = best.readCost(box);
    for (const reader of this.readers.slice(1)) {
      const cost = reader.readCost(box);
      if (cost < bestCost) [best, bestCost] = [reader, cost];
    }
    return best;
  }
}

async function readRootAttributes(dir: string): Promise<SurveyCacheAttributes> {
  if (!(await fileExists(join(dir, 'zarr.json')))) {
    const stopped = await fileExists(join(`${dir}.partial`, 'seismic', 'zarr.json'));
    throw new SurveyCacheError(
      'not-found',
      stopped
        ? `the survey cache ${dir} was never completed (its import stopped); re-import the survey`
        : `there is no survey cache at ${dir}`,
    );
  }
  const root = (await readJson(dir, 'zarr.json')) as { node_type?: unknown; attributes?: { promethium?: unknown } };
  const attributes = root.attributes?.promethium;
  if (root.node_type !== 'group' || !isCacheAttributes(attributes)) {
    throw damagedCache(dir, 'zarr.json does not describe a Promethium survey cache of a version this program reads');
  }
  return attributes;
}

function isCacheAttributes(value: unknown): value is SurveyCacheAttributes {
  const candidate = value as Partial<SurveyCacheAttributes> | undefined;
  const isExtents = (shape: unknown) =>
    Array.isArray(shape) && shape.length === 3 && shape.every((extent) => Number.isInteger(extent) && extent > 0);
  return (
    candidate?.formatVersion === CACHE_FORMAT_VERSION &&
    isExtents(candidate.shape) &&
    isExtents(candidate.lod?.shape) &&
    Number.isInteger(candidate.timeChunkSamples) &&
    candidate.timeChunkSamples! > 0 &&
    Array.isArray(candidate.layouts) &&
    candidate.layouts.includes('fast_inline') &&
    candidate.layouts.every((layout) => SEISMIC_LAYOUTS.includes(layout as SeismicLayout))
  );
}
