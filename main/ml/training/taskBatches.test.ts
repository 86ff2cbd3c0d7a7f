import { describe, expect, it } from 'vitest';
import { gaussianNoise } from '../../signal/corruption';
import { signalToNoiseDb } from '../../signal/metrics';
import { LayeredVolume } from '../../synth/layeredVolume';
import {
  DEFAULT_AUGMENTATION,
  DEFAULT_CORRUPTION,
  NO_AUGMENTATION,
  buildTaskBatch,
  makeTrainingPair,
  seedFor,
  type TaskOptions,
} from './taskBatches';

const PATCH = { samples: 32, traces: 16 };
const volume = new LayeredVolume({ inlines: 4, crosslines: PATCH.traces, samples: PATCH.samples, seed: 7 });
const cleanPatches = [0, 1, 2].map((i) => volume.inline(i));

function options(task: TaskOptions['task'], overrides: Partial<TaskOptions> = {}): TaskOptions {
  return { task, corruption: DEFAULT_CORRUPTION, augmentation: DEFAULT_AUGMENTATION, ...overrides };
}

/** Channel c of patch n of an NHWC batch, back in trace-major order. */
function channelOf(batch: Float32Array, n: number, c: number, channels: number): Float32Array {
  const out = new Float32Array(PATCH.traces * PATCH.samples);
  for (let row = 0; row < PATCH.samples; row++) {
    for (let column = 0; column < PATCH.traces; column++) {
      const index = ((n * PATCH.samples + row) * PATCH.traces + column) * channels + c;
      out[column * PATCH.samples + row] = batch[index]!;
    }
  }
  return out;
}

