import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSynth } from './synth';
import { UsageError } from './usageError';
import { openSegy } from '../segy';
import { SEGYIO_PYTHON } from '../../test/testdata';
import { dumpWithSegyio, segyioAvailable } from '../../test/integration/segyOracle';
import { DEMO_SURVEY, demoSurvey } from '../synth/demoSurvey';
import { EarthModel } from '../synth/earthModel';
import { PostStackSynthesizer } from '../synth/postStack';
import { randomEarthModelSpec } from '../synth/randomModel';
import { DEFAULT_GRID, binCentre, scaledCoordinate } from '../synth/surveyGrid';

const dir = mkdtempSync(path.join(tmpdir(), 'promethium-synth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CUBE = { kind: 'cube', seed: 5, inlines: 6, crosslines: 8, samples: 120, sampleIntervalMs: 4 } as const;

/** The generator the CLI uses for CUBE (its defaults: Ricker 25 Hz, Q 150, two faults). */
function cubeGenerator(): PostStackSynthesizer {
  const extent = { inlines: CUBE.inlines, crosslines: CUBE.crosslines, durationMs: CUBE.samples * 4 };
  const model = new EarthModel(randomEarthModelSpec(CUBE.seed, extent, { faults: 2 }));
  return new PostStackSynthesizer(model, {
    samples: CUBE.samples,
    sampleIntervalMs: 4,
    wavelet: { kind: 'ricker', peakHz: 25 },
    q: 150,
  });
}

describe('promethium synth', () => {
  it('writes a cube that openSegy reads back with its headers and the generator samples', async () => {
    const out = path.join(dir, 'cube.sgy');
    const summary = await runSynth({ ...CUBE, out });
    expect(summary.traceCount).toBe(48);
    const file = await openSegy(out);
    expect([file.traceCount, file.samplesPerTrace, file.sampleIntervalUs, file.format]).toEqual([48, 120, 4000, 5]);
    const generator = cubeGenerator();
    const samples = await file.readTraces(0, 48);
    for (let il = 0; il < CUBE.inlines; il++) {
      expect(samples.subarray(il * 8 * 120, (il + 1) * 8 * 120)).toEqual(generator.inline(il));
    }
    const header = await file.readTraceHeader(8 * 2 + 3);
    const centre = binCentre(DEFAULT_GRID, 2, 3);
    expect(header).toMatchObject({
      inline: DEFAULT_GRID.firstInline + 2,
      crossline: DEFAULT_GRID.firstCrossline + 3,
      cdp: 2 * 8 + 3 + 1,
      cdpX: scaledCoordinate(centre.x),
      cdpY: scaledCoordinate(centre.y),
      coordinateScalar: -100,
      traceIdentificationCode: 1,
      samplesPerTrace: 120,
      sampleInterval: 4000,
      traceSequenceFile: 20,
    });
    expect(file.textHeader.lines[1]).toContain('SEED 5');
    await file.close();
  });

  it('writes missing traces as dead (zeros, code 2) or omits them, and the clean version beside', async () => {
    const dead = path.join(dir, 'dead.sgy');
    const omitted = path.join(dir, 'omit.sgy');
    const clean = path.join(dir, 'clean.sgy');
    const missing = { ...CUBE, noise: 'gaussian:10', missing: 'random:0.25' };
    const deadSummary = await runSynth({ ...missing, out: dead, clean });
    const omitSummary = await runSynth({ ...missing, out: omitted, missingAs: 'omit' });
    expect(deadSummary.deadTraces).toBe(6 * 2);
    expect(omitSummary).toMatchObject({ traceCount: 36, omittedTraces: 12, deadTraces: 0 });

    const deadFile = await openSegy(dead);
    const omitFile = await openSegy(omitted);
    const cleanFile = await openSegy(clean);
    const generator = cubeGenerator();
    let omittedIndex = 0;
    for (let t = 0; t < 48; t++) {
      const header = await deadFile.readTraceHeader(t);
      const trace = await deadFile.readTrace(t);
      if (header.traceIdentificationCode === 2) {
        expect(trace.every((v) => v === 0)).toBe(true);
        continue;
      }
      expect(await omitFile.readTrace(omittedIndex)).toEqual(trace);
      expect((await omitFile.readTraceHeader(omittedIndex)).crossline).toBe(header.crossline);
      omittedIndex++;
      // Noisy: differs from the clean trace at the same position.
      expect(trace).not.toEqual(await cleanFile.readTrace(t));
    }
    expect(omittedIndex).toBe(36);
    expect(await cleanFile.readTraces(0, 8)).toEqual(generator.inline(0));
    expect(cleanFile.textHeader.text).toContain('CLEAN REFERENCE');
    await Promise.all([deadFile.close(), omitFile.close(), cleanFile.close()]);
  });

  it('writes CMP gathers with offsets at byte 37, sources and receivers either side of the CMP', async () => {
    const out = path.join(dir, 'gathers.sgy');
    const summary = await runSynth({
      out,
      kind: 'gathers',
      seed: 2,
      inlines: 1,
      crosslines: 2,
      samples: 200,
      offsets: 12,
      offsetStep: 100,
      noise: 'groundroll:3',
    });
    expect(summary.traceCount).toBe(24);
    const file = await openSegy(out);
    const headers = await Promise.all([0, 11, 12].map((t) => file.readTraceHeader(t)));
    expect(headers.map((h) => [h.cdp, h.offset, h.cdpTrace])).toEqual([
      [1, 100, 1],
      [1, 1200, 12],
      [2, 100, 1],
    ]);
    const h = headers[1]!;
    expect((h.sourceX + h.groupX) / 2).toBeCloseTo(h.cdpX, -1);
    expect(Math.hypot(h.groupX - h.sourceX, h.groupY - h.sourceY) / 100).toBeCloseTo(1200, 0);
    expect(file.binaryHeader.sortingCode).toBe(2);
    await file.close();
  });

  it.skipIf(!segyioAvailable())(
    'writes files that segyio reads: same samples, headers and 3D geometry (skipped without python3-segyio)',
    async () => {
      const out = path.join(dir, 'segyio.sgy');
      await runSynth({ ...CUBE, out, format: 1 });
      const dump = dumpWithSegyio(out, 'big');
      const file = await openSegy(out);
      const ours = await file.readTraces(0, file.traceCount);
      await file.close();
      expect(dump.traceCount).toBe(48);
      expect(dump.sampleBits).toEqual(new Uint32Array(ours.buffer, ours.byteOffset, ours.length));
      expect(dump.headers.inline.slice(0, 9)).toEqual([1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1001]);
      const geometry = execFileSync(SEGYIO_PYTHON, [
        '-c',
        'import segyio, sys, json\nwith segyio.open(sys.argv[1]) as f: print(json.dumps([list(map(int, f.ilines)), list(map(int, f.xlines))]))',
        out,
      ]).toString();
      expect(JSON.parse(geometry)).toEqual([
        [1000, 1001, 1002, 1003, 1004, 1005],
        [2000, 2001, 2002, 2003, 2004, 2005, 2006, 2007],
      ]);
    },
  );

  it('rejects bad specs with readable invalid-argument errors, writing nothing', async () => {
    const out = path.join(dir, 'bad.sgy');
    const cases: Array<[Parameters<typeof runSynth>[0], RegExp]> = [
      [{ ...CUBE, out, noise: 'gausian:20' }, /unknown model 'gausian'.*gaussian\[:SNR_DB\]/],
      [{ ...CUBE, out, noise: 'gaussian:loud' }, /'loud' is not a number/],
      [{ ...CUBE, out, noise: 'groundroll' }, /ground roll is pre-stack noise/],
      [{ ...CUBE, out, missing: 'random:1.5' }, /fraction must be in \[0, 1\)/],
      [{ ...CUBE, out, missing: 'gaps:20' }, /do not fit in a section of 8 traces/],
      [{ ...CUBE, out, missing: 'holes:3' }, /unknown mask 'holes'/],
      [{ ...CUBE, out, kind: 'volume' }, /kind 'volume': expected cube, line, gathers or velocity/],
      [{ ...CUBE, out, wavelet: 'ricker:200' }, /above the 125 Hz Nyquist/],
      [{ ...CUBE, out, format: 3 }, /written as 5 \(IEEE float\) or 1/],
    ];
    for (const [options, message] of cases) {
      const error = await runSynth(options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).apiCode).toBe('invalid-argument');
      expect((error as Error).message).toMatch(message);
    }
    expect(() => statSync(out)).toThrow();
  });

  it('writes a 2D line', async () => {
    const out = path.join(dir, 'line.sgy');
    await runSynth({
      out,
      kind: 'line',
      seed: 4,
      crosslines: 50,
      samples: 100,
      noise: 'swell+footprint:0.3',
      missing: 'gaps:5',
    });
    const file = await openSegy(out);
    expect(file.traceCount).toBe(50);
    const headers = await Promise.all([0, 49].map((t) => file.readTraceHeader(t)));
    expect(headers.map((h) => [h.inline, h.crossline, h.cdp])).toEqual([
      [1000, 2000, 1],
      [1000, 2049, 50],
    ]);
    await file.close();
  });
});

describe('demoSurvey', () => {
  it('writes the fixed demo cube quickly, once', async () => {
    const started = performance.now();
    const file = await demoSurvey(dir);
    const seconds = (performance.now() - started) / 1000;
    expect(seconds).toBeLessThan(15);
    const survey = await openSegy(file);
    const grid = DEMO_SURVEY.inlines * DEMO_SURVEY.crosslines;
    expect(survey.traceCount).toBe(grid - Math.round(0.02 * DEMO_SURVEY.crosslines) * DEMO_SURVEY.inlines);
    expect(survey.samplesPerTrace).toBe(400);
    await survey.close();
    const written = statSync(file).mtimeMs;
    expect(await demoSurvey(dir)).toBe(file);
    expect(statSync(file).mtimeMs).toBe(written);
  });
});
