/**
 * One streaming pass over every trace: large sequential reads, per-trace key header values collected into
 * Int32Arrays (a few ints per trace, the only memory that grows with the file), progress callbacks, cancel.
 */
import { readField, traceFieldAtByte } from './headerFields';
import { TRACE_ID_BYTE } from './traceHeaderEdit';
import type { SegyFile } from './reader';

/** Header bytes collected by default: the usual inline/crossline/offset/coordinate candidates and the scalar. */
export const DEFAULT_SCAN_FIELDS: readonly number[] = [189, 193, 37, 181, 185, 71, 69, 9, 13, 21, 5, 17, 73, 77];

export interface ScanProgress {
  readonly tracesDone: number;
  readonly traceCount: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
}

export interface ScanOptions {
  /** Trace header byte positions (1-based) to collect; standard fields keep their width, others are read as int32. */
  readonly headerFields?: readonly number[];
  readonly onProgress?: (progress: ScanProgress) => void;
  /** Cancels the scan: the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Bytes per sequential read (default 16 MiB). */
  readonly blockBytes?: number;
  /** Scan only traces start..start+count-1 (a part of the file, as a cluster task does); the whole file by default. */
  readonly range?: { readonly start: number; readonly count: number };
}

export interface ScanResult {
  /** Traces scanned (the file's, or the range's); the arrays below hold one value per trace scanned. */
  readonly traceCount: number;
  /** Header values per trace, keyed by 1-based trace header byte position. */
  readonly fields: ReadonlyMap<number, Int32Array>;
  /** 1 for dead traces: all samples zero, or trace identification code 2 ("dead") in bytes 29-30; else 0. */
  readonly deadTraces: Uint8Array;
  readonly deadTraceCount: number;
}

const DEFAULT_BLOCK_BYTES = 16 << 20;
const DEAD_TRACE_CODE = 2;

export async function scanSegy(file: SegyFile, options: ScanOptions = {}): Promise<ScanResult> {
  const { start, count: traceCount } = options.range ?? { start: 0, count: file.traceCount };
  const specs = (options.headerFields ?? DEFAULT_SCAN_FIELDS).map(traceFieldAtByte);
  const fields = new Map(specs.map((spec) => [spec.byte, new Int32Array(traceCount)]));
  const columns = specs.map((spec) => ({ spec, values: fields.get(spec.byte)! }));
  const deadTraces = new Uint8Array(traceCount);
  const little = file.byteOrder === 'little';
  const headerBytes = file.layout.traceHeaderBytes;
  const traceIdentification = traceFieldAtByte(TRACE_ID_BYTE);
  const end = start + traceCount;
  const bytesTotal =
    traceCount === 0 ? 0 : file.traceOffset(end - 1) + file.traceRecordBytes(end - 1) - file.traceOffset(start);
  let bytesDone = 0;
  let deadTraceCount = 0;
  await forEachTraceBlock(file, start, traceCount, options.blockBytes ?? DEFAULT_BLOCK_BYTES, (bytes, first, count) => {
    options.signal?.throwIfAborted();
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const base = file.traceOffset(first);
    for (let i = first; i < first + count; i++) {
      const at = file.traceOffset(i) - base;
      const slot = i - start;
      for (const { spec, values } of columns) values[slot] = readField(view, at, spec, 1, little);
      const markedDead = readField(view, at, traceIdentification, 1, little) === DEAD_TRACE_CODE;
      if (markedDead || isAllZero(bytes, at + headerBytes, at + file.traceRecordBytes(i))) {
        deadTraces[slot] = 1;
        deadTraceCount++;
      }
    }
    bytesDone += bytes.length;
    options.onProgress?.({ tracesDone: first + count - start, traceCount, bytesDone, bytesTotal });
  });
  return { traceCount, fields, deadTraces, deadTraceCount };
}

function isAllZero(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i] !== 0) return false;
  return true;
}

/**
 * Reads traces start..start+count-1 in blocks of about `blockBytes` (at least one trace each), sequentially,
 * and hands each block's raw records to `onBlock` with the index of its first trace.
 */
export async function forEachTraceBlock(
  file: SegyFile,
  start: number,
  count: number,
  blockBytes: number,
  onBlock: (bytes: Uint8Array, firstTrace: number, traceCount: number) => void | Promise<void>,
): Promise<void> {
  const end = start + count;
  for (let first = start; first < end;) {
    let last = first + 1;
    const blockStart = file.traceOffset(first);
    while (last < end && file.traceOffset(last) + file.traceRecordBytes(last) - blockStart <= blockBytes) last++;
    const bytes = await file.readTraceRecords(first, last - first);
    await onBlock(bytes, first, last - first);
    first = last;
  }
}

export interface TraceHeaderSample {
  /** The traces sampled, in increasing order: a contiguous head of the file, then traces spread through the rest. */
  readonly traceIndices: Int32Array;
  /** How many of traceIndices form the contiguous head (0..headCount-1). */
  readonly headCount: number;
  readonly fields: ReadonlyMap<number, Int32Array>;
}

/**
 * Header values of a sample of traces for the header-map scorer: the first `headCount` traces (read sequentially)
 * and `spreadCount` more spread evenly through the file (single header reads).
 */
export async function sampleTraceHeaders(
  file: SegyFile,
  headerFields: readonly number[],
  { headCount = 2000, spreadCount = 2000 }: { headCount?: number; spreadCount?: number } = {},
): Promise<TraceHeaderSample> {
  const specs = headerFields.map(traceFieldAtByte);
  const head = Math.min(headCount, file.traceCount);
  const rest = file.traceCount - head;
  const spread = Math.min(spreadCount, rest);
  const traceIndices = new Int32Array(head + spread);
  for (let i = 0; i < head; i++) traceIndices[i] = i;
  for (let k = 0; k < spread; k++) traceIndices[head + k] = head + Math.floor(((k + 0.5) * rest) / spread);
  const fields = new Map(specs.map((spec) => [spec.byte, new Int32Array(traceIndices.length)]));
  const little = file.byteOrder === 'little';
  const store = (bytes: Uint8Array, at: number, slot: number): void => {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (const spec of specs) fields.get(spec.byte)![slot] = readField(view, at, spec, 1, little);
  };
  await forEachTraceBlock(file, 0, head, DEFAULT_BLOCK_BYTES, (bytes, first, count) => {
    const base = file.traceOffset(first);
    for (let i = first; i < first + count; i++) store(bytes, file.traceOffset(i) - base, i);
  });
  for (let slot = head; slot < traceIndices.length; slot++)
    store(await file.readTraceHeaderBytes(traceIndices[slot]!), 0, slot);
  return { traceIndices, headCount: head, fields };
}
