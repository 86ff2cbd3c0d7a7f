import { describe, expect, it } from 'vitest';
import { gaussian, seededRandom } from '../signal/random';
import type { SectionShape } from '../signal/metrics';
import {
  EnsembleAccumulator,
  TilePlan,
  axisOrigins,
  extractPatches,
  flipPatches,
  predictTiled,
  reflectIndex,
  withFlipAugmentation,
  type PatchPredictor,
} from './tiling';

function randomSection(shape: SectionShape, seed: number): Float32Array {
  const normal = gaussian(seededRandom(seed));
  return Float32Array.from({ length: shape.traces * shape.samples }, normal);
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** The identity model: returns channel 0 of each patch. */
function identity(channels: number): PatchPredictor {
  return (batch) => {
    const out = new Float32Array(batch.length / channels);
    for (let i = 0; i < out.length; i++) out[i] = batch[i * channels]!;
    return out;
  };
}

describe('axisOrigins', () => {
  it('covers the axis with the last patch aligned to the end', () => {
    expect(axisOrigins(256, 128, 64)).toEqual([0, 64, 128]);
    expect(axisOrigins(300, 128, 64)).toEqual([0, 64, 128, 172]);
    expect(axisOrigins(128, 128, 64)).toEqual([0]);
    expect(axisOrigins(40, 128, 64)).toEqual([0]);
    expect(axisOrigins(300, 128, 128)).toEqual([0, 128, 172]);
  });
});

describe('reflectIndex', () => {
  it('reflects without repeating the edge, repeatedly, and holds a single value', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((i) => reflectIndex(i, 3))).toEqual([0, 1, 2, 1, 0, 1, 2, 1]);
    expect([0, 1, 2, 3].map((i) => reflectIndex(i, 1))).toEqual([0, 0, 0, 0]);
  });
});

describe('TilePlan', () => {
  it('batches every origin once, in bounded groups', () => {
    const plan = new TilePlan({ traces: 300, samples: 500 }, { samples: 128, traces: 64 }, 0.5);
    const batches = [...plan.batches(5)];
    expect(batches.every((batch) => batch.length <= 5)).toBe(true);
    expect(batches.flat()).toEqual(plan.origins);
    expect(plan.origins.length).toBe(plan.traceOrigins.length * plan.sampleOrigins.length);
  });

  it('rejects an overlap outside [0, 1) and an empty patch', () => {
    expect(() => new TilePlan({ traces: 10, samples: 10 }, { samples: 8, traces: 8 }, 1)).toThrow('overlap');
    expect(() => new TilePlan({ traces: 10, samples: 10 }, { samples: 0, traces: 8 })).toThrow('patch');
  });
});

describe('extractPatches', () => {
  it('lays patches out NHWC (samples x traces x channels) from trace-major sections, reflect-padding', () => {
    // 2 traces x 3 samples: trace 0 = [0, 1, 2], trace 1 = [10, 11, 12].
    const data = new Float32Array([0, 1, 2, 10, 11, 12]);
    const mask = new Float32Array([1, 1, 1, 0, 0, 0]);
    const batch = extractPatches([data, mask], { traces: 2, samples: 3 }, { samples: 4, traces: 3 }, [
      { trace: 0, sample: 0 },
    ]);
    // Row r (sample), column c (trace), channel: traces reflect 0,1,0 and samples 0,1,2,1.
    const rows = [
      [0, 1, 10, 0, 0, 1],
      [1, 1, 11, 0, 1, 1],
      [2, 1, 12, 0, 2, 1],
      [1, 1, 11, 0, 1, 1],
    ];
    expect(Array.from(batch)).toEqual(rows.flat());
  });
});

describe('predictTiled with an identity model', () => {
  const shapes: SectionShape[] = [
    { traces: 1, samples: 1 },
    { traces: 1, samples: 300 },
    { traces: 300, samples: 1 },
    { traces: 20, samples: 30 }, // smaller than a patch
    { traces: 64, samples: 128 }, // exactly one patch
    { traces: 128, samples: 256 }, // exact multiples
    { traces: 97, samples: 301 }, // non-multiples
  ];
  const patch = { samples: 128, traces: 64 };

  for (const overlap of [0, 0.25, 0.5, 0.75]) {
    it(`returns its input at overlap ${overlap} for every section shape`, async () => {
      for (const shape of shapes) {
        const section = randomSection(shape, shape.traces * 1000 + shape.samples);
        const result = await predictTiled([section], shape, { patch, overlap, batchSize: 7 }, identity(1));
        expect(maxAbsDifference(result, section), `${shape.traces} x ${shape.samples}`).toBeLessThan(1e-5);
      }
    });
  }

  it('uses channel 0 of a two-channel input and a square patch', async () => {
    const shape = { traces: 150, samples: 90 };
    const section = randomSection(shape, 5);
    const mask = new Float32Array(section.length).fill(1);
    const result = await predictTiled(
      [section, mask],
      shape,
      { patch: { samples: 32, traces: 32 }, batchSize: 4 },
      identity(2),
    );
    expect(maxAbsDifference(result, section)).toBeLessThan(1e-5);
  });

  it('blends with weights summing to one: a constant model gives a constant section', async () => {
    const shape = { traces: 77, samples: 200 };
    const constant: PatchPredictor = (batch, count) => new Float32Array(count * 64 * 32).fill(2.5);
    const result = await predictTiled(
      [new Float32Array(77 * 200)],
      shape,
      { patch: { samples: 64, traces: 32 }, batchSize: 3 },
      constant,
    );
    expect(maxAbsDifference(result, new Float32Array(result.length).fill(2.5))).toBeLessThan(1e-5);
  });
});

