/**
 * Random-access SEG-Y reader over a ByteSource: headers decoded once at open, then single traces, trace headers
 * or runs of traces read on demand. A file is never read whole.
 */
import { SegyFormatError } from './errors';
import { TRACE_HEADER_BYTES, decodeTraceHeader } from './headerFields';
import type { BinaryHeader, TraceHeader } from './headerFields';
import { resolveLayout } from './layout';
import type { SegyLayout, SegyOpenOptions } from './layout';
import { decodeSamples } from './sampleFormats';
import type { ByteOrder, SampleFormatCode } from './sampleFormats';
import { BufferByteSource, FileByteSource } from './source';
import type { ByteSource } from './source';
import type { TextHeader } from './textHeader';

export class SegyFile {
  private closed = false;

  constructor(
    private readonly source: ByteSource,
    readonly layout: SegyLayout,
  ) {}

  get name(): string {
    return this.source.name;
  }
  get fileSize(): number {
    return this.source.size;
  }
  get textHeader(): TextHeader {
    return this.layout.textHeader;
  }
  get extendedTextHeaders(): readonly TextHeader[] {
    return this.layout.extendedTextHeaders;
  }
  get binaryHeader(): BinaryHeader {
    return this.layout.binaryHeader;
  }
  get byteOrder(): ByteOrder {
    return this.layout.byteOrder;
  }
  get format(): SampleFormatCode {
    return this.layout.format;
  }
  get revision(): number {
    return this.layout.revision;
  }
  /** The longest trace's sample count (every trace's, for fixed-length files). */
  get samplesPerTrace(): number {
    return this.layout.samplesPerTrace;
  }
  get sampleIntervalUs(): number {
    return this.layout.sampleIntervalUs;
  }
  get traceCount(): number {
    return this.layout.traceCount;
  }
  get warnings(): readonly string[] {
    return this.layout.warnings;
  }

  /** Byte offset of trace `index`'s first header byte. */
  traceOffset(index: number): number {
    this.checkIndex(index);
    const { variable, dataOffset, fixedTraceBytes } = this.layout;
    return variable ? variable.offsets[index]! : dataOffset + index * fixedTraceBytes!;
  }

  traceSampleCount(index: number): number {
    this.checkIndex(index);
    return this.layout.variable?.sampleCounts[index] ?? this.layout.samplesPerTrace;
  }

  /** Bytes of one trace record: its headers (standard + extensions) followed by its samples. */
  traceRecordBytes(index: number): number {
    return this.layout.traceHeaderBytes + this.traceSampleCount(index) * this.layout.bytesPerSample;
  }

  async readTraceHeader(index: number): Promise<TraceHeader> {
    const bytes = await this.readExactly(this.traceOffset(index), TRACE_HEADER_BYTES, index);
    return decodeTraceHeader(bytes, 0, this.byteOrder === 'little');
  }

  /** The raw bytes of all the headers of one trace (240 x (1 + rev 2 extensions)), in file byte order. */
  async readTraceHeaderBytes(index: number): Promise<Uint8Array> {
    return this.readExactly(this.traceOffset(index), this.layout.traceHeaderBytes, index);
  }

  async readTrace(index: number): Promise<Float32Array> {
    const count = this.traceSampleCount(index);
    const bytes = await this.readExactly(
      this.traceOffset(index) + this.layout.traceHeaderBytes,
      count * this.layout.bytesPerSample,
      index,
    );
    const samples = new Float32Array(count);
    decodeSamples(bytes, this.format, this.byteOrder, count, samples);
    return samples;
  }

