/**
 * Builds a survey cache (see cacheLayout.ts) in one streaming pass over traces in file order, with memory bounded by
 * a budget instead of the file size.
 *
 * Traces are gathered into a block of whole inlines sized from the budget. When a trace for another block arrives the
 * block is flushed to every layout with large writes: one write per inline (fast_inline), one per crossline
 * (fast_crossline: the block's traces are contiguous in a crossline chunk) and one per time chunk (fast_time: the
 * block's rows are contiguous in a time chunk). Inline-sorted input, the common case, is thus written once.
 *
 * Input in another order (crossline-sorted, unsorted) shows itself when a trace comes back to a block already flushed.
 * The writer then switches to scattered mode: traces are staged in the same memory, sorted, and written to fast_inline
 * only, in runs of neighbouring traces; finish() then derives fast_crossline, fast_time and the LOD from fast_inline
 * block by block. The cost is one extra read of the fast_inline copy (from the page cache when it fits).
 *
 * Chunk files are created at full size up front (sparse where nothing is written), so missing traces read as the fill
 * value 0 and disk use follows the live traces. Everything is written under `<dir>.partial`, renamed to `<dir>` only
 * when complete: a crash or an abort never leaves a cache that looks usable.
 */
import { mkdir, rm, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SurveyCacheError, invalidCacheArgument } from './cacheErrors';
import { InlineBlockWriter, WRITES_IN_FLIGHT } from './cacheBlocks';
import { FileHandlePool, bytesOf, createSparseFile, forEachConcurrently } from './cacheFiles';
import {
  CACHE_FORMAT_VERSION,
  DEFAULT_LOD_MAX_BYTES,
  VOLUME_DIMENSIONS,
  chunkFilePath,
  chunkGrid,
  LOD_ARRAY_PATH,
  layoutSpec,
  lodFactor,
  lodShape,
  volumeOf,
  type ChunkedVolumeSpec,
  type SampleAxis,
  type SeismicLayout,
  type SurveyCacheAttributes,
  type VolumeShape,
} from './cacheLayout';
import { LodAccumulator } from './cacheLod';
import { CacheMetadataWriter, writeSingleChunk } from './cacheMetadata';
import { ChunkedVolumeReader } from './cacheVolume';
import { PartialCache } from './partialCache';

export interface SurveyCacheWriterOptions {
  /** Inline numbers, one per inline index (the grid's first axis). */
  inlines: ArrayLike<number>;
  /** Crossline numbers, one per crossline index. */
  crosslines: ArrayLike<number>;
  samples: SampleAxis & { count: number };
  /** The crossline- and time-optimised copies each cost the volume's size again on disk; both are on by default. */
  layouts?: { crossline?: boolean; time?: boolean };
  /** Samples per fast_time chunk; 1 makes a time slice one contiguous read. */
  timeChunkSamples?: number;
  /** Memory for the block of inlines held before writing (the LOD, at most 64 MB, comes on top). */
  memoryBudgetBytes?: number;
  /** Upper bound for the downsampled volume sent to the 3D view (default 64 MB). */
  lodMaxBytes?: number;
  /** Kept in the cache's metadata as attributes.promethium.survey. */
  attributes?: Record<string, unknown>;
}

const DEFAULT_MEMORY_BUDGET = 128 * 1024 * 1024;
/** A block is at least one inline, whatever the budget; beyond this the grid is surely wrong. */
const MAX_INLINE_BYTES = 1024 * 1024 * 1024;
/** Open chunk files kept while writing: more than a typical crossline count, far below the OS limit. */
const WRITE_HANDLES = 512;

interface InlineBlock {
  index: number;
  firstInline: number;
  inlineCount: number;
}

