/**
 * The miniSEED reader on damaged input: cut at every kind of position, bytes flipped at random, random bytes. It must
 * never throw, never hang, and say where the damage is (a record number and a byte offset inside the file).
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readMseed, type MseedContents } from '../../main/passive/mseed/reader';
import { encodeMseed } from '../../main/passive/mseed/writer';
import { seededRandom } from '../../main/signal/random';
import { testdataPath } from '../testdata';

function walk(length: number): Int32Array {
  const random = seededRandom(3);
  const samples = new Int32Array(length);
  for (let i = 1; i < length; i++) samples[i] = samples[i - 1]! + Math.round((random() - 0.5) * 2 ** 12);
  return samples;
}

const written = [
  encodeMseed(
    { channel: 'XX.FUZ.00.HHZ', startNs: 10n ** 18n, sampleRate: 100, samples: walk(4000) },
    { formatVersion: 2, encoding: 'steim2', recordLength: 512, byteOrder: 'little' },
  ),
  encodeMseed(
    { channel: 'XX.FUZ.00.HHZ', startNs: 10n ** 18n, sampleRate: 100, samples: walk(4000) },
    { formatVersion: 3, encoding: 'steim1', recordLength: 700 },
  ),
  encodeMseed(
    { channel: 'XX.FUZ.00.HHZ', startNs: 10n ** 18n, sampleRate: 100, samples: Float64Array.from(walk(2000)) },
    { formatVersion: 2, encoding: 'float64', recordLength: 256 },
  ),
];
const realFile = testdataPath('mseed', 'testdata-3channel-signal.mseed3');
const inputs = existsSync(realFile) ? [...written, new Uint8Array(readFileSync(realFile))] : written;

function readChecked(bytes: Uint8Array): MseedContents {
  const started = performance.now();
  const contents = readMseed(bytes);
  expect(performance.now() - started).toBeLessThan(2000);
  for (const problem of contents.problems) {
    expect(problem.record).toBeGreaterThanOrEqual(1);
    expect(problem.offset).toBeGreaterThanOrEqual(0);
    expect(problem.offset).toBeLessThan(bytes.length);
    expect(problem.message.length).toBeGreaterThan(10);
  }
  return contents;
}

describe('miniSEED reader on damaged input', () => {
  it.each(inputs.map((bytes, i) => [i, bytes] as const))(
    'input %i cut anywhere: the records before the cut load',
    (_, bytes) => {
      const random = seededRandom(1);
      const complete = readMseed(bytes).records;
      for (let trial = 0; trial < 60; trial++) {
        const cut = Math.floor(random() * bytes.length);
        const contents = readChecked(bytes.subarray(0, cut));
        const whole = complete.filter((record) => record.offset + record.length <= cut).length;
        expect(contents.records.length).toBe(whole);
      }
    },
  );

  it.each(inputs.map((bytes, i) => [i, bytes] as const))(
    'input %i with bytes flipped: no crash, damage located',
    (_, bytes) => {
      const random = seededRandom(2);
      for (let trial = 0; trial < 60; trial++) {
        const damaged = bytes.slice();
        for (let flips = 1 + Math.floor(random() * 8); flips > 0; flips--) {
          damaged[Math.floor(random() * damaged.length)] = Math.floor(random() * 256);
        }
        readChecked(damaged);
      }
    },
  );

  it('random bytes, and random bytes after a valid header: no crash', () => {
    const random = seededRandom(4);
    for (let trial = 0; trial < 30; trial++) {
      const noise = Uint8Array.from({ length: 1 + Math.floor(random() * 20_000) }, () => Math.floor(random() * 256));
      readChecked(noise);
      const headed = noise.slice();
      headed.set(written[trial % written.length]!.subarray(0, 64));
      readChecked(headed);
    }
  });
});
