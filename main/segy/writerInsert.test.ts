import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSegy } from './reader';
import { deriveTraceHeader, TRACE_ID_BYTE } from './traceHeaderEdit';
import { writeNewSegy, writeSegyLike } from './writer';

const work = mkdtempSync(path.join(os.tmpdir(), 'promethium-insert-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// A 3 x 3 grid with cell (il 2, xl 11) missing: 8 traces in inline-sorted order.
const cells = [
  [1, 10],
  [1, 11],
  [1, 12],
  [2, 10],
  [2, 12],
  [3, 10],
  [3, 11],
  [3, 12],
] as const;

describe('writing added traces (filled grid positions)', () => {
  it('inserts a trace with a header derived from its neighbour, between the right source traces', async () => {
    const source = path.join(work, 'holes.sgy');
    await writeNewSegy(source, {
      samples: (i) => new Float32Array(4).fill(i + 1),
      traceCount: cells.length,
      samplesPerTrace: 4,
      sampleIntervalUs: 4000,
      format: 1,
      traceHeaders: {
        inline: cells.map((c) => c[0]),
        crossline: cells.map((c) => c[1]),
        cdpX: cells.map((c) => c[1] * 25),
      },
    });
    const file = await openSegy(source);
    const neighbour = await file.readTraceHeaderBytes(3); // (2, 10)
    const header = deriveTraceHeader(
      neighbour,
      new Map([
        [189, 2],
        [193, 11],
        [181, 275],
        [TRACE_ID_BYTE, 1],
      ]),
      file.byteOrder,
    );
    const out = path.join(work, 'filled.sgy');
    await writeSegyLike(file, out, {
      samples: (i) => new Float32Array(4).fill(i + 1),
      inserted: [{ after: 3, header, samples: new Float32Array(4).fill(99) }],
    });
    await file.close();

    const filled = await openSegy(out);
    expect(filled.traceCount).toBe(9);
    const keys = [];
    for (let i = 0; i < 9; i++) {
      const h = await filled.readTraceHeader(i);
      keys.push([h.inline, h.crossline]);
    }
    expect(keys).toEqual([
      [1, 10],
      [1, 11],
      [1, 12],
      [2, 10],
      [2, 11],
      [2, 12],
      [3, 10],
      [3, 11],
      [3, 12],
    ]);
    expect(Array.from(await filled.readTrace(4))).toEqual([99, 99, 99, 99]);
    expect((await filled.readTraceHeader(4)).cdpX).toBe(275);
    expect(Array.from(await filled.readTrace(5))).toEqual([5, 5, 5, 5]);
    await filled.close();
  });

  it('refuses malformed insertions without leaving a file', async () => {
    const source = path.join(work, 'holes.sgy');
    const file = await openSegy(source);
    const out = path.join(work, 'bad.sgy');
    await expect(
      writeSegyLike(file, out, {
        samples: () => new Float32Array(4),
        inserted: [{ after: 0, header: new Uint8Array(10), samples: new Float32Array(4) }],
      }),
    ).rejects.toThrow(/needs 240 header bytes/);
    await file.close();
    await expect(openSegy(out)).rejects.toThrow();
  });
});
