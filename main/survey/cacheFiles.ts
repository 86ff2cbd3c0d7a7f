/**
 * Positional file I/O for the survey cache: a small pool of open file handles (opening a chunk file costs about as
 * much as reading a trace from it) and exact reads and writes that report a short file as damage, not as zeros.
 */
import { open, rm, stat, type FileHandle } from 'node:fs/promises';
import { renameDurably } from '../files/atomicFile';
import { damagedCache } from './cacheErrors';

/** Chunks are stored little-endian and read straight into typed arrays, which are host-endian. */
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
if (!HOST_IS_LITTLE_ENDIAN) throw new Error('the survey cache needs a little-endian CPU');

interface PooledHandle {
  opening: Promise<FileHandle>;
  users: number;
}

/** Keeps up to `capacity` idle handles open, closing the least recently used; handles in use are never closed. */
export class FileHandlePool {
  private readonly entries = new Map<string, PooledHandle>();

  constructor(
    private readonly flags: 'r' | 'r+',
    private readonly capacity = 64,
  ) {}

  async use<T>(path: string, work: (handle: FileHandle) => Promise<T>): Promise<T> {
    const entry = this.acquire(path);
    try {
      return await work(await entry.opening);
    } finally {
      entry.users--;
    }
  }

  async closeAll(): Promise<void> {
    const closing = [...this.entries.values()].map((entry) => closeQuietly(entry.opening));
    this.entries.clear();
    await Promise.all(closing);
  }

  private acquire(path: string): PooledHandle {
    let entry = this.entries.get(path);
    if (entry) {
      this.entries.delete(path); // re-inserted below: the Map's order is the recency order
    } else {
      entry = { opening: open(path, this.flags), users: 0 };
      const opened = entry;
      opened.opening.catch(() => {
        if (this.entries.get(path) === opened) this.entries.delete(path);
      });
      this.evictIdle();
    }
    this.entries.set(path, entry);
    entry.users++;
    return entry;
  }

  private evictIdle(): void {
    for (const [path, entry] of this.entries) {
      if (this.entries.size < this.capacity) return;
      if (entry.users > 0) continue;
      this.entries.delete(path);
      void closeQuietly(entry.opening);
    }
  }
}

async function closeQuietly(opening: Promise<FileHandle>): Promise<void> {
  try {
    await (await opening).close();
  } catch {
    // a handle that failed to open or is already closed has nothing to release
  }
}

export function bytesOf(values: Float32Array | Int32Array | Uint8Array | Float64Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** Fills `target` from `position`; a file that ends first is a damaged cache (`where` names it in the message). */
export async function readExactly(
  handle: FileHandle,
  target: Uint8Array,
  position: number,
  where: { cacheDir: string; file: string },
): Promise<void> {
  let filled = 0;
  while (filled < target.byteLength) {
    const { bytesRead } = await handle.read(target, filled, target.byteLength - filled, position + filled);
    if (bytesRead === 0) {
      throw damagedCache(
        where.cacheDir,
        `${where.file} ends at byte ${position + filled}, ${target.byteLength - filled} bytes short`,
      );
    }
    filled += bytesRead;
  }
}

export async function writeFully(handle: FileHandle, source: Uint8Array, position: number): Promise<void> {
  let written = 0;
  while (written < source.byteLength) {
    const result = await handle.write(source, written, source.byteLength - written, position + written);
    written += result.bytesWritten;
  }
}

export function isMissingFile(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/** Runs task(0..count-1) with at most `limit` in flight: overlaps system calls without unbounded memory or handles. */
export async function forEachConcurrently(
  count: number,
  limit: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < count; index = next++) await task(index);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

export async function createSparseFile(file: string, bytes: number): Promise<void> {
  const handle = await open(file, 'w');
  try {
    await handle.truncate(bytes);
  } finally {
    await handle.close();
  }
}

/** Puts the finished cache in place of any previous one; the old one is removed only after the new one is there. */
export async function publish(partialDir: string, dir: string): Promise<void> {
  const previous = `${dir}.replaced-${process.pid}`;
  const hadPrevious = await stat(dir).then(
    () => true,
    () => false,
  );
  if (hadPrevious) await renameDurably(dir, previous);
  await renameDurably(partialDir, dir);
  if (hadPrevious) await rm(previous, { recursive: true, force: true });
}