describe('task batches', () => {
  it('denoise: 1 input channel, targets = (clean, live weight), input SNR inside the requested range', () => {
    const task = options('denoise', {
      augmentation: NO_AUGMENTATION,
      corruption: { ...DEFAULT_CORRUPTION, snrDbRange: [3, 6] },
    });
    const batch = buildTaskBatch(cleanPatches, PATCH, task, 11);
    expect(batch.inputChannels).toBe(1);
    expect(batch.inputs.length).toBe(3 * PATCH.samples * PATCH.traces);
    expect(batch.targets.length).toBe(3 * PATCH.samples * PATCH.traces * 2);
    cleanPatches.forEach((clean, n) => {
      expect(channelOf(batch.targets, n, 0, 2)).toEqual(clean);
      expect(channelOf(batch.targets, n, 1, 2).every((w) => w === 1)).toBe(true);
      const snr = signalToNoiseDb(clean, channelOf(batch.inputs, n, 0, 1));
      expect(snr).toBeGreaterThan(3 - 1e-3);
      expect(snr).toBeLessThan(6 + 1e-3);
    });
  });

  it('interpolate: amplitudes zeroed where the mask channel is 0, dead traces of the data masked and weighted 0', () => {
    const withDeadTrace = cleanPatches[0]!.slice();
    withDeadTrace.fill(0, 5 * PATCH.samples, 6 * PATCH.samples);
    const batch = buildTaskBatch([withDeadTrace], PATCH, options('interpolate', { augmentation: NO_AUGMENTATION }), 5);
    expect(batch.inputChannels).toBe(2);
    const amplitudes = channelOf(batch.inputs, 0, 0, 2);
    const mask = channelOf(batch.inputs, 0, 1, 2);
    const weight = channelOf(batch.targets, 0, 1, 2);
    let missing = 0;
    for (let t = 0; t < PATCH.traces; t++) {
      const trace = (values: Float32Array) => Array.from(values.subarray(t * PATCH.samples, (t + 1) * PATCH.samples));
      const live = mask[t * PATCH.samples]!;
      expect(new Set(trace(mask))).toEqual(new Set([live]));
      expect(trace(amplitudes)).toEqual(live ? trace(withDeadTrace) : trace(new Float32Array(withDeadTrace.length)));
      expect(weight[t * PATCH.samples]).toBe(t === 5 ? 0 : 1);
      if (!live) missing++;
    }
    expect(mask[5 * PATCH.samples]).toBe(0);
    expect(missing).toBeGreaterThan(1);
  });

  it("interpolate, 'decimation': every k-th trace hidden, k from the missing fraction, at a random phase", () => {
    const corruption = {
      ...DEFAULT_CORRUPTION,
      maskKinds: ['decimation'] as const,
      missingFractionRange: [0.25, 0.25] as const,
    };
    const phases = new Set<number>();
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const batch = buildTaskBatch(
        [cleanPatches[0]!],
        PATCH,
        options('interpolate', { corruption, augmentation: NO_AUGMENTATION }),
        seed,
      );
      const mask = channelOf(batch.inputs, 0, 1, 2);
      const hidden = Array.from({ length: PATCH.traces }, (_, t) => t).filter((t) => mask[t * PATCH.samples] === 0);
      expect(hidden).toHaveLength(PATCH.traces / 4);
      hidden.forEach((t, i) => expect(t).toBe(hidden[0]! + 4 * i));
      phases.add(hidden[0]!);
    }
    expect(phases.size).toBeGreaterThan(1);
  });

  it('is reproducible from its seed, and another seed gives another batch', () => {
    for (const task of ['denoise', 'interpolate'] as const) {
      const first = buildTaskBatch(cleanPatches, PATCH, options(task), 42);
      const again = buildTaskBatch(cleanPatches, PATCH, options(task), 42);
      const other = buildTaskBatch(cleanPatches, PATCH, options(task), 43);
      expect(again.inputs).toEqual(first.inputs);
      expect(again.targets).toEqual(first.targets);
      expect(other.inputs).not.toEqual(first.inputs);
    }
  });

  it('augments with flips along traces and time and polarity: the target is one of the 8 variants of the patch', () => {
    const clean = cleanPatches[1]!;
    const variant = (reverseTraces: boolean, reverseTime: boolean, sign: number) =>
      Float32Array.from(clean, (_, i) => {
        const [t, s] = [Math.floor(i / PATCH.samples), i % PATCH.samples];
        const from =
          (reverseTraces ? PATCH.traces - 1 - t : t) * PATCH.samples + (reverseTime ? PATCH.samples - 1 - s : s);
        return sign * clean[from]!;
      });
    const variants = [false, true].flatMap((traces) =>
      [false, true].flatMap((time) => [1, -1].map((sign) => variant(traces, time, sign))),
    );
    const seen = new Set<number>();
    for (let seed = 0; seed < 32; seed++) {
      const { target } = makeTrainingPair(clean, PATCH, options('denoise'), seed);
      const index = variants.findIndex((candidate) => candidate.every((v, i) => v === target[i]));
      expect(index).toBeGreaterThanOrEqual(0);
      seen.add(index);
    }
    expect(seen.size).toBeGreaterThanOrEqual(6);
  });

  it('adds the extra noise_std only to the input', () => {
    const quiet = options('denoise', {
      augmentation: NO_AUGMENTATION,
      corruption: { ...DEFAULT_CORRUPTION, snrDbRange: [60, 60] },
    });
    const noisy = { ...quiet, augmentation: { ...NO_AUGMENTATION, noiseStd: 0.5 } };
    const clean = cleanPatches[2]!;
    const a = makeTrainingPair(clean, PATCH, quiet, 3);
    const b = makeTrainingPair(clean, PATCH, noisy, 3);
    expect(b.target).toEqual(a.target);
    expect(signalToNoiseDb(clean, b.inputs[0]!)).toBeLessThan(signalToNoiseDb(clean, a.inputs[0]!) - 20);
  });

  it('derives distinct seeds for distinct parts of a run', () => {
    const seeds = new Set([seedFor(1, 1), seedFor(1, 2), seedFor(1, 1, 0), seedFor(1, 1, 1), seedFor(2, 1)]);
    expect(seeds.size).toBe(5);
    expect(seedFor(9, 4, 2)).toBe(seedFor(9, 4, 2));
  });
});

