/**
 * The gather cache for pre-stack data: one Zarr v3 group per survey, MDIO-like, with the traces of each gather (CDP,
 * shot...) side by side so a gather is one positional read.
 *
 *   zarr.json                 group; attributes.promethium = GatherCacheAttributes
 *   sample                    float32 [S] sample times or depths
 *   gathers/data              float32 [gather, trace, sample], chunks [G, M, S]: G whole gathers of up to M traces
 *   gathers/trace_count       int32 [gather]: traces actually present; slots past it hold the fill value 0
 *   gathers/keys/<name>       float64 [gather, trace], chunks [G, M]: per-trace header values such as offset
 *
 * Several gathers share a chunk (about 16 MB) so a large survey does not become millions of files; a gather is still
 * contiguous inside its chunk. Traces are appended to their gather in arrival order. The writer keeps only the current
 * gather in memory and writes its new traces as one range when another gather starts, so any input order is correct;
 * gather-sorted input (the usual order) costs one write per gather and key array.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { damagedCache, invalidCacheArgument, SurveyCacheError } from './cacheErrors';
import {
  FileHandlePool,
  bytesOf,
  createSparseFile,
  forEachConcurrently,
  isMissingFile,
  readExactly,
  writeFully,
} from './cacheFiles';
import { CACHE_FORMAT_VERSION, chunkFilePath, type SampleAxis } from './cacheLayout';
import {
  CacheMetadataWriter,
  checkArrayMetadata,
  fileExists,
  readJson,
  readSingleChunk,
  writeSingleChunk,
} from './cacheMetadata';
import { ChunkedVolumeReader } from './cacheVolume';
import { asCacheIoError } from './cacheWriter';
import { PartialCache } from './partialCache';

export interface GatherCacheWriterOptions {
  gatherCount: number;
  maxTracesPerGather: number;
  samples: SampleAxis & { count: number };
  /** Per-trace header values to keep with every trace, e.g. ['offset']. */
  traceKeys: string[];
  attributes?: Record<string, unknown>;
}

export interface GatherCacheAttributes {
  formatVersion: number;
  gatherCount: number;
  maxTracesPerGather: number;
  sampleCount: number;
  sampleAxis: SampleAxis;
  traceKeys: string[];
  gathersPerChunk: number;
  traceCount: number;
  survey: Record<string, unknown>;
}

export interface Gather {
  /** [trace][sample] */
  data: Float32Array;
  shape: [number, number];
  keys: Record<string, Float64Array>;
}

const DATA_PATH = 'gathers/data';
const TRACE_COUNT_PATH = 'gathers/trace_count';
const TARGET_CHUNK_BYTES = 16 * 1024 * 1024;
/** The writer holds one gather in memory. */
const MAX_GATHER_BYTES = 1024 * 1024 * 1024;
const KEY_NAME = /^[A-Za-z0-9_]+$/;

const keyPath = (name: string) => `gathers/keys/${name}`;

interface CurrentGather {
  index: number;
  /** The gather's trace count when it became current: its traces from here on are new. */
  firstNewSlot: number;
}

export class GatherCacheWriter {
  private readonly traceCounts: Int32Array;
  private readonly pool = new FileHandlePool('r+', 64);
  private current: CurrentGather | undefined;
  private readonly gatherValues: Float32Array;
  private readonly gatherKeys: Float64Array[];
  private readonly cache: PartialCache;

  private constructor(
    readonly dir: string,
    private readonly options: GatherCacheWriterOptions,
    private readonly gathersPerChunk: number,
  ) {
    this.cache = new PartialCache(dir, 'gather cache', this.pool);
    this.traceCounts = new Int32Array(options.gatherCount);
    this.gatherValues = new Float32Array(options.maxTracesPerGather * options.samples.count);
    this.gatherKeys = options.traceKeys.map(() => new Float64Array(options.maxTracesPerGather));
  }

  static async create(dir: string, options: GatherCacheWriterOptions): Promise<GatherCacheWriter> {
    validateGatherOptions(options);
    const gatherBytes = options.maxTracesPerGather * options.samples.count * 4;
    const gathersPerChunk = Math.max(1, Math.min(options.gatherCount, Math.floor(TARGET_CHUNK_BYTES / gatherBytes)));
    const writer = new GatherCacheWriter(dir, options, gathersPerChunk);
    await rm(writer.partialDir, { recursive: true, force: true });
    try {
      await mkdir(writer.partialDir, { recursive: true });
      await writer.writeArrayMetadata();
      await writer.createChunkFiles();
    } catch (error) {
      await writer.abort();
      throw asCacheIoError(error, `creating gather cache ${writer.partialDir}`);
    }
    return writer;
  }

