import { describe, expect, it } from 'vitest';
import { linearEventsSection } from '../processing/testSections';
import {
  BLENDS,
  bestBlend,
  blendSummary,
  classicalInterpolators,
  heldOutFolds,
  interpolateAtCheckedBlend,
  MIN_HELD_OUT,
  SLOPE_MARGIN_DB,
} from './blendCheck';

const shape = { traces: 60, samples: 64 };

/** A section whose traces change linearly across the line: linear interpolation restores any gap exactly. */
function lateralRamp(): Float32Array {
  const section = new Float32Array(shape.traces * shape.samples);
  for (let t = 0; t < shape.traces; t++)
    for (let s = 0; s < shape.samples; s++) section[t * shape.samples + s] = Math.sin(s / 5) * (1 + t / 10);
  return section;
}

function withGaps(section: Float32Array, dead: number[]): { input: Float32Array; live: Uint8Array } {
  const live = new Uint8Array(shape.traces).fill(1);
  const input = Float32Array.from(section);
  for (const t of dead) {
    live[t] = 0;
    input.fill(0, t * shape.samples, (t + 1) * shape.samples);
  }
  return { input, live };
}

const classical = classicalInterpolators(shape, 0.004);

describe('held-out traces', () => {
  it('copy the gaps as whole blocks, shifted past the longest gap, in two folds of live traces only', () => {
    const live = new Uint8Array(40).fill(1);
    for (const t of [3, 4, 5, 20, 21, 22]) live[t] = 0;
    const draws = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => heldOutFolds(live, seed));
    for (const folds of draws) {
      expect(folds).toHaveLength(2);
      const blocks = folds.map((fold) => [...fold.keys()].filter((t) => fold[t]));
      // each gap of 3, shifted by 4 (the first only forwards: backwards leaves the section), is one fold's block
      expect([[7, 8, 9]]).toContainEqual(blocks.find((b) => b.includes(7)));
      expect([
        [16, 17, 18],
        [24, 25, 26],
      ]).toContainEqual(blocks.find((b) => !b.includes(7)));
      for (const block of blocks) for (const t of block) expect(live[t]).toBe(1);
    }
    expect(new Set(draws.map((folds) => folds.map((f) => f.join('')).join('|'))).size).toBeGreaterThan(1);
    expect(heldOutFolds(live, 3)).toEqual(heldOutFolds(live, 3));
  });

  it('are none where no trace is missing', () => {
    expect(heldOutFolds(new Uint8Array(10).fill(1))).toEqual([]);
  });
});

describe('the blend check', () => {
  const dead = [5, 6, 14, 15, 23, 24, 33, 34, 42, 43, 51, 52];

  it('chooses linear interpolation where it restores hidden traces exactly and the model does not', async () => {
    const truth = lateralRamp();
    const { input, live } = withGaps(truth, dead);
    const zeros = async (x: Float32Array) => new Float32Array(x.length);
    const { output, check } = await interpolateAtCheckedBlend({ model: zeros, ...classical }, input, shape, live);
    expect(check.weights).toEqual({ model: 0, pocs: 0, linear: 1, slope: 0 });
    expect(check.heldOutTraces).toBeGreaterThanOrEqual(MIN_HELD_OUT);
    expect(check.heldOutSnrDb!).toBeGreaterThan(check.modelSnrDb! + 20);
    for (let t = 0; t < shape.traces; t++) {
      const row = (a: Float32Array) => Array.from(a.subarray(t * shape.samples, (t + 1) * shape.samples));
      if (live[t]) expect(row(output)).toEqual(row(input));
    }
  });

  describe('on dipping events that linear interpolation aliases', () => {
    // A 10-sample period moving 2 samples a trace: half a period and more across the 2-trace gaps.
    const wide = { traces: shape.traces, samples: 160 };
    const truth = linearEventsSection(wide, [{ firstSample: 20, dip: 2, amplitude: 1 }], 0.1);
    const live = new Uint8Array(wide.traces).fill(1);
    for (const t of dead) live[t] = 0;
    const input = truth.map((v, i) => (live[Math.floor(i / wide.samples)] ? v : 0));
    const zeros = async (x: Float32Array) => new Float32Array(x.length);
    const candidates = { model: zeros, ...classicalInterpolators(wide, 0.004) };

    it('chooses slope-steered interpolation', async () => {
      const { check } = await interpolateAtCheckedBlend(candidates, input, wide, live);
      expect(check.weights).toEqual({ model: 0, pocs: 0, linear: 0, slope: 1 });
    });

    it('ranks only the blends it is given', async () => {
      const rankedBlends = BLENDS.filter((w) => w.slope === 0);
      const { check } = await interpolateAtCheckedBlend(candidates, input, wide, live, { rankedBlends });
      expect(rankedBlends).toContainEqual(check.weights);
      expect(check.modelSnrDb).not.toBeNull();
    });
  });

  it('chooses the model where it knows the section', async () => {
    const truth = lateralRamp().map((v, i) => v + Math.sin(i * 1.7)); // laterally rough: classical methods miss it
    const { input, live } = withGaps(truth, dead);
    const oracle = async () => truth;
    const { check } = await interpolateAtCheckedBlend({ model: oracle, ...classical }, input, shape, live);
    expect(check.weights).toEqual(BLENDS[0]);
  });

  it('uses the model as it is when too few live traces can be hidden', async () => {
    const truth = lateralRamp();
    const { input, live } = withGaps(truth, []);
    const calls: string[] = [];
    const model = async (x: Float32Array) => (calls.push('model'), x);
    const { check } = await interpolateAtCheckedBlend({ model, ...classical }, input, shape, live);
    expect(check).toEqual({ weights: BLENDS[0], heldOutTraces: 0, heldOutSnrDb: null, modelSnrDb: null });
    expect(calls).toEqual(['model']);
  });

  it('takes a blend with slope-steered interpolation only where it wins by the margin', () => {
    const slopeAlone = BLENDS.findIndex((w) => w.slope === 1);
    const pocsAlone = BLENDS.findIndex((w) => w.pocs === 1);
    const scores = (slopeGain: number) => ({
      blends: BLENDS,
      heldOutTraces: 8,
      snrDb: BLENDS.map((_, b) => (b === pocsAlone ? 10 : b === slopeAlone ? 10 + slopeGain : 5)),
    });
    expect(bestBlend(scores(SLOPE_MARGIN_DB - 0.1)).weights).toEqual(BLENDS[pocsAlone]);
    expect(bestBlend(scores(SLOPE_MARGIN_DB + 0.1)).weights).toEqual(BLENDS[slopeAlone]);
    expect(bestBlend(scores(SLOPE_MARGIN_DB + 0.1)).modelSnrDb).toBe(5);
  });

  it('summarises a file by its mean blend', () => {
    const check = (model: number, pocs: number) => ({
      weights: { model, pocs, linear: 0, slope: 0 },
      heldOutTraces: 4,
      heldOutSnrDb: 1,
      modelSnrDb: 1,
    });
    expect(blendSummary([check(1, 0), check(0.5, 0.5)])).toEqual({
      weights: { model: 0.75, pocs: 0.25, linear: 0, slope: 0 },
      panels: 2,
    });
    expect(blendSummary([])).toBeNull();
  });
});
