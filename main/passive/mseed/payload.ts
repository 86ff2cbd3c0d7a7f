/** A record's data payload: decoding into a channel's sample array, and encoding for the writer. */
import { type EncodingInfo, type Samples } from './encodings';
import { decodeSteim, encodeSteim, steimLastSample } from './steim';

export interface PayloadLocation {
  encoding: EncodingInfo;
  /** Byte range of the payload in the file. */
  start: number;
  end: number;
  sampleCount: number;
  littleEndian: boolean;
}

/**
 * Decodes a payload into out[outOffset...] (whose type matches encoding.sampleType). Returns a warning for data that
 * decoded but fails Steim's integrity check (libmseed warns and keeps them too); throws Error naming the problem when
 * the payload cannot hold its samples.
 */
export function decodePayload(
  bytes: Uint8Array,
  payload: PayloadLocation,
  out: Samples,
  outOffset: number,
): string | undefined {
  const { encoding, start, end, sampleCount, littleEndian } = payload;
  if (encoding.name === 'steim1' || encoding.name === 'steim2') {
    const level = encoding.name === 'steim1' ? 1 : 2;
    // Steim words are big-endian; a miniSEED 2 record that declares little-endian words gets them swapped first.
    const frames = littleEndian ? swapWords(bytes, start, end) : bytes;
    const from = littleEndian ? 0 : start;
    const decoded = decodeSteim(level, frames, from, from + (end - start), sampleCount, out as Int32Array, outOffset);
    if (decoded < sampleCount) {
      throw new Error(`the header says ${sampleCount} samples, its ${encoding.label} frames hold ${decoded}`);
    }
    const last = steimLastSample(frames, from);
    if (sampleCount > 0 && out[outOffset + sampleCount - 1] !== last) {
      return `${encoding.label} integrity check failed: last sample ${out[outOffset + sampleCount - 1]}, frame says ${last}`;
    }
    return undefined;
  }
  const needed = sampleCount * encoding.sampleBytes;
  if (needed > end - start) {
    throw new Error(`${sampleCount} ${encoding.label} samples need ${needed} bytes, the record holds ${end - start}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, needed);
  for (let i = 0; i < sampleCount; i++) out[outOffset + i] = readSample(view, encoding, i, littleEndian);
  return undefined;
}

function readSample(view: DataView, encoding: EncodingInfo, i: number, littleEndian: boolean): number {
  switch (encoding.name) {
    case 'int16':
      return view.getInt16(2 * i, littleEndian);
    case 'int32':
      return view.getInt32(4 * i, littleEndian);
    case 'float32':
      return view.getFloat32(4 * i, littleEndian);
    case 'float64':
      return view.getFloat64(8 * i, littleEndian);
    default:
      return view.getUint8(i);
  }
}

function swapWords(bytes: Uint8Array, start: number, end: number): Uint8Array {
  const swapped = new Uint8Array(end - start);
  for (let i = 0; i + 3 < swapped.length; i += 4) {
    swapped[i] = bytes[start + i + 3]!;
    swapped[i + 1] = bytes[start + i + 2]!;
    swapped[i + 2] = bytes[start + i + 1]!;
    swapped[i + 3] = bytes[start + i]!;
  }
  return swapped;
}

/**
 * Encodes samples[from...] into out[start, start + capacity) (zeroed); returns how many samples fitted and the bytes
 * used. Steim payloads take whole 64-byte frames and are always written big-endian.
 */
export function encodePayload(
  encoding: EncodingInfo,
  samples: Samples,
  from: number,
  out: Uint8Array,
  start: number,
  capacity: number,
  littleEndian: boolean,
): { sampleCount: number; byteCount: number } {
  if (encoding.name === 'steim1' || encoding.name === 'steim2') {
    const frames = Math.floor(capacity / 64);
    const level = encoding.name === 'steim1' ? 1 : 2;
    const { sampleCount, frameCount } = encodeSteim(level, samples as Int32Array, from, out, start, frames);
    return { sampleCount, byteCount: frameCount * 64 };
  }
  const sampleCount = Math.min(samples.length - from, Math.floor(capacity / encoding.sampleBytes));
  const view = new DataView(out.buffer, out.byteOffset + start, capacity);
  for (let i = 0; i < sampleCount; i++) writeSample(view, encoding, i, samples[from + i]!, littleEndian);
  return { sampleCount, byteCount: sampleCount * encoding.sampleBytes };
}

function writeSample(view: DataView, encoding: EncodingInfo, i: number, value: number, littleEndian: boolean): void {
  switch (encoding.name) {
    case 'int16':
      return view.setInt16(2 * i, value, littleEndian);
    case 'int32':
      return view.setInt32(4 * i, value, littleEndian);
    case 'float32':
      return view.setFloat32(4 * i, value, littleEndian);
    case 'float64':
      return view.setFloat64(8 * i, value, littleEndian);
    default:
      return view.setUint8(i, value);
  }
}
