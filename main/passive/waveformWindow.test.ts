import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../signal/random';
import { encodeMseed } from './mseed/writer';
import { buildRecordingCache, RecordingCache } from './recordingCache';
import { readWaveform } from './waveformWindow';

const work = mkdtempSync(path.join(os.tmpdir(), 'promethium-waveform-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const T0 = 1_700_000_000_000_000_000n;
const SECOND = 1_000_000_000n;
const HHZ = 'FDSN:XX_STA_00_H_H_Z';
const random = seededRandom(3);
/** 60 s at 100 Hz in two files, then a 10 s gap and 20 s more: a tone at 5 Hz on an offset and a slope, plus noise. */
const samples = Int32Array.from({ length: 8000 }, (_, n) =>
  Math.round(5000 + 2 * n + 1000 * Math.sin((2 * Math.PI * 5 * n) / 100) + (random() - 0.5) * 10),
);
let cache: RecordingCache;

beforeAll(async () => {
  const options = { formatVersion: 2, encoding: 'steim2', recordLength: 512 } as const;
  const parts: [string, bigint, Int32Array][] = [
    ['a.mseed', T0, samples.subarray(0, 3000)],
    ['b.mseed', T0 + 30n * SECOND, samples.subarray(3000, 6000)],
    ['c.mseed', T0 + 70n * SECOND, samples.subarray(6000)],
  ];
  const files = parts.map(([name, startNs, part]) => {
    const file = path.join(work, name);
    writeFileSync(file, encodeMseed({ channel: 'XX.STA.00.HHZ', startNs, sampleRate: 100, samples: part }, options));
    return file;
  });
  await buildRecordingCache(files, path.join(work, 'cache'));
  cache = await RecordingCache.open(path.join(work, 'cache'));
});

const window = { sourceId: HHZ, detrend: false, bandpass: null } as const;

describe('waveform windows', () => {
  it('gives the samples themselves when the window has fewer samples than columns, across files', async () => {
    const trace = await readWaveform(cache, {
      ...window,
      startNs: T0 + 29n * SECOND,
      endNs: T0 + 31n * SECOND,
      columns: 400,
    });
    expect(trace.samplesPerColumn).toBe(1);
    expect(trace.pieces).toHaveLength(1);
    const [piece] = trace.pieces;
    expect(piece!.startMs).toBe(Number((T0 + 29n * SECOND) / 1_000_000n));
    expect(piece!.stepMs).toBe(10);
    expect(Array.from(piece!.min)).toEqual(Array.from(samples.subarray(2900, 3100)));
    expect(piece!.max).toEqual(piece!.min);
  });

  it('reduces a long window to min/max columns that keep every extreme, and leaves the gap empty', async () => {
    const trace = await readWaveform(cache, { ...window, startNs: T0, endNs: T0 + 90n * SECOND, columns: 300 });
    expect(trace.samplesPerColumn).toBe(30);
    expect(trace.pieces.map((p) => [p.startMs - Number(T0 / 1_000_000n), p.min.length])).toEqual([
      [0, 200],
      [70_000, 67],
    ]);
    const first = trace.pieces[0]!;
    expect(first.min[1]).toBe(Math.min(...samples.subarray(30, 60)));
    expect(first.max[1]).toBe(Math.max(...samples.subarray(30, 60)));
    expect(Math.max(...trace.pieces[1]!.max)).toBe(Math.max(...samples.subarray(6000)));
  });

  it('detrends and bandpasses before reducing: the 5 Hz tone is left, without offset or slope', async () => {
    const trace = await readWaveform(cache, {
      ...window,
      startNs: T0 + 20n * SECOND,
      endNs: T0 + 40n * SECOND,
      columns: 4000,
      detrend: true,
      bandpass: [2, 8],
    });
    const values = trace.pieces[0]!.min;
    expect(values.length).toBe(2000);
    expect(Math.max(...values)).toBeGreaterThan(950);
    expect(Math.max(...values)).toBeLessThan(1050);
    expect(Math.abs(values.reduce((sum, v) => sum + v, 0) / values.length)).toBeLessThan(5);
  });
});
