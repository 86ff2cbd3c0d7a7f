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

function readWord(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
}

/** Differences of the record being decoded, reused across records (grown as needed): no allocation per record. */
let differences = new Int32Array(16384);

/**
 * The first differences packed in Steim-1 frames, into `differences` (up to 3 past `count`: the last word's
 * leftovers, ignored). Returns how many were found.
 */
function steim1Differences(bytes: Uint8Array, start: number, frames: number, count: number): number {
  const d = differences;
  let n = 0;
  for (let frame = 0; frame < frames && n < count; frame++) {
    const frameStart = start + frame * FRAME_BYTES;
    const codes = readWord(bytes, frameStart);
    for (let w = frame === 0 ? 3 : 1; w < 16 && n < count; w++) {
      const code = (codes >>> (30 - 2 * w)) & 3;
      if (code === 0) continue;
      const word = readWord(bytes, frameStart + 4 * w);
      if (code === 1) {
        d[n] = word >> 24;
        d[n + 1] = (word << 8) >> 24;
        d[n + 2] = (word << 16) >> 24;
        d[n + 3] = (word << 24) >> 24;
        n += 4;
      } else if (code === 2) {
        d[n] = word >> 16;
        d[n + 1] = (word << 16) >> 16;
        n += 2;
      } else {
        d[n++] = word;
      }
    }
  }
  return n;
}

/** As steim1Differences for Steim-2, whose codes 2 and 3 carry a sub-code in the word's top 2 bits. */
function steim2Differences(bytes: Uint8Array, start: number, frames: number, count: number): number {
  const d = differences;
  let n = 0;
  for (let frame = 0; frame < frames && n < count; frame++) {
    const frameStart = start + frame * FRAME_BYTES;
    const codes = readWord(bytes, frameStart);
    for (let w = frame === 0 ? 3 : 1; w < 16 && n < count; w++) {
      const code = (codes >>> (30 - 2 * w)) & 3;
      if (code === 0) continue;
      const word = readWord(bytes, frameStart + 4 * w);
      const subCode = word >>> 30;
      if (code === 1) {
        d[n] = word >> 24;
        d[n + 1] = (word << 8) >> 24;
        d[n + 2] = (word << 16) >> 24;
        d[n + 3] = (word << 24) >> 24;
        n += 4;
      } else if (code === 2 && subCode === 1) {
        d[n++] = (word << 2) >> 2;
      } else if (code === 2 && subCode === 2) {
        d[n] = (word << 2) >> 17;
        d[n + 1] = (word << 17) >> 17;
        n += 2;
      } else if (code === 2 && subCode === 3) {
        d[n] = (word << 2) >> 22;
        d[n + 1] = (word << 12) >> 22;
        d[n + 2] = (word << 22) >> 22;
        n += 3;
      } else if (code === 3 && subCode === 0) {
        d[n] = (word << 2) >> 26;
        d[n + 1] = (word << 8) >> 26;
        d[n + 2] = (word << 14) >> 26;
        d[n + 3] = (word << 20) >> 26;
        d[n + 4] = (word << 26) >> 26;
        n += 5;
      } else if (code === 3 && subCode === 1) {
        d[n] = (word << 2) >> 27;
        d[n + 1] = (word << 7) >> 27;
        d[n + 2] = (word << 12) >> 27;
        d[n + 3] = (word << 17) >> 27;
        d[n + 4] = (word << 22) >> 27;
        d[n + 5] = (word << 27) >> 27;
        n += 6;
      } else if (code === 3 && subCode === 2) {
        d[n] = (word << 4) >> 28;
        d[n + 1] = (word << 8) >> 28;
        d[n + 2] = (word << 12) >> 28;
        d[n + 3] = (word << 16) >> 28;
        d[n + 4] = (word << 20) >> 28;
        d[n + 5] = (word << 24) >> 28;
        d[n + 6] = (word << 28) >> 28;
        n += 7;
      } else {
        throw new SteimError(`Steim-2 frame ${frame + 1}, word ${w}: sub-code ${subCode} is undefined`);
      }
    }
  }
  return n;
}

