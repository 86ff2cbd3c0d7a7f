import { describe, expect, it } from 'vitest';
import { openSegyBuffer } from '../segy/reader';
import { encodeNewSegy } from '../segy/writer';
import { findTraceByKey, findTraceByKeys, traceHeaderOf } from './traceHeaderLookup';

/** A 4 x 5 grid written in the given cell order; the keys go to the standard bytes 189/193 and to 9/21. */
async function gridFile(order: [number, number][]) {
  const bytes = encodeNewSegy({
    samples: new Float32Array(order.length * 3),
    traceCount: order.length,
    samplesPerTrace: 3,
    sampleIntervalUs: 4000,
    traceHeaders: {
      inline: Int32Array.from(order, ([il]) => il),
      crossline: Int32Array.from(order, ([, xl]) => xl),
      fieldRecord: Int32Array.from(order, ([il]) => il),
      cdp: Int32Array.from(order, ([, xl]) => xl),
    },
  });
  return openSegyBuffer(bytes);
}

const cells = (majorInline: boolean): [number, number][] => {
  const out: [number, number][] = [];
  for (let a = 0; a < 4; a++) {
    for (let b = 0; b < 5; b++) out.push(majorInline ? [100 + a, 300 + 2 * b] : [100 + b, 300 + 2 * a]);
  }
  return out.filter(([il, xl]) => !(il === 102 && xl === 304)); // one missing cell
};

describe('trace header lookup', () => {
  it('finds cells in inline-sorted and crossline-sorted files, and reports a missing cell as absent', async () => {
    for (const majorInline of [true, false]) {
      const order = cells(majorInline);
      const file = await gridFile(order);
      for (const [k, [il, xl]] of order.entries()) {
        await expect(findTraceByKeys(file, 189, 193, il, xl)).resolves.toBe(k);
      }
      await expect(findTraceByKeys(file, 189, 193, 102, 304)).resolves.toBeNull();
      await file.close();
    }
  });

  it('falls back to a scan in unsorted files, with keys at any byte', async () => {
    const order = cells(true);
    const shuffled = order.map((cell, k) => order[(k * 7) % order.length]!);
    const file = await gridFile(shuffled);
    for (const [k, [il, xl]] of shuffled.entries()) {
      await expect(findTraceByKeys(file, 9, 21, il, xl)).resolves.toBe(k);
    }
    // One key (a 2D line's): some trace carrying it.
    const found = await findTraceByKey(file, 21, 306);
    expect(shuffled[found!]![1]).toBe(306);
    await expect(findTraceByKey(file, 21, 305)).resolves.toBeNull();
    await file.close();
  });

  it('decodes every standard field in byte order, and names a trace outside the file', async () => {
    const file = await gridFile(cells(true));
    const header = await traceHeaderOf(file, 'survey', 6, 'IL 101 · XL 302');
    expect(header.fields.map((f) => f.byte)).toEqual([...header.fields.map((f) => f.byte)].sort((a, b) => a - b));
    expect(header.fields.find((f) => f.byte === 189)).toMatchObject({ name: 'inline', value: 101 });
    expect(header.fields.find((f) => f.byte === 193)).toMatchObject({ name: 'crossline', value: 302 });
    expect(header.fields.find((f) => f.byte === 115)).toMatchObject({ name: 'samplesPerTrace', value: 3 });
    await expect(traceHeaderOf(file, 'survey', 19, 'x')).rejects.toThrow(/trace 19 is outside 0..18 of the file/);
    await file.close();
  });
});
