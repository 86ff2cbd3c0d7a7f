import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toolAvailable } from '../../test/testTools';
import { seededRandom } from './random';
import { istft, stft, type Stft, type StftSettings } from './stft';

const PYTHON = '/usr/bin/python3';
const hasScipy = toolAvailable(
  spawnSync(PYTHON, ['-c', 'import scipy.signal']).status === 0,
  `${PYTHON} cannot import scipy.signal (Debian's python3-scipy)`,
);
if (!hasScipy) console.warn('[stft] /usr/bin/python3 has no scipy: the scipy comparisons are SKIPPED');

const SEED_SETTINGS: StftSettings = { nperseg: 256, noverlap: 192, nfft: 256 };
const LOW_RATE_SETTINGS: StftSettings = { nperseg: 32, noverlap: 24, nfft: 32 };

function randomSamples(length: number, seed: number): Float64Array {
  const random = seededRandom(seed);
  return Float64Array.from({ length }, () => (random() - 0.5) * 2000 + 300);
}

function largestDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'promethium-stft-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * scipy's STFT of x (frame-major, re/im interleaved) and scipy's inverse of that STFT multiplied by per-value gains (a
 * mask, so that the inverse is checked on an STFT that is not one of a signal).
 */
function scipyTransforms(x: Float64Array, gains: Float64Array, settings: StftSettings) {
  const files = ['x', 'gains', 'zxx', 'inverse'].map((name) => path.join(dir, `${name}.f64`));
  const [input, gainFile, zxxFile, inverseFile] = files as [string, string, string, string];
  writeFileSync(input, x);
  writeFileSync(gainFile, gains);
  const { nperseg, noverlap, nfft } = settings;
  const script =
    'import numpy as np, scipy.signal as s\n' +
    `x = np.fromfile('${input}', dtype='<f8')\n` +
    `kw = dict(fs=1.0, window='hann', nperseg=${nperseg}, noverlap=${noverlap}, nfft=${nfft})\n` +
    'f, t, z = s.stft(x, **kw)\n' +
    'frames = np.ascontiguousarray(z.T)\n' +
    `frames.view('<f8').tofile('${zxxFile}')\n` +
    `gains = np.fromfile('${gainFile}', dtype='<f8').reshape(frames.shape)\n` +
    '_, y = s.istft((frames * gains).T, **kw)\n' +
    `y.astype('<f8').tofile('${inverseFile}')\n`;
  const run = spawnSync(PYTHON, ['-c', script], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  const read = (file: string) => new Float64Array(readFileSync(file).buffer.slice(0));
  return { zxx: read(zxxFile), inverse: read(inverseFile) };
}

function masked(transform: Stft, gains: Float64Array): Stft {
  const values = transform.values.map((value, i) => value * gains[i >> 1]!);
  return { ...transform, values };
}

describe.each([
  ['the seed settings (256/192/256)', SEED_SETTINGS, 5001],
  ['the low-rate settings (32/24/32)', LOW_RATE_SETTINGS, 999],
])('STFT with %s', (_, settings, length) => {
  const x = randomSamples(length, 5);

  it.skipIf(!hasScipy)('equals scipy.signal.stft, and the inverse of a masked STFT equals scipy.signal.istft', () => {
    const ours = stft(x, settings);
    const random = seededRandom(9);
    const gains = Float64Array.from({ length: ours.frames * ours.bins }, () => random());
    const reference = scipyTransforms(x, gains, settings);
    expect(ours.values.length).toBe(reference.zxx.length);
    const peak = Math.max(...reference.zxx.map(Math.abs));
    expect(largestDifference(ours.values, reference.zxx) / peak).toBeLessThan(1e-12);
    const inverse = istft(masked(ours, gains));
    expect(inverse.length).toBe(reference.inverse.length);
    expect(largestDifference(inverse, reference.inverse)).toBeLessThan(1e-9);
  });

  it('returns the samples unchanged through the forward and inverse transforms', () => {
    const transform = stft(x, settings);
    expect(transform.bins).toBe(settings.nfft / 2 + 1);
    const back = istft(transform);
    const hop = settings.nperseg - settings.noverlap;
    expect(back.length).toBeGreaterThanOrEqual(length);
    expect(back.length - length).toBeLessThan(hop); // the end padding, zeros
    expect(largestDifference(back.subarray(0, length), x)).toBeLessThan(1e-9);
    expect(largestDifference(back.subarray(length), new Float64Array(back.length - length))).toBeLessThan(1e-9);
  });
});

describe('STFT settings', () => {
  it('puts frame k at sample k * hop: a spike at sample 640 is in the middle of frame 10', () => {
    const x = new Float64Array(2000);
    x[640] = 1;
    const transform = stft(x, SEED_SETTINGS);
    const energy = (frame: number) => Math.hypot(...transform.values.subarray(2 * frame * 129, 2 * (frame + 1) * 129));
    const frames = Array.from({ length: transform.frames }, (_, k) => energy(k));
    expect(frames.indexOf(Math.max(...frames))).toBe(10);
  });

  it('refuses settings that define no STFT, and an STFT whose size does not match its settings', () => {
    const x = new Float64Array(1000);
    expect(() => stft(x, { ...SEED_SETTINGS, noverlap: 256 })).toThrow(/noverlap must be 0 to nperseg - 1/);
    expect(() => stft(x, { ...SEED_SETTINGS, nfft: 300 })).toThrow(/power of two/);
    const transform = stft(x, SEED_SETTINGS);
    expect(() => istft({ ...transform, bins: 65 })).toThrow(/does not match nfft 256/);
  });
});
