/**
 * The miniSEED reader against libmseed 3.4.0's own decoding of the three real files in ../shared/testdata/mseed
 * (REFERENCE.jsonl and reference/*.npy): same segments, same start and end times to the nanosecond, every sample
 * equal, and the same sums accumulated the same way.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENCODINGS } from '../../main/passive/mseed/encodings';
import { readMseedFile } from '../../main/passive/mseed/reader';
import { formatNs } from '../../main/passive/mseed/time';
import { testdataPath } from '../testdata';

interface ReferenceSegment {
  file: string;
  index: number;
  sid: string;
  pubversion: number;
  start: string;
  start_ns: string;
  end: string;
  end_ns: string;
  samprate: number;
  numsamples: number;
  records: number;
  formatversion: number[];
  reclen_min: number;
  reclen_max: number;
  sum: number;
  sumsq: number;
  min: number;
  max: number;
  npy: string;
}

const referenceFile = testdataPath('mseed', 'REFERENCE.jsonl');
const haveReference = existsSync(referenceFile);
if (!haveReference) console.warn(`[mseed-reference] ${referenceFile} not found: libmseed comparisons SKIPPED`);
const reference: ReferenceSegment[] = haveReference
  ? readFileSync(referenceFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as ReferenceSegment)
  : [];

/** The int32 samples of a reference .npy (little-endian '<i4', as the README says all seven are). */
function readInt32Npy(file: string): Int32Array {
  const bytes = readFileSync(file);
  const headerLength = bytes.readUInt16LE(8);
  const header = bytes.subarray(10, 10 + headerLength).toString('latin1');
  expect(header).toContain("'descr': '<i4'");
  const data = bytes.subarray(10 + headerLength);
  return new Int32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

describe.skipIf(!haveReference)('miniSEED reader vs libmseed (real files)', () => {
  const files = [...new Set(reference.map((segment) => segment.file))];

  it.each(files)('%s: channels, segments, times and every sample as libmseed decodes them', async (file) => {
    const contents = await readMseedFile(testdataPath('mseed', file));
    expect(contents.problems).toEqual([]);
    const segments = contents.channels.flatMap((channel) =>
      channel.segments.map((segment) => ({ sourceId: channel.sourceId, segment })),
    );
    const expected = reference.filter((segment) => segment.file === file).sort((a, b) => a.index - b.index);
    expect(segments.length).toBe(expected.length);
    for (const [i, { sourceId, segment }] of segments.entries()) {
      const ref = expected[i]!;
      expect(sourceId).toBe(ref.sid);
      expect(segment.startNs).toBe(BigInt(ref.start_ns));
      expect(segment.endNs).toBe(BigInt(ref.end_ns));
      expect(formatNs(segment.startNs)).toBe(ref.start);
      expect(formatNs(segment.endNs)).toBe(ref.end);
      expect(segment.sampleRate).toBe(ref.samprate);
      expect(segment.recordCount).toBe(ref.records);
      expect(segment.formatVersions).toEqual(ref.formatversion);
      expect(segment.publicationVersions).toEqual([ref.pubversion]);
      expect(segment.recordLengths).toEqual({ min: ref.reclen_min, max: ref.reclen_max });
      expect(segment.encodings).toEqual(['steim2']);
      expect(segment.sampleType).toBe(ENCODINGS.steim2.sampleType);

      const samples = segment.samples as Int32Array;
      const oracle = readInt32Npy(testdataPath('mseed', 'reference', ref.npy));
      expect(samples.length).toBe(ref.numsamples);
      const firstDifference = samples.findIndex((value, k) => value !== oracle[k]);
      expect(firstDifference, `first sample that differs from libmseed: ${firstDifference}`).toBe(-1);
      let sum = 0;
      let sumOfSquares = 0;
      for (const x of samples) {
        sum += x;
        sumOfSquares += x * x;
      }
      expect([sum, sumOfSquares, Math.min(...samples), Math.max(...samples)]).toEqual([
        ref.sum,
        ref.sumsq,
        ref.min,
        ref.max,
      ]);
    }
  });

  it('reads the miniSEED 2 and miniSEED 3 copies of the COLA record to identical channels', async () => {
    const v2 = await readMseedFile(testdataPath('mseed', 'testdata-3channel-signal.mseed2'));
    const v3 = await readMseedFile(testdataPath('mseed', 'testdata-3channel-signal.mseed3'));
    const summary = (channels: typeof v2.channels) =>
      channels.map(({ sourceId, name, segments }) => ({
        sourceId,
        name,
        times: segments.map(({ startNs, endNs }) => [startNs, endNs]),
        samples: segments.map(({ samples }) => Array.from(samples)),
      }));
    expect(summary(v3.channels)).toEqual(summary(v2.channels));
    expect(v2.channels.map(({ name }) => name)).toEqual(['IU.COLA.00.LH1', 'IU.COLA.00.LH2', 'IU.COLA.00.LHZ']);
  });
});
