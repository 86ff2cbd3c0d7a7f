/**
 * Steim-1 and Steim-2 compression (SEED manual, appendix B): 64-byte frames of sixteen big-endian 32-bit words. Word 0
 * of each frame holds sixteen 2-bit codes saying how each word is packed; words 1 and 2 of the first frame hold the
 * first sample (X0) and the last (Xn, an integrity check). The other words hold first differences, 1 to 7 per word.
 * The first difference of a record is relative to the previous record and is not needed: X0 gives the first sample.
 *
 * The decoders write straight into the caller's output array (no allocation per sample or per record) and read words
 * with shifts on a Uint8Array, which measured faster than DataView.getInt32 in this loop (BENCHMARKS.md).
 */

export class SteimError extends Error {
  override readonly name = 'SteimError';
}

const FRAME_BYTES = 64;
/** Differences of one word, reused: at most 7 (Steim-2, 4-bit). */
const wordDifferences = new Int32Array(7);

function readWord(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
}

/** The differences packed in one Steim-1 word (code 1, 2 or 3), into wordDifferences; returns how many. */
function unpackSteim1Word(word: number, code: number): number {
  const d = wordDifferences;
  if (code === 1) {
    d[0] = word >> 24;
    d[1] = (word << 8) >> 24;
    d[2] = (word << 16) >> 24;
    d[3] = (word << 24) >> 24;
    return 4;
  }
  if (code === 2) {
    d[0] = word >> 16;
    d[1] = (word << 16) >> 16;
    return 2;
  }
  d[0] = word;
  return 1;
}

/** The differences packed in one Steim-2 word (code 1, 2 or 3 plus the word's own 2-bit sub-code); -1 if invalid. */
function unpackSteim2Word(word: number, code: number): number {
  const d = wordDifferences;
  if (code === 1) {
    d[0] = word >> 24;
    d[1] = (word << 8) >> 24;
    d[2] = (word << 16) >> 24;
    d[3] = (word << 24) >> 24;
    return 4;
  }
  const subCode = word >>> 30;
  if (code === 2) {
    if (subCode === 1) {
      d[0] = (word << 2) >> 2;
      return 1;
    }
    if (subCode === 2) {
      d[0] = (word << 2) >> 17;
      d[1] = (word << 17) >> 17;
      return 2;
    }
    if (subCode === 3) {
      d[0] = (word << 2) >> 22;
      d[1] = (word << 12) >> 22;
      d[2] = (word << 22) >> 22;
      return 3;
    }
    return -1;
  }
  if (subCode === 0) {
    for (let i = 0; i < 5; i++) d[i] = (word << (2 + 6 * i)) >> 26;
    return 5;
  }
  if (subCode === 1) {
    for (let i = 0; i < 6; i++) d[i] = (word << (2 + 5 * i)) >> 27;
    return 6;
  }
  if (subCode === 2) {
    for (let i = 0; i < 7; i++) d[i] = (word << (4 + 4 * i)) >> 28;
    return 7;
  }
  return -1;
}

/**
 * Decodes up to `count` samples of the Steim frames in bytes[start, end) into out[outOffset...]; returns how many it
 * found (fewer than `count` when the frames run out). Throws SteimError on a word that no Steim level defines.
 */
export function decodeSteim(
  level: 1 | 2,
  bytes: Uint8Array,
  start: number,
  end: number,
  count: number,
  out: Int32Array,
  outOffset: number,
): number {
  const frames = Math.floor((end - start) / FRAME_BYTES);
  if (frames === 0 || count === 0) return 0;
  const first = readWord(bytes, start + 4);
  let decoded = 0;
  let last = 0;
  for (let frame = 0; frame < frames && decoded < count; frame++) {
    const frameStart = start + frame * FRAME_BYTES;
    const codes = readWord(bytes, frameStart);
    for (let w = frame === 0 ? 3 : 1; w < 16 && decoded < count; w++) {
      const code = (codes >>> (30 - 2 * w)) & 3;
      if (code === 0) continue;
      const word = readWord(bytes, frameStart + 4 * w);
      const n = level === 2 ? unpackSteim2Word(word, code) : unpackSteim1Word(word, code);
      if (n < 0) throw new SteimError(`Steim-2 frame ${frame + 1}, word ${w}: sub-code ${word >>> 30} is undefined`);
      for (let i = 0; i < n && decoded < count; i++) {
        last = decoded === 0 ? first : (last + wordDifferences[i]!) | 0;
        out[outOffset + decoded++] = last;
      }
    }
  }
  return decoded;
}

