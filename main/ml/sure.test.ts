import { describe, expect, it } from 'vitest';
import { fxDecon } from '../processing/fxDecon';
import { linearEventsSection } from '../processing/testSections';
import { addNoiseAtSnr, gaussianNoise, swellNoise } from '../signal/corruption';
import { meanSquaredError, signalToNoiseDb, type SectionShape } from '../signal/metrics';
import { applyStrength, denoiseAtCheckedStrength, whiteNoiseRms, type Denoiser } from './sure';

const shape: SectionShape = { traces: 48, samples: 400 };
const dt = 0.004;
const allLive = new Uint8Array(shape.traces).fill(1);

/** Dipping Ricker events of 30 Hz at 4 ms: reflections, band-limited well below Nyquist. */
const clean = linearEventsSection(
  shape,
  [
    { firstSample: 40, dip: 1, amplitude: 1 },
    { firstSample: 150, dip: 0, amplitude: -0.7 },
    { firstSample: 260, dip: 2, amplitude: 0.5 },
    { firstSample: 330, dip: -1, amplitude: 0.8 },
  ],
  0.12,
);

function rms(values: Float32Array): number {
  return Math.sqrt(meanSquaredError(new Float32Array(values.length), values));
}

function noisy(snrDb: number, seed = 7): { input: Float32Array; noiseRms: number } {
  const input = addNoiseAtSnr(clean, gaussianNoise(shape, seed), snrDb);
  return { input, noiseRms: Math.sqrt(meanSquaredError(clean, input)) };
}

const fx: Denoiser = async (section) => fxDecon(section, shape, { dt });

describe('white noise level', () => {
  it('is the RMS of white Gaussian noise, with or without reflections under it', () => {
    const noise = gaussianNoise(shape, 3).map((v) => 2.5 * v);
    expect(whiteNoiseRms(noise, shape, allLive)).toBeCloseTo(2.5, 1);
    const { input, noiseRms } = noisy(0);
    expect(whiteNoiseRms(input, shape, allLive) / noiseRms).toBeGreaterThan(0.95);
    expect(whiteNoiseRms(input, shape, allLive) / noiseRms).toBeLessThan(1.05);
  });

  it('sees almost nothing in noise-free reflections, and nothing in dead traces or traces too short', () => {
    expect(whiteNoiseRms(clean, shape, allLive)).toBeLessThan(0.01 * rms(clean));
    const { input } = noisy(0);
    expect(whiteNoiseRms(input, shape, new Uint8Array(shape.traces))).toBe(0);
    expect(whiteNoiseRms(new Float32Array(12), { traces: 3, samples: 4 }, new Uint8Array(3).fill(1))).toBe(0);
  });
});

