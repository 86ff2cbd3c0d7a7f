/**
 * SEG-Y sample formats: the code table and fast whole-trace decoders/encoders between file bytes and Float32Array.
 *
 * Speed comes from copying a trace's bytes into aligned memory once, byte-swapping there with Buffer.swap16/32/64
 * (native code) when the file's byte order differs from the host's, and then converting through typed-array views.
 * IBM floats are converted in place with integer bit manipulation (see ibm.ts).
 */
import { endianness } from 'node:os';
import { SegyFormatError } from './errors';
import { ibmToIeeeBits, ieeeToIbmBits } from './ibm';

export type ByteOrder = 'big' | 'little';

export const HOST_BYTE_ORDER: ByteOrder = endianness() === 'LE' ? 'little' : 'big';

export type SampleFormatCode = 1 | 2 | 3 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 15 | 16;

export interface SampleFormatInfo {
  readonly code: SampleFormatCode;
  readonly bytesPerSample: 1 | 2 | 3 | 4 | 8;
  readonly description: string;
}

export const SAMPLE_FORMATS: Readonly<Record<SampleFormatCode, SampleFormatInfo>> = {
  1: { code: 1, bytesPerSample: 4, description: '4-byte IBM floating point' },
  2: { code: 2, bytesPerSample: 4, description: '4-byte two’s complement integer' },
  3: { code: 3, bytesPerSample: 2, description: '2-byte two’s complement integer' },
  5: { code: 5, bytesPerSample: 4, description: '4-byte IEEE floating point' },
  6: { code: 6, bytesPerSample: 8, description: '8-byte IEEE floating point' },
  7: { code: 7, bytesPerSample: 3, description: '3-byte two’s complement integer' },
  8: { code: 8, bytesPerSample: 1, description: '1-byte two’s complement integer' },
  9: { code: 9, bytesPerSample: 8, description: '8-byte two’s complement integer' },
  10: { code: 10, bytesPerSample: 4, description: '4-byte unsigned integer' },
  11: { code: 11, bytesPerSample: 2, description: '2-byte unsigned integer' },
  12: { code: 12, bytesPerSample: 8, description: '8-byte unsigned integer' },
  15: { code: 15, bytesPerSample: 3, description: '3-byte unsigned integer' },
  16: { code: 16, bytesPerSample: 1, description: '1-byte unsigned integer' },
};

export function isSupportedFormat(code: number): code is SampleFormatCode {
  return Object.hasOwn(SAMPLE_FORMATS, code);
}

/** Format codes the standard defines, supported or not: used to judge byte order plausibility. */
export function isStandardFormatCode(code: number): boolean {
  return isSupportedFormat(code) || code === 4;
}

export function sampleFormatInfo(code: number): SampleFormatInfo {
  if (isSupportedFormat(code)) return SAMPLE_FORMATS[code];
  if (code === 4) {
    throw new SegyFormatError(
      'unsupported-format',
      'sample format 4 (4-byte fixed point with gain, obsolete since SEG-Y rev 1) is not supported; ' +
        'convert the file to IEEE or IBM floats with another tool first',
    );
  }
  throw new SegyFormatError(
    'unsupported-format',
    `sample format code ${code} in the binary header (bytes 3225-3226) is not a SEG-Y format ` +
      '(expected 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 15 or 16); force the format if you know it',
  );
}

/** Reused aligned scratch memory: decoding must not allocate per trace. */
let scratch = new ArrayBuffer(1 << 16);
function scratchBytes(length: number): Uint8Array {
  if (scratch.byteLength < length) scratch = new ArrayBuffer(Math.max(length, scratch.byteLength * 2));
  return new Uint8Array(scratch, 0, length);
}

function swapInPlace(bytes: Uint8Array, width: 2 | 4 | 8): void {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (width === 2) buffer.swap16();
  else if (width === 4) buffer.swap32();
  else buffer.swap64();
}

/** Copies `bytes` into `target` and puts multi-byte words into host order. */
function copyToHostOrder(bytes: Uint8Array, target: Uint8Array, width: 2 | 4 | 8, order: ByteOrder): void {
  target.set(bytes.subarray(0, target.byteLength));
  if (order !== HOST_BYTE_ORDER) swapInPlace(target, width);
}

/**
 * Decodes `count` samples of format `format` from `bytes` (file byte order `order`) into `out[outOffset...]`.
 * `bytes` must hold at least count * bytesPerSample bytes.
 */
export function decodeSamples(
  bytes: Uint8Array,
  format: SampleFormatCode,
  order: ByteOrder,
  count: number,
  out: Float32Array,
  outOffset = 0,
): void {
  const target = out.subarray(outOffset, outOffset + count);
  switch (format) {
    case 1:
    case 5:
    case 2:
    case 10:
      decodeFourByte(bytes, format, order, target);
      return;
    case 3:
    case 11:
      decodeTwoByte(bytes, format, order, target);
      return;
    case 6:
    case 9:
    case 12:
      decodeEightByte(bytes, format, order, target);
      return;
    case 7:
    case 15:
      decodeThreeByte(bytes, format === 7, order, target);
      return;
    case 8:
      target.set(new Int8Array(bytes.buffer, bytes.byteOffset, count));
      return;
    case 16:
      target.set(bytes.subarray(0, count));
      return;
  }
}