export class SurveyCacheWriter {
  private readonly shape: VolumeShape;
  private readonly specs: ReadonlyMap<SeismicLayout, ChunkedVolumeSpec>;
  private readonly pool = new FileHandlePool('r+', WRITE_HANDLES);
  private readonly liveMask: Uint8Array;
  private readonly lod: LodAccumulator;
  private readonly inlinesPerBlock: number;
  /** The block of inlines, or in scattered mode the staged traces; [trace][sample] either way. */
  private readonly buffer: Float32Array;
  private readonly flushedBlocks: Uint8Array;
  private block: InlineBlock | undefined;
  private mode: 'blocks' | 'scattered' = 'blocks';
  /** Scattered mode: the grid position (inline * crosslines + crossline) of each staged trace. */
  private stagedPositions: Int32Array = new Int32Array(0);
  private stagedCount = 0;
  private readonly cache: PartialCache;
  private readonly blocks: InlineBlockWriter;

  private constructor(
    readonly dir: string,
    private readonly options: SurveyCacheWriterOptions,
    plan: SurveyCachePlan,
  ) {
    this.cache = new PartialCache(dir, 'survey cache', this.pool);
    this.shape = plan.shape;
    this.specs = plan.specs;
    this.liveMask = new Uint8Array(this.shape[0] * this.shape[1]);
    this.lod = new LodAccumulator(this.shape, options.lodMaxBytes ?? DEFAULT_LOD_MAX_BYTES);
    const inlineBytes = this.shape[1] * this.shape[2] * 4;
    const budget = options.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET;
    this.inlinesPerBlock = Math.max(1, Math.min(this.shape[0], Math.floor(budget / inlineBytes)));
    this.buffer = new Float32Array(this.inlinesPerBlock * this.shape[1] * this.shape[2]);
    this.flushedBlocks = new Uint8Array(Math.ceil(this.shape[0] / this.inlinesPerBlock));
    this.blocks = new InlineBlockWriter(this.partialDir, this.shape, this.specs, this.pool);
  }

  /** Starts a cache at `dir` (replacing any leftover `<dir>.partial`); `dir` itself is replaced only by finish(). */
  static async create(dir: string, options: SurveyCacheWriterOptions): Promise<SurveyCacheWriter> {
    const writer = new SurveyCacheWriter(dir, options, planSurveyCache(options));
    const partialDir = writer.partialDir;
    await rm(partialDir, { recursive: true, force: true });
    try {
      await mkdir(partialDir, { recursive: true });
      await writer.checkFreeSpace();
      await writer.writeArrayMetadata();
      await writer.createChunkFiles();
    } catch (error) {
      await writer.abort();
      throw asCacheIoError(error, `creating survey cache ${partialDir}`);
    }
    return writer;
  }

  /**
   * Sets `<dir>.partial` up, every chunk file at full size, for a cache that other processes fill in parts (a
   * cluster import's tasks: each writes blocks of its own inlines with an InlineBlockWriter on planSurveyCache's
   * specs); publishParts finishes it.
   */
  static async prepare(dir: string, options: SurveyCacheWriterOptions): Promise<void> {
    const writer = await SurveyCacheWriter.create(dir, options);
    await writer.pool.closeAll();
  }

  /**
   * Finishes a cache filled in parts (see prepare): writes the live mask and the 3D view's downsampled copy that the
   * parts computed (`lodMeans`: planSurveyCache's lod shape), the coordinates and the metadata, then publishes `dir`.
   */
  static async publishParts(
    dir: string,
    options: SurveyCacheWriterOptions,
    liveMask: Uint8Array,
    lodMeans: Float32Array,
  ): Promise<SurveyCacheAttributes> {
    const plan = planSurveyCache(options);
    const cache = new PartialCache(dir, 'survey cache', new FileHandlePool('r+'));
    const attributes = cacheAttributes(options, plan, liveMask);
    await writeSmallArrays(cache.partialDir, options, liveMask, lodMeans);
    await cache.publish(attributes);
    return attributes;
  }

