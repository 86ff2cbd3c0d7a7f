import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeMseed } from './mseed/writer';
import { buildRecordingCache, RecordingCache } from './recordingCache';
import { readSpectrogram } from './recordingSpectrogram';
import { spectrogram } from './spectrogram';

const work = mkdtempSync(path.join(os.tmpdir(), 'promethium-recording-spectrogram-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const T0 = 1_700_000_000_000_000_000n;
const SECOND = 1_000_000_000n;

describe('spectrogram of a recording window', () => {
  it('averages the seed STFT into columns, puts a tone in its bin and leaves a gap blank', async () => {
    // 200 s of a 12.5 Hz tone (bin 32 of 256 at 100 Hz), then 100 s missing, then 100 s more.
    const tone = Float32Array.from({ length: 30_000 }, (_, n) => Math.sin((2 * Math.PI * 12.5 * n) / 100));
    const options = { formatVersion: 3, encoding: 'float32', recordLength: 4096 } as const;
    const file = path.join(work, 'tone.mseed');
    const before = encodeMseed(
      { channel: 'XX.TON.00.HHZ', startNs: T0, sampleRate: 100, samples: tone.subarray(0, 20_000) },
      options,
    );
    const after = encodeMseed(
      { channel: 'XX.TON.00.HHZ', startNs: T0 + 300n * SECOND, sampleRate: 100, samples: tone.subarray(20_000) },
      options,
    );
    writeFileSync(file, new Uint8Array([...before, ...after]));
    await buildRecordingCache([file], path.join(work, 'cache'));
    const cache = await RecordingCache.open(path.join(work, 'cache'));
    const result = await readSpectrogram(cache, {
      sourceId: 'FDSN:XX_TON_00_H_H_Z',
      startNs: T0,
      endNs: T0 + 400n * SECOND,
      columns: 40,
    });
    expect(result).toMatchObject({
      columns: 40,
      columnMs: 10_000,
      settings: { nperseg: 256, noverlap: 192, nfft: 256 },
    });
    expect(result.frequencies.length).toBe(129);
    expect(result.frequencies[32]).toBe(12.5);
    const column = (c: number) => result.decibels.subarray(c * 129, (c + 1) * 129);
    const loudest = (c: number) => column(c).indexOf(Math.max(...column(c)));
    expect([loudest(0), loudest(10), loudest(35)]).toEqual([32, 32, 32]);
    expect(column(25).every(Number.isNaN)).toBe(true);
    // A column is the mean power of its segments: column 5 (50-60 s) from the STFT of the whole first piece.
    const whole = spectrogram(tone.subarray(0, 20_000), { sampleRate: 100 });
    const inColumn = Array.from(whole.times.entries()).filter(([, t]) => t >= 50 && t < 60);
    const mean = inColumn.reduce((sum, [s]) => sum + whole.values[s * 129 + 32]!, 0) / inColumn.length;
    expect(column(5)[32]).toBeCloseTo(10 * Math.log10(mean), 3);
  });
});
