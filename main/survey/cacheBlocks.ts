/**
 * Writing blocks of whole inlines into every chunking of a survey cache being built (cacheLayout.ts): one write per
 * inline (fast_inline), one per crossline (fast_crossline: the block's traces are contiguous in a crossline chunk)
 * and one per time chunk (fast_time: the block's rows are contiguous in a time chunk). The chunk files exist at full
 * size before the first block (SurveyCacheWriter.create), so a block's writes are positional and touch only the bytes
 * of its own inlines: blocks of different inlines never write the same bytes, whichever process writes them.
 */
import { bytesOf, forEachConcurrently, writeFully, type FileHandlePool } from './cacheFiles';
import { chunkFilePath, chunkGrid, type ChunkedVolumeSpec, type SeismicLayout, type VolumeShape } from './cacheLayout';

/** Samples transposed per pass when filling time chunks: trace reads stay in cache lines, writes stay large. */
const TIME_TILE_SAMPLES = 64;
/** Writes (and file creations) in flight: keeps the disk queue busy while the thread pool has room for reads. */
export const WRITES_IN_FLIGHT = 4;

export class InlineBlockWriter {
  constructor(
    private readonly partialDir: string,
    private readonly shape: VolumeShape,
    private readonly specs: ReadonlyMap<SeismicLayout, ChunkedVolumeSpec>,
    private readonly pool: FileHandlePool,
  ) {}

  /**
   * Writes inlines firstInline..firstInline+inlineCount-1, held in `values` as [inline][crossline][sample], to every
   * chunking; to every one but fast_inline when `includingInlineCopy` is false (the block was read from it).
   */
  async write(values: Float32Array, firstInline: number, inlineCount: number, includingInlineCopy: boolean) {
    const block = { values, firstInline, inlineCount };
    if (includingInlineCopy) await this.writeInlineChunks(block);
    if (this.specs.has('fast_crossline')) await this.writeCrosslineChunks(block);
    if (this.specs.has('fast_time')) await this.writeTimeChunks(block);
  }

  private async writeInlineChunks(block: Block): Promise<void> {
    const inlineValues = this.shape[1] * this.shape[2];
    await forEachConcurrently(block.inlineCount, WRITES_IN_FLIGHT, (li) => {
      const values = block.values.subarray(li * inlineValues, (li + 1) * inlineValues);
      return this.writeChunkBytes('fast_inline', [block.firstInline + li, 0, 0], values, 0);
    });
  }

  /** A crossline chunk is [inline][sample], so the block's traces of one crossline form one contiguous range. */
  private async writeCrosslineChunks(block: Block): Promise<void> {
    const [, crosslines, samples] = this.shape;
    const columns = Array.from({ length: WRITES_IN_FLIGHT }, () => new Float32Array(block.inlineCount * samples));
    let next = 0;
    await forEachConcurrently(WRITES_IN_FLIGHT, WRITES_IN_FLIGHT, async (writer) => {
      const column = columns[writer]!; // each writer fills and writes its own column buffer
      for (let xl = next++; xl < crosslines; xl = next++) {
        for (let li = 0; li < block.inlineCount; li++) {
          const from = (li * crosslines + xl) * samples;
          column.set(block.values.subarray(from, from + samples), li * samples);
        }
        await this.writeChunkBytes('fast_crossline', [0, xl, 0], column, block.firstInline * samples);
      }
    });
  }

  /**
   * A time chunk is [inline][crossline][sample-in-chunk], so the block's rows form one contiguous range per chunk.
   * Filling them is a transpose, done TIME_TILE_SAMPLES at a time so each trace is read in whole cache lines.
   */
  private async writeTimeChunks(block: Block): Promise<void> {
    const spec = this.specs.get('fast_time')!;
    const samplesPerChunk = spec.chunkShape[2];
    const chunksPerTile = Math.max(1, Math.floor(TIME_TILE_SAMPLES / samplesPerChunk));
    const traces = block.inlineCount * this.shape[1];
    const regionValues = traces * samplesPerChunk;
    const tile = new Float32Array(chunksPerTile * regionValues);
    const timeChunks = chunkGrid(spec)[2];
    for (let firstChunk = 0; firstChunk < timeChunks; firstChunk += chunksPerTile) {
      const tileChunks = Math.min(chunksPerTile, timeChunks - firstChunk);
      this.transposeTimeTile(block.values, tile, traces, firstChunk * samplesPerChunk, tileChunks, samplesPerChunk);
      await forEachConcurrently(tileChunks, WRITES_IN_FLIGHT, (c) => {
        const region = tile.subarray(c * regionValues, (c + 1) * regionValues);
        const regionStart = block.firstInline * this.shape[1] * samplesPerChunk;
        return this.writeChunkBytes('fast_time', [0, 0, firstChunk + c], region, regionStart);
      });
    }
  }

  private transposeTimeTile(
    values: Float32Array,
    tile: Float32Array,
    traces: number,
    firstSample: number,
    tileChunks: number,
    samplesPerChunk: number,
  ): void {
    const samples = this.shape[2];
    const regionValues = traces * samplesPerChunk;
    for (let trace = 0; trace < traces; trace++) {
      const from = trace * samples + firstSample;
      for (let c = 0, to = trace * samplesPerChunk; c < tileChunks; c++, to += regionValues) {
        const chunkFirst = c * samplesPerChunk;
        const stored = Math.min(samplesPerChunk, samples - firstSample - chunkFirst); // the last chunk may overhang
        for (let s = 0; s < stored; s++) tile[to + s] = values[from + chunkFirst + s]!;
        for (let s = stored; s < samplesPerChunk; s++) tile[to + s] = 0;
      }
    }
  }

  private async writeChunkBytes(
    layout: SeismicLayout,
    chunkCoords: [number, number, number],
    values: Float32Array,
    valueOffset: number,
  ): Promise<void> {
    const file = chunkFilePath(this.partialDir, this.specs.get(layout)!.arrayPath, chunkCoords);
    await this.pool.use(file, (handle) => writeFully(handle, bytesOf(values), valueOffset * 4));
  }
}

interface Block {
  values: Float32Array;
  firstInline: number;
  inlineCount: number;
}
