import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../signal/random';
import { encodeMseed, type MseedWriteOptions } from './mseed/writer';
import { buildRecordingCache, RecordingCache } from './recordingCache';

const work = mkdtempSync(path.join(os.tmpdir(), 'promethium-recording-cache-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const T0 = 1_700_000_000_000_000_000n;
const SECOND = 1_000_000_000n;
const STEIM2: MseedWriteOptions = { formatVersion: 3, encoding: 'steim2', recordLength: 1024 };
const random = seededRandom(77);
const hhz = Int32Array.from({ length: 3000 }, () => Math.round((random() - 0.5) * 4000));
const hhn = Float32Array.from({ length: 1000 }, () => random() - 0.5);

/** Three hour-like files of one channel (the third after a 5 s gap), a second channel, and a stray text file. */
function writeSet(dir: string): string[] {
  const files = [
    [
      'a.mseed',
      encodeMseed({ channel: 'XX.STA.00.HHZ', startNs: T0, sampleRate: 100, samples: hhz.subarray(0, 1000) }, STEIM2),
    ],
    [
      'b.mseed',
      encodeMseed(
        { channel: 'XX.STA.00.HHZ', startNs: T0 + 10n * SECOND, sampleRate: 100, samples: hhz.subarray(1000, 2000) },
        STEIM2,
      ),
    ],
    [
      'c.mseed',
      encodeMseed(
        { channel: 'XX.STA.00.HHZ', startNs: T0 + 25n * SECOND, sampleRate: 100, samples: hhz.subarray(2000) },
        STEIM2,
      ),
    ],
    [
      'd.mseed',
      encodeMseed(
        { channel: 'XX.STA.00.HHN', startNs: T0, sampleRate: 100, samples: hhn },
        { ...STEIM2, encoding: 'float32' },
      ),
    ],
    ['notes.txt', new TextEncoder().encode('station visit 2023-11-14: cable replaced')],
  ] as const;
  return files.map(([name, bytes]) => {
    writeFileSync(path.join(dir, name), bytes);
    return path.join(dir, name);
  });
}

describe('recording cache', () => {
  it('indexes a folder of files per channel, with the gaps between files', async () => {
    const files = writeSet(work);
    const dir = path.join(work, 'cache');
    const index = await buildRecordingCache(files, dir);
    expect(existsSync(`${dir}.partial`)).toBe(false);
    expect(index.channels.map((c) => [c.name, c.sampleType, c.pieces.length])).toEqual([
      ['XX.STA.00.HHN', 'float32', 1],
      ['XX.STA.00.HHZ', 'int32', 3],
    ]);
    expect(index.channels[1]!.gaps.map((g) => g.durationNs)).toEqual([5n * SECOND]);
    expect(index.files.map((f) => [path.basename(f.file), f.isMseed])).toEqual([
      ['a.mseed', true],
      ['b.mseed', true],
      ['c.mseed', true],
      ['d.mseed', true],
      ['notes.txt', false],
    ]);
  });

  it('reads windows across files as one array, exactly the recorded samples, and nothing in a gap', async () => {
    const dir = path.join(work, 'cache-windows');
    await buildRecordingCache(writeSet(work), dir);
    const cache = await RecordingCache.open(dir);
    const across = await cache.readWindow('FDSN:XX_STA_00_H_H_Z', T0 + 5n * SECOND, T0 + 15n * SECOND);
    expect(across.map((piece) => [piece.startNs, piece.sampleRate, piece.samples.length])).toEqual([
      [T0 + 5n * SECOND, 100, 1000],
    ]);
    expect(Array.from(across[0]!.samples)).toEqual(Array.from(hhz.subarray(500, 1500)));
    const overGap = await cache.readWindow('FDSN:XX_STA_00_H_H_Z', T0 + 19n * SECOND, T0 + 26n * SECOND);
    expect(overGap.map((piece) => [piece.startNs - T0, piece.samples.length])).toEqual([
      [19n * SECOND, 100],
      [25n * SECOND, 100],
    ]);
    expect(await cache.readWindow('FDSN:XX_STA_00_H_H_Z', T0 + 21n * SECOND, T0 + 24n * SECOND)).toEqual([]);
    const float = await cache.readWindow('FDSN:XX_STA_00_H_H_N', T0, T0 + SECOND);
    expect(float[0]!.samples).toEqual(hhn.subarray(0, 100));
    await expect(cache.readWindow('FDSN:XX_STA_00_H_H_E', T0, T0 + SECOND)).rejects.toThrow(/no channel XX.STA.00.HHE/);
  });
});