function decodeFourByte(bytes: Uint8Array, format: 1 | 2 | 5 | 10, order: ByteOrder, target: Float32Array): void {
  // The output memory itself is the aligned buffer: words are converted in place, index by index.
  const words = new Uint8Array(target.buffer, target.byteOffset, target.byteLength);
  copyToHostOrder(bytes, words, 4, order);
  if (format === 5) return;
  const n = target.length;
  if (format === 1) {
    const bits = new Uint32Array(target.buffer, target.byteOffset, n);
    for (let i = 0; i < n; i++) bits[i] = ibmToIeeeBits(bits[i]!);
  } else {
    const ints =
      format === 2
        ? new Int32Array(target.buffer, target.byteOffset, n)
        : new Uint32Array(target.buffer, target.byteOffset, n);
    for (let i = 0; i < n; i++) target[i] = ints[i]!;
  }
}

function decodeTwoByte(bytes: Uint8Array, format: 3 | 11, order: ByteOrder, target: Float32Array): void {
  const aligned = scratchBytes(target.length * 2);
  copyToHostOrder(bytes, aligned, 2, order);
  target.set(
    format === 3 ? new Int16Array(aligned.buffer, 0, target.length) : new Uint16Array(aligned.buffer, 0, target.length),
  );
}

function decodeEightByte(bytes: Uint8Array, format: 6 | 9 | 12, order: ByteOrder, target: Float32Array): void {
  const n = target.length;
  const aligned = scratchBytes(n * 8);
  copyToHostOrder(bytes, aligned, 8, order);
  if (format === 6) {
    target.set(new Float64Array(aligned.buffer, 0, n));
    return;
  }
  const ints = format === 9 ? new BigInt64Array(aligned.buffer, 0, n) : new BigUint64Array(aligned.buffer, 0, n);
  for (let i = 0; i < n; i++) target[i] = Number(ints[i]!);
}

function decodeThreeByte(bytes: Uint8Array, signed: boolean, order: ByteOrder, target: Float32Array): void {
  const [hi, lo] = order === 'big' ? [0, 2] : [2, 0];
  for (let i = 0, p = 0; i < target.length; i++, p += 3) {
    const value = (bytes[p + hi]! << 16) | (bytes[p + 1]! << 8) | bytes[p + lo]!;
    target[i] = signed && value & 0x800000 ? value - 0x1000000 : value;
  }
}

/** Integer ranges for encoding: out-of-range samples are clamped, NaN becomes 0, fractions are rounded. */
const INTEGER_RANGES: Partial<Record<SampleFormatCode, readonly [number, number]>> = {
  2: [-2147483648, 2147483647],
  3: [-32768, 32767],
  7: [-8388608, 8388607],
  8: [-128, 127],
  // Largest doubles that still fit the 64-bit integer types (2^63 itself would wrap).
  9: [-9223372036854775808, 9223372036854774784],
  10: [0, 4294967295],
  11: [0, 65535],
  12: [0, 18446744073709549568],
  15: [0, 16777215],
  16: [0, 255],
};

function toInteger(value: number, format: SampleFormatCode): number {
  const [min, max] = INTEGER_RANGES[format] ?? [-Infinity, Infinity];
  if (Number.isNaN(value)) return 0;
  return Math.min(max, Math.max(min, Math.round(value)));
}

/** Encodes `samples` into `out` (which must hold samples.length * bytesPerSample bytes) in format `format`. */
export function encodeSamples(
  samples: Float32Array,
  format: SampleFormatCode,
  order: ByteOrder,
  out: Uint8Array,
): void {
  const n = samples.length;
  const width = SAMPLE_FORMATS[format].bytesPerSample;
  if (width === 3) {
    encodeThreeByte(samples, format, order, out);
    return;
  }
  const aligned = scratchBytes(n * width);
  fillHostOrder(samples, format, aligned);
  if (width !== 1 && order !== HOST_BYTE_ORDER) swapInPlace(aligned, width);
  out.set(aligned);
}

function fillHostOrder(samples: Float32Array, format: SampleFormatCode, aligned: Uint8Array): void {
  const n = samples.length;
  const buffer = aligned.buffer;
  switch (format) {
    case 1: {
      const source = new Uint32Array(samples.buffer, samples.byteOffset, n);
      const words = new Uint32Array(buffer, 0, n);
      for (let i = 0; i < n; i++) words[i] = ieeeToIbmBits(source[i]!);
      return;
    }
    case 5:
      new Float32Array(buffer, 0, n).set(samples);
      return;
    case 6:
      new Float64Array(buffer, 0, n).set(samples);
      return;
    case 9:
    case 12: {
      const ints = format === 9 ? new BigInt64Array(buffer, 0, n) : new BigUint64Array(buffer, 0, n);
      for (let i = 0; i < n; i++) ints[i] = BigInt(toInteger(samples[i]!, format));
      return;
    }
    default: {
      const ints = integerView(format, buffer, n);
      for (let i = 0; i < n; i++) ints[i] = toInteger(samples[i]!, format);
    }
  }
}

function integerView(
  format: SampleFormatCode,
  buffer: ArrayBufferLike,
  n: number,
): Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array {
  switch (format) {
    case 2:
      return new Int32Array(buffer, 0, n);
    case 10:
      return new Uint32Array(buffer, 0, n);
    case 3:
      return new Int16Array(buffer, 0, n);
    case 11:
      return new Uint16Array(buffer, 0, n);
    case 8:
      return new Int8Array(buffer, 0, n);
    default:
      return new Uint8Array(buffer, 0, n);
  }
}

function encodeThreeByte(samples: Float32Array, format: SampleFormatCode, order: ByteOrder, out: Uint8Array): void {
  const [hi, lo] = order === 'big' ? [0, 2] : [2, 0];
  for (let i = 0, p = 0; i < samples.length; i++, p += 3) {
    const value = toInteger(samples[i]!, format) & 0xffffff;
    out[p + hi] = value >>> 16;
    out[p + 1] = (value >>> 8) & 0xff;
    out[p + lo] = value & 0xff;
  }
}
