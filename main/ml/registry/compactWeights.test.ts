import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelCard } from '../../../preload/contract';
import { buildModel } from '../architectures';
import { signalToNoiseDb } from '../../signal/metrics';
import { parseModelConfig } from '../modelConfig';
import { float16Bits, withFloat16Kernels } from './compactWeights';
import { loadModelFromFiles, MODEL_FILES, readModelFiles, saveModelFolder } from './modelFiles';

const dir = mkdtempSync(path.join(os.tmpdir(), 'promethium-compact-'));
let files = new Map<string, Uint8Array>();
beforeAll(async () => {
  await tf.setBackend('cpu');
  const config = parseModelConfig({ architecture: 'unet', params: { features: [8, 16], bottleneck: 32 } });
  const { model } = buildModel(config);
  await saveModelFolder(path.join(dir, 'model'), model, { name: 'compact test' } as unknown as ModelCard);
  model.dispose();
  files = await readModelFiles(path.join(dir, 'model'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('float16Bits', () => {
  it('rounds to the nearest float16, half to even, with subnormals, overflow and NaN', () => {
    expect(float16Bits(1)).toBe(0x3c00);
    expect(float16Bits(-2)).toBe(0xc000);
    expect(float16Bits(0.1)).toBe(0x2e66);
    expect(float16Bits(65504)).toBe(0x7bff);
    expect(float16Bits(65520)).toBe(0x7c00);
    expect(float16Bits(-1e6)).toBe(0xfc00);
    expect(float16Bits(2 ** -14)).toBe(0x0400);
    expect(float16Bits(2 ** -24)).toBe(0x0001);
    expect(float16Bits(2 ** -26)).toBe(0x0000);
    expect(float16Bits(-0)).toBe(0x8000);
    expect(float16Bits(Number.NaN)).toBe(0x7e00);
    // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10: to even (1); 1 + 3 * 2^-11 rounds up to 1 + 2^-9.
    expect(float16Bits(1 + 2 ** -11)).toBe(0x3c00);
    expect(float16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
  });
});

describe('withFloat16Kernels', () => {
  it('halves the kernels, keeps BatchNorm in float32, and loads into a model that predicts within float16 rounding', async () => {
    const compact = withFloat16Kernels(files);
    const before = files.get(MODEL_FILES.weights)!.length;
    const after = compact.get(MODEL_FILES.weights)!.length;
    expect(after).toBeLessThan(0.52 * before);
    expect(compact.get(MODEL_FILES.card)).toEqual(files.get(MODEL_FILES.card));
    const manifest = JSON.parse(new TextDecoder().decode(compact.get(MODEL_FILES.topology))) as {
      weightsManifest: { weights: { name: string; quantization?: { dtype: string } }[] }[];
    };
    for (const entry of manifest.weightsManifest[0]!.weights) {
      expect(entry.quantization?.dtype ?? 'none').toBe(entry.name.endsWith('/kernel') ? 'float16' : 'none');
    }
    const input = tf.randomNormal([2, 32, 32, 1], 0, 1, 'float32', 3);
    const original = (await loadModelFromFiles(files)).predict(input) as tf.Tensor;
    const reduced = (await loadModelFromFiles(compact)).predict(input) as tf.Tensor;
    const a = (await original.data()) as Float32Array;
    const b = (await reduced.data()) as Float32Array;
    expect(signalToNoiseDb(a, b)).toBeGreaterThan(50);
    tf.dispose([input, original, reduced]);
  });

  it('refuses weights that are already quantized or do not match their manifest', () => {
    expect(() => withFloat16Kernels(withFloat16Kernels(files))).toThrow(/already quantized/);
    const truncated = new Map(files);
    truncated.set(MODEL_FILES.weights, files.get(MODEL_FILES.weights)!.subarray(8));
    expect(() => withFloat16Kernels(truncated)).toThrow(/manifest describes/);
  });
});
