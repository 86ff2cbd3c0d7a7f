import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from './architectures';
import { addNoiseAtSnr, gaussianNoise } from '../signal/corruption';
import { patchesPerPass, plannedModelPasses, reconstructSection } from './inference';
import { signalToNoiseDb } from '../signal/metrics';
import { parseModelConfig } from './modelConfig';
import { seededRandom } from '../signal/random';
import { onnxRuntimeAvailable } from './onnx/onnxRuntime';

const scale = { divisor: 4, percentile: 99.5, percentileValue: 4 };

function identityModel(channels: number): tfl.LayersModel {
  const input = tfl.input({ shape: [null, null, channels] });
  // Keeps channel 0 only: the amplitude channel, as a reconstruction model outputs.
  const output = tfl.layers
    .conv2d({ filters: 1, kernelSize: 1, useBias: false, kernelInitializer: 'zeros' })
    .apply(input) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: output });
  const kernel = new Float32Array(channels);
  kernel[0] = 1;
  model.layers[1]!.setWeights([tf.tensor4d(kernel, [1, 1, channels, 1])]);
  return model;
}

/** Glorot-uniform conv kernels from a seeded generator: an untrained model that is the same on every run. */
function seedKernels(model: tfl.LayersModel, seed: number): void {
  const random = seededRandom(seed);
  model.setWeights(
    model.getWeights().map((weight) => {
      if (weight.rank !== 4) return weight;
      const [height, width, inputs, outputs] = weight.shape as number[];
      const limit = Math.sqrt(6 / (height! * width! * (inputs! + outputs!)));
      return tf.tensor(
        Float32Array.from({ length: weight.size }, () => (2 * random() - 1) * limit),
        weight.shape,
      );
    }),
  );
}

const shape = { traces: 37, samples: 50 };
const section = Float32Array.from({ length: shape.traces * shape.samples }, (_, i) => Math.sin(i / 7) * 3);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterEach(() => {
  delete process.env.PROMETHIUM_INFERENCE_ENGINE;
});

