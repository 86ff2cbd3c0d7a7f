/**
 * Real files where segyio 1.8 fails or cannot infer geometry, and the geometry kinds of every file.
 */
import { describe, expect, it } from 'vitest';
import { SegyFormatError } from '../../main/segy/errors';
import { openSegy } from '../../main/segy/reader';
import type { SegyFile } from '../../main/segy/reader';
import { analyseSurvey } from '../../main/survey/analyse';
import type { SurveyAnalysis } from '../../main/survey/analyse';
import { hasTestdata, testdataPath } from '../testdata';

async function analyse(name: string): Promise<SurveyAnalysis & { file: SegyFile }> {
  const file = await openSegy(testdataPath('segy', name));
  return { file, ...(await analyseSurvey(file)) };
}

describe.skipIf(!hasTestdata)('SEG-Y geometry on real files', () => {
  it('reads rotated-small-rev2.sgy (rev 2, one trace header extension per trace) which segyio 1.8 cannot', async () => {
    const { file, geometry } = await analyse('rotated-small-rev2.sgy');
    expect([file.revision, file.layout.extraTraceHeaders, file.traceCount, file.samplesPerTrace]).toEqual([
      2, 1, 25, 50,
    ]);
    const small = await openSegy(testdataPath('segy', 'small.sgy'));
    const expected = new Uint32Array((await small.readTraces(0, 25)).buffer);
    expect(new Uint32Array((await file.readTraces(0, 25)).buffer)).toEqual(expected);
    expect(geometry.kind).toBe('post-stack-3d');
    expect([geometry.grid?.inlines.count, geometry.grid?.crosslines.count]).toEqual([5, 5]);
    expect(geometry.grid?.coordinates).toMatchObject({ inlineSpacing: 1, crosslineSpacing: 1, inlineVectorY: -1 });
    await Promise.all([file.close(), small.close()]);
  });

  it('builds the 75 x 71 grid of ex1_missing_traces with 4938 live traces and 387 holes', async () => {
    const { file, geometry, proposal } = await analyse('ex1_missing_traces_75x71x26.segy');
    const grid = geometry.grid!;
    expect(geometry.kind).toBe('post-stack-3d');
    expect(proposal.map).toMatchObject({ inline: 189, crossline: 193 });
    expect(grid.inlines).toEqual({ first: 11352, last: 11500, step: 2, count: 75 });
    expect(grid.crosslines).toEqual({ first: 2442, last: 2582, step: 2, count: 71 });
    expect(grid.liveCells).toBe(4938);
    expect(grid.liveMask.reduce((sum, live) => sum + live, 0)).toBe(4938);
    expect(grid.traceIndex.filter((t) => t === -1).length).toBe(75 * 71 - 4938);
    expect(grid.coordinates?.inlineSpacing).toBeCloseTo(12.5, 2);
    const header = await file.readTraceHeader(grid.traceIndex.find((t) => t >= 0)!);
    expect([header.inline, header.crossline]).toEqual([
      11352,
      grid.crosslines.first + 2 * grid.traceIndex.findIndex((t) => t >= 0),
    ]);
    await file.close();
  });

  it('finds the 4 shot gathers x 120 channels of viking_small.segy', async () => {
    const { file, geometry } = await analyse('viking_small.segy');
    const gathers = geometry.gathers!;
    expect(geometry.kind).toBe('pre-stack-2d');
    expect([gathers.gatherByte, gathers.channelByte, gathers.maxFold]).toEqual([9, 13, 120]);
    expect(Array.from(gathers.gatherKeys)).toEqual([3, 4, 5, 6]);
    expect(Array.from(gathers.gatherStart)).toEqual([0, 120, 240, 360, 480]);
    expect([gathers.offsets[0], gathers.offsets[119]]).toEqual([-3237, -262]);
    expect(file.samplesPerTrace).toBe(600);
    expect(file.warnings.join()).toMatch(/say 600 .* say 1500/);
    await file.close();
  });

  it('sees small-ps.sgy as pre-stack 3D: 4 inlines x 3 crosslines x 2 offsets', async () => {
    const { file, geometry } = await analyse('small-ps.sgy');
    const grid = geometry.grid!;
    expect(geometry.kind).toBe('pre-stack-3d');
    expect([grid.inlines.count, grid.crosslines.count, Array.from(grid.offsets)]).toEqual([4, 3, [1, 2]]);
    expect(grid.traceIndex.every((t) => t >= 0)).toBe(true);
    await file.close();
  });

  it.each(['f3.sgy', 'Format5msb.sgy'])('%s: the F3 crop, 23 x 18 bins of 25 m, 75 samples from 4 ms', async (name) => {
    const { file, geometry, proposal } = await analyse(name);
    expect(geometry.kind).toBe('post-stack-3d');
    expect(proposal.confidence).toBeGreaterThan(0.9);
    expect([geometry.grid?.inlines.count, geometry.grid?.crosslines.count, geometry.grid?.liveCells]).toEqual([
      23, 18, 414,
    ]);
    expect(geometry.grid?.coordinates?.inlineSpacing).toBeCloseTo(25, 1);
    expect(geometry.grid?.coordinates?.crosslineSpacing).toBeCloseTo(25, 1);
    expect(geometry.sampleAxis).toEqual({ domain: 'time', unit: 'ms', start: 4, interval: 4, count: 75 });
    await file.close();
  });

  it('applies the time scalar to the delay of delay-scalar.sgy (10000 x -10 -> 1000 ms)', async () => {
    const { file, geometry } = await analyse('delay-scalar.sgy');
    expect(geometry.sampleAxis.start).toBe(1000);
    expect(geometry.kind).toBe('post-stack-2d');
    await file.close();
  });

  it('sees f11_02673_45Hz.segy as one 41-trace gather with offsets 0..2000 and a negative delay', async () => {
    const { file, geometry } = await analyse('f11_02673_45Hz.segy');
    expect(geometry.kind).toBe('pre-stack-2d');
    expect([geometry.gathers?.gatherKeys.length, geometry.gathers?.maxFold]).toEqual([1, 41]);
    expect([geometry.gathers?.offsets[0], geometry.gathers?.offsets[40]]).toEqual([0, 2000]);
    expect(geometry.sampleAxis.start).toBe(-183);
    expect(file.revision).toBe(1);
    await file.close();
  });

  it.each(['small-lsb.sgy', '00001034.sgy_first_trace', 'planes.segy_first_trace'])(
    'detects %s as little-endian',
    async (name) => {
      const file = await openSegy(testdataPath('segy', name));
      expect(file.byteOrder).toBe('little');
      expect(file.format).toBe(1);
      await file.close();
    },
  );

  it('reads 00001034.sgy_first_trace forced big-endian (which aborts segyio) or refuses it with a typed error', async () => {
    const outcome = await openSegy(testdataPath('segy', '00001034.sgy_first_trace'), { byteOrder: 'big' }).then(
      async (file) => {
        for (let t = 0; t < file.traceCount; t++) await file.readTrace(t);
        await file.close();
        return 'read';
      },
      (error: unknown) => error,
    );
    if (outcome !== 'read') expect(outcome).toBeInstanceOf(SegyFormatError);
  });

  it.each([
    ['mseed/test.mseed', /looks like miniSEED 2/],
    ['mseed/testdata-3channel-signal.mseed2', /looks like miniSEED 2/],
    ['mseed/testdata-3channel-signal.mseed3', /looks like miniSEED 3/],
    ['npy/mobil.npy', /NumPy/],
    ['README.md', /text file/],
  ])('refuses %s as not SEG-Y, saying what it looks like', async (name, message) => {
    await expect(openSegy(testdataPath(name))).rejects.toThrow(message);
    await expect(openSegy(testdataPath(name))).rejects.toBeInstanceOf(SegyFormatError);
  });

  it('reads the 4 extended textual headers of multi-text.sgy and the single traces of the first-trace files', async () => {
    const multi = await openSegy(testdataPath('segy', 'multi-text.sgy'));
    expect(multi.extendedTextHeaders).toHaveLength(4);
    expect(multi.layout.dataOffset).toBe(3600 + 4 * 3200);
    await multi.close();
    for (const [name, samples] of [
      ['ld0042_file_00018.sgy_first_trace', 2050],
      ['1.sgy_first_trace', 8000],
    ] as const) {
      const { file, geometry } = await analyse(name);
      expect([file.traceCount, file.samplesPerTrace, geometry.kind]).toEqual([1, samples, 'post-stack-2d']);
      await file.close();
    }
  });
});
