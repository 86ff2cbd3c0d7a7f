import { describe, expect, it } from 'vitest';
import { seededRandom } from '../signal/random';
import { ibmToIeeeBits, ieeeToIbmBits } from './ibm';

const bitsOf = (value: number): number => new Uint32Array(Float32Array.of(value).buffer)[0]!;
const valueOf = (bits: number): number => new Float32Array(Uint32Array.of(bits).buffer)[0]!;

/** Uniform 32-bit words from the project's seeded generator (its [0, 1) values times 2^32 are exact integers). */
function prng(seed: number): () => number {
  const random = seededRandom(seed);
  return () => random() * 4294967296;
}

describe('IBM float conversion', () => {
  it.each([
    [0x42640000, 100],
    [0x42390000, 57],
    [0xc276a000, -118.625],
    [0x41100000, 1],
    [0xc1100000, -1],
    [0x40800000, 0.5],
    [0x3f100000, 1 / 16 ** 2],
    [0x00000000, 0],
  ])('decodes 0x%s exactly', (ibm, expected) => {
    expect(valueOf(ibmToIeeeBits(ibm))).toBe(expected);
    expect(ieeeToIbmBits(bitsOf(expected))).toBe(ibm);
  });

  it('flushes magnitudes below the float range to +0 and marks overflow like segyio (0x7fffffff with the sign)', () => {
    expect(ibmToIeeeBits(0x80000000)).toBe(0);
    expect(ibmToIeeeBits(0x00100000)).toBe(0);
    expect(ibmToIeeeBits(0x7fffffff)).toBe(0x7fffffff);
    expect(ibmToIeeeBits(0xffffffff)).toBe(0xffffffff);
  });

  it('decodes unnormalised words (leading hex digit 0) the way segyio does', () => {
    // From 00001034.sgy_first_trace, sample 21: segyio gives bits 0xad240660 for IBM 0xb80480cc.
    expect(ibmToIeeeBits(0xb80480cc)).toBe(0xad240660);
  });

  it('maps NaN and infinity to the largest IBM value', () => {
    expect(ieeeToIbmBits(bitsOf(NaN))).toBe(0x7fffffff);
    expect(ieeeToIbmBits(bitsOf(-Infinity))).toBe(0xffffffff);
    expect(ieeeToIbmBits(bitsOf(-0))).toBe(0);
  });

  it('round-trips every normalised IBM value in float range (seed 7, 200k words)', () => {
    const next = prng(7);
    let mismatches = 0;
    for (let k = 0; k < 200_000; k++) {
      // exponent 0x22..0x60 keeps the value inside float32's normal range; leading hex digit non-zero.
      const word = ((next() & 0x80000000) | ((0x22 + (next() % 0x3f)) << 24) | (0x100000 + (next() % 0xf00000))) >>> 0;
      if (ieeeToIbmBits(ibmToIeeeBits(word)) !== word) mismatches++;
    }
    expect(mismatches).toBe(0);
  });

  it('round-trips IEEE values that need at most 21 significant bits (seed 11)', () => {
    const next = prng(11);
    let mismatches = 0;
    for (let k = 0; k < 100_000; k++) {
      const value = Math.fround(((next() % 0x200000) - 0x100000) * 2 ** ((next() % 60) - 30));
      if (!Object.is(valueOf(ibmToIeeeBits(ieeeToIbmBits(bitsOf(value)))), value)) mismatches++;
    }
    expect(mismatches).toBe(0);
  });
});