  /** Appends a trace to gather `gatherIndex`; `keys` gives a value for every name in options.traceKeys. */
  async writeTrace(gatherIndex: number, samples: Float32Array, keys: Record<string, number>): Promise<void> {
    this.cache.assertOpen();
    this.validateTrace(gatherIndex, samples, keys);
    try {
      if (this.current?.index !== gatherIndex) {
        await this.flushCurrent();
        this.current = { index: gatherIndex, firstNewSlot: this.traceCounts[gatherIndex]! };
      }
      const slot = this.traceCounts[gatherIndex]!++;
      const bufferSlot = slot - this.current.firstNewSlot;
      this.gatherValues.set(samples, bufferSlot * samples.length);
      this.options.traceKeys.forEach((name, k) => (this.gatherKeys[k]![bufferSlot] = keys[name]!));
    } catch (error) {
      throw asCacheIoError(error, `writing gather cache ${this.partialDir}`);
    }
  }

  async finish(): Promise<GatherCacheAttributes> {
    this.cache.assertOpen();
    try {
      await this.flushCurrent();
      await this.pool.closeAll();
      const { start, interval, count, unit } = this.options.samples;
      await writeSingleChunk(this.partialDir, TRACE_COUNT_PATH, [0], this.traceCounts);
      const sampleValues = Float32Array.from({ length: count }, (_, k) => start + k * interval);
      await writeSingleChunk(this.partialDir, 'sample', [0], sampleValues);
      const attributes: GatherCacheAttributes = {
        formatVersion: CACHE_FORMAT_VERSION,
        gatherCount: this.options.gatherCount,
        maxTracesPerGather: this.options.maxTracesPerGather,
        sampleCount: count,
        sampleAxis: { start, interval, unit },
        traceKeys: this.options.traceKeys,
        gathersPerChunk: this.gathersPerChunk,
        traceCount: this.traceCounts.reduce((sum, traces) => sum + traces, 0),
        survey: this.options.attributes ?? {},
      };
      await this.cache.publish(attributes);
      return attributes;
    } catch (error) {
      throw asCacheIoError(error, `finishing gather cache ${this.partialDir}`);
    }
  }

  /** Stops and removes everything written; safe to call at any time, also after a failed write. */
  async abort(): Promise<void> {
    await this.cache.abort();
  }

  private get partialDir(): string {
    return this.cache.partialDir;
  }

  private validateTrace(gatherIndex: number, samples: Float32Array, keys: Record<string, number>): void {
    const { gatherCount, maxTracesPerGather } = this.options;
    if (!Number.isInteger(gatherIndex) || gatherIndex < 0 || gatherIndex >= gatherCount) {
      throw invalidCacheArgument(`gather index ${gatherIndex} is outside 0..${gatherCount - 1}`);
    }
    if (samples.length !== this.options.samples.count) {
      throw invalidCacheArgument(
        `trace of gather ${gatherIndex} has ${samples.length} samples, ${this.options.samples.count} expected`,
      );
    }
    if (this.traceCounts[gatherIndex]! >= maxTracesPerGather) {
      throw invalidCacheArgument(`gather ${gatherIndex} has more than the ${maxTracesPerGather} traces announced`);
    }
    for (const name of this.options.traceKeys) {
      if (typeof keys[name] !== 'number') throw invalidCacheArgument(`trace of gather ${gatherIndex} has no ${name}`);
    }
  }

