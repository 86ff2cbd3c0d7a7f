import { describe, expect, it } from 'vitest';
import { SegyFormatError } from './errors';
import { SAMPLE_FORMATS, decodeSamples, encodeSamples, sampleFormatInfo } from './sampleFormats';
import type { ByteOrder, SampleFormatCode } from './sampleFormats';

const CODES = Object.keys(SAMPLE_FORMATS).map(Number) as SampleFormatCode[];
const SIGNED_INTEGER_FORMATS = new Set<SampleFormatCode>([2, 3, 7, 8, 9]);

/** Values every format can hold exactly: small integers, plus fractions and NaN for the float formats. */
function representable(code: SampleFormatCode): Float32Array {
  const values = [0, 1, 2, 7, 100, 127];
  if (SIGNED_INTEGER_FORMATS.has(code)) values.push(-1, -128);
  if (code === 1 || code === 5 || code === 6) values.push(-118.625, 0.5, 1e-5, 3.25e7);
  if (code === 5 || code === 6) values.push(NaN, Infinity);
  return Float32Array.from(values);
}

function roundTrip(samples: Float32Array, code: SampleFormatCode, order: ByteOrder): Float32Array {
  const bytes = new Uint8Array(samples.length * SAMPLE_FORMATS[code].bytesPerSample);
  encodeSamples(samples, code, order, bytes);
  const decoded = new Float32Array(samples.length);
  decodeSamples(bytes, code, order, samples.length, decoded);
  return decoded;
}

describe('sample formats', () => {
  for (const code of CODES) {
    for (const order of ['big', 'little'] as const) {
      it(`format ${code} (${SAMPLE_FORMATS[code].description}) round-trips in ${order}-endian`, () => {
        const samples = representable(code);
        expect(new Uint32Array(roundTrip(samples, code, order).buffer)).toEqual(new Uint32Array(samples.buffer));
      });
    }
  }

  it('decodes known big- and little-endian byte patterns', () => {
    const out = new Float32Array(2);
    decodeSamples(Uint8Array.of(0x01, 0x02, 0xff, 0xfe), 3, 'big', 2, out);
    expect([...out]).toEqual([258, -2]);
    decodeSamples(Uint8Array.of(0x02, 0x01, 0xfe, 0xff), 3, 'little', 2, out);
    expect([...out]).toEqual([258, -2]);
    decodeSamples(Uint8Array.of(0x42, 0x64, 0, 0, 0xc2, 0x76, 0xa0, 0), 1, 'big', 2, out);
    expect([...out]).toEqual([100, -118.625]);
    decodeSamples(Uint8Array.of(0xff, 0xff, 0xfe, 0x00, 0x00, 0x01), 7, 'big', 2, out);
    expect([...out]).toEqual([-2, 1]);
  });

  it('decodes into an offset of a larger output', () => {
    const out = new Float32Array(4).fill(9);
    decodeSamples(Uint8Array.of(0, 0, 0x80, 0x3f), 5, 'little', 1, out, 2);
    expect([...out]).toEqual([9, 9, 1, 9]);
  });

  it('clamps and rounds when encoding integers, NaN becoming 0', () => {
    const samples = Float32Array.of(1e6, -1e6, 2.6, NaN);
    expect([...roundTrip(samples, 3, 'big')]).toEqual([32767, -32768, 3, 0]);
    expect([...roundTrip(samples, 16, 'big')]).toEqual([255, 0, 3, 0]);
  });

  it('refuses format 4 and unknown codes with a typed error', () => {
    expect(() => sampleFormatInfo(4)).toThrow(SegyFormatError);
    expect(() => sampleFormatInfo(4)).toThrow(/fixed point/);
    expect(() => sampleFormatInfo(99)).toThrow(/format code 99/);
  });
});
