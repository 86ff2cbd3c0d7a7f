import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SegyWriteError } from './errors';
import { openSegy, openSegyBuffer } from './reader';
import { cubeFixture } from './testFixtures';
import { writeNewSegy, writeSegyLike } from './writer';

const dir = mkdtempSync(path.join(tmpdir(), 'promethium-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeNewSegy', () => {
  it('writes a file that reads back with its samples and trace headers', async () => {
    const out = path.join(dir, 'new.sgy');
    const samples = Float32Array.from({ length: 6 * 4 }, (_, k) => k - 3.5);
    await writeNewSegy(out, {
      samples,
      traceCount: 6,
      samplesPerTrace: 4,
      sampleIntervalUs: 4000,
      format: 1,
      traceHeaders: { inline: [1, 1, 1, 2, 2, 2], crossline: [5, 6, 7, 5, 6, 7], cdpX: 1000, coordinateScalar: -10 },
    });
    const file = await openSegy(out);
    expect([file.format, file.traceCount, file.samplesPerTrace, file.sampleIntervalUs]).toEqual([1, 6, 4, 4000]);
    expect(await file.readTraces(0, 6)).toEqual(samples);
    expect(await file.readTraceHeader(4)).toMatchObject({
      inline: 2,
      crossline: 6,
      cdpX: 1000,
      coordinateScalar: -10,
      traceSequenceFile: 5,
    });
    await file.close();
    expect(readdirSync(dir).filter((name) => name.includes('.tmp-'))).toEqual([]);
  });

  it('refuses inconsistent input with a typed error and leaves nothing behind', async () => {
    const out = path.join(dir, 'bad.sgy');
    const attempt = writeNewSegy(out, {
      samples: new Float32Array(5),
      traceCount: 2,
      samplesPerTrace: 3,
      sampleIntervalUs: 4000,
    });
    await expect(attempt).rejects.toBeInstanceOf(SegyWriteError);
    await expect(attempt).rejects.toMatchObject({ code: 'bad-input' });
    expect(existsSync(out)).toBe(false);
  });
});

describe('writeSegyLike', () => {
  const source = cubeFixture(3, 4, 5, { format: 3 });

  it('keeps every header byte and replaces the samples', async () => {
    const input = await openSegyBuffer(source);
    const out = path.join(dir, 'like.sgy');
    await writeSegyLike(input, out, {
      samples: (t) => Float32Array.from({ length: 5 }, (_, s) => -t * 10 - s),
      history: false,
    });
    const written = readFileSync(out);
    expect(written.length).toBe(source.length);
    const reread = await openSegy(out);
    expect(Array.from(await reread.readTrace(7))).toEqual([-70, -71, -72, -73, -74]);
    for (let t = 0; t < 12; t++)
      expect(await reread.readTraceHeaderBytes(t)).toEqual(await input.readTraceHeaderBytes(t));
    expect(written.subarray(0, 3600).equals(Buffer.from(source.subarray(0, 3600)))).toBe(true);
    await reread.close();
  });

  it('writes IEEE floats on request, changing only the format code in the headers', async () => {
    const input = await openSegyBuffer(source);
    const out = path.join(dir, 'ieee.sgy');
    await writeSegyLike(input, out, {
      samples: (t) => Float32Array.of(0.5, t, 2, 3, 4),
      format: 'ieee',
      history: false,
    });
    const reread = await openSegy(out);
    expect([reread.format, reread.traceCount]).toEqual([5, 12]);
    expect(Array.from(await reread.readTrace(2))).toEqual([0.5, 2, 2, 3, 4]);
    await reread.close();
  });

  it('removes the temporary file and throws a typed error when the sample source fails', async () => {
    const input = await openSegyBuffer(source);
    const out = path.join(dir, 'failing.sgy');
    const attempt = writeSegyLike(input, out, {
      samples: (t) => {
        if (t === 9) throw new Error('inference crashed');
        return new Float32Array(5);
      },
    });
    await expect(attempt).rejects.toMatchObject({ name: 'SegyWriteError', code: 'io', message: /inference crashed/ });
    expect(readdirSync(dir).filter((name) => name.startsWith('failing'))).toEqual([]);
  });

  it('rejects samples of the wrong length and unwritable folders with typed errors', async () => {
    const input = await openSegyBuffer(source);
    await expect(
      writeSegyLike(input, path.join(dir, 'short.sgy'), { samples: () => new Float32Array(4) }),
    ).rejects.toMatchObject({
      code: 'bad-input',
      message: /trace 1: 4 new samples given, the trace has 5/,
    });
    await expect(
      writeSegyLike(input, path.join(dir, 'no', 'such', 'folder.sgy'), { samples: () => new Float32Array(5) }),
    ).rejects.toBeInstanceOf(SegyWriteError);
  });

  it('honours cancellation', async () => {
    const input = await openSegyBuffer(source);
    const controller = new AbortController();
    controller.abort();
    const out = path.join(dir, 'cancelled.sgy');
    await expect(
      writeSegyLike(input, out, { samples: () => new Float32Array(5), signal: controller.signal }),
    ).rejects.toMatchObject({ code: 'aborted' });
    expect(existsSync(out)).toBe(false);
  });
});
