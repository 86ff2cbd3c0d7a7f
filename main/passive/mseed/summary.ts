/**
 * What a miniSEED file holds, as plain JSON-ready data (times as ISO strings with nanoseconds and as nanosecond
 * strings, since JSON has no bigint): for `promethium mseed info` and for listing recordings.
 */
import { ENCODINGS, type EncodingName, type SampleType } from './encodings';
import { type MseedChannel, type MseedContents, type RecordProblem } from './reader';
import { codesFromSourceId } from './sourceId';
import { formatNs } from './time';

export interface TimeStamp {
  /** ISO 8601 UTC with nine fractional digits. */
  utc: string;
  /** Nanoseconds since 1970-01-01 UTC, as a decimal string. */
  ns: string;
}

export interface ChannelSummary {
  name: string;
  sourceId: string;
  network: string;
  station: string;
  location: string;
  channel: string;
  sampleRates: number[];
  sampleType: SampleType | 'mixed';
  encodings: string[];
  start: TimeStamp;
  end: TimeStamp;
  samples: number;
  segments: number;
  /** Between segments; negative seconds for an overlap. */
  gaps: Array<{ kind: 'gap' | 'overlap'; after: TimeStamp; before: TimeStamp; seconds: number }>;
  recordLengths: { min: number; max: number };
}

export interface MseedFileSummary {
  file: string;
  bytes: number;
  records: number;
  formatVersions: number[];
  /** Byte orders of the record headers (miniSEED 3 headers are always little-endian). */
  byteOrders: Array<'big' | 'little'>;
  channels: ChannelSummary[];
  problems: RecordProblem[];
}

export function timeStamp(ns: bigint): TimeStamp {
  return { utc: formatNs(ns), ns: ns.toString() };
}

export function summarizeMseed(file: string, contents: MseedContents): MseedFileSummary {
  const distinct = <T>(values: T[]): T[] => [...new Set(values)].sort();
  return {
    file,
    bytes: contents.byteLength,
    records: contents.records.length,
    formatVersions: distinct(contents.records.map((record) => record.formatVersion)),
    byteOrders: distinct(contents.records.map((record) => (record.headerLittleEndian ? 'little' : 'big'))),
    channels: contents.channels.filter((channel) => channel.segments.length > 0).map(summarizeChannel),
    problems: contents.problems,
  };
}

function summarizeChannel(channel: MseedChannel): ChannelSummary {
  const { segments } = channel;
  const types = new Set(segments.map((segment) => segment.sampleType));
  const encodings = new Set<EncodingName>(segments.flatMap((segment) => segment.encodings));
  return {
    name: channel.name,
    sourceId: channel.sourceId,
    ...codesFromSourceId(channel.sourceId),
    sampleRates: [...new Set(segments.map((segment) => segment.sampleRate))],
    sampleType: types.size === 1 ? [...types][0]! : 'mixed',
    encodings: [...encodings].map((name) => ENCODINGS[name].label),
    start: timeStamp(segments.reduce((min, s) => (s.startNs < min ? s.startNs : min), segments[0]!.startNs)),
    end: timeStamp(segments.reduce((max, s) => (s.endNs > max ? s.endNs : max), segments[0]!.endNs)),
    samples: segments.reduce((total, segment) => total + segment.samples.length, 0),
    segments: segments.length,
    gaps: channel.gaps.map((gap) => ({
      kind: gap.durationNs >= 0n ? 'gap' : 'overlap',
      after: timeStamp(gap.afterNs),
      before: timeStamp(gap.beforeNs),
      seconds: Number(gap.durationNs) / 1e9,
    })),
    recordLengths: {
      min: Math.min(...segments.map((segment) => segment.recordLengths.min)),
      max: Math.max(...segments.map((segment) => segment.recordLengths.max)),
    },
  };
}
