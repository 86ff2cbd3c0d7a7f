/**
 * The miniSEED reader: records of miniSEED 2 and 3 (mixed freely in one file), decoded into one sample array per
 * channel and continuous segment, with the gaps and overlaps between segments.
 *
 * Written here rather than taken from seisplotjs 3.2 (the one maintained JavaScript reader): its times stop at
 * milliseconds where miniSEED 2 records microseconds and miniSEED 3 nanoseconds, its Node entry point needs DOM names
 * defined before import, and it decoded a 3.8 MB day file in about 1 s where libmseed takes 0.15 s; this reader
 * decodes Steim-2 at over 100 MB/s of CPU time (BENCHMARKS.md) and matches libmseed sample for sample
 * (test/integration/mseed-reference.test.ts).
 *
 * A damaged record never fails the file: it is listed in `problems` with its number and byte offset, the reader
 * finds the next record header and goes on, and the channel gets a gap where that record's samples were.
 */
import { readFile } from 'node:fs/promises';
import { allocateSamples, type EncodingName, type SampleType, type Samples } from './encodings';
import { decodePayload } from './payload';
import { isRecordStart, parseRecord, type MseedRecord } from './record';
import { channelName } from './sourceId';
import { sampleTimeNs, withinHalfSample } from './time';

export interface RecordProblem {
  /** Number of the record (from 1); for bytes that are no record, the number a record there would have had. */
  record: number;
  /** Byte offset in the file. */
  offset: number;
  /** 'error': the record's samples are left out; 'warning': they are kept. */
  severity: 'error' | 'warning';
  message: string;
}

export interface MseedSegment {
  startNs: bigint;
  /** Time of the last sample, from the last record's header (as libmseed reports it). */
  endNs: bigint;
  sampleRate: number;
  sampleType: SampleType;
  samples: Samples;
  recordCount: number;
  encodings: EncodingName[];
  formatVersions: Array<2 | 3>;
  recordLengths: { min: number; max: number };
  publicationVersions: number[];
}

/** Time missing between two segments of a channel (positive) or recorded twice (negative: an overlap). */
export interface ChannelGap {
  /** Last sample before the gap, first sample after it. */
  afterNs: bigint;
  beforeNs: bigint;
  /** Time between the expected next sample and the first sample after the gap; negative for an overlap. */
  durationNs: bigint;
}

export interface MseedChannel {
  sourceId: string;
  /** NET.STA.LOC.CHA */
  name: string;
  /** In time order. */
  segments: MseedSegment[];
  gaps: ChannelGap[];
}

export interface MseedContents {
  byteLength: number;
  records: MseedRecord[];
  /** By source identifier. */
  channels: MseedChannel[];
  problems: RecordProblem[];
}