  private async writeArrayMetadata(): Promise<void> {
    const { gatherCount: gathers, maxTracesPerGather: traces, samples } = this.options;
    const metadata = new CacheMetadataWriter(this.partialDir);
    await metadata.group('gathers');
    await metadata.group('gathers/keys');
    const perTrace = ['gather', 'trace'];
    await metadata.array(DATA_PATH, {
      shape: [gathers, traces, samples.count],
      chunkShape: [this.gathersPerChunk, traces, samples.count],
      dtype: 'float32',
      dimensionNames: [...perTrace, 'sample'],
    });
    await metadata.array(TRACE_COUNT_PATH, {
      shape: [gathers],
      chunkShape: [gathers],
      dtype: 'int32',
      dimensionNames: ['gather'],
    });
    for (const name of this.options.traceKeys) {
      const shape = [gathers, traces];
      await metadata.array(keyPath(name), {
        shape,
        chunkShape: [this.gathersPerChunk, traces],
        dtype: 'float64',
        dimensionNames: perTrace,
      });
    }
    await metadata.array('sample', {
      shape: [samples.count],
      chunkShape: [samples.count],
      dtype: 'float32',
      dimensionNames: ['sample'],
    });
  }

  private async createChunkFiles(): Promise<void> {
    const { maxTracesPerGather: traces, samples } = this.options;
    const chunks = Math.ceil(this.options.gatherCount / this.gathersPerChunk);
    const arrays = [
      { path: DATA_PATH, coords: (c: number) => [c, 0, 0], bytes: this.gathersPerChunk * traces * samples.count * 4 },
      ...this.options.traceKeys.map((name) => ({
        path: keyPath(name),
        coords: (c: number) => [c, 0],
        bytes: this.gathersPerChunk * traces * 8,
      })),
    ];
    for (const array of arrays) {
      const folder = chunkFilePath(this.partialDir, array.path, array.coords(0).slice(0, -1));
      await mkdir(folder, { recursive: true });
      await forEachConcurrently(chunks, 4, (c) =>
        createSparseFile(chunkFilePath(this.partialDir, array.path, array.coords(c)), array.bytes),
      );
    }
  }

  /** The current gather's new traces occupy consecutive slots, so each array gets one contiguous write. */
  private async flushCurrent(): Promise<void> {
    const gather = this.current;
    if (!gather) return;
    this.current = undefined;
    const newTraces = this.traceCounts[gather.index]! - gather.firstNewSlot;
    const chunk = Math.floor(gather.index / this.gathersPerChunk);
    const firstSlot = (gather.index % this.gathersPerChunk) * this.options.maxTracesPerGather + gather.firstNewSlot;
    const samples = this.options.samples.count;
    await this.writeRange(
      chunkFilePath(this.partialDir, DATA_PATH, [chunk, 0, 0]),
      this.gatherValues.subarray(0, newTraces * samples),
      firstSlot * samples * 4,
    );
    for (const [k, name] of this.options.traceKeys.entries()) {
      const file = chunkFilePath(this.partialDir, keyPath(name), [chunk, 0]);
      await this.writeRange(file, this.gatherKeys[k]!.subarray(0, newTraces), firstSlot * 8);
    }
  }

  private async writeRange(file: string, values: Float32Array | Float64Array, position: number): Promise<void> {
    await this.pool.use(file, (handle) => writeFully(handle, bytesOf(values), position));
  }
}

export class GatherCache {
  private readonly pool = new FileHandlePool('r', 64);
  private readonly data: ChunkedVolumeReader;

  private constructor(
    readonly dir: string,
    readonly attributes: GatherCacheAttributes,
    readonly traceCounts: Int32Array,
  ) {
    const { gatherCount, maxTracesPerGather, sampleCount, gathersPerChunk } = attributes;
    this.data = new ChunkedVolumeReader(
      dir,
      {
        arrayPath: DATA_PATH,
        shape: [gatherCount, maxTracesPerGather, sampleCount],
        chunkShape: [gathersPerChunk, maxTracesPerGather, sampleCount],
      },
      this.pool,
    );
  }

