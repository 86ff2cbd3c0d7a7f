/**
 * Reads any box of a chunked float32 volume stored as uncompressed C-order Zarr chunks, with one positional read per
 * chunk touched: the smallest contiguous byte span of the chunk that holds the box's part. When that span is laid out
 * exactly like its place in the result (an inline from inline chunks, a time slice from time chunks) it is read
 * straight into the result; otherwise it is read into scratch memory and copied out row by row.
 */
import { bytesOf, forEachConcurrently, isMissingFile, readExactly, type FileHandlePool } from './cacheFiles';
import { chunkFilePath, chunkGrid, type ChunkedVolumeSpec, type VolumeShape } from './cacheLayout';

/** A half-open box [start, end) in [inline, crossline, sample] index space. */
export interface VolumeBox {
  start: VolumeShape;
  end: VolumeShape;
}

/** One read costs about as much as reading this many more bytes from the page cache (a thread-pool round trip). */
const READ_OVERHEAD_BYTES = 256 * 1024;
/** Reads in flight per box: enough to overlap system calls, few enough to bound scratch memory. */
const READS_IN_FLIGHT = 4;
/** Below this run length, an element loop beats creating a subarray for TypedArray.set. */
const SHORT_RUN = 16;

interface ChunkPart {
  chunkCoords: [number, number, number];
  /** The box's part in the chunk's local coordinates, half-open. */
  localStart: [number, number, number];
  localEnd: [number, number, number];
  /** First and one-past-last element offsets inside the chunk that the part touches. */
  spanStart: number;
  spanEnd: number;
}

export function boxShape(box: VolumeBox): [number, number, number] {
  return [box.end[0] - box.start[0], box.end[1] - box.start[1], box.end[2] - box.start[2]];
}

export class ChunkedVolumeReader {
  private readonly chunkStrides: VolumeShape;

  constructor(
    private readonly cacheDir: string,
    readonly spec: ChunkedVolumeSpec,
    private readonly pool: FileHandlePool,
  ) {
    const [, c1, c2] = spec.chunkShape;
    this.chunkStrides = [c1 * c2, c2, 1];
  }

  /** Estimated cost of reading `box`, in bytes: what is read plus the per-read overhead. */
  readCost(box: VolumeBox): number {
    return this.partsOf(box).reduce(
      (cost, part) => cost + (part.spanEnd - part.spanStart) * 4 + READ_OVERHEAD_BYTES,
      0,
    );
  }

  /** Fills `out` (zeros on entry, C order over the box) with the box's values. */
  async read(box: VolumeBox, out: Float32Array): Promise<void> {
    const parts = this.partsOf(box);
    await forEachConcurrently(parts.length, READS_IN_FLIGHT, (index) => this.readPart(parts[index]!, box, out));
  }

  private partsOf(box: VolumeBox): ChunkPart[] {
    const grid = chunkGrid(this.spec);
    const first = box.start.map((index, d) => Math.floor(index / this.spec.chunkShape[d]!));
    const last = box.end.map((index, d) => Math.min(grid[d]!, Math.ceil(index / this.spec.chunkShape[d]!)));
    const parts: ChunkPart[] = [];
    for (let c0 = first[0]!; c0 < last[0]!; c0++) {
      for (let c1 = first[1]!; c1 < last[1]!; c1++) {
        for (let c2 = first[2]!; c2 < last[2]!; c2++) parts.push(this.partOf([c0, c1, c2], box));
      }
    }
    return parts;
  }

  private partOf(chunkCoords: [number, number, number], box: VolumeBox): ChunkPart {
    const localStart = [0, 0, 0] as [number, number, number];
    const localEnd = [0, 0, 0] as [number, number, number];
    for (let d = 0; d < 3; d++) {
      const origin = chunkCoords[d]! * this.spec.chunkShape[d]!;
      localStart[d] = Math.max(box.start[d]!, origin) - origin;
      localEnd[d] = Math.min(box.end[d]!, origin + this.spec.chunkShape[d]!) - origin;
    }
    const spanStart = this.chunkOffset(localStart);
    const spanEnd = this.chunkOffset([localEnd[0] - 1, localEnd[1] - 1, localEnd[2] - 1]) + 1;
    return { chunkCoords, localStart, localEnd, spanStart, spanEnd };
  }

  private chunkOffset(local: VolumeShape): number {
    return local[0] * this.chunkStrides[0] + local[1] * this.chunkStrides[1] + local[2];
  }

  private async readPart(part: ChunkPart, box: VolumeBox, out: Float32Array): Promise<void> {
    const direct = this.directTarget(part, box, out);
    const target = direct ?? new Float32Array(part.spanEnd - part.spanStart);
    const file = chunkFilePath(this.cacheDir, this.spec.arrayPath, part.chunkCoords);
    try {
      await this.pool.use(file, (handle) =>
        readExactly(handle, bytesOf(target), part.spanStart * 4, { cacheDir: this.cacheDir, file }),
      );
    } catch (error) {
      if (isMissingFile(error)) return; // Zarr: an absent chunk holds the fill value, 0, which `out` already has
      throw error;
    }
    if (!direct) this.copyOut(part, target, box, out);
  }

  /** The slice of `out` the span can be read into directly, when the span and that slice have the same layout. */
  private directTarget(part: ChunkPart, box: VolumeBox, out: Float32Array): Float32Array | undefined {
    const extents = [0, 1, 2].map((d) => part.localEnd[d]! - part.localStart[d]!);
    const count = extents[0]! * extents[1]! * extents[2]!;
    if (part.spanEnd - part.spanStart !== count) return undefined;
    const outFirst = this.outOffset(part, part.localStart, box);
    const outLast = this.outOffset(part, [part.localEnd[0] - 1, part.localEnd[1] - 1, part.localEnd[2] - 1], box);
    return outLast - outFirst + 1 === count ? out.subarray(outFirst, outFirst + count) : undefined;
  }

  private outOffset(part: ChunkPart, local: VolumeShape, box: VolumeBox): number {
    const [, n1, n2] = boxShape(box);
    const global = [0, 1, 2].map((d) => part.chunkCoords[d]! * this.spec.chunkShape[d]! + local[d]! - box.start[d]!);
    return (global[0]! * n1 + global[1]!) * n2 + global[2]!;
  }

  /** Row by row (one run of samples per inline/crossline pair); offsets advance by strides, this loop is hot. */
  private copyOut(part: ChunkPart, span: Float32Array, box: VolumeBox, out: Float32Array): void {
    const [, crosslines, samples] = boxShape(box);
    const [outStride0, outStride1] = [crosslines * samples, samples];
    const [chunkStride0, chunkStride1] = this.chunkStrides;
    const runLength = part.localEnd[2] - part.localStart[2];
    const rowTo = this.outOffset(part, part.localStart, box); // the span starts at the part's first row
    for (let l0 = 0; l0 < part.localEnd[0] - part.localStart[0]; l0++) {
      for (let l1 = 0; l1 < part.localEnd[1] - part.localStart[1]; l1++) {
        const from = l0 * chunkStride0 + l1 * chunkStride1;
        const to = rowTo + l0 * outStride0 + l1 * outStride1;
        if (runLength >= SHORT_RUN) out.set(span.subarray(from, from + runLength), to);
        else for (let k = 0; k < runLength; k++) out[to + k] = span[from + k]!;
      }
    }
  }
}
