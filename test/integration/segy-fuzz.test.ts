/**
 * Fuzzing the reader with 10,000+ mutated variants of the real test files (seeded, deterministic): bit flips in
 * headers, truncation, extreme header values. Every variant must either open and read all its traces, or throw
 * a SegyFormatError; nothing else, no hang, no allocation sized by a lying header. Variants live in memory and go
 * through the same decoding code as files (a BufferByteSource).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { seededRandom } from '../../main/signal/random';
import { describe, expect, it } from 'vitest';
import { SegyFormatError } from '../../main/segy/errors';
import { openSegyBuffer } from '../../main/segy/reader';
import { analyseSurvey } from '../../main/survey/analyse';
import { hasTestdata, testdataPath } from '../testdata';

const SEED = 20261121;
const VARIANTS_PER_FILE = 1500;
/** Large files are fuzzed through their first bytes: the headers and a few dozen traces are what matters. */
const MAX_BASE_BYTES = 48 * 1024;
const MAX_MILLISECONDS_PER_VARIANT = 2000;

type Mutation = (bytes: Uint8Array, random: () => number) => Uint8Array;

const pick = <T>(items: readonly T[], random: () => number): T => items[Math.floor(random() * items.length)]!;
const int16At = (bytes: Uint8Array, byte: number, value: number): void => {
  if (byte + 1 < bytes.length) new DataView(bytes.buffer, bytes.byteOffset).setInt16(byte - 1, value);
};
const int32At = (bytes: Uint8Array, byte: number, value: number): void => {
  if (byte + 3 < bytes.length) new DataView(bytes.buffer, bytes.byteOffset).setInt32(byte - 1, value);
};

const EXTREME_16 = [0, 1, -1, 2, 4, 99, 255, 256, 0x7fff, -0x8000, 0x0100, 0x0200, 65535];
const EXTREME_32 = [0, 1, -1, 0x7fffffff, -0x80000000, 0x10000, 3600, 3200, 240];

const MUTATIONS: readonly Mutation[] = [
  function flipHeaderBits(bytes, random) {
    const flips = 1 + Math.floor(random() * 8);
    for (let k = 0; k < flips; k++) {
      const at = Math.floor(random() * Math.min(bytes.length, 3600 + 480));
      bytes[at]! ^= 1 << Math.floor(random() * 8);
    }
    return bytes;
  },
  function flipBinaryHeaderBits(bytes, random) {
    for (let k = 0; k < 3; k++) bytes[3200 + Math.floor(random() * 400)]! ^= 1 << Math.floor(random() * 8);
    return bytes;
  },
  function truncate(bytes, random) {
    return bytes.subarray(0, Math.floor(random() * bytes.length));
  },
  function extremeSampleCount(bytes, random) {
    int16At(bytes, 3221, pick(EXTREME_16, random));
    if (random() < 0.5) int16At(bytes, 3601 + 114, pick(EXTREME_16, random));
    return bytes;
  },
  function extremeFormat(bytes, random) {
    int16At(bytes, 3225, pick([...EXTREME_16, 3, 5, 6, 7, 8, 9, 10, 11, 12, 15, 16], random));
    return bytes;
  },
  function extremeExtendedTextHeaders(bytes, random) {
    int16At(bytes, 3505, pick([-1, -2, 1, 2, 3, 100, 0x7fff, -0x8000], random));
    if (random() < 0.5) int16At(bytes, 3501, pick([0x0100, 0x0200, 0], random));
    return bytes;
  },
  function extremeRev2Fields(bytes, random) {
    int16At(bytes, 3501, 0x0200);
    int32At(bytes, 3507, pick(EXTREME_32, random));
    if (random() < 0.5) int32At(bytes, 3269, pick(EXTREME_32, random));
    if (random() < 0.3) int32At(bytes, 3529, pick(EXTREME_32, random));
    if (random() < 0.3) int32At(bytes, 3525, pick(EXTREME_32, random));
    if (random() < 0.3) int32At(bytes, 3517, pick(EXTREME_32, random));
    return bytes;
  },
  function variableLength(bytes, random) {
    int16At(bytes, 3501, pick([0x0100, 0x0200], random));
    int16At(bytes, 3503, 0);
    for (let k = 0; k < 3; k++) int16At(bytes, 3601 + 114 + 240 * Math.floor(random() * 40), pick(EXTREME_16, random));
    return bytes;
  },
  function randomTraceHeaderWords(bytes, random) {
    for (let k = 0; k < 16; k++)
      int32At(bytes, 3601 + Math.floor(random() * Math.max(1, bytes.length - 3604)), pick(EXTREME_32, random));
    return bytes;
  },
];

async function readEverything(bytes: Uint8Array, analyse: boolean): Promise<'read' | SegyFormatError> {
  try {
    const file = await openSegyBuffer(bytes);
    for (let start = 0; start < file.traceCount; start += 256)
      await file.readTraces(start, Math.min(256, file.traceCount - start));
    if (file.traceCount > 0) await file.readTraceHeader(file.traceCount - 1);
    if (analyse) await analyseSurvey(file);
    return 'read';
  } catch (error) {
    if (error instanceof SegyFormatError) return error;
    throw error;
  }
}

const FILES = hasTestdata ? readdirSync(testdataPath('segy')).sort() : [];

describe.skipIf(!hasTestdata)('SEG-Y reader fuzzing (seeded mutations of the real files)', () => {
  it(`survives ${FILES.length * VARIANTS_PER_FILE} mutated files (seed ${SEED})`, { timeout: 120_000 }, async () => {
    const random = seededRandom(SEED);
    const outcomes = { read: 0, refused: 0 };
    const codes = new Map<string, number>();
    let slowest = 0;
    for (const name of FILES) {
      const base = readFileSync(testdataPath('segy', name)).subarray(0, MAX_BASE_BYTES);
      for (let variant = 0; variant < VARIANTS_PER_FILE; variant++) {
        const mutation = pick(MUTATIONS, random);
        const mutated = mutation(Uint8Array.from(base), random);
        const started = performance.now();
        const outcome = await readEverything(mutated, variant % 10 === 0).catch((error: unknown) => {
          throw new Error(`${name} variant ${variant} (${mutation.name}) threw an untyped error: ${String(error)}`, {
            cause: error,
          });
        });
        slowest = Math.max(slowest, performance.now() - started);
        if (outcome === 'read') outcomes.read++;
        else {
          outcomes.refused++;
          codes.set(outcome.code, (codes.get(outcome.code) ?? 0) + 1);
          expect(outcome.message.length).toBeGreaterThan(10);
        }
      }
    }
    expect(outcomes.read + outcomes.refused).toBeGreaterThanOrEqual(20_000);
    expect(outcomes.read).toBeGreaterThan(1000);
    expect(slowest).toBeLessThan(MAX_MILLISECONDS_PER_VARIANT);
    console.info(
      `[fuzz] ${outcomes.read} read, ${outcomes.refused} refused ${JSON.stringify(Object.fromEntries(codes))}; slowest ${slowest.toFixed(0)} ms`,
    );
  });
});
