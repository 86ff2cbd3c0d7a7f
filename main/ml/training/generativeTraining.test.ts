/**
 * The generative and physics families (VAE, GAN, PINN) through the project's trainer on the wasm backend, at tiny sizes:
 * training lowers their loss, a GAN checkpoint resumes both networks and both optimizers exactly, and the trained
 * models reconstruct sections through the tiled inference path like any model.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { chooseBackend } from '../backends';
import { parseModelConfig, type ModelConfig } from '../modelConfig';
import { loadModelFolder, readModelCard } from '../registry/modelFiles';
import { LayeredVolume } from '../../synth/layeredVolume';
import { seededRandom } from '../../signal/random';
import { addNoiseAtSnr, gaussianNoise } from '../../signal/corruption';
import { reconstructSection } from '../inference';
import { signalToNoiseDb } from '../../signal/metrics';
import { robustAmplitudeScale } from '../normalization';
import { onnxRuntimeAvailable } from '../onnx/onnxRuntime';
import { CHECKPOINT_FILES } from './checkpoint';
import { InMemoryPatchSource } from './patchSource';
import { train } from './trainer';
import type { TrainOptions } from './trainOptions';

// 8 inlines of 32 traces x 32 samples: 16 x 16 patches at stride 8, 9 patches a line; 6 training lines, 2 validation.
const SHAPE = { traces: 32, samples: 32 };
const volume = new LayeredVolume({ inlines: 8, crosslines: SHAPE.traces, samples: SHAPE.samples, seed: 3 });
const synthetic = new InMemoryPatchSource(
  'layered',
  Array.from({ length: 8 }, (_, i) => ({ data: volume.inline(i), shape: SHAPE })),
);

const unet = { features: [4, 8], bottleneck: 8, dropout: 0 };
const CONFIGS: Record<'vae' | 'gan' | 'pinn', ModelConfig> = {
  vae: parseModelConfig({ architecture: 'vae', params: { encoder_features: [8, 16], latent_dim: 8, beta: 0.01 } }),
  gan: parseModelConfig({
    architecture: 'gan',
    params: {
      generator: { architecture: 'unet', params: unet },
      discriminator: { architecture: 'patchgan', params: { features: [4, 8, 8] } },
    },
  }),
  pinn: parseModelConfig({ architecture: 'pinn', params: { backbone_params: unet, slope_window: 2 } }),
};

/** The best model folder of each family's training test, for the inference tests. */
const trained = new Map<string, string>();
let root = '';
let runs = 0;

function options(config: ModelConfig, overrides: Partial<TrainOptions> = {}): TrainOptions {
  return {
    config,
    task: 'denoise',
    loss: 'mse',
    epochs: 3,
    batchSize: 8,
    patch: 16,
    stride: 8,
    learningRate: 5e-3,
    weightDecay: 1e-4,
    validationFraction: 0.25,
    seed: 7,
    plateau: { factor: 0.5, patience: 10 },
    earlyStopping: { patience: 20 },
    corruption: { snrDbRange: [0, 6] },
    maxBatchesPerEpoch: 4,
    checkpointDir: path.join(root, `run-${++runs}`),
    resume: false,
    ...overrides,
  };
}

/** tfjs draws the VAE's latent samples from Math.random: seeding it makes a run reproducible (weights start from `seed`). */
async function seeded<T>(seed: number, work: () => Promise<T>): Promise<T> {
  const random = vi.spyOn(Math, 'random').mockImplementation(seededRandom(seed));
  try {
    return await work();
  } finally {
    random.mockRestore();
  }
}

async function weightsOf(dir: string): Promise<number[][]> {
  const model = await loadModelFolder(dir);
  const values = model.getWeights().map((w) => Array.from(w.dataSync()));
  model.dispose();
  return values;
}

