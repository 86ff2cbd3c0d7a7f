/**
 * Fine-tuning on the noisy survey itself does what "Adapt to this survey" needs from it on a denoiser, with recorrupted
 * pairs (what the app's adapt uses) and with blind-spot pairs: a small U-Net that learned on nearly clean data (so it
 * keeps most noise) is fine-tuned on a noisy synthetic survey, with no clean data, and then removes that survey's
 * noise: its SNR against the clean sections rises well above both the model before adaptation and the noisy input. A
 * model that learned the identity (for example if the picked samples kept their own value in the input, or the
 * recorrupting noise were added to input and target alike) would stay at the input's SNR and fail here.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { compareAdaptedDenoiser } from '../../main/ml/adaptChoice';
import { chooseBackend } from '../../main/ml/backends';
import { addNoiseAtSnr, gaussianNoise } from '../../main/signal/corruption';
import { reconstructSection } from '../../main/ml/inference';
import { signalToNoiseDb, type SectionShape } from '../../main/signal/metrics';
import { parseModelConfig } from '../../main/ml/modelConfig';
import { loadInferenceModel } from '../../main/ml/modelForInference';
import { robustAmplitudeScale } from '../../main/ml/normalization';
import { readModelCard } from '../../main/ml/registry/modelFiles';
import { InMemoryPatchSource } from '../../main/ml/training/patchSource';
import { train } from '../../main/ml/training/trainer';
import type { TrainOptions } from '../../main/ml/training/trainOptions';
import { EarthModel } from '../../main/synth/earthModel';
import { PostStackSynthesizer } from '../../main/synth/postStack';
import { seededRandom } from '../../main/signal/random';
import { randomEarthModelSpec } from '../../main/synth/randomModel';

const SHAPE: SectionShape = { traces: 64, samples: 128 };
const INLINES = 8;

function cleanInlines(seed: number): Float32Array[] {
  const extent = { inlines: INLINES, crosslines: SHAPE.traces, durationMs: SHAPE.samples * 4 };
  const model = new EarthModel(randomEarthModelSpec(seed, extent, { faults: 1, folds: 2 }));
  const synthesizer = new PostStackSynthesizer(model, {
    samples: SHAPE.samples,
    sampleIntervalMs: 4,
    wavelet: { kind: 'ricker', peakHz: 30 },
    q: 150,
  });
  return Array.from({ length: INLINES }, (_, il) => synthesizer.inline(il));
}

const sections = (data: readonly Float32Array[]) => data.map((section) => ({ data: section, shape: SHAPE }));

let root = '';

beforeAll(async () => {
  await chooseBackend('wasm');
  root = await mkdtemp(path.join(tmpdir(), 'promethium-adapt-denoiser-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function options(overrides: Partial<TrainOptions>): TrainOptions {
  return {
    config: parseModelConfig({ architecture: 'unet', params: { features: [8, 16], bottleneck: 32, dropout: 0 } }),
    task: 'denoise',
    loss: 'mse',
    epochs: 1000,
    batchSize: 8,
    patch: 32,
    stride: 16,
    learningRate: 2e-3,
    weightDecay: 1e-4,
    validationFraction: 0.25,
    seed: 3,
    plateau: { factor: 0.5, patience: 10 },
    earlyStopping: { patience: 1000 },
    maxBatchesPerEpoch: 10,
    checkpointDir: root,
    resume: false,
    ...overrides,
  };
}

/** The median SNR (dB) against the clean inlines of the model saved in `dir`, denoising the noisy inlines. */
async function snrOfModel(dir: string, noisy: readonly Float32Array[], clean: readonly Float32Array[]) {
  const loaded = await loadInferenceModel(dir);
  const snrs: number[] = [];
  for (const [i, input] of noisy.entries()) {
    const { output } = await reconstructSection(loaded.model, input, SHAPE, new Uint8Array(SHAPE.traces).fill(1), {
      task: 'denoise',
      scale: robustAmplitudeScale(input, SHAPE),
      patch: loaded.patch,
    });
    snrs.push(signalToNoiseDb(clean[i]!, output));
  }
  loaded.model.dispose();
  return snrs.sort((a, b) => a - b)[Math.floor(snrs.length / 2)]!;
}

