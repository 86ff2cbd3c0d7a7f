/**
 * Generated SEG-Y fixtures for the unit tests (no real files needed): small files built with encodeNewSegy,
 * then edited byte by byte to reproduce the quirks of real files.
 */
import { encodeNewSegy } from './writer';
import type { NewSegyOptions } from './writer';

/** A small inline-sorted post-stack cube: samples[t][s] = trace + s / 100, il 10..10+ni-1, xl 100..(step 2). */
export function cubeFixture(ni = 3, nx = 4, ns = 5, extra: Partial<NewSegyOptions> = {}): Uint8Array {
  const traceCount = ni * nx;
  const samples = Float32Array.from({ length: traceCount * ns }, (_, k) => Math.floor(k / ns) + (k % ns) / 100);
  const inline = Int32Array.from({ length: traceCount }, (_, t) => 10 + Math.floor(t / nx));
  const crossline = Int32Array.from({ length: traceCount }, (_, t) => 100 + 2 * (t % nx));
  return encodeNewSegy({
    samples,
    traceCount,
    samplesPerTrace: ns,
    sampleIntervalUs: 2000,
    traceHeaders: { inline, crossline },
    ...extra,
  });
}

/** Traces of 2, 3 and 2 samples (1, 2 / 3, 4, 5 / 1, 2) in a rev 1 file whose fixed-length flag is 0: variable length. */
export function variableLengthFixture(): Uint8Array {
  const short = encodeNewSegy({
    samples: Float32Array.of(1, 2),
    traceCount: 1,
    samplesPerTrace: 2,
    sampleIntervalUs: 1000,
  });
  const long = encodeNewSegy({
    samples: Float32Array.of(3, 4, 5),
    traceCount: 1,
    samplesPerTrace: 3,
    sampleIntervalUs: 1000,
  });
  const bytes = Buffer.concat([short, long.subarray(3600), short.subarray(3600)]);
  setInt16(bytes, 3503, 0);
  return bytes;
}

export function setInt16(bytes: Uint8Array, byte1Based: number, value: number, little = false): void {
  new DataView(bytes.buffer, bytes.byteOffset).setInt16(byte1Based - 1, value, little);
}

export function setInt32(bytes: Uint8Array, byte1Based: number, value: number, little = false): void {
  new DataView(bytes.buffer, bytes.byteOffset).setInt32(byte1Based - 1, value, little);
}