beforeAll(async () => {
  await chooseBackend('wasm');
  root = await mkdtemp(path.join(tmpdir(), 'promethium-generative-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe.each(Object.entries(CONFIGS))('%s through the trainer (wasm)', (architecture, config) => {
  it('lowers the training and validation loss, and saves a model card naming the architecture', async () => {
    // Seed 1: the starting weights these tiny models learn from in 5 short epochs (the inference tests below use them).
    const result = await seeded(1, () =>
      train([synthetic], options(config, { epochs: 5, maxBatchesPerEpoch: 7, learningRate: 1e-2, seed: 1 })),
    );
    const first = result.history[0]!;
    const last = result.history.at(-1)!;
    expect(last.trainLoss).toBeLessThan(first.trainLoss);
    expect(last.valLoss).toBeLessThan(first.valLoss);
    expect((await readModelCard(result.bestModelDir)).architecture).toBe(architecture);
    trained.set(architecture, result.bestModelDir);
    if (architecture === 'gan') expect(result.history.every((m) => m.discriminatorLoss! > 0)).toBe(true);
    else expect(result.history.every((m) => m.discriminatorLoss === undefined)).toBe(true);
  }, 20_000);
});

describe('GAN checkpoints', () => {
  it('hold the discriminator and both optimizers, and a resumed run ends exactly where an uninterrupted one does', async () => {
    const whole = options(CONFIGS.gan, { epochs: 2, maxBatchesPerEpoch: 2 });
    const uninterrupted = await seeded(2, () => train([synthetic], whole));

    const split = options(CONFIGS.gan, { epochs: 1, maxBatchesPerEpoch: 2 });
    await seeded(2, () => train([synthetic], split));
    const files = await readdir(path.join(split.checkpointDir, CHECKPOINT_FILES.last));
    expect(files).toEqual(
      expect.arrayContaining([
        CHECKPOINT_FILES.optimizerWeights,
        CHECKPOINT_FILES.discriminatorWeights,
        CHECKPOINT_FILES.discriminatorOptimizerWeights,
      ]),
    );
    const resumed = await train([synthetic], { ...split, epochs: 2, resume: true });

    expect(resumed.history).toHaveLength(2);
    expect(resumed.history[1]!.trainLoss).toBeCloseTo(uninterrupted.history[1]!.trainLoss, 5);
    expect(resumed.history[1]!.discriminatorLoss).toBeCloseTo(uninterrupted.history[1]!.discriminatorLoss!, 5);
    const [resumedWeights, uninterruptedWeights] = await Promise.all([
      weightsOf(resumed.lastCheckpointDir),
      weightsOf(uninterrupted.lastCheckpointDir),
    ]);
    resumedWeights.forEach((values, i) => {
      const reference = uninterruptedWeights[i]!;
      expect(Math.max(...values.map((v, j) => Math.abs(v - reference[j]!)))).toBeLessThan(1e-5);
    });
  }, 30_000);

  it('refuses blind-spot training for the GAN and the PINN, whose terms judge whole sections', async () => {
    for (const config of [CONFIGS.gan, CONFIGS.pinn]) {
      await expect(train([synthetic], options(config, { corruption: { kind: 'blind-spot' } }))).rejects.toThrow(
        /blind-spot training weighs a few scattered samples, but .* needs whole sections/,
      );
    }
  });
});

describe('memory', () => {
  it('a GAN run frees every tensor it made', async () => {
    const before = tf.memory().numTensors;
    await train([synthetic], options(CONFIGS.gan, { epochs: 1, maxBatchesPerEpoch: 1 }));
    expect(tf.memory().numTensors).toBe(before);
  }, 20_000);
});

describe('trained models in the tiled inference path', () => {
  const section = volume.inline(7); // a validation line
  const live = new Uint8Array(SHAPE.traces).fill(1);
  const scale = robustAmplitudeScale(section, SHAPE);
  const noisy = (snrDb: number) => addNoiseAtSnr(section, gaussianNoise(SHAPE, 11), snrDb);
  const meanOf = (values: Float32Array) => values.reduce((sum, v) => sum + v, 0) / values.length;

  it.each(['gan', 'pinn', 'vae'])('%s: one-click denoising raises the SNR of a noisy section', async (architecture) => {
    const model = await loadModelFolder(trained.get(architecture)!);
    const input = noisy(0);
    const { output } = await reconstructSection(model, input, SHAPE, live, { task: 'denoise', scale, patch: 16 });
    expect(signalToNoiseDb(section, output)).toBeGreaterThan(signalToNoiseDb(section, input));
    model.dispose();
  });

  // Both engines sample the latent: tfjs in training mode, ONNX Runtime through RandomNormalLike (onnx/toOnnx.ts).
  it.each(['tfjs', 'onnx'].filter((engine) => engine === 'tfjs' || onnxRuntimeAvailable().available))(
    "the VAE's sampled latent gives a standard deviation section, larger on a noisier section (%s)",
    async (engine) => {
      process.env.PROMETHIUM_INFERENCE_ENGINE = engine;
      const model = await loadModelFolder(trained.get('vae')!);
      const spreadAt = async (snrDb: number) => {
        const options = { task: 'denoise' as const, scale, patch: 16, ensemble: 8 };
        const { uncertainty } = await reconstructSection(model, noisy(snrDb), SHAPE, live, options);
        return meanOf(uncertainty!);
      };
      const [quiet, loud] = [await spreadAt(20), await spreadAt(-5)];
      expect(quiet).toBeGreaterThan(0);
      expect(loud).toBeGreaterThan(quiet);
      model.dispose();
      delete process.env.PROMETHIUM_INFERENCE_ENGINE;
    },
  );
});