describe('strength check', () => {
  it("estimates the result's error against the clean section without seeing it (f-x deconvolution, 0 dB)", async () => {
    const { input } = noisy(0);
    const { output, check } = await denoiseAtCheckedStrength(fx, input, shape, allLive, { sampleIntervalS: dt });
    const trueMse = meanSquaredError(clean, output);
    expect(check.estimatedMse / trueMse).toBeGreaterThan(0.85);
    expect(check.estimatedMse / trueMse).toBeLessThan(1.15);
    // The chosen strength is at least as good as full strength and as the input.
    const full = await fx(input);
    expect(trueMse).toBeLessThanOrEqual(meanSquaredError(clean, full) * 1.02);
    expect(trueMse).toBeLessThan(meanSquaredError(clean, input));
  });

  it('turns down a denoiser that removes signal, and is then better than the input', async () => {
    const { input } = noisy(10);
    const destructive: Denoiser = async (section) => section.map((v) => 0.2 * v);
    const { output, check } = await denoiseAtCheckedStrength(destructive, input, shape, allLive, {
      sampleIntervalS: dt,
    });
    expect(signalToNoiseDb(clean, await destructive(input))).toBeLessThan(3);
    expect(check.strength).toBeLessThan(0.3);
    expect(signalToNoiseDb(clean, output)).toBeGreaterThanOrEqual(signalToNoiseDb(clean, input));
    expect(check.fullStrengthMse).toBeGreaterThan(5 * check.estimatedMse);
  });

  it('keeps what the denoiser removes below the low cut (swell) in full, whatever the strength', async () => {
    const input = addNoiseAtSnr(
      clean,
      swellNoise(shape, 4, { bursts: 6, maxTraces: 6, maxSamples: shape.samples / 2 }),
      0,
    );
    const swell = Float32Array.from(input, (v, i) => v - clean[i]!);
    // Removes the swell exactly and damages the reflections: the damage is turned down, the swell stays removed.
    const swellRemover: Denoiser = async (section) => section.map((v, i) => v - swell[i]! - 0.5 * clean[i]!);
    const { output, check } = await denoiseAtCheckedStrength(swellRemover, input, shape, allLive, {
      sampleIntervalS: dt,
    });
    expect(signalToNoiseDb(clean, await swellRemover(input))).toBeLessThan(7);
    expect(check.strength).toBeLessThan(0.05);
    expect(signalToNoiseDb(clean, output)).toBeGreaterThan(15);
  });

  it('does not add low-frequency energy a denoiser invents', async () => {
    const { input } = noisy(10);
    const hum = Float32Array.from(clean, (_, i) => 2 * Math.sin(2 * Math.PI * 4 * dt * (i % shape.samples)));
    const inventing: Denoiser = async (section) => section.map((v, i) => v + hum[i]!);
    const { output } = await denoiseAtCheckedStrength(inventing, input, shape, allLive, { sampleIntervalS: dt });
    expect(signalToNoiseDb(clean, await inventing(input))).toBeLessThan(0);
    expect(signalToNoiseDb(clean, output)).toBeGreaterThan(signalToNoiseDb(clean, input) - 0.1);
  });

  it('leaves the input alone for a denoiser that changes nothing, and dead traces always', async () => {
    const { input } = noisy(5);
    const identity = await denoiseAtCheckedStrength(async (section) => section, input, shape, allLive, {
      sampleIntervalS: dt,
    });
    expect(identity.output).toEqual(input);
    const live = Uint8Array.from(allLive, (_, t) => (t % 5 === 2 ? 0 : 1));
    const { output } = await denoiseAtCheckedStrength(fx, input, shape, live, { sampleIntervalS: dt });
    for (let t = 2; t < shape.traces; t += 5) {
      expect(output.subarray(t * shape.samples, (t + 1) * shape.samples)).toEqual(
        input.subarray(t * shape.samples, (t + 1) * shape.samples),
      );
    }
  });

  it('adds nothing to a silent section, and copes with sections too short to measure noise on', async () => {
    const biased: Denoiser = async (section) => section.map((v) => v + 1); // a model with a bias: invents a constant
    const silent = await denoiseAtCheckedStrength(
      biased,
      new Float32Array(shape.traces * shape.samples),
      shape,
      allLive,
      {
        sampleIntervalS: dt,
      },
    );
    expect(silent.output.every((v) => v === 0)).toBe(true);
    const tiny = { traces: 2, samples: 3 };
    const short = await denoiseAtCheckedStrength(
      biased,
      new Float32Array([1, 2, 3, 4, 5, 6]),
      tiny,
      new Uint8Array(2).fill(1),
      {
        sampleIntervalS: dt,
      },
    );
    expect(short.check.noiseRms).toBe(0); // no 4th difference fits: no noise estimate, so no change is trusted
    expect(Array.from(short.output).every(Number.isFinite)).toBe(true);
    const none = await denoiseAtCheckedStrength(biased, new Float32Array(6), tiny, new Uint8Array(2), {
      sampleIntervalS: dt,
    });
    expect(Array.from(none.output)).toEqual([0, 0, 0, 0, 0, 0]); // every trace dead: left as it is
  });

  it('applies a strength it found to another result of the same denoiser exactly as it applied it', async () => {
    const { input } = noisy(0);
    const options = { sampleIntervalS: dt };
    const { output, check } = await denoiseAtCheckedStrength(fx, input, shape, allLive, options);
    const again = await applyStrength(input, await fx(input), shape, allLive, check.strength, options);
    for (let i = 0; i < output.length; i++) expect(again[i]).toBeCloseTo(output[i]!, 5);
  });
});