describe('predictTiled with batches in flight', () => {
  it('blends in plan order whatever order the answers come in: the same section as one batch at a time', async () => {
    const shape = { traces: 97, samples: 301 };
    const section = randomSection(shape, 11);
    const tiling = { patch: { samples: 64, traces: 32 }, overlap: 0.5, batchSize: 5 };
    // Later batches answer sooner, and a batch's answer depends on its contents only.
    let calls = 0;
    let inFlight = 0;
    let mostInFlight = 0;
    const shuffled: PatchPredictor = async (batch, count) => {
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 20 - (calls++ % 4) * 5));
      inFlight--;
      return (await identity(1)(batch, count)).map((v) => v * 0.5 + 1);
    };
    const serial = await predictTiled([section], shape, tiling, shuffled);
    expect(mostInFlight).toBe(1);
    const parallel = await predictTiled([section], shape, { ...tiling, inFlight: 3 }, shuffled);
    expect(mostInFlight).toBe(3);
    expect(Array.from(parallel)).toEqual(Array.from(serial));
    expect(
      maxAbsDifference(
        parallel,
        section.map((v) => v * 0.5 + 1),
      ),
    ).toBeLessThan(1e-5);
  });

  it('passes on the first failure and refuses a count below one', async () => {
    const shape = { traces: 40, samples: 40 };
    let calls = 0;
    const failing: PatchPredictor = async (batch, count) => {
      if (calls++ === 2) throw new Error('model failed');
      return identity(1)(batch, count);
    };
    const tiling = { patch: { samples: 16, traces: 16 }, batchSize: 2 };
    await expect(predictTiled([randomSection(shape, 1)], shape, { ...tiling, inFlight: 2 }, failing)).rejects.toThrow(
      'model failed',
    );
    await expect(predictTiled([randomSection(shape, 1)], shape, { ...tiling, inFlight: 0 }, failing)).rejects.toThrow(
      'batches in flight must be >= 1, got 0',
    );
  });
});

describe('test-time flips', () => {
  const patch = { samples: 3, traces: 2 };

  it('flips along traces, time and both, and un-flips by flipping again', () => {
    const batch = Float32Array.from([0, 1, 2, 3, 4, 5]); // rows [0,1], [2,3], [4,5]
    expect(Array.from(flipPatches(batch, 1, patch, 1, 'traces'))).toEqual([1, 0, 3, 2, 5, 4]);
    expect(Array.from(flipPatches(batch, 1, patch, 1, 'time'))).toEqual([4, 5, 2, 3, 0, 1]);
    expect(Array.from(flipPatches(batch, 1, patch, 1, 'both'))).toEqual([5, 4, 3, 2, 1, 0]);
    for (const flip of ['none', 'traces', 'time', 'both'] as const) {
      expect(flipPatches(flipPatches(batch, 1, patch, 1, flip), 1, patch, 1, flip)).toEqual(batch);
    }
  });

  it('keeps channels together when flipping', () => {
    const batch = Float32Array.from([0, 10, 1, 11]); // one row, two traces, two channels
    expect(Array.from(flipPatches(batch, 1, { samples: 1, traces: 2 }, 2, 'traces'))).toEqual([1, 11, 0, 10]);
  });

  it('gives back the identity model through every flip and un-flip, tiled', async () => {
    const shape = { traces: 40, samples: 70 };
    const section = randomSection(shape, 9);
    const tilePatch = { samples: 32, traces: 16 };
    const predict = withFlipAugmentation(identity(1), tilePatch, 1);
    const result = await predictTiled([section], shape, { patch: tilePatch, batchSize: 8 }, predict);
    expect(maxAbsDifference(result, section)).toBeLessThan(1e-5);
  });

  it('averages a flip-dependent model over the flips', async () => {
    // A model that adds 1 on its first call only (the unflipped pass): the mean over four flips adds 1/4.
    const batch = Float32Array.from([0, 1, 2, 3, 4, 5]);
    let calls = 0;
    const predictor: PatchPredictor = (input) => {
      const bias = calls++ === 0 ? 1 : 0;
      return input.map((v) => v + bias);
    };
    const mean = await withFlipAugmentation(predictor, patch, 1)(batch, 1);
    expect(Array.from(mean).map((v, i) => v - batch[i]!)).toEqual(new Array(6).fill(0.25));
  });
});

describe('EnsembleAccumulator', () => {
  it('gives the mean and sample standard deviation of the passes', () => {
    const ensemble = new EnsembleAccumulator(2);
    for (const pass of [
      [1, 10],
      [2, 10],
      [3, 10],
      [6, 10],
    ]) {
      ensemble.add(Float32Array.from(pass));
    }
    expect(ensemble.count).toBe(4);
    expect(Array.from(ensemble.mean())).toEqual([3, 10]);
    // Deviations -2, -1, 0, 3: sum of squares 14, divided by N - 1 = 3.
    expect(ensemble.standardDeviation()[0]).toBeCloseTo(Math.sqrt(14 / 3), 6);
    expect(ensemble.standardDeviation()[1]).toBe(0);
  });

  it('reports zero spread for a single pass and refuses passes of the wrong size', () => {
    const ensemble = new EnsembleAccumulator(3);
    ensemble.add(Float32Array.from([1, 2, 3]));
    expect(Array.from(ensemble.standardDeviation())).toEqual([0, 0, 0]);
    expect(() => ensemble.add(new Float32Array(2))).toThrow('3 expected');
  });
});