  /** Bytes the finished cache takes on disk when every trace is live. */
  get expectedBytes(): number {
    let bytes = 0;
    for (const spec of this.specs.values()) bytes += volumeOf(chunkGrid(spec)) * volumeOf(spec.chunkShape) * 4;
    return bytes + volumeOf(this.lod.shape) * 4;
  }

  get blockInlines(): number {
    return this.inlinesPerBlock;
  }

  /** Adds the trace at grid position (inline index, crossline index); a trace written twice keeps the last samples. */
  async writeTrace(inlineIndex: number, crosslineIndex: number, samples: Float32Array): Promise<void> {
    this.cache.assertOpen();
    this.validateTrace(inlineIndex, crosslineIndex, samples);
    this.liveMask[inlineIndex * this.shape[1] + crosslineIndex] = 1;
    try {
      if (this.mode === 'scattered') return await this.stageTrace(inlineIndex, crosslineIndex, samples);
      const blockIndex = Math.floor(inlineIndex / this.inlinesPerBlock);
      if (this.block?.index !== blockIndex) {
        if (this.block) await this.flushBlock(this.block, true);
        if (this.flushedBlocks[blockIndex] === 1) {
          this.enterScatteredMode();
          return await this.stageTrace(inlineIndex, crosslineIndex, samples);
        }
        this.block = this.startBlock(blockIndex);
      }
      const trace = (inlineIndex - this.block.firstInline) * this.shape[1] + crosslineIndex;
      this.buffer.set(samples, trace * this.shape[2]);
    } catch (error) {
      throw asCacheIoError(error, `writing survey cache ${this.partialDir}`);
    }
  }

  /** Writes what is buffered, the derived copies, the mask, coordinates, LOD and metadata, then publishes `dir`. */
  async finish(): Promise<SurveyCacheAttributes> {
    this.cache.assertOpen();
    try {
      if (this.block) await this.flushBlock(this.block, true);
      this.block = undefined;
      if (this.mode === 'scattered') {
        await this.flushStaged();
        await this.deriveCopiesFromInlines();
      }
      await this.pool.closeAll();
      const attributes = cacheAttributes(
        this.options,
        { shape: this.shape, specs: this.specs, lod: this.lod },
        this.liveMask,
      );
      await writeSmallArrays(this.partialDir, this.options, this.liveMask, this.lod.means());
      await this.cache.publish(attributes);
      return attributes;
    } catch (error) {
      throw asCacheIoError(error, `finishing survey cache ${this.partialDir}`);
    }
  }

  /** Stops and removes everything written; safe to call at any time, also after a failed write. */
  async abort(): Promise<void> {
    await this.cache.abort();
  }

  private get partialDir(): string {
    return this.cache.partialDir;
  }

  private validateTrace(inlineIndex: number, crosslineIndex: number, samples: Float32Array): void {
    const [inlines, crosslines, sampleCount] = this.shape;
    if (!Number.isInteger(inlineIndex) || inlineIndex < 0 || inlineIndex >= inlines) {
      throw invalidCacheArgument(`inline index ${inlineIndex} is outside the survey grid (0..${inlines - 1})`);
    }
    if (!Number.isInteger(crosslineIndex) || crosslineIndex < 0 || crosslineIndex >= crosslines) {
      throw invalidCacheArgument(`crossline index ${crosslineIndex} is outside the survey grid (0..${crosslines - 1})`);
    }
    if (samples.length !== sampleCount) {
      throw invalidCacheArgument(
        `trace at inline index ${inlineIndex}, crossline index ${crosslineIndex} has ${samples.length} samples, ${sampleCount} expected`,
      );
    }
  }

  // ----- setup ---------------------------------------------------------------------------------------------------

  private async checkFreeSpace(): Promise<void> {
    const fs = await statfs(this.partialDir);
    const free = fs.bavail * fs.bsize;
    if (free < this.expectedBytes) {
      const gb = (bytes: number) => (bytes / 1e9).toFixed(2);
      throw new SurveyCacheError(
        'io',
        `the survey cache needs ${gb(this.expectedBytes)} GB but only ${gb(free)} GB are free on the project's disk`,
      );
    }
  }

