import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../signal/random';
import { decodeSteim, encodeSteim, SteimError, steimLastSample } from './steim';

/** A random walk (kept within ±2^30) whose steps span every Steim packing width, from 1 bit to `maxBits`. */
function walk(length: number, maxBits: number, seed: number): Int32Array {
  const random = seededRandom(seed);
  const samples = new Int32Array(length);
  for (let i = 1; i < length; i++) {
    const bits = 1 + Math.floor(random() * maxBits);
    const step = Math.floor((random() - 0.5) * 2 ** bits);
    samples[i] = Math.abs(samples[i - 1]! + step) < 2 ** 30 ? samples[i - 1]! + step : samples[i - 1]! - step;
  }
  return samples;
}

function roundTrip(level: 1 | 2, samples: Int32Array, frames: number): Int32Array {
  const bytes = new Uint8Array(frames * 64);
  const { sampleCount, frameCount } = encodeSteim(level, samples, 0, bytes, 0, frames);
  expect(sampleCount).toBe(samples.length);
  const out = new Int32Array(sampleCount);
  expect(decodeSteim(level, bytes, 0, frameCount * 64, sampleCount, out, 0)).toBe(sampleCount);
  expect(steimLastSample(bytes, 0)).toBe(samples.at(-1));
  return out;
}

describe('Steim compression', () => {
  it('Steim-2 round-trips steps of every width from 4 to 30 bits', () => {
    const samples = walk(5000, 29, 7);
    expect(roundTrip(2, samples, 400)).toEqual(samples);
  });

  it('Steim-1 round-trips steps of every width, including the full 32-bit range', () => {
    const samples = walk(3000, 30, 8);
    samples.set([2 ** 31 - 1, -(2 ** 31), 0, -(2 ** 31), 2 ** 31 - 1], 1000);
    expect(roundTrip(1, samples, 400)).toEqual(samples);
  });

  it('stops where the frames are full and says how many samples fitted', () => {
    const samples = walk(10_000, 20, 9);
    const bytes = new Uint8Array(7 * 64);
    const { sampleCount, frameCount } = encodeSteim(2, samples, 0, bytes, 0, 7);
    expect(frameCount).toBe(7);
    expect(sampleCount).toBeGreaterThan(7 * 13);
    const out = new Int32Array(sampleCount);
    decodeSteim(2, bytes, 0, bytes.length, sampleCount, out, 0);
    expect(out).toEqual(samples.subarray(0, sampleCount));
  });

  it('refuses a step beyond Steim-2 30 bits, naming the sample', () => {
    const samples = Int32Array.from([0, 2 ** 29, 0]);
    expect(() => encodeSteim(2, samples, 0, new Uint8Array(64), 0, 1)).toThrow(/sample 1: a step of 536870912/);
  });

  it('rejects an undefined Steim-2 sub-code with the frame and word', () => {
    const bytes = new Uint8Array(64);
    new DataView(bytes.buffer).setUint32(0, 0b00_00_00_10 << 24, false); // word 3 packed with code 2
    bytes[12] = 0; // sub-code 0 is undefined for code 2
    expect(() => decodeSteim(2, bytes, 0, 64, 5, new Int32Array(5), 0)).toThrow(SteimError);
    expect(() => decodeSteim(2, bytes, 0, 64, 5, new Int32Array(5), 0)).toThrow(/frame 1, word 3/);
  });
});