  /**
   * Traces start..start+count-1 as one row-major Float32Array of count x samplesPerTrace (shorter traces of a
   * variable-length file are padded with zeros), read with one large read per contiguous run.
   */
  async readTraces(start: number, count: number, out?: Float32Array): Promise<Float32Array> {
    const ns = this.samplesPerTrace;
    if (!Number.isInteger(count) || count < 0) {
      throw new SegyFormatError('trace-out-of-range', `cannot read ${count} traces from ${this.name}`);
    }
    if (count > 0) this.checkIndex(start + count - 1);
    const result = out ?? new Float32Array(count * ns);
    if (result.length < count * ns) throw new RangeError(`output holds ${result.length} samples, ${count * ns} needed`);
    if (count === 0) return result;
    this.checkIndex(start);
    const first = this.traceOffset(start);
    const end = this.traceOffset(start + count - 1) + this.traceRecordBytes(start + count - 1);
    const bytes = await this.readExactly(first, end - first, start);
    for (let i = 0; i < count; i++) {
      const at = this.traceOffset(start + i) - first + this.layout.traceHeaderBytes;
      const samples = this.traceSampleCount(start + i);
      result.fill(0, i * ns + samples, (i + 1) * ns);
      decodeSamples(bytes.subarray(at), this.format, this.byteOrder, samples, result, i * ns);
    }
    return result;
  }

  /** Raw trace records (headers + samples) of traces start..start+count-1, as stored. */
  async readTraceRecords(start: number, count: number): Promise<Uint8Array> {
    if (count <= 0) return new Uint8Array(0);
    this.checkIndex(start + count - 1);
    const first = this.traceOffset(start);
    const end = this.traceOffset(start + count - 1) + this.traceRecordBytes(start + count - 1);
    return this.readExactly(first, end - first, start);
  }

  /** Raw bytes from the start of the file up to the first trace (text, binary and extended text headers). */
  async readFileHeaderBytes(): Promise<Uint8Array> {
    return this.readExactly(0, this.layout.dataOffset, 0);
  }

  /** Raw bytes after the last trace (rev 2 trailer stanzas), empty for most files. */
  async readTrailerBytes(): Promise<Uint8Array> {
    const end =
      this.traceCount === 0
        ? this.layout.dataOffset
        : this.traceOffset(this.traceCount - 1) + this.traceRecordBytes(this.traceCount - 1);
    return this.readExactly(end, this.fileSize - end, this.traceCount);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.source.close();
  }

  private checkIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.traceCount) {
      throw new SegyFormatError(
        'trace-out-of-range',
        `trace index ${index} is outside 0..${this.traceCount - 1} of ${this.name}`,
      );
    }
  }

  private async readExactly(position: number, length: number, traceIndex: number): Promise<Uint8Array> {
    if (this.closed) throw new SegyFormatError('closed', `${this.name} is closed`);
    const bytes = await this.source.read(position, length);
    if (bytes.length < length) {
      throw new SegyFormatError(
        'truncated',
        `trace ${traceIndex + 1}: ${length} bytes expected at byte ${position}, file ends after ${bytes.length}`,
      );
    }
    return bytes;
  }
}

/** Opens a SEG-Y file by path: reads and checks the file headers, works out the trace layout, keeps the file open. */
export async function openSegy(path: string, options: SegyOpenOptions = {}): Promise<SegyFile> {
  const source = await openFileSource(path);
  return openSegySource(source, options);
}

/** The same over bytes in memory (generated files, tests). */
export function openSegyBuffer(bytes: Uint8Array, options: SegyOpenOptions = {}, name = '<buffer>'): Promise<SegyFile> {
  return openSegySource(new BufferByteSource(bytes, name), options);
}

export async function openSegySource(source: ByteSource, options: SegyOpenOptions = {}): Promise<SegyFile> {
  try {
    return new SegyFile(source, await resolveLayout(source, options));
  } catch (error) {
    await source.close();
    throw error;
  }
}

async function openFileSource(path: string): Promise<FileByteSource> {
  try {
    return await FileByteSource.open(path);
  } catch (error) {
    if (error instanceof SegyFormatError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new SegyFormatError('not-found', `${path}: no such file`);
    if (code === 'EISDIR') throw new SegyFormatError('not-segy', `${path} is a folder, not a SEG-Y file`);
    throw new SegyFormatError('io', `${path} cannot be opened (${code ?? String(error)})`);
  }
}
