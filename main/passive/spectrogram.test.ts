import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../signal/random';
import { toolAvailable } from '../../test/testTools';
import { spectrogram } from './spectrogram';

const PYTHON = '/usr/bin/python3';
const hasScipy = toolAvailable(
  spawnSync(PYTHON, ['-c', 'import scipy.signal']).status === 0,
  `${PYTHON} cannot import scipy.signal (Debian's python3-scipy)`,
);
if (!hasScipy) console.warn('[spectrogram] /usr/bin/python3 has no scipy: the scipy comparison is SKIPPED');

describe('spectrogram', () => {
  it('puts a cosine on its frequency bin with the Hann-window density computed by hand', () => {
    // 7.8125 Hz = bin 20 of a 256-point FFT at 100 Hz; an offset of 1000 counts, removed by the detrend.
    const fs = 100;
    const samples = Float64Array.from({ length: 2000 }, (_, n) => 1000 + Math.cos((2 * Math.PI * 20 * n) / 256));
    const { values, frequencies, times } = spectrogram(samples, { sampleRate: fs });
    expect(frequencies[20]).toBe(7.8125);
    expect(frequencies.length).toBe(129);
    expect(times.length).toBe(Math.floor((2000 - 192) / 64));
    expect([times[0], times[1]]).toEqual([1.28, 1.92]);
    // Periodic Hann: sum(w) = N/2, sum(w^2) = 3N/8, so the cosine's bin holds N/(3 fs), each neighbour N/(12 fs).
    const column = values.subarray(5 * 129, 6 * 129);
    expect(column[20]).toBeCloseTo(256 / 300, 5);
    expect(column[19]).toBeCloseTo(256 / 1200, 5);
    expect(column[21]).toBeCloseTo(256 / 1200, 5);
    const elsewhere = Array.from(column).filter((_, f) => Math.abs(f - 20) > 1);
    expect(Math.max(...elsewhere)).toBeLessThan(1e-12);
  });

  it('gives decibels as 10 log10 of the density', () => {
    const samples = Float64Array.from({ length: 512 }, (_, n) => Math.cos((2 * Math.PI * 20 * n) / 256));
    const density = spectrogram(samples, { sampleRate: 100 }).values;
    const decibels = spectrogram(samples, { sampleRate: 100, decibels: true }).values;
    expect(decibels[20]).toBeCloseTo(10 * Math.log10(density[20]!), 4);
    expect(Math.min(...decibels)).toBeGreaterThanOrEqual(-300);
  });

  it.skipIf(!hasScipy)('equals scipy.signal.spectrogram (hann, 256/192/256, density) on random data', () => {
    const random = seededRandom(42);
    const samples = Float64Array.from({ length: 5000 }, () => (random() - 0.5) * 2000 + 300);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'promethium-spectrogram-'));
    try {
      const input = path.join(dir, 'x.f64');
      const output = path.join(dir, 'sxx.f64');
      writeFileSync(input, samples);
      const script =
        'import numpy as np, scipy.signal as s, sys\n' +
        `x = np.fromfile('${input}', dtype='<f8')\n` +
        "f, t, sxx = s.spectrogram(x, fs=40.0, window='hann', nperseg=256, noverlap=192, nfft=256)\n" +
        `np.ascontiguousarray(sxx.T).astype('<f8').tofile('${output}')\n` +
        'print(len(f), len(t), t[0], t[-1])';
      const run = spawnSync(PYTHON, ['-c', script], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      const ours = spectrogram(samples, { sampleRate: 40 });
      expect(run.stdout.trim()).toBe(`129 ${ours.times.length} ${ours.times[0]} ${ours.times.at(-1)}`);
      const reference = new Float64Array(readFileSync(output).buffer.slice(0));
      expect(ours.values.length).toBe(reference.length);
      let worst = 0;
      reference.forEach((value, k) => {
        worst = Math.max(worst, Math.abs(ours.values[k]! - value) / Math.max(value, 1e-9));
      });
      expect(worst).toBeLessThan(1e-5); // float32 output
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses settings that define no spectrogram', () => {
    const samples = new Float64Array(1000);
    expect(() => spectrogram(samples.subarray(0, 100), { sampleRate: 100 })).toThrow(/at least 256 samples, not 100/);
    expect(() => spectrogram(samples, { sampleRate: 100, noverlap: 256 })).toThrow(/noverlap must be 0 to nperseg - 1/);
    expect(() => spectrogram(samples, { sampleRate: 100, nfft: 300 })).toThrow(/power of two/);
    expect(() => spectrogram(samples, { sampleRate: 0 })).toThrow(/sample rate must be positive/);
  });
});