  private async writeArrayMetadata(): Promise<void> {
    const metadata = new CacheMetadataWriter(this.partialDir);
    await metadata.group('seismic');
    for (const spec of this.specs.values()) {
      await metadata.array(spec.arrayPath, { ...spec, dtype: 'float32', dimensionNames: VOLUME_DIMENSIONS });
    }
    const [inlines, crosslines, samples] = this.shape;
    await metadata.array('inline', {
      shape: [inlines],
      chunkShape: [inlines],
      dtype: 'int32',
      dimensionNames: ['inline'],
    });
    await metadata.array('crossline', {
      shape: [crosslines],
      chunkShape: [crosslines],
      dtype: 'int32',
      dimensionNames: ['crossline'],
    });
    await metadata.array('sample', {
      shape: [samples],
      chunkShape: [samples],
      dtype: 'float32',
      dimensionNames: ['sample'],
    });
    await metadata.array('live_mask', {
      shape: [inlines, crosslines],
      chunkShape: [inlines, crosslines],
      dtype: 'uint8',
      dimensionNames: ['inline', 'crossline'],
    });
    await metadata.array(LOD_ARRAY_PATH, {
      shape: this.lod.shape,
      chunkShape: this.lod.shape,
      dtype: 'float32',
      dimensionNames: VOLUME_DIMENSIONS,
    });
  }

  /** Full-size, sparse chunk files: positional writes can land anywhere, and unwritten traces read as 0. */
  private async createChunkFiles(): Promise<void> {
    for (const spec of this.specs.values()) {
      const chunkBytes = volumeOf(spec.chunkShape) * 4;
      const [, g1, g2] = chunkGrid(spec);
      const files = Array.from({ length: volumeOf(chunkGrid(spec)) }, (_, chunk) => {
        const coords = [Math.floor(chunk / (g1 * g2)), Math.floor(chunk / g2) % g1, chunk % g2];
        return chunkFilePath(this.partialDir, spec.arrayPath, coords);
      });
      const folders = [...new Set(files.map((file) => dirname(file)))];
      await forEachConcurrently(folders.length, WRITES_IN_FLIGHT, (f) =>
        mkdir(folders[f]!, { recursive: true }).then(),
      );
      await forEachConcurrently(files.length, WRITES_IN_FLIGHT, (f) => createSparseFile(files[f]!, chunkBytes));
    }
  }

  // ----- block mode ----------------------------------------------------------------------------------------------

  private startBlock(index: number): InlineBlock {
    const firstInline = index * this.inlinesPerBlock;
    const inlineCount = Math.min(this.inlinesPerBlock, this.shape[0] - firstInline);
    this.buffer.fill(0, 0, inlineCount * this.shape[1] * this.shape[2]);
    return { index, firstInline, inlineCount };
  }

  private async flushBlock(block: InlineBlock, includingInlineCopy: boolean): Promise<void> {
    this.flushedBlocks[block.index] = 1;
    if (!this.blockHasLiveTraces(block)) return;
    await this.blocks.write(this.buffer, block.firstInline, block.inlineCount, includingInlineCopy);
    this.lod.addInlines(this.buffer, block.firstInline, block.inlineCount, this.liveMask);
  }

  private blockHasLiveTraces(block: InlineBlock): boolean {
    const crosslines = this.shape[1];
    const first = block.firstInline * crosslines;
    return this.liveMask.subarray(first, first + block.inlineCount * crosslines).includes(1);
  }

  // ----- scattered mode ------------------------------------------------------------------------------------------