export async function readMseedFile(file: string): Promise<MseedContents> {
  const bytes = await readFile(file);
  return readMseed(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

export function readMseed(bytes: Uint8Array): MseedContents {
  const { records, problems } = scanRecords(bytes);
  const channels = [...groupBy(records, (record) => record.sourceId)]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([sourceId, channelRecords]) => buildChannel(bytes, sourceId, channelRecords, problems));
  problems.sort((a, b) => a.offset - b.offset);
  return { byteLength: bytes.length, records, channels, problems };
}

export function formatProblem(problem: RecordProblem): string {
  return `record ${problem.record} (byte ${problem.offset}): ${problem.message}`;
}

/** Walks the file record by record; after damage, resumes at the next byte where a record header starts. */
function scanRecords(bytes: Uint8Array): { records: MseedRecord[]; problems: RecordProblem[] } {
  const records: MseedRecord[] = [];
  const problems: RecordProblem[] = [];
  let at = 0;
  for (let number = 1; at < bytes.length; number++) {
    const parsed = parseRecord(bytes, at, number, records.at(-1));
    if ('record' in parsed) {
      records.push(parsed.record);
      at += parsed.record.length;
      continue;
    }
    const next = parsed.length !== undefined ? at + parsed.length : nextRecordStart(bytes, at + 1);
    const skipped = next - at;
    problems.push({
      record: number,
      offset: at,
      severity: 'error',
      message: `${parsed.problem}; ${skipped} bytes skipped`,
    });
    at = next;
  }
  return { records, problems };
}

function nextRecordStart(bytes: Uint8Array, from: number): number {
  for (let at = from; at < bytes.length; at++) if (isRecordStart(bytes, at)) return at;
  return bytes.length;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function buildChannel(
  bytes: Uint8Array,
  sourceId: string,
  records: MseedRecord[],
  problems: RecordProblem[],
): MseedChannel {
  const inTime = records.filter((r) => r.payload.sampleCount > 0).sort((a, b) => compareNs(a.startNs, b.startNs));
  const segments = joinRecords(inTime)
    .flatMap((run) => decodeRun(bytes, run, problems))
    .sort((a, b) => compareNs(a.startNs, b.startNs));
  return { sourceId, name: channelName(sourceId), segments, gaps: gapsBetween(segments) };
}

/**
 * Groups records (in time order) into runs where each starts within half a sample of where a run's last record
 * ends and the rates agree to 0.01 % (libmseed's default tolerances). Like libmseed, a record may continue any
 * run, not only the latest, so that an overlap does not cut the recording it overlaps.
 */
function joinRecords(records: readonly MseedRecord[]): MseedRecord[][] {
  const runs: MseedRecord[][] = [];
  for (const record of records) {
    const run = runs.findLast((candidate) => continues(candidate.at(-1)!, record));
    if (run) run.push(record);
    else runs.push([record]);
  }
  return runs;
}

function continues(last: MseedRecord, record: MseedRecord): boolean {
  const rate = last.sampleRate;
  if (rate <= 0 || record.payload.encoding.sampleType !== last.payload.encoding.sampleType) return false;
  if (Math.abs(1 - rate / record.sampleRate) >= 1e-4) return false;
  return withinHalfSample(record.startNs - sampleTimeNs(last.startNs, last.payload.sampleCount, rate), rate);
}

/**
 * Decodes a run of contiguous records into one array. A record that fails to decode is reported and cuts the run
 * in two segments: its samples are missing, a gap.
 */
function decodeRun(bytes: Uint8Array, run: readonly MseedRecord[], problems: RecordProblem[]): MseedSegment[] {
  const type = run[0]!.payload.encoding.sampleType;
  const samples = allocateSamples(
    type,
    run.reduce((total, record) => total + record.payload.sampleCount, 0),
  );
  const segments: MseedSegment[] = [];
  let pieceStart = 0;
  let piece: MseedRecord[] = [];
  let at = 0;
  for (const record of run) {
    try {
      const warning = decodePayload(bytes, record.payload, samples, at);
      if (warning) problems.push(problemOf(record, 'warning', warning));
      piece.push(record);
    } catch (error) {
      problems.push(problemOf(record, 'error', (error as Error).message));
      if (piece.length > 0) segments.push(segmentOf(piece, samples.subarray(pieceStart, at)));
      piece = [];
      pieceStart = at + record.payload.sampleCount;
    }
    at += record.payload.sampleCount;
  }
  if (piece.length > 0) segments.push(segmentOf(piece, samples.subarray(pieceStart, at)));
  return segments;
}

function problemOf(record: MseedRecord, severity: RecordProblem['severity'], message: string): RecordProblem {
  return {
    record: record.number,
    offset: record.offset,
    severity,
    message: `${channelName(record.sourceId)}: ${message}`,
  };
}

function segmentOf(records: readonly MseedRecord[], samples: Samples): MseedSegment {
  const first = records[0]!;
  const distinct = <T>(values: T[]): T[] => [...new Set(values)];
  return {
    startNs: first.startNs,
    endNs: recordEndNs(records.at(-1)!),
    sampleRate: first.sampleRate,
    sampleType: first.payload.encoding.sampleType,
    samples,
    recordCount: records.length,
    encodings: distinct(records.map((record) => record.payload.encoding.name)),
    formatVersions: distinct(records.map((record) => record.formatVersion)),
    recordLengths: {
      min: records.reduce((min, record) => Math.min(min, record.length), Infinity),
      max: records.reduce((max, record) => Math.max(max, record.length), 0),
    },
    publicationVersions: distinct(records.map((record) => record.publicationVersion)),
  };
}

function recordEndNs(record: MseedRecord): bigint {
  return sampleTimeNs(record.startNs, record.payload.sampleCount - 1, record.sampleRate);
}

function gapsBetween(segments: readonly MseedSegment[]): ChannelGap[] {
  const gaps: ChannelGap[] = [];
  for (let i = 1; i < segments.length; i++) {
    const before = segments[i - 1]!;
    const after = segments[i]!;
    const period = before.sampleRate > 0 ? BigInt(Math.round(1e9 / before.sampleRate)) : 0n;
    gaps.push({ afterNs: before.endNs, beforeNs: after.startNs, durationNs: after.startNs - before.endNs - period });
  }
  return gaps;
}

function compareNs(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
