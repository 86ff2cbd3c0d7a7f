/**
 * The miniSEED writer: one channel's samples as miniSEED 2 (fixed records with blockettes 1000 and 1001, either
 * byte order) or miniSEED 3 (variable records up to a maximum length, CRC-32C), in any encoding the reader decodes.
 * Used to export recordings and to make test files of known content (other encodings, byte orders, gaps, overlaps).
 */
import { writeFileAtomically } from '../../files/atomicFile';
import { recordCrc32c } from './crc32c';
import { ENCODINGS, type EncodingInfo, type EncodingName, type Samples } from './encodings';
import { encodePayload } from './payload';
import { MSEED3_CRC_OFFSET, MSEED3_HEADER_BYTES } from './record';
import { codesFromSourceId, parseChannel } from './sourceId';
import { nsToYearDay, sampleTimeNs } from './time';

export class MseedWriteError extends Error {
  override readonly name = 'MseedWriteError';
}

export interface MseedWriteChannel {
  /** `NET.STA.LOC.CHA` or an FDSN source identifier. */
  channel: string;
  startNs: bigint;
  sampleRate: number;
  samples: Samples;
}

export interface MseedWriteOptions {
  formatVersion: 2 | 3;
  encoding: EncodingName;
  /** miniSEED 2: the record length (a power of two, 256 to 8192); miniSEED 3: the largest record. Default 4096. */
  recordLength?: number;
  /** miniSEED 2 only (miniSEED 3 is little-endian by definition): headers and data. Default big. */
  byteOrder?: 'big' | 'little';
  /** 1 to 4 (miniSEED 2 quality R, D, Q, M). Default 2 (D). */
  publicationVersion?: number;
}

const QUALITY_OF_VERSION = ['R', 'D', 'Q', 'M'];
const BLOCKETTE_1000_AT = 48;
const BLOCKETTE_1001_AT = 56;
const MSEED2_DATA_AT = 64;

export function encodeMseed(channel: MseedWriteChannel, options: MseedWriteOptions): Uint8Array {
  const encoding = ENCODINGS[options.encoding];
  const samples = checkedSamples(channel.samples, encoding);
  const recordLength = options.recordLength ?? 4096;
  const records: Uint8Array[] = [];
  for (let from = 0; from < samples.length;) {
    const startNs = sampleTimeNs(channel.startNs, from, channel.sampleRate);
    const record =
      options.formatVersion === 2
        ? encodeMseed2Record(channel, samples, from, startNs, encoding, recordLength, records.length + 1, options)
        : encodeMseed3Record(channel, samples, from, startNs, encoding, recordLength, options);
    if (record.sampleCount === 0) throw new MseedWriteError(`a ${recordLength}-byte record holds no sample`);
    records.push(record.bytes);
    from += record.sampleCount;
  }
  return concat(records);
}

/** Writes the channels, one after the other, atomically (a temporary file renamed to `file` when complete). */
export async function writeMseedFile(
  file: string,
  channels: readonly MseedWriteChannel[],
  options: MseedWriteOptions,
): Promise<void> {
  await writeFileAtomically(file, concat(channels.map((channel) => encodeMseed(channel, options))));
}

/** The samples in the array type the encoding stores, refusing values it cannot hold. */
function checkedSamples(samples: Samples, encoding: EncodingInfo): Samples {
  if (encoding.sampleType === 'text') {
    if (!(samples instanceof Uint8Array)) throw new MseedWriteError('text is written from bytes (a Uint8Array)');
    return samples;
  }
  if (encoding.sampleType === 'float32') return Float32Array.from(samples);
  if (encoding.sampleType === 'float64') return Float64Array.from(samples);
  const [low, high] = encoding.name === 'int16' ? [-32768, 32767] : [-(2 ** 31), 2 ** 31 - 1];
  const bad = samples.findIndex((x: number) => !Number.isInteger(x) || x < low || x > high);
  if (bad >= 0) {
    throw new MseedWriteError(`sample ${bad} (${samples[bad]}) is not an integer that ${encoding.label} can store`);
  }
  return samples instanceof Int32Array ? samples : Int32Array.from(samples);
}

interface EncodedRecord {
  bytes: Uint8Array;
  sampleCount: number;
}

/**
 * SEED 2.4's rate factor and multiplier, for whole rates (100 Hz: 100, 1), whole periods (10 s: -10, 1) and no rate
 * (0, 0: text log records).
 */
function rateFactorMultiplier(rate: number): [number, number] {
  if (rate === 0) return [0, 0];
  if (Number.isInteger(rate) && rate >= 1 && rate <= 32767) return [rate, 1];
  const period = 1 / rate;
  if (Number.isInteger(period) && period <= 32767) return [-period, 1];
  throw new MseedWriteError(
    `miniSEED 2 is written for whole sample rates or periods, not ${rate} Hz: write miniSEED 3`,
  );
}

function fixedText(value: string, length: number, field: string): string {
  if (value.length > length) throw new MseedWriteError(`${field} '${value}' is longer than ${length} characters`);
  return value.padEnd(length, ' ');
}

