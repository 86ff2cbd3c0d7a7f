import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../signal/random';
import { type EncodingName } from './encodings';
import { readMseed } from './reader';
import { encodeMseed, MseedWriteError, type MseedWriteOptions } from './writer';

const START_US = 1_267_253_400_069_539_000n; // 2010-02-27T06:50:00.069539Z: microseconds, which miniSEED 2 keeps
const START_NS = START_US + 123n; // nanoseconds, which only miniSEED 3 keeps

function integerWalk(length: number, seed: number, maxStep = 3000): Int32Array {
  const random = seededRandom(seed);
  const samples = new Int32Array(length);
  for (let i = 1; i < length; i++) samples[i] = samples[i - 1]! + Math.round((random() - 0.5) * maxStep);
  return samples;
}

const CASES: Array<[EncodingName, 2 | 3, 'big' | 'little']> = [];
for (const encoding of ['int16', 'int32', 'float32', 'float64', 'steim1', 'steim2'] as const) {
  CASES.push([encoding, 2, 'big'], [encoding, 2, 'little'], [encoding, 3, 'little']);
}

describe('miniSEED writer and reader round trip', () => {
  it.each(CASES)('%s, miniSEED %i, %s-endian: samples, time and rate come back exactly', (encoding, version, order) => {
    const walk = integerWalk(5000, 11);
    const samples =
      encoding === 'float32'
        ? Float32Array.from(walk, (x) => x / 7)
        : encoding === 'float64'
          ? Float64Array.from(walk, (x) => x / 7)
          : encoding === 'int16'
            ? Int32Array.from(walk, (x) => Math.max(-32768, Math.min(32767, x)))
            : walk;
    const startNs = version === 2 ? START_US : START_NS;
    const options: MseedWriteOptions = { formatVersion: version, encoding, byteOrder: order, recordLength: 512 };
    const bytes = encodeMseed({ channel: 'XX.TEST.00.HHZ', startNs, sampleRate: 100, samples }, options);
    const contents = readMseed(bytes);
    expect(contents.problems).toEqual([]);
    expect(contents.records.length).toBeGreaterThan(3);
    expect(contents.records.every((r) => r.headerLittleEndian === (order === 'little'))).toBe(true);
    const [channel] = contents.channels;
    expect(channel?.name).toBe('XX.TEST.00.HHZ');
    expect(channel?.segments.length).toBe(1);
    const segment = channel!.segments[0]!;
    expect(segment.startNs).toBe(startNs);
    expect(segment.sampleRate).toBe(100);
    expect(segment.encodings).toEqual([encoding]);
    expect(Array.from(segment.samples)).toEqual(Array.from(samples));
  });

  it('writes text (a log record) and reads it back as bytes', () => {
    const text = new TextEncoder().encode('GPS lock regained at 06:51; clock drift 12 us');
    for (const formatVersion of [2, 3] as const) {
      const bytes = encodeMseed(
        { channel: 'XX.TEST..LOG', startNs: START_US, sampleRate: 0, samples: text },
        { formatVersion, encoding: 'text' },
      );
      const segment = readMseed(bytes).channels[0]!.segments[0]!;
      expect(segment.sampleType).toBe('text');
      expect(new TextDecoder().decode(segment.samples as Uint8Array)).toBe(
        'GPS lock regained at 06:51; clock drift 12 us',
      );
    }
  });

  it('refuses what the format cannot hold, saying what', () => {
    const write = (samples: Int32Array | Float64Array, encoding: EncodingName, sampleRate = 100) =>
      encodeMseed(
        { channel: 'XX.TEST.00.HHZ', startNs: START_US, sampleRate, samples },
        { formatVersion: 2, encoding },
      );
    expect(() => write(Int32Array.from([0, 40_000]), 'int16')).toThrow(/sample 1 \(40000\) is not an integer/);
    expect(() => write(Float64Array.from([0.5]), 'steim2')).toThrow(MseedWriteError);
    expect(() => write(Int32Array.from([1, 2]), 'int32', 0.3)).toThrow(/whole sample rates or periods/);
    expect(() =>
      encodeMseed(
        { channel: 'XX.TOOLONG.00.HHZ', startNs: START_US, sampleRate: 1, samples: Int32Array.from([1]) },
        { formatVersion: 2, encoding: 'int32' },
      ),
    ).toThrow(/station 'TOOLONG'/);
  });
});