describe('blind-spot batches', () => {
  // White noise: every value occurs once, so a replaced sample's value tells which sample it was copied from.
  const noisy = gaussianNoise({ traces: PATCH.traces, samples: PATCH.samples }, 99);
  const blindSpot = options('denoise', {
    augmentation: NO_AUGMENTATION,
    corruption: { ...DEFAULT_CORRUPTION, kind: 'blind-spot', blindSpot: { cell: 8, radius: 2 } },
  });
  const at = (t: number, s: number) => t * PATCH.samples + s;

  it('weights one sample per 8 x 8 cell, replaced in the input by another sample of its 5 x 5 neighbourhood', () => {
    const batch = buildTaskBatch([noisy], PATCH, blindSpot, 21);
    expect(batch.inputChannels).toBe(1);
    const input = channelOf(batch.inputs, 0, 0, 1);
    const target = channelOf(batch.targets, 0, 0, 2);
    const weight = channelOf(batch.targets, 0, 1, 2);
    expect(target).toEqual(noisy); // no synthetic noise: the target is the noisy patch itself
    const picksPerCell = new Map<string, number>();
    for (let t = 0; t < PATCH.traces; t++) {
      for (let s = 0; s < PATCH.samples; s++) {
        const i = at(t, s);
        if (weight[i] === 0) {
          expect(input[i]).toBe(noisy[i]); // only picked samples change
          continue;
        }
        expect(weight[i]).toBe(1);
        const cell = `${Math.floor(t / 8)},${Math.floor(s / 8)}`;
        picksPerCell.set(cell, (picksPerCell.get(cell) ?? 0) + 1);
        const source = noisy.indexOf(input[i]!);
        const [dt, ds] = [Math.floor(source / PATCH.samples) - t, (source % PATCH.samples) - s];
        expect(source).not.toBe(i);
        expect(Math.max(Math.abs(dt), Math.abs(ds))).toBeLessThanOrEqual(2);
      }
    }
    // 16 traces x 32 samples: 2 x 4 cells, each with exactly one pick (1/64 of the samples).
    expect(picksPerCell.size).toBe(8);
    expect([...picksPerCell.values()].every((count) => count === 1)).toBe(true);
  });

  it('is reproducible from its seed, and another seed picks other samples', () => {
    const weights = (seed: number) => channelOf(buildTaskBatch([noisy], PATCH, blindSpot, seed).targets, 0, 1, 2);
    const first = buildTaskBatch([noisy, cleanPatches[0]!], PATCH, blindSpot, 8);
    const again = buildTaskBatch([noisy, cleanPatches[0]!], PATCH, blindSpot, 8);
    expect(again.inputs).toEqual(first.inputs);
    expect(again.targets).toEqual(first.targets);
    expect(weights(9)).not.toEqual(weights(8));
  });

  it('never picks a dead trace nor copies from one', () => {
    const withDeadTraces = noisy.slice();
    for (const dead of [3, 4, 9]) withDeadTraces.fill(0, dead * PATCH.samples, (dead + 1) * PATCH.samples);
    for (let seed = 0; seed < 20; seed++) {
      const { inputs, weight } = makeTrainingPair(withDeadTraces, PATCH, blindSpot, seed);
      for (const dead of [3, 4, 9]) {
        expect(weight.subarray(dead * PATCH.samples, (dead + 1) * PATCH.samples).every((w) => w === 0)).toBe(true);
      }
      weight.forEach((w, i) => {
        if (w === 1) expect(inputs[0]![i]).not.toBe(0);
      });
    }
  });

  it('refuses blind-spot for interpolation and a degenerate cell or radius', () => {
    const interpolate = { ...blindSpot, task: 'interpolate' as const };
    expect(() => buildTaskBatch([noisy], PATCH, interpolate, 1)).toThrow(/blind-spot training is for denoising/);
    const cellOfOne = { ...blindSpot, corruption: { ...blindSpot.corruption, blindSpot: { cell: 1, radius: 2 } } };
    expect(() => buildTaskBatch([noisy], PATCH, cellOfOne, 1)).toThrow(/cell must be a whole number >= 2/);
    const radiusZero = { ...blindSpot, corruption: { ...blindSpot.corruption, blindSpot: { cell: 8, radius: 0 } } };
    expect(() => buildTaskBatch([noisy], PATCH, radiusZero, 1)).toThrow(/radius must be a whole number >= 1/);
  });
});