/** The last sample stored in the first frame (Xn), for the integrity check after decoding. */
export function steimLastSample(bytes: Uint8Array, start: number): number {
  return readWord(bytes, start + 8);
}

interface Packing {
  count: number;
  bits: number;
  code: number;
  /** Steim-2's sub-code in the word's top 2 bits, or -1 where the word has none. */
  subCode: number;
}

/** Densest first, so the encoder takes the first that fits. */
const PACKINGS: Record<1 | 2, readonly Packing[]> = {
  1: [
    { count: 4, bits: 8, code: 1, subCode: -1 },
    { count: 2, bits: 16, code: 2, subCode: -1 },
    { count: 1, bits: 32, code: 3, subCode: -1 },
  ],
  2: [
    { count: 7, bits: 4, code: 3, subCode: 2 },
    { count: 6, bits: 5, code: 3, subCode: 1 },
    { count: 5, bits: 6, code: 3, subCode: 0 },
    { count: 4, bits: 8, code: 1, subCode: -1 },
    { count: 3, bits: 10, code: 2, subCode: 3 },
    { count: 2, bits: 15, code: 2, subCode: 2 },
    { count: 1, bits: 30, code: 2, subCode: 1 },
  ],
};

function fits(value: number, bits: number): boolean {
  if (bits === 32) return true;
  const limit = 2 ** (bits - 1);
  return value >= -limit && value < limit;
}

function writeWord(bytes: Uint8Array, at: number, word: number): void {
  bytes[at] = word >>> 24;
  bytes[at + 1] = word >>> 16;
  bytes[at + 2] = word >>> 8;
  bytes[at + 3] = word;
}

/**
 * Encodes samples[from...] into `frames` Steim frames at out[start...] (zeroed by the caller); returns how many
 * samples fitted and how many frames they took. The first difference is taken from the sample before `from` (0 for the first record), as libmseed
 * writes it. Throws SteimError when a step between samples is too large for Steim-2's 30 bits.
 */
export function encodeSteim(
  level: 1 | 2,
  samples: Int32Array,
  from: number,
  out: Uint8Array,
  start: number,
  frames: number,
): { sampleCount: number; frameCount: number } {
  const difference = (i: number): number => (i === 0 ? 0 : samples[i]! - samples[i - 1]!);
  const allFit = (first: number, count: number, bits: number): boolean => {
    for (let i = first; i < first + count; i++) if (!fits(difference(i), bits)) return false;
    return true;
  };
  let next = from;
  let frame = 0;
  for (; frame < frames && next < samples.length; frame++) {
    const frameStart = start + frame * FRAME_BYTES;
    let codes = 0;
    for (let w = frame === 0 ? 3 : 1; w < 16 && next < samples.length; w++) {
      const packing = PACKINGS[level].find(
        ({ count, bits }) => next + count <= samples.length && allFit(next, count, bits),
      );
      if (!packing) {
        throw new SteimError(
          `sample ${next}: a step of ${difference(next)} counts is beyond Steim-2's 30 bits (write Steim-1 or int32)`,
        );
      }
      let word = packing.subCode >= 0 ? packing.subCode << 30 : 0;
      const mask = packing.bits === 32 ? 0xffffffff : 2 ** packing.bits - 1;
      for (let i = 0; i < packing.count; i++) {
        word |= (difference(next + i) & mask) << (packing.bits * (packing.count - 1 - i));
      }
      writeWord(out, frameStart + 4 * w, word);
      codes |= packing.code << (30 - 2 * w);
      next += packing.count;
    }
    writeWord(out, frameStart, codes);
  }
  if (next > from) {
    writeWord(out, start + 4, samples[from]!);
    writeWord(out, start + 8, samples[next - 1]!);
  }
  return { sampleCount: next - from, frameCount: frame };
}
