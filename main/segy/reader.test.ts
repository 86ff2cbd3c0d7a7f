import { describe, expect, it } from 'vitest';
import { SegyFormatError } from './errors';
import { openSegyBuffer } from './reader';
import { cubeFixture, setInt16, setInt32, variableLengthFixture } from './testFixtures';
import { encodeTextHeader } from './textHeader';
import { encodeNewSegy } from './writer';

async function expectSegyError(bytes: Uint8Array, code: string, message: RegExp): Promise<void> {
  const error = await openSegyBuffer(bytes).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SegyFormatError);
  expect((error as SegyFormatError).code).toBe(code);
  expect((error as SegyFormatError).message).toMatch(message);
}

describe('openSegyBuffer on generated files', () => {
  it('reads a big-endian IEEE cube: headers, samples, trace headers', async () => {
    const file = await openSegyBuffer(cubeFixture());
    expect([
      file.byteOrder,
      file.format,
      file.revision,
      file.samplesPerTrace,
      file.sampleIntervalUs,
      file.traceCount,
    ]).toEqual(['big', 5, 1, 5, 2000, 12]);
    expect(file.textHeader.encoding).toBe('ebcdic');
    expect(file.textHeader.lines[0]).toBe('C 1 SEG-Y WRITTEN BY PROMETHIUM');
    expect(file.binaryHeader.revision).toBe(0x0100);
    expect(Array.from(await file.readTrace(5))).toEqual(Array.from(Float32Array.of(5, 5.01, 5.02, 5.03, 5.04)));
    const header = await file.readTraceHeader(5);
    expect([header.inline, header.crossline, header.traceSequenceFile, header.samplesPerTrace]).toEqual([
      11, 102, 6, 5,
    ]);
    expect(file.warnings).toEqual([]);
  });

  it('reads runs of traces into one array', async () => {
    const file = await openSegyBuffer(cubeFixture());
    const block = await file.readTraces(2, 3);
    expect(block.length).toBe(15);
    expect(block[5]).toBe(3);
    expect(block[14]).toBe(Math.fround(4.04));
    await expect(file.readTraces(10, 3)).rejects.toMatchObject({ code: 'trace-out-of-range' });
  });

  it('detects little-endian files for every header and sample format', async () => {
    for (const format of [1, 2, 3, 5, 8, 11] as const) {
      const file = await openSegyBuffer(cubeFixture(2, 2, 4, { byteOrder: 'little', format }));
      expect([file.byteOrder, file.format]).toEqual(['little', format]);
      expect((await file.readTraceHeader(3)).crossline).toBe(102);
      expect((await file.readTrace(3))[0]).toBe(3);
    }
  });

  it('takes the byte order from the rev 2 integer constant when present', async () => {
    const bytes = cubeFixture(2, 2, 4, { byteOrder: 'little', format: 5 });
    setInt32(bytes, 3297, 0x01020304, true);
    setInt16(bytes, 3225, 0x0500, true); // a format code that is only valid big-endian...
    const file = await openSegyBuffer(bytes, { format: 5 });
    expect(file.byteOrder).toBe('little'); // ...loses against the constant
  });

  it('honours overrides of byte order, format and sample count', async () => {
    const bytes = cubeFixture(2, 2, 4, { format: 5 });
    setInt16(bytes, 3225, 77);
    await expectSegyError(bytes, 'unsupported-format', /format code 77/);
    const file = await openSegyBuffer(bytes, { format: 5, byteOrder: 'big' });
    expect((await file.readTrace(1))[0]).toBe(1);
  });

  it('resolves a binary/trace header sample count disagreement by the file size, with a warning', async () => {
    const bytes = cubeFixture(2, 2, 6);
    setInt16(bytes, 3221, 3); // binary header lies, trace headers say 6
    const file = await openSegyBuffer(bytes);
    expect(file.samplesPerTrace).toBe(6);
    expect(file.warnings.join()).toMatch(/3221-3222 say 3.*6 used because it fits the file size|trace 1 say 6/);
  });

  it('skips extended textual headers, counted or ended by an EndText stanza', async () => {
    const base = cubeFixture(2, 2, 4);
    const stanza = encodeTextHeader(['((SEG: EndText))'], 'ascii');
    const extra = encodeTextHeader(['C 1 EXTENDED HEADER ONE'], 'ebcdic');
    const withTwo = Buffer.concat([base.subarray(0, 3600), extra, stanza, base.subarray(3600)]);
    setInt16(withTwo, 3505, 2);
    const counted = await openSegyBuffer(withTwo);
    expect(counted.extendedTextHeaders.map((h) => h.lines[0])).toEqual(['C 1 EXTENDED HEADER ONE', '((SEG: EndText))']);
    expect((await counted.readTrace(3))[0]).toBe(3);
    setInt16(withTwo, 3505, -1);
    const variable = await openSegyBuffer(withTwo);
    expect(variable.extendedTextHeaders).toHaveLength(2);
    expect((await variable.readTraceHeader(3)).crossline).toBe(102);
  });

  it('reads rev 2 trace header extensions (16-bit count at 3507 like segyio, or 32-bit at 3507-3510)', async () => {
    const base = cubeFixture(2, 2, 4);
    const traceBytes = 240 + 16;
    const parts: Uint8Array[] = [base.subarray(0, 3600)];
    for (let t = 0; t < 4; t++) {
      const at = 3600 + t * traceBytes;
      parts.push(base.subarray(at, at + 240), new Uint8Array(240).fill(0xee), base.subarray(at + 240, at + traceBytes));
    }
    const rev2 = Buffer.concat(parts);
    setInt16(rev2, 3501, 0x0200);
    setInt16(rev2, 3507, 1);
    const sixteen = await openSegyBuffer(rev2);
    expect(sixteen.layout.extraTraceHeaders).toBe(1);
    expect((await sixteen.readTrace(3))[0]).toBe(3);
    setInt32(rev2, 3507, 1);
    const thirtyTwo = await openSegyBuffer(rev2);
    expect([thirtyTwo.layout.extraTraceHeaders, (await thirtyTwo.readTraceHeader(2)).crossline]).toEqual([1, 100]);
  });

  it('walks variable-length traces by their own sample counts when the fixed-length flag allows it', async () => {
    const bytes = variableLengthFixture();
    const file = await openSegyBuffer(bytes);
    expect([file.traceCount, file.samplesPerTrace, file.layout.fixedTraceBytes]).toEqual([3, 3, null]);
    expect(Array.from(await file.readTrace(1))).toEqual([3, 4, 5]);
    expect(Array.from(await file.readTraces(0, 3))).toEqual([1, 2, 0, 3, 4, 5, 1, 2, 0]);
  });

  it('keeps NaN samples as NaN', async () => {
    const bytes = encodeNewSegy({
      samples: Float32Array.of(NaN, 1),
      traceCount: 1,
      samplesPerTrace: 2,
      sampleIntervalUs: 1000,
    });
    expect(Number.isNaN((await (await openSegyBuffer(bytes)).readTrace(0))[0])).toBe(true);
  });

  it('ignores an incomplete last trace with a warning, or refuses it when strict', async () => {
    const bytes = cubeFixture(2, 2, 100).subarray(0, 3600 + 3 * 640 + 240 + 44);
    const file = await openSegyBuffer(bytes);
    expect(file.traceCount).toBe(3);
    expect(file.warnings.join()).toMatch(/trace 4: 100 samples expected, file ends after 11/);
    await expect(openSegyBuffer(bytes, { strict: true })).rejects.toThrow(
      /trace 4: 100 samples expected, file ends after 11/,
    );
  });

  it('explains what a non-SEG-Y file is', async () => {
    await expectSegyError(new Uint8Array(0), 'empty-file', /is empty/);
    await expectSegyError(
      Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10, ...new Uint8Array(4000)),
      'not-segy',
      /PNG image/,
    );
    const miniSeed = Buffer.concat([Buffer.from('000001D NL HGN 00BHZ'), Buffer.alloc(4076)]);
    await expectSegyError(miniSeed, 'not-segy', /miniSEED 2/);
    await expectSegyError(Buffer.from('x,y\n1,2\n'), 'too-small', /8 bytes.*text file/);
    await expectSegyError(Buffer.from('lorem ipsum\n'.repeat(400)), 'not-segy', /text file/);
    await expectSegyError(
      cubeFixture(1, 1, 4).subarray(0, 3700),
      'truncated',
      /trace 1: the file ends 100 bytes into its 240-byte header/,
    );
  });

  it('refuses a header claiming more extended textual headers than the file can hold (rev 1)', async () => {
    const bytes = cubeFixture(1, 1, 4);
    setInt16(bytes, 3505, 30000);
    await expectSegyError(bytes, 'bad-header', /claim 30000 extended textual headers/);
  });
});
