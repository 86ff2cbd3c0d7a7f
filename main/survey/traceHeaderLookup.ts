/**
 * The trace header on demand: finds the source SEG-Y trace of a grid cell (or of a gather's trace) and decodes its
 * 240-byte standard header, every field by name and byte position.
 *
 * The cache does not keep a cell -> file trace map, so a cell is found in the file itself: files are nearly always
 * sorted by inline then crossline (or crossline then inline), where a binary search reads about 2 log2(traces)
 * headers; a hit is checked against both keys. Files in no such order, or keys not found that way, fall back to one
 * scan of the headers (only for files of up to LINEAR_SCAN_LIMIT traces, to keep the main process responsive).
 */
import { PromethiumError, type TraceHeaderData } from '../../preload/contract';
import { decodeTraceHeader, readField, traceFieldAtByte, TRACE_HEADER_FIELDS } from '../segy/headerFields';
import type { SegyFile } from '../segy/reader';

/** Files with more traces than this are not scanned header by header when the binary search finds nothing. */
export const LINEAR_SCAN_LIMIT = 200_000;

/** Reads the integer key at a 1-based trace-header byte of trace `index`. */
async function keyAt(file: SegyFile, index: number, byte: number): Promise<number> {
  const bytes = await file.readTraceHeaderBytes(index);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return readField(view, 0, traceFieldAtByte(byte), 1, file.byteOrder === 'little');
}

/** Lexicographic order of (major, minor) keys. */
const compareKeys = (a: [number, number], b: [number, number]): number => a[0] - b[0] || a[1] - b[1];

/** Binary search for a trace whose keys at (majorByte, minorByte) equal `target`, assuming the file sorted that way. */
async function searchSorted(
  file: SegyFile,
  majorByte: number,
  minorByte: number,
  target: [number, number],
): Promise<number | null> {
  let low = 0;
  let high = file.traceCount - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const keys: [number, number] = [await keyAt(file, mid, majorByte), await keyAt(file, mid, minorByte)];
    const order = compareKeys(keys, target);
    if (order === 0) return mid;
    if (order < 0) low = mid + 1;
    else high = mid - 1;
  }
  return null;
}

/** The first trace whose keys at the given bytes equal `values`, by reading every header (small files only). */
async function scanFor(file: SegyFile, bytes: number[], values: number[]): Promise<number | null> {
  if (file.traceCount > LINEAR_SCAN_LIMIT) return null;
  for (let index = 0; index < file.traceCount; index++) {
    let match = true;
    for (let k = 0; k < bytes.length && match; k++) match = (await keyAt(file, index, bytes[k]!)) === values[k];
    if (match) return index;
  }
  return null;
}

/** The file position of the trace at (inline, crossline) numbers, or null when the file has none there. */
export async function findTraceByKeys(
  file: SegyFile,
  inlineByte: number,
  crosslineByte: number,
  inline: number,
  crossline: number,
): Promise<number | null> {
  return (
    (await searchSorted(file, inlineByte, crosslineByte, [inline, crossline])) ??
    (await searchSorted(file, crosslineByte, inlineByte, [crossline, inline])) ??
    (await scanFor(file, [inlineByte, crosslineByte], [inline, crossline]))
  );
}

/** The file position of the trace with `key` at `byte` (a 2D line's trace key), or null. */
export async function findTraceByKey(file: SegyFile, byte: number, key: number): Promise<number | null> {
  // A sorted line: search with the key as major and minor at once (the same byte twice compares equal keys).
  return (await searchSorted(file, byte, byte, [key, key])) ?? (await scanFor(file, [byte], [key]));
}

/** Decodes every standard field of trace `traceIndex`'s header. */
export async function traceHeaderOf(
  file: SegyFile,
  surveyId: string,
  traceIndex: number,
  label: string,
): Promise<TraceHeaderData> {
  if (!Number.isInteger(traceIndex) || traceIndex < 0 || traceIndex >= file.traceCount) {
    throw new PromethiumError(
      'invalid-argument',
      `trace ${traceIndex} is outside 0..${file.traceCount - 1} of the file`,
    );
  }
  const bytes = await file.readTraceHeaderBytes(traceIndex);
  const header = decodeTraceHeader(bytes, 0, file.byteOrder === 'little') as Record<string, number>;
  return {
    surveyId,
    traceIndex,
    label,
    fields: TRACE_HEADER_FIELDS.map(({ name, byte, type }) => ({ name, byte, type, value: header[name]! })),
  };
}
