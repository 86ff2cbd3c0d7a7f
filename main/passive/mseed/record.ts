/**
 * Record headers of miniSEED 2 (SEED 2.4 fixed header + blockettes 100, 1000, 1001; either byte order) and
 * miniSEED 3 (FDSN 2023: little-endian fixed header, source identifier, extra headers, CRC-32C). Parsing reads no
 * samples: it says where the payload is, how it is encoded and which channel and time it belongs to.
 */
import { recordCrc32c } from './crc32c';
import { ENCODINGS, encodingOfCode } from './encodings';
import { type PayloadLocation } from './payload';
import { sourceIdFromCodes } from './sourceId';
import { yearDayToNs } from './time';

export interface MseedRecord {
  /** Position in the file, counted from 1 as a person counts records. */
  number: number;
  /** Byte offset of the record in the file. */
  offset: number;
  length: number;
  formatVersion: 2 | 3;
  /** FDSN source identifier (miniSEED 2 codes are mapped to one). */
  sourceId: string;
  /** Time of the first sample, time correction and blockette 1001 microseconds included. */
  startNs: bigint;
  /** Samples per second (0 where the record has no rate, e.g. text log records). */
  sampleRate: number;
  publicationVersion: number;
  /** Byte order of a miniSEED 2 header; miniSEED 3 headers are always little-endian. */
  headerLittleEndian: boolean;
  payload: PayloadLocation;
}

/** A record parsed, or what is wrong with it and, where the header still tells it, how long it is. */
export type RecordParse = { record: MseedRecord } | { problem: string; length?: number };

export const MSEED2_HEADER_BYTES = 48;
export const MSEED3_HEADER_BYTES = 40;
export const MSEED3_CRC_OFFSET = 28;
const MIN_RECORD_LENGTH = 128;
const MAX_RECORD_LENGTH = 65536;
/** miniSEED 2 quality indicators and the publication versions libmseed maps them to. */
const QUALITY_VERSIONS: Record<string, number> = { R: 1, D: 2, Q: 3, M: 4 };

export function isMseed3Start(bytes: Uint8Array, at: number): boolean {
  return (
    bytes.length - at >= MSEED3_HEADER_BYTES && bytes[at] === 0x4d && bytes[at + 1] === 0x53 && bytes[at + 2] === 3
  );
}

/** The miniSEED 2 header signature of libmseed (MS2_ISVALIDHEADER): sequence digits, quality, valid clock. */
export function isMseed2Start(bytes: Uint8Array, at: number): boolean {
  if (bytes.length - at < MSEED2_HEADER_BYTES) return false;
  for (let i = 0; i < 6; i++) {
    const c = bytes[at + i]!;
    if (!((c >= 0x30 && c <= 0x39) || c === 0x20 || c === 0)) return false;
  }
  const quality = String.fromCharCode(bytes[at + 6]!);
  const reserved = bytes[at + 7];
  return (
    quality in QUALITY_VERSIONS &&
    (reserved === 0x20 || reserved === 0) &&
    bytes[at + 24]! <= 23 &&
    bytes[at + 25]! <= 59 &&
    bytes[at + 26]! <= 60 &&
    mseed2HeaderByteOrder(bytes, at) !== undefined
  );
}

/** Whether a miniSEED 2 or 3 record header starts at `at`. */
export function isRecordStart(bytes: Uint8Array, at: number): boolean {
  return isMseed3Start(bytes, at) || isMseed2Start(bytes, at);
}

/**
 * Parses the record at `at`. `previous` (the record before it) saves rebuilding the source identifier when the
 * channel codes repeat, as they do in most files: it matters at tens of thousands of records per file.
 */
export function parseRecord(bytes: Uint8Array, at: number, number: number, previous?: MseedRecord): RecordParse {
  if (isMseed3Start(bytes, at)) return parseMseed3(bytes, at, number);
  if (isMseed2Start(bytes, at)) return parseMseed2(bytes, at, number, previous);
  return { problem: 'no miniSEED 2 or 3 record header here' };
}

/** 0 (no rate: log records) or a rate a recorder can have; anything else is a damaged header. */
function validSampleRate(rate: number): boolean {
  return rate === 0 || (rate >= 1e-6 && rate <= 1e9);
}

function validYearDay(year: number, day: number): boolean {
  return year >= 1900 && year <= 2100 && day >= 1 && day <= 366;
}

/** Byte order of a miniSEED 2 header, told by which reading of its year and day makes sense (as libmseed does). */
function mseed2HeaderByteOrder(bytes: Uint8Array, at: number): 'big' | 'little' | undefined {
  const [y0, y1, d0, d1] = [bytes[at + 20]!, bytes[at + 21]!, bytes[at + 22]!, bytes[at + 23]!];
  if (validYearDay((y0 << 8) | y1, (d0 << 8) | d1)) return 'big';
  if (validYearDay((y1 << 8) | y0, (d1 << 8) | d0)) return 'little';
  return undefined;
}

