/**
 * Headers for traces Promethium adds (filled grid positions): a copy of a neighbouring trace's header record with the
 * keys of the new position written in, so that every other field (sample count, interval, delay, scalars, datum...)
 * stays consistent with the survey.
 */
import { traceFieldAtByte, writeField } from './headerFields';
import type { ByteOrder } from './sampleFormats';

/** Trace identification code (bytes 29-30): 1 = seismic data (a filled trace is data), 2 = dead. */
export const TRACE_ID_BYTE = 29;

export function deriveTraceHeader(
  neighbour: Uint8Array,
  changes: ReadonlyMap<number, number>,
  byteOrder: ByteOrder,
): Uint8Array {
  const header = Uint8Array.from(neighbour);
  const view = new DataView(header.buffer);
  for (const [byte, value] of changes) {
    writeField(view, 0, traceFieldAtByte(byte), 1, byteOrder === 'little', Math.round(value));
  }
  return header;
}
