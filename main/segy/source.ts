/**
 * Where SEG-Y bytes come from: a file read through fs.promises FileHandle (never read whole), or an in-memory
 * buffer (tests, fuzzing, small generated files). Both go through the same decoding code.
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { SegyFormatError } from './errors';

export interface ByteSource {
  /** Total size in bytes. */
  readonly size: number;
  /** A name for messages (the path, or "<buffer>"). */
  readonly name: string;
  /** Reads up to `length` bytes at `position`; fewer only at the end of the source. */
  read(position: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

export class FileByteSource implements ByteSource {
  private constructor(
    private handle: FileHandle | null,
    readonly size: number,
    readonly name: string,
  ) {}

  static async open(path: string): Promise<FileByteSource> {
    const handle = await open(path, 'r');
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) throw new SegyFormatError('not-segy', `${path} is not a regular file`);
      return new FileByteSource(handle, stats.size, path);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async read(position: number, length: number): Promise<Uint8Array> {
    if (!this.handle) throw new SegyFormatError('closed', `${this.name} is closed`);
    const wanted = Math.max(0, Math.min(length, this.size - position));
    const buffer = Buffer.allocUnsafe(wanted);
    let filled = 0;
    while (filled < wanted) {
      const { bytesRead } = await this.handle.read(buffer, filled, wanted - filled, position + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled === wanted ? buffer : buffer.subarray(0, filled);
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    await handle?.close();
  }
}

export class BufferByteSource implements ByteSource {
  readonly size: number;
  constructor(
    private readonly bytes: Uint8Array,
    readonly name = '<buffer>',
  ) {
    this.size = bytes.byteLength;
  }

  read(position: number, length: number): Promise<Uint8Array> {
    const start = Math.min(position, this.size);
    return Promise.resolve(this.bytes.subarray(start, Math.min(this.size, start + length)));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
