import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deriveSeed } from '../signal/random';
import { velocityModel } from '../synth/velocityModels';
import { dumpWithSegyio, segyioAvailable } from '../../test/integration/segyOracle';
import { NpyReader } from '../files/npy';
import { runSynthCommand } from './synth';
import { UsageError } from './usageError';
import { writeVelocityDataset } from './velocitySynth';

const dir = mkdtempSync(path.join(tmpdir(), 'promethium-velocity-synth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('promethium synth --kind velocity', () => {
  it('writes an OpenFWI-layout pair: shots [1, 5, 1000, 70] modelled over the seeded model [1, 1, 70, 70], and the shots as SEG-Y', async () => {
    const out = path.join(dir, 'flat');
    const text = await runSynthCommand({ out, kind: 'velocity', family: 'flat', count: 1, seed: 4, shotSegy: true });
    expect(text).toMatch(/wrote 1 flat samples .* data1\.npy\n {2}model1\.npy\n {2}shots1\.sgy/s);
    expect(readdirSync(out).sort()).toEqual(['data1.npy', 'model1.npy', 'shots1.sgy']);
    const models = NpyReader.open(path.join(out, 'model1.npy'));
    const data = NpyReader.open(path.join(out, 'data1.npy'));
    expect(models.shape).toEqual([1, 1, 70, 70]);
    expect(data.shape).toEqual([1, 5, 1000, 70]);
    const model = models.readItems(0, 1);
    expect(model).toEqual(velocityModel('flat', deriveSeed(4, 'flat', 0), 70, 70));
    // Shot 3 (source at column 34): the direct wave crosses from receiver 39 (50 m away) to receiver 49 (150 m) in
    // 100 m / v_top, the lag of the two traces' cross-correlation peak.
    const shots = data.readItems(0, 1);
    const trace = (receiver: number) => Array.from({ length: 1000 }, (_, n) => shots[2 * 70_000 + n * 70 + receiver]!);
    const [near, far] = [trace(39), trace(49)];
    let bestLag = 0;
    let best = -Infinity;
    for (let lag = 0; lag < 200; lag++) {
      let sum = 0;
      for (let n = 0; n + lag < 1000; n++) sum += near[n]! * far[n + lag]!;
      if (sum > best) [best, bestLag] = [sum, lag];
    }
    expect(Math.abs(bestLag - (100 / model[0]!) * 1000)).toBeLessThanOrEqual(2);
    if (segyioAvailable()) {
      // The SEG-Y holds the same samples, shot after shot, channel after channel (segyio as the oracle).
      const segy = dumpWithSegyio(path.join(out, 'shots1.sgy'), 'big');
      expect([segy.traceCount, segy.samples, segy.interval]).toEqual([350, 1000, 1000]);
      expect(segy.headers.fieldRecord.filter((_, t) => t % 70 === 0)).toEqual([1, 2, 3, 4, 5]);
      const samples = new Float32Array(segy.sampleBits.buffer);
      const expected = Float32Array.from({ length: 350 * 1000 }, (_, k) => {
        const [trace, n] = [Math.floor(k / 1000), k % 1000];
        return shots[Math.floor(trace / 70) * 70_000 + n * 70 + (trace % 70)]!;
      });
      expect(samples).toEqual(expected);
    }
    models.close();
    data.close();
  }, 60_000);

  it('refuses an unknown family and a count of zero', () => {
    const out = path.join(dir, 'bad');
    expect(() => writeVelocityDataset({ out, family: 'salt' })).toThrow(
      new UsageError("family 'salt': expected flat, curved, flatfault, curvefault, style"),
    );
    expect(() => writeVelocityDataset({ out, count: 0 })).toThrow(/--count 0: give a whole number of samples >= 1/);
  });
});