  static async open(dir: string): Promise<GatherCache> {
    if (!(await fileExists(join(dir, 'zarr.json'))))
      throw new SurveyCacheError('not-found', `there is no gather cache at ${dir}`);
    const root = (await readJson(dir, 'zarr.json')) as { attributes?: { promethium?: unknown } };
    const attributes = root.attributes?.promethium;
    if (!isGatherAttributes(attributes))
      throw damagedCache(dir, 'zarr.json does not describe a Promethium gather cache');
    const { gatherCount, maxTracesPerGather, sampleCount, gathersPerChunk } = attributes;
    await checkArrayMetadata(
      dir,
      DATA_PATH,
      [gatherCount, maxTracesPerGather, sampleCount],
      [gathersPerChunk, maxTracesPerGather, sampleCount],
      'float32',
    );
    for (const name of attributes.traceKeys) {
      await checkArrayMetadata(
        dir,
        keyPath(name),
        [gatherCount, maxTracesPerGather],
        [gathersPerChunk, maxTracesPerGather],
        'float64',
      );
    }
    const traceCounts = new Int32Array(await readSingleChunk(dir, TRACE_COUNT_PATH, [0], gatherCount * 4));
    if (traceCounts.some((traces) => traces < 0 || traces > maxTracesPerGather)) {
      throw damagedCache(dir, `${TRACE_COUNT_PATH} holds counts outside 0..${maxTracesPerGather}`);
    }
    return new GatherCache(dir, attributes, traceCounts);
  }

  /** The gather's traces in arrival order, [trace][sample], with their header keys. */
  async gather(gatherIndex: number): Promise<Gather> {
    const { gatherCount, sampleCount } = this.attributes;
    if (!Number.isInteger(gatherIndex) || gatherIndex < 0 || gatherIndex >= gatherCount) {
      throw invalidCacheArgument(`gather index ${gatherIndex} is outside 0..${gatherCount - 1}`);
    }
    const traces = this.traceCounts[gatherIndex]!;
    const data = new Float32Array(traces * sampleCount);
    const keys: Record<string, Float64Array> = {};
    if (traces === 0) {
      for (const name of this.attributes.traceKeys) keys[name] = new Float64Array(0);
      return { data, shape: [0, sampleCount], keys };
    }
    await this.data.read({ start: [gatherIndex, 0, 0], end: [gatherIndex + 1, traces, sampleCount] }, data);
    for (const name of this.attributes.traceKeys) keys[name] = await this.readKeys(name, gatherIndex, traces);
    return { data, shape: [traces, sampleCount], keys };
  }

  async close(): Promise<void> {
    await this.pool.closeAll();
  }

  private async readKeys(name: string, gatherIndex: number, traces: number): Promise<Float64Array> {
    const { gathersPerChunk, maxTracesPerGather } = this.attributes;
    const file = chunkFilePath(this.dir, keyPath(name), [Math.floor(gatherIndex / gathersPerChunk), 0]);
    const values = new Float64Array(traces);
    const position = (gatherIndex % gathersPerChunk) * maxTracesPerGather * 8;
    try {
      await this.pool.use(file, (handle) =>
        readExactly(handle, bytesOf(values), position, { cacheDir: this.dir, file }),
      );
    } catch (error) {
      if (!isMissingFile(error)) throw error; // Zarr: an absent chunk holds the fill value, 0
    }
    return values;
  }
}

function validateGatherOptions(options: GatherCacheWriterOptions): void {
  const extents = {
    gathers: options.gatherCount,
    'traces per gather': options.maxTracesPerGather,
    samples: options.samples.count,
  };
  for (const [name, extent] of Object.entries(extents)) {
    if (!Number.isInteger(extent) || extent < 1)
      throw invalidCacheArgument(`a gather cache needs at least one of ${name}`);
  }
  const badKey = options.traceKeys.find((name) => !KEY_NAME.test(name));
  if (badKey !== undefined) throw invalidCacheArgument(`"${badKey}" cannot name a trace key (letters, digits, _)`);
  const gatherBytes = options.maxTracesPerGather * options.samples.count * 4;
  if (gatherBytes > MAX_GATHER_BYTES) {
    throw invalidCacheArgument(
      `one gather of ${options.maxTracesPerGather} traces would take more than 1 GB of memory`,
    );
  }
}

function isGatherAttributes(value: unknown): value is GatherCacheAttributes {
  const candidate = value as Partial<GatherCacheAttributes> | undefined;
  const positive = (n: unknown) => Number.isInteger(n) && (n as number) > 0;
  return (
    candidate?.formatVersion === CACHE_FORMAT_VERSION &&
    positive(candidate.gatherCount) &&
    positive(candidate.maxTracesPerGather) &&
    positive(candidate.sampleCount) &&
    positive(candidate.gathersPerChunk) &&
    Array.isArray(candidate.traceKeys) &&
    candidate.traceKeys.every((name) => typeof name === 'string' && KEY_NAME.test(name))
  );
}