/**
 * Decodes up to `count` samples of the Steim frames in bytes[start, end) into out[outOffset...]; returns how many it
 * found (fewer than `count` when the frames run out). Throws SteimError on a word that no Steim level defines.
 * Two tight passes: the packed differences into a reused buffer, then their running sum from X0 into `out`.
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
  if (differences.length < count + 7) differences = new Int32Array(count + 7);
  const found =
    level === 2 ? steim2Differences(bytes, start, frames, count) : steim1Differences(bytes, start, frames, count);
  const decoded = Math.min(found, count);
  const d = differences;
  // The first difference links to the previous record; X0 (frame 1, word 1) is the first sample itself.
  let last = readWord(bytes, start + 4);
  out[outOffset] = last;
  for (let i = 1; i < decoded; i++) {
    last = (last + d[i]!) | 0;
    out[outOffset + i] = last;
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
  /** Differences d with -limit <= d < limit fit; `mask` keeps their low `bits` bits. */
  limit: number;
  mask: number;
}

function packing(count: number, bits: number, code: number, subCode: number): Packing {
  return { count, bits, code, subCode, limit: 2 ** (bits - 1), mask: bits === 32 ? -1 : 2 ** bits - 1 };
}

/** Densest first, so the encoder takes the first that fits. */
const PACKINGS: Record<1 | 2, readonly Packing[]> = {
  1: [packing(4, 8, 1, -1), packing(2, 16, 2, -1), packing(1, 32, 3, -1)],
  2: [
    packing(7, 4, 3, 2),
    packing(6, 5, 3, 1),
    packing(5, 6, 3, 0),
    packing(4, 8, 1, -1),
    packing(3, 10, 2, 3),
    packing(2, 15, 2, 2),
    packing(1, 30, 2, 1),
  ],
};

/** The step into sample i; 0 into the first sample of the channel (decoders take it from X0). */
function stepAt(samples: Int32Array, i: number): number {
  return i === 0 ? 0 : samples[i]! - samples[i - 1]!;
}

/** The densest packing that holds the steps from sample `next` on, or undefined where even the widest does not. */
function densestPacking(level: 1 | 2, samples: Int32Array, next: number): Packing | undefined {
  for (const candidate of PACKINGS[level]) {
    if (next + candidate.count > samples.length) continue;
    let fitsAll = true;
    for (let i = next; i < next + candidate.count && fitsAll; i++) {
      const step = stepAt(samples, i);
      // Steim-1's 32-bit words hold any step: a step beyond int32 wraps, and so does the decoder's sum.
      fitsAll = candidate.bits === 32 || (step >= -candidate.limit && step < candidate.limit);
    }
    if (fitsAll) return candidate;
  }
  return undefined;
}

function writeWord(bytes: Uint8Array, at: number, word: number): void {
  bytes[at] = word >>> 24;
  bytes[at + 1] = word >>> 16;
  bytes[at + 2] = word >>> 8;
  bytes[at + 3] = word;
}

/**
 * Encodes samples[from...] into `frames` Steim frames at out[start...] (zeroed by the caller); returns how many
 * samples fitted and how many frames they took. The first difference is taken from the sample before `from` (0 for
 * the first record), as libmseed writes it. Throws SteimError when a step is too large for Steim-2's 30 bits.
 */
export function encodeSteim(
  level: 1 | 2,
  samples: Int32Array,
  from: number,
  out: Uint8Array,
  start: number,
  frames: number,
): { sampleCount: number; frameCount: number } {
  let next = from;
  let frame = 0;
  for (; frame < frames && next < samples.length; frame++) {
    const frameStart = start + frame * FRAME_BYTES;
    let codes = 0;
    for (let w = frame === 0 ? 3 : 1; w < 16 && next < samples.length; w++) {
      const chosen = densestPacking(level, samples, next);
      if (!chosen) {
        throw new SteimError(
          `sample ${next}: a step of ${stepAt(samples, next)} counts is beyond Steim-2's 30 bits (write Steim-1 or int32)`,
        );
      }
      let word = chosen.subCode >= 0 ? chosen.subCode << 30 : 0;
      for (let i = 0; i < chosen.count; i++) {
        word |= (stepAt(samples, next + i) & chosen.mask) << (chosen.bits * (chosen.count - 1 - i));
      }
      writeWord(out, frameStart + 4 * w, word);
      codes |= chosen.code << (30 - 2 * w);
      next += chosen.count;
    }
    writeWord(out, frameStart, codes);
  }
  if (next > from) {
    writeWord(out, start + 4, samples[from]!);
    writeWord(out, start + 8, samples[next - 1]!);
  }
  return { sampleCount: next - from, frameCount: frame };
}