/** Whether two miniSEED 2 headers carry the same station, location, channel and network codes (bytes 8-19). */
function sameCodes(bytes: Uint8Array, at: number, other: number): boolean {
  for (let i = 8; i < 20; i++) if (bytes[at + i] !== bytes[other + i]) return false;
  return true;
}

function latin1(bytes: Uint8Array, start: number, length: number): string {
  let text = '';
  for (let i = start; i < start + length; i++) text += String.fromCharCode(bytes[i]!);
  return text.replace(/[\s\0]+$/, '').replace(/^[\s\0]+/, '');
}

/** SEED 2.4's nominal rate from the header's factor and multiplier (libmseed's ms_nomsamprate). */
function nominalSampleRate(factor: number, multiplier: number): number {
  let rate = factor > 0 ? factor : factor < 0 ? -1 / factor : 0;
  if (multiplier > 0) rate *= multiplier;
  else if (multiplier < 0) rate = -rate / multiplier;
  return rate;
}

interface Blockettes {
  encodingCode?: number;
  dataLittleEndian?: boolean;
  recordLength?: number;
  microseconds: number;
  actualSampleRate?: number;
}

function readBlockettes(view: DataView, first: number, headerLittleEndian: boolean): Blockettes | string {
  const found: Blockettes = { microseconds: 0 };
  // Each blockette must lie after the one before (libmseed requires it too), which also ends any loop.
  let previous = 0;
  for (let at = first; at !== 0;) {
    if (at < Math.max(MSEED2_HEADER_BYTES, previous + 4) || at + 4 > view.byteLength) {
      return `blockette chain points to byte ${at}, outside the record or before the blockette it follows`;
    }
    previous = at;
    const type = view.getUint16(at, headerLittleEndian);
    const next = view.getUint16(at + 2, headerLittleEndian);
    if (type === 1000 && at + 8 <= view.byteLength) {
      found.encodingCode = view.getUint8(at + 4);
      found.dataLittleEndian = view.getUint8(at + 5) === 0;
      found.recordLength = 2 ** view.getUint8(at + 6);
    } else if (type === 1001 && at + 8 <= view.byteLength) {
      found.microseconds = view.getInt8(at + 5);
    } else if (type === 100 && at + 8 <= view.byteLength) {
      found.actualSampleRate = view.getFloat32(at + 4, headerLittleEndian);
    }
    at = next;
  }
  return found;
}

/** Without blockette 1000 the length is where the next record starts (a power of two), or the rest of the file. */
function guessRecordLength(bytes: Uint8Array, at: number): number | undefined {
  for (let length = MIN_RECORD_LENGTH; length <= MAX_RECORD_LENGTH; length *= 2) {
    if (at + length === bytes.length || isRecordStart(bytes, at + length)) return length;
  }
  return undefined;
}

