import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { checkInferenceGraph, checkReductionGradients, checkWebgpu, TOLERANCE } from './checks';
import { dropoutMask } from './dropout';
import { DAWN_FLAGS, type GpuLike, gpuWithMatrixFeatures } from './matrixDevice';

const nodeRequire = createRequire(__filename);

/** Starts tfjs's webgpu backend on Dawn when this machine has a GPU adapter; otherwise says why not. */
async function startWebgpu(): Promise<string | null> {
  try {
    const dawn = nodeRequire('webgpu') as { create: (flags: string[]) => GpuLike; globals: object };
    Object.assign(globalThis, dawn.globals);
    const gpu = gpuWithMatrixFeatures(dawn.create(DAWN_FLAGS));
    if ((await gpu.requestAdapter()) === null) return 'Dawn found no GPU adapter';
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    nodeRequire('@tensorflow/tfjs-backend-webgpu');
    return (await tf.setBackend('webgpu')) ? null : 'the tfjs webgpu backend did not start';
  } catch (error) {
    return error instanceof Error ? (error.message.split('\n')[0] ?? 'unknown') : String(error);
  }
}

const unavailable = await startWebgpu();
if (unavailable !== null) {
  console.warn(`webgpu kernel checks SKIPPED (${unavailable}); they run on the GPU machine in test/bench/gpu.sh`);
}

describe('webgpu kernels', () => {
  it.skipIf(unavailable !== null)(
    'agree with the cpu backend, and the folded inference graph with the model',
    async () => {
      for (const result of await checkWebgpu()) expect(result.relError, result.name).toBeLessThan(result.tolerance);
    },
    120_000,
  );
});

describe('device-side gradients', () => {
  it('give the Mean and Sum gradients that tfjs gives', async () => {
    expect((await checkReductionGradients('cpu')).relError).toBeLessThan(TOLERANCE);
  });
});

describe('inference graph', () => {
  it('folds every conv -> BatchNorm -> LeakyReLU and gives the model output on cpu', async () => {
    const result = await checkInferenceGraph('cpu');
    expect(result.name).toMatch(/\(10 convs folded\)/);
    expect(result.relError).toBeLessThan(TOLERANCE);
  });
});

describe('GPU dropout mask', () => {
  it('refuses a rate outside (0, 1) before any kernel runs, naming it', () => {
    for (const rate of [0, 1, -0.1, 1.5, Number.NaN]) {
      expect(() => dropoutMask([2, 2], rate)).toThrow(/dropout rate must be in \(0, 1\)/);
    }
  });
});
