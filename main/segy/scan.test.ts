import { describe, expect, it } from 'vitest';
import { openSegyBuffer } from './reader';
import { sampleTraceHeaders, scanSegy } from './scan';
import { cubeFixture } from './testFixtures';
import { encodeNewSegy } from './writer';

describe('scanSegy', () => {
  it('collects key header values per trace in one pass, with progress by block', async () => {
    const file = await openSegyBuffer(cubeFixture(4, 5, 10));
    const progress: number[] = [];
    const scan = await scanSegy(file, {
      headerFields: [189, 193, 115],
      blockBytes: 1200,
      onProgress: (p) => progress.push(p.tracesDone),
    });
    expect(Array.from(scan.fields.get(189)!)).toEqual([
      10, 10, 10, 10, 10, 11, 11, 11, 11, 11, 12, 12, 12, 12, 12, 13, 13, 13, 13, 13,
    ]);
    expect(scan.fields.get(193)![6]).toBe(102);
    expect(scan.fields.get(115)![0]).toBe(10);
    expect(progress).toEqual([4, 8, 12, 16, 20]); // 280-byte traces, 4 per 1200-byte block
    expect(scan.deadTraceCount).toBe(0);
  });

  it('flags dead (all-zero) traces', async () => {
    const samples = Float32Array.of(1, 2, 0, 0, 0, -0.5);
    const file = await openSegyBuffer(
      encodeNewSegy({ samples, traceCount: 3, samplesPerTrace: 2, sampleIntervalUs: 1000 }),
    );
    const scan = await scanSegy(file);
    expect([Array.from(scan.deadTraces), scan.deadTraceCount]).toEqual([[0, 1, 0], 1]);
  });

  it('stops when cancelled', async () => {
    const file = await openSegyBuffer(cubeFixture(4, 5, 10));
    const controller = new AbortController();
    const scan = scanSegy(file, { blockBytes: 1000, signal: controller.signal, onProgress: () => controller.abort() });
    await expect(scan).rejects.toThrow(/abort/i);
  });

  it('samples a contiguous head and traces spread through the rest', async () => {
    const traceCount = 50;
    const bytes = encodeNewSegy({
      samples: new Float32Array(traceCount),
      traceCount,
      samplesPerTrace: 1,
      sampleIntervalUs: 1000,
      traceHeaders: { cdp: Int32Array.from({ length: traceCount }, (_, t) => 1000 + t) },
    });
    const sample = await sampleTraceHeaders(await openSegyBuffer(bytes), [21], { headCount: 10, spreadCount: 5 });
    expect(sample.headCount).toBe(10);
    expect(Array.from(sample.traceIndices)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 14, 22, 30, 38, 46]);
    expect(Array.from(sample.fields.get(21)!).slice(10)).toEqual([1014, 1022, 1030, 1038, 1046]);
  });
});
