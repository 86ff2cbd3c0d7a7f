import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { toolAvailable } from '../../test/testTools';
import {
  bandpassSections,
  butterworthSections,
  filterForward,
  filterZeroPhase,
  removeLinearTrend,
} from './butterworth';
import { seededRandom } from './random';

const PYTHON = '/usr/bin/python3';
const hasScipy = toolAvailable(
  spawnSync(PYTHON, ['-c', 'import scipy.signal']).status === 0,
  `${PYTHON} cannot import scipy.signal (Debian's python3-scipy)`,
);
if (!hasScipy) console.warn('[butterworth] /usr/bin/python3 has no scipy: the scipy comparisons are SKIPPED');

/** Runs a numpy/scipy expression over `x` (float64) in Python and returns its float64 result. */
function scipy(x: Float64Array, expression: string): Float64Array {
  const script =
    'import sys, numpy as np, scipy.signal as s\n' +
    "x = np.frombuffer(sys.stdin.buffer.read(), dtype='<f8')\n" +
    `sys.stdout.buffer.write(np.ascontiguousarray(${expression}, dtype='<f8').tobytes())`;
  const run = spawnSync(PYTHON, ['-c', script], { input: new Uint8Array(x.buffer), maxBuffer: 1 << 26 });
  expect(run.stderr.toString()).toBe('');
  return new Float64Array(run.stdout.buffer.slice(run.stdout.byteOffset, run.stdout.byteOffset + run.stdout.length));
}

function worstRelativeError(ours: Float64Array, reference: Float64Array): number {
  const scale = reference.reduce((max, v) => Math.max(max, Math.abs(v)), 0);
  return ours.reduce((worst, v, i) => Math.max(worst, Math.abs(v - reference[i]!) / scale), 0);
}

const random = seededRandom(20);
const noise = Float64Array.from({ length: 4000 }, () => (random() - 0.5) * 1000 + 250);

describe('Butterworth sections', () => {
  it.skipIf(!hasScipy)('equal scipy.signal.sosfilt of butter(4, ...) for low-pass and high-pass', () => {
    for (const [kind, corner, fs] of [
      ['lowpass', 5, 100],
      ['highpass', 0.5, 100],
      ['lowpass', 0.1, 1],
    ] as const) {
      const ours = noise.slice();
      filterForward(ours, butterworthSections(kind, corner, fs));
      const btype = kind === 'lowpass' ? 'low' : 'high';
      const reference = scipy(noise, `s.sosfilt(s.butter(4, ${corner}, '${btype}', fs=${fs}, output='sos'), x)`);
      expect(worstRelativeError(ours, reference)).toBeLessThan(1e-9);
    }
  });

  it('passes a tone inside the band unchanged in phase and amplitude and removes one outside it', () => {
    const fs = 100;
    const tone = (hz: number) => Float64Array.from({ length: 6000 }, (_, n) => Math.sin((2 * Math.PI * hz * n) / fs));
    const sections = bandpassSections(1, 10, fs);
    const inside = tone(3);
    filterZeroPhase(inside, sections);
    const expected = tone(3);
    const middle = (a: Float64Array) => a.subarray(2000, 4000);
    const error = middle(inside).reduce((worst, v, i) => Math.max(worst, Math.abs(v - middle(expected)[i]!)), 0);
    expect(error).toBeLessThan(0.01);
    const outside = tone(30);
    filterZeroPhase(outside, sections);
    expect(Math.max(...middle(outside).map(Math.abs))).toBeLessThan(1e-3);
  });

  it('leaves out the corners that do not apply and refuses bands that do not exist', () => {
    expect(bandpassSections(0, 10, 100)).toHaveLength(2);
    expect(bandpassSections(1, 50, 100)).toHaveLength(2);
    expect(bandpassSections(1, 10, 100)).toHaveLength(4);
    expect(() => bandpassSections(5, 2, 100)).toThrow(/0 <= low < high/);
    expect(() => bandpassSections(60, 70, 100)).toThrow(/at or above Nyquist \(50 Hz\)/);
    expect(() => butterworthSections('lowpass', 0, 100)).toThrow(/between 0 and 50 Hz/);
    expect(() => butterworthSections('lowpass', 5, 100, 3)).toThrow(/even number/);
  });
});

describe('linear detrend', () => {
  it.skipIf(!hasScipy)("equals scipy.signal.detrend(x, type='linear')", () => {
    const ours = Float64Array.from(noise, (v, i) => v + 0.37 * i);
    const reference = scipy(ours, "s.detrend(x, type='linear')");
    removeLinearTrend(ours);
    expect(worstRelativeError(ours, reference)).toBeLessThan(1e-9);
  });

  it('removes a straight line exactly', () => {
    const line = Float64Array.from({ length: 100 }, (_, i) => 3 - 0.25 * i);
    removeLinearTrend(line);
    expect(Math.max(...line.map(Math.abs))).toBeLessThan(1e-12);
  });
});