describe('reconstructSection', () => {
  it('returns the input through an identity model, with and without test-time flips', async () => {
    for (const tta of [false, true]) {
      const { output, uncertainty } = await reconstructSection(
        identityModel(1),
        section,
        shape,
        new Uint8Array(37).fill(1),
        {
          task: 'denoise',
          scale,
          patch: 16,
          tta,
        },
      );
      expect(uncertainty).toBeNull();
      for (let i = 0; i < section.length; i++) expect(Math.abs(output[i]! - section[i]!)).toBeLessThan(1e-5);
    }
  });

  it('with per-patch scaling, still returns the input through an identity model, even where levels differ by 2^20', async () => {
    const loud = section.map((v, i) => (i < section.length / 2 ? v : v * 2 ** 20));
    for (const tta of [false, true]) {
      const { output } = await reconstructSection(identityModel(1), loud, shape, new Uint8Array(37).fill(1), {
        task: 'denoise',
        scale,
        patch: 16,
        tta,
        patchScaling: true,
      });
      for (let i = 0; i < loud.length; i++)
        expect(Math.abs(output[i]! - loud[i]!)).toBeLessThan(1e-5 * (1 + Math.abs(loud[i]!)));
    }
  });

  it('keeps live traces exactly when interpolating and takes the prediction only for dead ones', async () => {
    const live = new Uint8Array(37).fill(1);
    live[5] = 0;
    const { output } = await reconstructSection(identityModel(2), section, shape, live, {
      task: 'interpolate',
      scale,
      patch: 16,
    });
    expect(Array.from(output.subarray(0, 5 * 50))).toEqual(Array.from(section.subarray(0, 5 * 50)));
    expect(output.subarray(5 * 50, 6 * 50).every((v) => v === 0)).toBe(true); // the identity model sees zeros there
  });

  // Ensembles sample dropout in ONNX Runtime where CPU inference runs there, else in tfjs: both engines are checked.
  const engines = onnxRuntimeAvailable().available ? ['onnx', 'tfjs'] : ['tfjs'];

  it.each(engines)('gives a Monte Carlo dropout mean and a non-zero spread on %s', async (engine) => {
    process.env.PROMETHIUM_INFERENCE_ENGINE = engine;
    const config = parseModelConfig({
      architecture: 'unet',
      params: { features: [4, 8], bottleneck: 8, dropout: 0.5 },
    });
    const { model } = buildModel(config);
    const result = await reconstructSection(model, section, shape, new Uint8Array(37).fill(1), {
      task: 'denoise',
      scale,
      patch: 16,
      ensemble: 4,
    });
    expect(result.uncertainty).not.toBeNull();
    expect(result.uncertainty!.some((v) => v > 0)).toBe(true);
    // After the ensemble, inference is deterministic again (BatchNorm restored, dropout off).
    const a = await reconstructSection(model, section, shape, new Uint8Array(37).fill(1), {
      task: 'denoise',
      scale,
      patch: 16,
    });
    const b = await reconstructSection(model, section, shape, new Uint8Array(37).fill(1), {
      task: 'denoise',
      scale,
      patch: 16,
    });
    expect(Array.from(a.output)).toEqual(Array.from(b.output));
  });

  it.each(engines)(
    'runs BatchNorm on its moving statistics during the ensemble on %s: without dropout the passes equal plain inference',
    async (engine) => {
      process.env.PROMETHIUM_INFERENCE_ENGINE = engine;
      const config = parseModelConfig({
        architecture: 'unet',
        params: { features: [4, 8], bottleneck: 8, dropout: 0 },
      });
      const { model } = buildModel(config);
      const live = new Uint8Array(37).fill(1);
      const plain = await reconstructSection(model, section, shape, live, { task: 'denoise', scale, patch: 16 });
      const ensemble = await reconstructSection(model, section, shape, live, {
        task: 'denoise',
        scale,
        patch: 16,
        ensemble: 3,
      });
      for (let i = 0; i < section.length; i++)
        expect(Math.abs(ensemble.output[i]! - plain.output[i]!)).toBeLessThan(1e-5);
      expect(ensemble.uncertainty!.every((v) => v < 1e-5)).toBe(true);
    },
  );

  it('turns an untrained U-Net down with the strength check, for plain passes and ensembles alike', async () => {
    const { model } = buildModel(
      parseModelConfig({ architecture: 'unet', params: { features: [4, 8], bottleneck: 8, dropout: 0 } }),
    );
    seedKernels(model, 11);
    const live = new Uint8Array(37).fill(1);
    // 26 Hz at 4 ms: above the check's 12 Hz low cut, below which removals are not checked.
    const clean = section.map((_, i) => 3 * Math.sin(i / 1.5));
    const noisy = addNoiseAtSnr(clean, gaussianNoise(shape, 3), 5);
    const options = { task: 'denoise', scale, patch: 16, strengthCheck: { sampleIntervalS: 0.004 } } as const;
    const full = await reconstructSection(model, noisy, shape, live, { ...options, strengthCheck: null });
    expect(full.strength).toBeNull();
    let predicted = 0;
    const checked = await reconstructSection(model, noisy, shape, live, {
      ...options,
      onPatches: (count) => (predicted += count),
    });
    expect(checked.strength!.strength).toBeLessThan(0.5);
    // Progress counts the work as planned: the checked denoise and its probe, each a pass over the section's patches.
    expect(predicted).toBe(plannedModelPasses(options) * patchesPerPass(shape, 16));
    expect(plannedModelPasses(options)).toBe(2);
    const snr = (output: Float32Array): number => signalToNoiseDb(clean, output);
    expect(snr(full.output)).toBeLessThan(snr(noisy));
    expect(snr(checked.output)).toBeGreaterThan(snr(noisy));
    // Without dropout the ensemble's mean is the plain pass: the same strength gives the same result.
    const ensemble = await reconstructSection(model, noisy, shape, live, { ...options, ensemble: 2 });
    expect(ensemble.strength).toEqual(checked.strength);
    for (let i = 0; i < noisy.length; i++) expect(ensemble.output[i]).toBeCloseTo(checked.output[i]!, 4);
    const interpolated = await reconstructSection(identityModel(2), noisy, shape, live, {
      ...options,
      task: 'interpolate',
    });
    expect(interpolated.strength).toBeNull();
  });
});
