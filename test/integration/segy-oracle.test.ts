/**
 * Promethium's reader against segyio on every real SEG-Y test file segyio can read: same trace count, sample
 * count and format, bit-for-bit identical samples (NaNs included), same key header values.
 */
import { describe, expect, it } from 'vitest';
import { openSegy } from '../../main/segy/reader';
import { hasTestdata, testdataPath } from '../testdata';
import { dumpWithSegyio, segyioAvailable } from './segyOracle';

/** The files segyio 1.8 reads, with the byte order it must be told (it cannot detect it). */
export const SEGYIO_READABLE: readonly (readonly [string, 'big' | 'little'])[] = [
  ['small.sgy', 'big'],
  ['small-ps.sgy', 'big'],
  ['small-lsb.sgy', 'little'],
  ['f3.sgy', 'big'],
  ['Format5msb.sgy', 'big'],
  ['multi-text.sgy', 'big'],
  ['delay-scalar.sgy', 'big'],
  ['viking_small.segy', 'big'],
  ['ld0042_file_00018.sgy_first_trace', 'big'],
  ['00001034.sgy_first_trace', 'little'],
  ['planes.segy_first_trace', 'little'],
  ['1.sgy_first_trace', 'big'],
  ['f11_02673_45Hz.segy', 'big'],
  ['ex1_missing_traces_75x71x26.segy', 'big'],
];

const haveOracle = hasTestdata && segyioAvailable();
if (hasTestdata && !haveOracle)
  console.warn('[segy-oracle] /usr/bin/python3 cannot import segyio: oracle comparisons SKIPPED');

describe.skipIf(!haveOracle)('SEG-Y reader vs segyio (real files)', () => {
  it.each(SEGYIO_READABLE)('%s (%s-endian) decodes exactly like segyio', async (name, endian) => {
    const oracle = dumpWithSegyio(testdataPath('segy', name), endian);
    const file = await openSegy(testdataPath('segy', name));
    try {
      expect(file.byteOrder).toBe(endian);
      expect([file.traceCount, file.samplesPerTrace, file.format]).toEqual([
        oracle.traceCount,
        oracle.samples,
        oracle.format,
      ]);
      expect(file.extendedTextHeaders.length).toBe(oracle.extendedTextHeaders);
      const samples = await file.readTraces(0, file.traceCount);
      const bits = new Uint32Array(samples.buffer);
      expect(bits.length).toBe(oracle.sampleBits.length);
      const firstDifference = bits.findIndex((value, i) => value !== oracle.sampleBits[i]);
      expect(firstDifference, `first differing sample at ${firstDifference}`).toBe(-1);
      const fields = {
        inline: [],
        crossline: [],
        offset: [],
        cdpX: [],
        cdpY: [],
        fieldRecord: [],
        traceNumber: [],
        delay: [],
      } as Record<keyof typeof oracle.headers, number[]>;
      for (let t = 0; t < file.traceCount; t++) {
        const h = await file.readTraceHeader(t);
        fields.inline.push(h.inline);
        fields.crossline.push(h.crossline);
        fields.offset.push(h.offset);
        fields.cdpX.push(h.cdpX);
        fields.cdpY.push(h.cdpY);
        fields.fieldRecord.push(h.fieldRecord);
        fields.traceNumber.push(h.traceNumber);
        fields.delay.push(h.delayRecordingTime);
      }
      expect(fields).toEqual(oracle.headers);
    } finally {
      await file.close();
    }
  });
});