function parseMseed2(bytes: Uint8Array, at: number, number: number, previous?: MseedRecord): RecordParse {
  const headerLittleEndian = mseed2HeaderByteOrder(bytes, at) === 'little';
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, Math.min(bytes.length - at, MAX_RECORD_LENGTH));
  const blockettes = readBlockettes(view, view.getUint16(46, headerLittleEndian), headerLittleEndian);
  if (typeof blockettes === 'string') return { problem: blockettes, length: guessRecordLength(bytes, at) };
  const length = blockettes.recordLength ?? guessRecordLength(bytes, at);
  if (length === undefined || length < MIN_RECORD_LENGTH || length > MAX_RECORD_LENGTH) {
    return { problem: `record length ${length ?? 'unknown'} (no valid blockette 1000 and no next record found)` };
  }
  if (at + length > bytes.length) {
    return { problem: `record of ${length} bytes cut short: the file ends ${bytes.length - at} bytes after its start` };
  }
  if (blockettes.encodingCode === undefined) {
    return { problem: 'no blockette 1000: the data encoding is unknown', length };
  }
  const encoding = encodingOfCode(blockettes.encodingCode);
  if (!encoding) return { problem: `data encoding ${blockettes.encodingCode} is not supported`, length };
  const sampleCount = view.getUint16(30, headerLittleEndian);
  const dataOffset = view.getUint16(44, headerLittleEndian);
  if (sampleCount > 0 && (dataOffset < MSEED2_HEADER_BYTES || dataOffset >= length)) {
    return { problem: `data offset ${dataOffset} is outside the ${length}-byte record`, length };
  }
  const le = headerLittleEndian;
  const sourceId =
    previous?.formatVersion === 2 && sameCodes(bytes, at, previous.offset)
      ? previous.sourceId
      : sourceIdFromCodes({
          station: latin1(bytes, at + 8, 5),
          location: latin1(bytes, at + 13, 2),
          channel: latin1(bytes, at + 15, 3),
          network: latin1(bytes, at + 18, 2),
        });
  const fraction = view.getUint16(28, le);
  if (fraction > 9999) return { problem: `time fraction ${fraction} is over 9999 (units of 100 µs)`, length };
  const sampleRate = blockettes.actualSampleRate ?? nominalSampleRate(view.getInt16(32, le), view.getInt16(34, le));
  if (!validSampleRate(sampleRate)) return { problem: `sample rate ${sampleRate} Hz is not a valid rate`, length };
  let startNs = yearDayToNs(
    view.getUint16(20, le),
    view.getUint16(22, le),
    view.getUint8(24),
    view.getUint8(25),
    view.getUint8(26),
    fraction * 100_000 + blockettes.microseconds * 1000,
  );
  // The time correction (units of 100 µs) is applied unless activity flag bit 1 says it already was (SEED 2.4).
  const timeCorrection = view.getInt32(40, le);
  if (timeCorrection !== 0 && (view.getUint8(36) & 0x02) === 0) startNs += BigInt(timeCorrection) * 100_000n;
  return {
    record: {
      number,
      offset: at,
      length,
      formatVersion: 2,
      sourceId,
      startNs,
      sampleRate,
      publicationVersion: QUALITY_VERSIONS[String.fromCharCode(bytes[at + 6]!)]!,
      headerLittleEndian,
      payload: {
        encoding,
        start: at + dataOffset,
        end: at + length,
        sampleCount,
        littleEndian: blockettes.dataLittleEndian ?? headerLittleEndian,
      },
    },
  };
}

function parseMseed3(bytes: Uint8Array, at: number, number: number): RecordParse {
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, MSEED3_HEADER_BYTES);
  const sourceIdLength = view.getUint8(33);
  const extraLength = view.getUint16(34, true);
  const dataLength = view.getUint32(36, true);
  const length = MSEED3_HEADER_BYTES + sourceIdLength + extraLength + dataLength;
  if (at + length > bytes.length) {
    return { problem: `record of ${length} bytes cut short: the file ends ${bytes.length - at} bytes after its start` };
  }
  const storedCrc = view.getUint32(MSEED3_CRC_OFFSET, true);
  const crc = recordCrc32c(bytes, at, at + length, MSEED3_CRC_OFFSET);
  if (crc !== storedCrc) {
    return {
      problem: `CRC-32C mismatch (stored ${hex(storedCrc)}, computed ${hex(crc)}): the record is damaged`,
      length,
    };
  }
  const year = view.getUint16(8, true);
  const day = view.getUint16(10, true);
  const [hour, minute, second] = [view.getUint8(12), view.getUint8(13), view.getUint8(14)];
  const nanosecond = view.getUint32(4, true);
  if (!validYearDay(year, day) || hour > 23 || minute > 59 || second > 60 || nanosecond > 999_999_999) {
    return {
      problem: `start time ${year}-${day} ${hour}:${minute}:${second}.${nanosecond} is not a valid time`,
      length,
    };
  }
  const encoding = encodingOfCode(view.getUint8(15));
  if (!encoding) return { problem: `data encoding ${view.getUint8(15)} is not supported`, length };
  const rateOrPeriod = view.getFloat64(16, true);
  // A negative value is a sample period in seconds.
  const sampleRate = rateOrPeriod < 0 ? -1 / rateOrPeriod : rateOrPeriod;
  if (!validSampleRate(sampleRate)) return { problem: `sample rate ${sampleRate} Hz is not a valid rate`, length };
  const payloadStart = at + MSEED3_HEADER_BYTES + sourceIdLength + extraLength;
  const steim = encoding === ENCODINGS.steim1 || encoding === ENCODINGS.steim2;
  return {
    record: {
      number,
      offset: at,
      length,
      formatVersion: 3,
      sourceId: new TextDecoder().decode(
        bytes.subarray(at + MSEED3_HEADER_BYTES, at + MSEED3_HEADER_BYTES + sourceIdLength),
      ),
      startNs: yearDayToNs(year, day, hour, minute, second, nanosecond),
      sampleRate,
      publicationVersion: view.getUint8(32),
      headerLittleEndian: true,
      // miniSEED 3 payloads are little-endian, except Steim frames, which are big-endian in every version.
      payload: {
        encoding,
        start: payloadStart,
        end: payloadStart + dataLength,
        sampleCount: view.getUint32(24, true),
        littleEndian: !steim,
      },
    },
  };
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