function encodeMseed2Record(
  channel: MseedWriteChannel,
  samples: Samples,
  from: number,
  startNs: bigint,
  encoding: EncodingInfo,
  recordLength: number,
  number: number,
  options: MseedWriteOptions,
): EncodedRecord {
  if (![256, 512, 1024, 2048, 4096, 8192].includes(recordLength)) {
    throw new MseedWriteError(`miniSEED 2 record length ${recordLength} is not a power of two from 256 to 8192`);
  }
  const le = options.byteOrder === 'little';
  const bytes = new Uint8Array(recordLength);
  const view = new DataView(bytes.buffer);
  const capacity = recordLength - MSEED2_DATA_AT;
  const encoded = encodePayload(encoding, samples, from, bytes, MSEED2_DATA_AT, capacity, false);
  // Encoded big-endian; a little-endian record stores Steim words, like its other numbers, little-endian.
  if (le) swapPayload(bytes, encoding, encoded.byteCount);

  const codes = codesFromSourceId(parseChannel(channel.channel));
  const quality = QUALITY_OF_VERSION[(options.publicationVersion ?? 2) - 1] ?? 'D';
  const text =
    String(number % 1_000_000).padStart(6, '0') +
    quality +
    ' ' +
    fixedText(codes.station, 5, 'station') +
    fixedText(codes.location, 2, 'location') +
    fixedText(codes.channel, 3, 'channel') +
    fixedText(codes.network, 2, 'network');
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  const time = nsToYearDay(startNs);
  view.setUint16(20, time.year, le);
  view.setUint16(22, time.dayOfYear, le);
  view.setUint8(24, time.hour);
  view.setUint8(25, time.minute);
  view.setUint8(26, time.second);
  view.setUint16(28, Math.floor(time.nanosecond / 100_000), le);
  view.setUint16(30, encoded.sampleCount, le);
  const [factor, multiplier] = rateFactorMultiplier(channel.sampleRate);
  view.setInt16(32, factor, le);
  view.setInt16(34, multiplier, le);
  view.setUint8(39, 2); // blockettes 1000 and 1001
  view.setUint16(44, MSEED2_DATA_AT, le);
  view.setUint16(46, BLOCKETTE_1000_AT, le);

  view.setUint16(BLOCKETTE_1000_AT, 1000, le);
  view.setUint16(BLOCKETTE_1000_AT + 2, BLOCKETTE_1001_AT, le);
  view.setUint8(BLOCKETTE_1000_AT + 4, encoding.code);
  view.setUint8(BLOCKETTE_1000_AT + 5, le ? 0 : 1);
  view.setUint8(BLOCKETTE_1000_AT + 6, Math.log2(recordLength));
  view.setUint16(BLOCKETTE_1001_AT, 1001, le);
  // Microseconds below the header's 100 µs units; nanoseconds below that are not representable in miniSEED 2.
  view.setInt8(BLOCKETTE_1001_AT + 5, Math.floor((time.nanosecond % 100_000) / 1000));
  view.setUint8(BLOCKETTE_1001_AT + 7, encoding.sampleBytes === 0 ? encoded.byteCount / 64 : 0);
  return { bytes, sampleCount: encoded.sampleCount };
}

function swapPayload(bytes: Uint8Array, encoding: EncodingInfo, byteCount: number): void {
  const width = encoding.sampleBytes === 0 ? 4 : encoding.sampleBytes;
  if (width === 1) return;
  for (let at = MSEED2_DATA_AT; at < MSEED2_DATA_AT + byteCount; at += width) {
    bytes.subarray(at, at + width).reverse();
  }
}

function encodeMseed3Record(
  channel: MseedWriteChannel,
  samples: Samples,
  from: number,
  startNs: bigint,
  encoding: EncodingInfo,
  maxRecordLength: number,
  options: MseedWriteOptions,
): EncodedRecord {
  const sourceId = new TextEncoder().encode(parseChannel(channel.channel));
  const payloadAt = MSEED3_HEADER_BYTES + sourceId.length;
  const capacity = maxRecordLength - payloadAt;
  if (capacity < 64) throw new MseedWriteError(`a ${maxRecordLength}-byte record leaves no room for samples`);
  const buffer = new Uint8Array(maxRecordLength);
  const steim = encoding.sampleBytes === 0;
  const encoded = encodePayload(encoding, samples, from, buffer, payloadAt, capacity, !steim);
  const bytes = buffer.slice(0, payloadAt + encoded.byteCount);
  const view = new DataView(bytes.buffer);
  const time = nsToYearDay(startNs);
  bytes.set([0x4d, 0x53, 3]);
  view.setUint32(4, time.nanosecond, true);
  view.setUint16(8, time.year, true);
  view.setUint16(10, time.dayOfYear, true);
  view.setUint8(12, time.hour);
  view.setUint8(13, time.minute);
  view.setUint8(14, time.second);
  view.setUint8(15, encoding.code);
  view.setFloat64(16, channel.sampleRate, true);
  view.setUint32(24, encoded.sampleCount, true);
  view.setUint8(32, options.publicationVersion ?? 1);
  view.setUint8(33, sourceId.length);
  view.setUint32(36, encoded.byteCount, true);
  bytes.set(sourceId, MSEED3_HEADER_BYTES);
  view.setUint32(MSEED3_CRC_OFFSET, recordCrc32c(bytes, 0, bytes.length, MSEED3_CRC_OFFSET), true);
  return { bytes, sampleCount: encoded.sampleCount };
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
