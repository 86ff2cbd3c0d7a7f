import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../signal/random';
import { formatProblem, readMseed } from './reader';
import { encodeMseed, type MseedWriteChannel, type MseedWriteOptions } from './writer';

const T0 = 1_267_253_400_000_000_000n; // 2010-02-27T06:50:00Z
const SECOND = 1_000_000_000n;
const V2: MseedWriteOptions = { formatVersion: 2, encoding: 'steim2', recordLength: 512 };
const V3: MseedWriteOptions = { formatVersion: 3, encoding: 'steim2', recordLength: 512 };

function piece(channel: string, startNs: bigint, length: number, seed: number): MseedWriteChannel {
  const random = seededRandom(seed);
  const samples = new Int32Array(length);
  for (let i = 1; i < length; i++) samples[i] = samples[i - 1]! + Math.round((random() - 0.5) * 500);
  return { channel, startNs, sampleRate: 100, samples };
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  parts.reduce((at, part) => (out.set(part, at), at + part.length), 0);
  return out;
}

describe('readMseed', () => {
  it('splits a channel at gaps and overlaps and measures them', () => {
    const first = piece('XX.STA.00.HHZ', T0, 1000, 1); // 10 s: last sample at T0 + 9.99 s
    const afterGap = piece('XX.STA.00.HHZ', T0 + 15n * SECOND, 1000, 2); // 5 s missing
    const overlapping = piece('XX.STA.00.HHZ', T0 + 23n * SECOND, 500, 3); // 2 s recorded twice
    const contents = readMseed(concat(...[first, afterGap, overlapping].map((p) => encodeMseed(p, V2))));
    const [channel] = contents.channels;
    expect(channel!.segments.map((s) => [s.startNs - T0, s.samples.length])).toEqual([
      [0n, 1000],
      [15n * SECOND, 1000],
      [23n * SECOND, 500],
    ]);
    expect(channel!.gaps.map((g) => g.durationNs)).toEqual([5n * SECOND, -2n * SECOND]);
    expect(Array.from(channel!.segments[1]!.samples)).toEqual(Array.from(afterGap.samples));
  });

  it('joins records given out of order and keeps channels apart, listed by source id', () => {
    const z = encodeMseed(piece('XX.STA.00.HHZ', T0, 3000, 4), V2);
    const n = encodeMseed(piece('XX.STA.00.HHN', T0, 3000, 5), V3);
    const records = (bytes: Uint8Array) =>
      Array.from({ length: bytes.length / 512 }, (_, k) => bytes.subarray(k * 512, (k + 1) * 512));
    const shuffled = concat(...records(z).reverse(), n);
    const contents = readMseed(shuffled);
    expect(contents.problems).toEqual([]);
    expect(contents.channels.map((c) => [c.name, c.segments.length, c.segments[0]!.samples.length])).toEqual([
      ['XX.STA.00.HHN', 1, 3000],
      ['XX.STA.00.HHZ', 1, 3000],
    ]);
    expect(Array.from(contents.channels[1]!.segments[0]!.samples)).toEqual(
      Array.from(piece('XX.STA.00.HHZ', T0, 3000, 4).samples),
    );
  });

  it('joins miniSEED 2 and miniSEED 3 records of one channel in one file', () => {
    const whole = piece('XX.STA.00.HHZ', T0, 2000, 6);
    const head = { ...whole, samples: whole.samples.subarray(0, 1000) };
    const tail = { ...whole, startNs: T0 + 10n * SECOND, samples: whole.samples.subarray(1000) };
    const [channel] = readMseed(concat(encodeMseed(head, V2), encodeMseed(tail, V3))).channels;
    expect(channel!.segments.length).toBe(1);
    expect(channel!.segments[0]!.formatVersions).toEqual([2, 3]);
    expect(Array.from(channel!.segments[0]!.samples)).toEqual(Array.from(whole.samples));
  });

  it('applies a miniSEED 2 time correction unless the activity flag says it was applied', () => {
    const bytes = encodeMseed(piece('XX.STA.00.HHZ', T0, 100, 7), V2);
    const view = new DataView(bytes.buffer);
    view.setInt32(40, 1234, false); // +0.1234 s
    expect(readMseed(bytes).channels[0]!.segments[0]!.startNs).toBe(T0 + 123_400_000n);
    bytes[36] = 0x02;
    expect(readMseed(bytes).channels[0]!.segments[0]!.startNs).toBe(T0);
  });

  it('reports a damaged miniSEED 2 record by number and offset and still loads the others', () => {
    const bytes = encodeMseed(piece('XX.STA.00.HHZ', T0, 3000, 8), V2);
    const recordCount = bytes.length / 512;
    bytes.fill(0xff, 2 * 512, 2 * 512 + 48); // record 3's header
    const contents = readMseed(bytes);
    expect(contents.problems.map(formatProblem)).toEqual([
      'record 3 (byte 1024): no miniSEED 2 or 3 record header here; 512 bytes skipped',
    ]);
    expect(contents.records.length).toBe(recordCount - 1);
    const [channel] = contents.channels;
    expect(channel!.segments.length).toBe(2);
    expect(channel!.gaps[0]!.durationNs).toBeGreaterThan(0n);
  });

  it('catches a damaged miniSEED 3 record by its CRC and a damaged Steim payload by its frames', () => {
    const bytes = encodeMseed(piece('XX.STA.00.HHZ', T0, 3000, 9), V3);
    const second = readMseed(bytes).records[1]!;
    bytes[second.payload.start + 100]! ^= 0x10;
    const contents = readMseed(bytes);
    expect(contents.problems).toHaveLength(1);
    expect(formatProblem(contents.problems[0]!)).toMatch(
      new RegExp(`^record 2 \\(byte ${second.offset}\\): CRC-32C mismatch \\(stored 0x[0-9a-f]{8}, computed`),
    );
    expect(contents.channels[0]!.segments.length).toBe(2);
  });

  it('keeps the samples of a record that fails the Steim integrity check, with a warning', () => {
    const bytes = encodeMseed(piece('XX.STA.00.HHZ', T0, 300, 10), V2);
    new DataView(bytes.buffer).setInt32(64 + 8, 123456, false); // Xn of record 1
    const contents = readMseed(bytes);
    expect(contents.problems).toEqual([
      {
        record: 1,
        offset: 0,
        severity: 'warning',
        message: expect.stringMatching(
          /^XX.STA.00.HHZ: Steim-2 integrity check failed: last sample .*, frame says 123456$/,
        ),
      },
    ]);
    expect(contents.channels[0]!.segments[0]!.samples.length).toBe(300);
  });

  it('reports a file cut inside its last record', () => {
    const bytes = encodeMseed(piece('XX.STA.00.HHZ', T0, 3000, 11), V2);
    const cut = bytes.subarray(0, bytes.length - 200);
    const contents = readMseed(cut);
    expect(contents.problems.map(formatProblem)).toEqual([
      `record ${bytes.length / 512} (byte ${bytes.length - 512}): record of 512 bytes cut short: the file ends 312 bytes after its start; 312 bytes skipped`,
    ]);
  });

  it('finds nothing in bytes that are not miniSEED, and says so', () => {
    const contents = readMseed(new TextEncoder().encode('this is a SEG-Y text header, not miniSEED'.repeat(20)));
    expect(contents.channels).toEqual([]);
    expect(contents.problems.map(formatProblem)).toEqual([
      'record 1 (byte 0): no miniSEED 2 or 3 record header here; 820 bytes skipped',
    ]);
  });

  it('refuses a record whose blockette 100 gives no usable sample rate', () => {
    const bytes = encodeMseed(piece('XX.STA.00.HHZ', T0, 100, 12), V2);
    const view = new DataView(bytes.buffer);
    // The writer's chain is 48 (blockette 1000) -> 56 (1001); turn 1001 into a blockette 100 holding NaN.
    view.setUint16(56, 100, false);
    view.setFloat32(60, NaN, false);
    expect(readMseed(bytes).problems.map(formatProblem)).toEqual([
      'record 1 (byte 0): sample rate NaN Hz is not a valid rate; 512 bytes skipped',
    ]);
  });
});
