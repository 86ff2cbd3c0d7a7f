import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { robustAmplitudeScale } from '../normalization';
import { SurveyCacheWriter } from '../../survey/cacheWriter';
import { LayeredVolume } from '../../synth/layeredVolume';
import {
  InMemoryPatchSource,
  PatchSourceSet,
  SurveyCachePatchSource,
  cutPatch,
  estimateSourceScale,
} from './patchSource';

const [INLINES, CROSSLINES, SAMPLES] = [5, 12, 40];
const volume = new LayeredVolume({ inlines: INLINES, crosslines: CROSSLINES, samples: SAMPLES, seed: 3 });
/** Inline 2 is missing from the survey; on inline 4, crosslines 7 and 8 are. */
const isLive = (il: number, xl: number) => il !== 2 && !(il === 4 && (xl === 7 || xl === 8));
const inlineValues = (il: number) => volume.inline(il).map((v) => v * 1000);

function expectedLine(il: number): Float32Array {
  const values = inlineValues(il);
  for (let xl = 0; xl < CROSSLINES; xl++) if (!isLive(il, xl)) values.fill(0, xl * SAMPLES, (xl + 1) * SAMPLES);
  return values;
}

let dir = '';
let source: SurveyCachePatchSource;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'promethium-patches-'));
  const writer = await SurveyCacheWriter.create(path.join(dir, 'cache'), {
    inlines: Array.from({ length: INLINES }, (_, i) => 100 + i),
    crosslines: Array.from({ length: CROSSLINES }, (_, j) => 200 + j),
    samples: { count: SAMPLES, start: 0, interval: 4, unit: 'ms' },
  });
  for (let il = 0; il < INLINES; il++) {
    const values = inlineValues(il);
    for (let xl = 0; xl < CROSSLINES; xl++) {
      if (isLive(il, xl)) await writer.writeTrace(il, xl, values.subarray(xl * SAMPLES, (xl + 1) * SAMPLES));
    }
  }
  await writer.finish();
  source = await SurveyCachePatchSource.open(path.join(dir, 'cache'));
});

afterAll(async () => {
  await source?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('SurveyCachePatchSource', () => {
  it('lists the inlines with live traces and leaves out the empty one', () => {
    expect(source.lines.map((extent) => extent.line)).toEqual([0, 1, 3, 4]);
    expect(source.emptyLines).toEqual([2]);
    expect(source.lines[0]).toEqual({ line: 0, traces: CROSSLINES, samples: SAMPLES });
    expect(source.name).toBe('cache');
  });

  it('reads the patch at (line, trace start, sample start), trace-major, dead traces as zeros', async () => {
    const patch = { traces: 4, samples: 16 };
    const read = await source.readPatch({ line: 4, traceStart: 6, sampleStart: 20 }, patch);
    expect(read).toEqual(cutPatch(expectedLine(4), { traces: CROSSLINES, samples: SAMPLES }, 6, 20, patch));
    expect(read.subarray(16, 48).every((v) => v === 0)).toBe(true); // crosslines 7 and 8
    expect(read[0]).toBe(Math.fround(inlineValues(4)[6 * SAMPLES + 20]!));
  });

  it('reflect-pads a patch larger than the line, as tiled inference does', async () => {
    const patch = { traces: 16, samples: 48 };
    const read = await source.readPatch({ line: 1, traceStart: 0, sampleStart: 0 }, patch);
    expect(read).toEqual(cutPatch(expectedLine(1), { traces: CROSSLINES, samples: SAMPLES }, 0, 0, patch));
    expect(read[12 * 48]).toBe(read[10 * 48]); // trace 12 mirrors trace 10 about the last trace (11)
  });

  it('estimates the survey scale from live traces only', async () => {
    const live = [0, 1, 3, 4].map(expectedLine);
    const all = new Float32Array(live.length * CROSSLINES * SAMPLES);
    live.forEach((line, k) => all.set(line, k * CROSSLINES * SAMPLES));
    const expected = robustAmplitudeScale(all, { traces: live.length * CROSSLINES, samples: SAMPLES });
    expect(await estimateSourceScale(source)).toEqual(expected);
  });
});

describe('PatchSourceSet', () => {
  it('numbers the lines of several sources as one set and divides each patch by its own source scale', async () => {
    const sections = [0, 1].map((i) => ({ data: volume.inline(i), shape: { traces: CROSSLINES, samples: SAMPLES } }));
    const memory = new InMemoryPatchSource('synthetic', sections);
    const set = await PatchSourceSet.withEstimatedScales([source, memory]);
    expect(set.lines.map((extent) => extent.line)).toEqual([0, 1, 2, 3, 4, 5]);
    const [surveyScale, syntheticScale] = set.scales;
    expect(surveyScale!.divisor).toBeGreaterThan(syntheticScale!.divisor * 256); // the survey is 1000x louder
    const patch = { traces: 4, samples: 8 };
    const fromSurvey = await set.readNormalizedPatch({ line: 2, traceStart: 1, sampleStart: 3 }, patch);
    const raw = await source.readPatch({ line: 3, traceStart: 1, sampleStart: 3 }, patch);
    expect(fromSurvey).toEqual(raw.map((v) => v / surveyScale!.divisor));
    const fromMemory = await set.readNormalizedPatch({ line: 5, traceStart: 0, sampleStart: 0 }, patch);
    expect(fromMemory).toEqual(
      (await memory.readPatch({ line: 1, traceStart: 0, sampleStart: 0 }, patch)).map(
        (v) => v / syntheticScale!.divisor,
      ),
    );
    expect(set.normalization.map((entry) => entry.source)).toEqual(['cache', 'synthetic']);
  });
});