describe('recorrupted batches', () => {
  // A large patch of white noise of known level, so that sample statistics are tight.
  const SHAPE = { traces: 64, samples: 128 };
  const BIG = { samples: SHAPE.samples, traces: SHAPE.traces };
  const sigma = 0.3;
  const noise = gaussianNoise(SHAPE, 5).map((v) => sigma * v);
  const recorrupted = (alpha: number): TaskOptions => ({
    task: 'denoise',
    augmentation: NO_AUGMENTATION,
    corruption: { ...DEFAULT_CORRUPTION, kind: 'recorrupted', recorrupted: { alpha } },
  });
  const mean = (values: ArrayLike<number>) => Array.from(values).reduce((sum, v) => sum + v, 0) / values.length;

  it('adds alpha z to the input and subtracts z / alpha from the target, z white at the patch noise level', () => {
    const { inputs, target, weight } = makeTrainingPair(noise, BIG, recorrupted(0.5), 3);
    const z = inputs[0]!.map((v, i) => (v - noise[i]!) / 0.5);
    z.forEach((v, i) => expect(target[i]).toBeCloseTo(noise[i]! - v / 0.5, 4));
    expect(Math.sqrt(mean(z.map((v) => v * v)))).toBeCloseTo(sigma, 1);
    // The point of the pair: the input's noise (n + z / 2) and the target's (n - 2 z) are uncorrelated, so the model
    // cannot learn to reproduce the target's noise from its input; plain noisy targets would correlate fully.
    const correlation =
      mean(inputs[0]!.map((v, i) => v * target[i]!)) /
      Math.sqrt(mean(inputs[0]!.map((v) => v * v)) * mean(target.map((v) => v * v)));
    expect(Math.abs(correlation)).toBeLessThan(0.05);
    expect(weight.every((w) => w === 1)).toBe(true);
  });

  it('leaves dead traces dead and weightless, and is reproducible from its seed', () => {
    const withDead = noise.slice();
    withDead.fill(0, 10 * SHAPE.samples, 11 * SHAPE.samples);
    const pair = makeTrainingPair(withDead, BIG, recorrupted(0.5), 4);
    const dead = (values: Float32Array) => values.subarray(10 * SHAPE.samples, 11 * SHAPE.samples);
    expect(dead(pair.inputs[0]!).every((v) => v === 0)).toBe(true);
    expect(dead(pair.target).every((v) => v === 0)).toBe(true);
    expect(dead(pair.weight).every((v) => v === 0)).toBe(true);
    expect(makeTrainingPair(withDead, BIG, recorrupted(0.5), 4)).toEqual(pair);
  });

  it('refuses recorrupted pairs for interpolation and an alpha outside (0, 1]', () => {
    const interpolate = { ...recorrupted(0.5), task: 'interpolate' as const };
    expect(() => buildTaskBatch([noise], BIG, interpolate, 1)).toThrow(/recorrupted training is for denoising/);
    for (const alpha of [0, -1, 1.5, Number.NaN]) {
      expect(() => buildTaskBatch([noise], BIG, recorrupted(alpha), 1)).toThrow(/alpha must be in \(0, 1\]/);
    }
  });
});
