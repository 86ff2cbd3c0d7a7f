/**
 * Writer round trips on every real SEG-Y file: read -> write in the same format -> the output is byte-identical
 * to the source (history off), or identical except the history card (history on); IEEE output changes only the
 * format code and the samples; segyio reads what we write and gets the same samples.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSegy } from '../../main/segy/reader';
import { writeSegyLike } from '../../main/segy/writer';
import { hasTestdata, testdataPath } from '../testdata';
import { dumpWithSegyio, segyioAvailable } from './segyOracle';

const SEGY_FILES = hasTestdata ? readdirSync(testdataPath('segy')).sort() : [];
const LITTLE_ENDIAN = new Set(['small-lsb.sgy', '00001034.sgy_first_trace', 'planes.segy_first_trace']);
/** segyio 1.8 cannot read rev 2 trace header extensions. */
const SEGYIO_UNREADABLE = new Set(['rotated-small-rev2.sgy']);
const outputs: string[] = [];

function outputPath(name: string): string {
  const out = path.join(tmpdir(), `promethium-roundtrip-${randomBytes(4).toString('hex')}-${name}`);
  outputs.push(out);
  return out;
}

afterAll(() => {
  for (const out of outputs) rmSync(out, { force: true });
});

describe.skipIf(!hasTestdata)('SEG-Y writer round trips (real files)', () => {
  it.each(SEGY_FILES)('%s: same format, no history -> byte-identical', async (name) => {
    const source = await openSegy(testdataPath('segy', name));
    const out = outputPath(name);
    await writeSegyLike(source, out, { samples: (i) => source.readTrace(i), history: false });
    await source.close();
    expect(readFileSync(out).equals(readFileSync(testdataPath('segy', name)))).toBe(true);
  });

  it.each(SEGY_FILES)('%s: with history -> only one textual header card differs', async (name) => {
    const source = await openSegy(testdataPath('segy', name));
    const out = outputPath(name);
    await writeSegyLike(source, out, {
      samples: (i) => source.readTrace(i),
      history: 'Promethium test: unchanged samples',
    });
    await source.close();
    const original = readFileSync(testdataPath('segy', name));
    const written = readFileSync(out);
    expect(written.length).toBe(original.length);
    expect(written.subarray(3200).equals(original.subarray(3200))).toBe(true);
    const changedCards = new Set<number>();
    for (let i = 0; i < 3200; i++) if (written[i] !== original[i]) changedCards.add(Math.floor(i / 80));
    expect(changedCards.size).toBe(1);
    const reread = await openSegy(out);
    expect(reread.textHeader.text).toContain('Promethium test: unchanged samples');
    expect(reread.textHeader.encoding).toBe(source.textHeader.encoding);
    await reread.close();
  });

  it.each(SEGY_FILES)('%s: IEEE output keeps every header, samples equal', async (name) => {
    const source = await openSegy(testdataPath('segy', name));
    const out = outputPath(name);
    await writeSegyLike(source, out, { samples: (i) => source.readTrace(i), format: 'ieee', history: false });
    const written = await openSegy(out);
    expect(written.format).toBe(5);
    expect(written.traceCount).toBe(source.traceCount);
    const expected = new Uint32Array((await source.readTraces(0, source.traceCount)).buffer);
    expect(new Uint32Array((await written.readTraces(0, written.traceCount)).buffer)).toEqual(expected);
    for (const t of [0, source.traceCount - 1]) {
      expect(await written.readTraceHeaderBytes(t)).toEqual(await source.readTraceHeaderBytes(t));
    }
    const original = readFileSync(testdataPath('segy', name));
    const header = readFileSync(out).subarray(0, 3600);
    const differing = [...header.keys()].filter((i) => header[i] !== original[i]);
    expect(differing.every((i) => i === 3224 || i === 3225)).toBe(true);
    await Promise.all([source.close(), written.close()]);
  });

  it.skipIf(!segyioAvailable()).each(SEGY_FILES.filter((name) => !SEGYIO_UNREADABLE.has(name)))(
    '%s: segyio reads our IEEE output with the same samples',
    async (name) => {
      const source = await openSegy(testdataPath('segy', name));
      const out = outputPath(name);
      await writeSegyLike(source, out, { samples: (i) => source.readTrace(i), format: 'ieee' });
      const expected = new Uint32Array((await source.readTraces(0, source.traceCount)).buffer);
      await source.close();
      const oracle = dumpWithSegyio(out, LITTLE_ENDIAN.has(name) ? 'little' : 'big');
      expect(oracle.format).toBe(5);
      expect(oracle.sampleBits).toEqual(expected);
    },
  );
});