  /** Input is not inline-sorted: from now on traces go to fast_inline only; finish() derives the rest. */
  private enterScatteredMode(): void {
    this.mode = 'scattered';
    this.block = undefined;
    this.stagedPositions = new Int32Array(this.buffer.length / this.shape[2]);
    this.stagedCount = 0;
    this.lod.reset();
  }

  private async stageTrace(inlineIndex: number, crosslineIndex: number, samples: Float32Array): Promise<void> {
    this.stagedPositions[this.stagedCount] = inlineIndex * this.shape[1] + crosslineIndex;
    this.buffer.set(samples, this.stagedCount * this.shape[2]);
    this.stagedCount++;
    if (this.stagedCount === this.stagedPositions.length) await this.flushStaged();
  }

  /** Writes staged traces in grid order, each run of neighbours on one inline with a single writev. */
  private async flushStaged(): Promise<void> {
    const order = this.stagedOrder();
    let runStart = 0;
    for (let i = 1; i <= order.length; i++) {
      if (i < order.length && this.continuesRun(order[i - 1]!, order[i]!)) continue;
      await this.writeStagedRun(order.subarray(runStart, i));
      runStart = i;
    }
    this.stagedCount = 0;
  }

  /** Slots sorted by grid position; the sort is stable, so a trace written twice keeps its last samples. */
  private stagedOrder(): Uint32Array {
    const slots = Array.from({ length: this.stagedCount }, (_, slot) => slot);
    slots.sort((a, b) => this.stagedPositions[a]! - this.stagedPositions[b]!);
    return Uint32Array.from(slots);
  }

  private continuesRun(previousSlot: number, slot: number): boolean {
    const previous = this.stagedPositions[previousSlot]!;
    const position = this.stagedPositions[slot]!;
    const crosslines = this.shape[1];
    return position === previous + 1 && Math.floor(position / crosslines) === Math.floor(previous / crosslines);
  }

  private async writeStagedRun(slots: Uint32Array): Promise<void> {
    const [, crosslines, samples] = this.shape;
    const firstPosition = this.stagedPositions[slots[0]!]!;
    const inline = Math.floor(firstPosition / crosslines);
    const traces = Array.from(slots, (slot) => bytesOf(this.buffer.subarray(slot * samples, (slot + 1) * samples)));
    const file = chunkFilePath(this.partialDir, this.specs.get('fast_inline')!.arrayPath, [inline, 0, 0]);
    const position = (firstPosition % crosslines) * samples * 4;
    await this.pool.use(file, async (handle) => {
      const { bytesWritten } = await handle.writev(traces, position);
      if (bytesWritten !== slots.length * samples * 4) throw new SurveyCacheError('io', `short write to ${file}`);
    });
  }

  /** Re-reads fast_inline block by block to write the other copies and the LOD (scattered mode only). */
  private async deriveCopiesFromInlines(): Promise<void> {
    const inlineCopy = new ChunkedVolumeReader(this.partialDir, this.specs.get('fast_inline')!, this.pool);
    for (let index = 0; index < this.flushedBlocks.length; index++) {
      const block = this.startBlock(index);
      if (!this.blockHasLiveTraces(block)) continue;
      const values = this.buffer.subarray(0, block.inlineCount * this.shape[1] * this.shape[2]);
      const end = block.firstInline + block.inlineCount;
      await inlineCopy.read({ start: [block.firstInline, 0, 0], end: [end, this.shape[1], this.shape[2]] }, values);
      await this.flushBlock(block, false);
    }
  }
}

/** How a survey cache is cut: its shape, the chunking of each layout, the 3D view's downsampled copy. */
export interface SurveyCachePlan {
  shape: VolumeShape;
  specs: ReadonlyMap<SeismicLayout, ChunkedVolumeSpec>;
  lod: { factor: number; shape: [number, number, number] };
}