/** The model before adaptation: trained on another synthetic survey with little noise (20-30 dB), so it keeps noise. */
let before: Awaited<ReturnType<typeof train>>;
const clean = cleanInlines(42);
// The survey to adapt to: another geology, with white noise at 0 dB; the clean sections are only for scoring.
const noisy = clean.map((section, i) => addNoiseAtSnr(section, gaussianNoise(SHAPE, 500 + i), 0));

beforeAll(async () => {
  // tfjs seeds its weight initialisers and dropout from Math.random: seeded, the model before adaptation is one model.
  const random = vi.spyOn(Math, 'random').mockImplementation(seededRandom(7));
  before = await train(
    [new InMemoryPatchSource('nearly clean synthetic', sections(cleanInlines(41)))],
    options({
      corruption: { noiseModels: ['gaussian'], snrDbRange: [20, 30] },
      checkpointDir: path.join(root, 'before'),
      epochs: 8, // a fixed number of steps rather than a time box: the same starting model however loaded the machine
    }),
  ).finally(() => random.mockRestore());
}, 120_000);

describe.each([
  { kind: 'recorrupted', record: { kind: 'recorrupted', alpha: 0.5 } },
  { kind: 'blind-spot', record: { kind: 'blind-spot', cell: 8, radius: 2 } },
] as const)('$kind adaptation of a denoiser (wasm, small U-Net, synthetic survey at 0 dB)', ({ kind, record }) => {
  it('raises the SNR against the clean survey above the model before adaptation and above the noisy input', async () => {
    const adapted = await train(
      [new InMemoryPatchSource('noisy survey', sections(noisy))],
      options({
        corruption: { kind },
        initialModelDir: before.bestModelDir,
        freezeBatchNorm: true, // as the app's adapt job does
        checkpointDir: path.join(root, kind),
        timeBudgetSeconds: 20, // blind-spot: about 8 dB here after 10 s; room for a machine twice as loaded
        card: { parentId: 'before' },
      }),
    );
    const card = await readModelCard(adapted.bestModelDir);
    expect((card.config as { training: { corruption: unknown } }).training.corruption).toEqual(record);

    const inputSnr = signalToNoiseDb(clean[0]!, noisy[0]!);
    const beforeSnr = await snrOfModel(before.bestModelDir, noisy, clean);
    const adaptedSnr = await snrOfModel(adapted.bestModelDir, noisy, clean);
    console.log(
      `input ${inputSnr.toFixed(2)} dB, before adaptation ${beforeSnr.toFixed(2)} dB, after ${kind} adaptation ${adaptedSnr.toFixed(2)} dB (${adapted.history.length} epochs)`,
    );
    expect(adapted.keptBase).toBe(false); // its epochs beat the base model's validation loss
    expect(adaptedSnr).toBeGreaterThan(beforeSnr + 2);
    expect(adaptedSnr).toBeGreaterThan(inputSnr + 3);

    // The app's second opinion (adaptChoice.ts), from the noisy survey alone: SURE agrees that adapting paid here, and
    // keeps the base when the "adapted" model is the base itself.
    const source = new InMemoryPatchSource('noisy survey', sections(noisy));
    const beforeModel = await loadInferenceModel(before.bestModelDir);
    const adaptedModel = await loadInferenceModel(adapted.bestModelDir);
    const scaleOf = (section: Float32Array, shape: SectionShape) => robustAmplitudeScale(section, shape);
    const paid = await compareAdaptedDenoiser(beforeModel, adaptedModel, source, scaleOf, 0.004);
    console.log(
      `SURE: before ${paid.baseMse.toPrecision(3)}, adapted ${paid.adaptedMse.toPrecision(3)} (of which the shortfall below 12 Hz ${paid.adaptedLowShortfall.toPrecision(3)})`,
    );
    expect(paid).toMatchObject({ keepBase: false, lines: INLINES });
    expect(paid.adaptedMse).toBeLessThan(paid.baseMse);
    // Gaussian noise only: the adapted model leaves nothing below the low cut that the base removed.
    expect(paid.adaptedLowShortfall).toBeLessThan(0.05 * paid.adaptedMse);
    const itself = await compareAdaptedDenoiser(beforeModel, beforeModel, source, scaleOf, 0.004);
    expect(itself).toMatchObject({ keepBase: true, adaptedLowShortfall: 0 });
    beforeModel.model.dispose();
    adaptedModel.model.dispose();
  }, 180_000);
});