/** The plan of the cache SurveyCacheWriter writes for these options (refused with a clear error when they are bad). */
export function planSurveyCache(options: SurveyCacheWriterOptions): SurveyCachePlan {
  const layouts = validateOptions(options);
  const shape: VolumeShape = [options.inlines.length, options.crosslines.length, options.samples.count];
  const timeChunk = options.timeChunkSamples ?? 1;
  const specs = new Map(layouts.map((layout) => [layout, layoutSpec(layout, shape, timeChunk)]));
  const factor = lodFactor(shape, options.lodMaxBytes ?? DEFAULT_LOD_MAX_BYTES);
  return { shape, specs, lod: { factor, shape: lodShape(shape, factor) } };
}

function cacheAttributes(
  options: SurveyCacheWriterOptions,
  plan: SurveyCachePlan,
  liveMask: Uint8Array,
): SurveyCacheAttributes {
  const { start, interval, unit } = options.samples;
  let liveTraceCount = 0;
  for (const live of liveMask) liveTraceCount += live;
  return {
    formatVersion: CACHE_FORMAT_VERSION,
    shape: [...plan.shape],
    sampleAxis: { start, interval, unit },
    liveTraceCount,
    layouts: [...plan.specs.keys()],
    timeChunkSamples: options.timeChunkSamples ?? 1,
    lod: { factor: plan.lod.factor, shape: plan.lod.shape, method: 'mean of live traces' },
    survey: options.attributes ?? {},
  };
}

async function writeSmallArrays(
  partialDir: string,
  options: SurveyCacheWriterOptions,
  liveMask: Uint8Array,
  lodMeans: Float32Array,
): Promise<void> {
  const { start, interval, count } = options.samples;
  const sampleValues = Float32Array.from({ length: count }, (_, k) => start + k * interval);
  await writeSingleChunk(partialDir, 'inline', [0], Int32Array.from(options.inlines));
  await writeSingleChunk(partialDir, 'crossline', [0], Int32Array.from(options.crosslines));
  await writeSingleChunk(partialDir, 'sample', [0], sampleValues);
  await writeSingleChunk(partialDir, 'live_mask', [0, 0], liveMask);
  await writeSingleChunk(partialDir, LOD_ARRAY_PATH, [0, 0, 0], lodMeans);
}

function validateOptions(options: SurveyCacheWriterOptions): SeismicLayout[] {
  const extents = {
    inlines: options.inlines.length,
    crosslines: options.crosslines.length,
    samples: options.samples.count,
  };
  for (const [name, extent] of Object.entries(extents)) {
    if (!Number.isInteger(extent) || extent < 1)
      throw invalidCacheArgument(`a survey cache needs at least one of ${name}`);
  }
  const timeChunk = options.timeChunkSamples ?? 1;
  if (!Number.isInteger(timeChunk) || timeChunk < 1) {
    throw invalidCacheArgument(`samples per time chunk must be a positive integer, not ${timeChunk}`);
  }
  const budget = options.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET;
  if (!(budget > 0)) throw invalidCacheArgument(`the cache memory budget must be positive, not ${budget}`);
  const inlineBytes = options.crosslines.length * options.samples.count * 4;
  if (inlineBytes > MAX_INLINE_BYTES) {
    throw invalidCacheArgument(
      `one inline of this survey takes ${(inlineBytes / 1e9).toFixed(1)} GB; the cache holds at least one in memory`,
    );
  }
  if (!(options.samples.interval > 0)) {
    throw invalidCacheArgument(`the sample interval must be positive, not ${options.samples.interval}`);
  }
  const layouts: SeismicLayout[] = ['fast_inline'];
  if (options.layouts?.crossline ?? true) layouts.push('fast_crossline');
  if (options.layouts?.time ?? true) layouts.push('fast_time');
  return layouts;
}

export function asCacheIoError(error: unknown, doing: string): Error {
  if (error instanceof SurveyCacheError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code === 'ENOSPC' ? 'the disk is full' : error instanceof Error ? error.message : String(error);
  return new SurveyCacheError('io', `${doing}: ${reason}`, { cause: error });
}
