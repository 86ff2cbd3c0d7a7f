import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from './architectures';
import { chooseBackend } from './backends';
import { buildInferenceGraph } from './inferenceGraph';
import { parseModelConfig } from './modelConfig';
import type { BackendReport } from '../../preload/contract';
import { InferencePool, withInferenceThreads } from './parallelInference';
import { predictTiled } from './tiling';

// The worker bundle as scripts/build.mjs makes it, under node_modules so that it finds @tensorflow/* there.
const folder = mkdtempSync(path.join('node_modules', '.cache-inference-worker-'));
const script = path.resolve(folder, 'inferenceWorker.cjs');

function unet(features: number[]): tfl.LayersModel {
  const { model } = buildModel(parseModelConfig({ architecture: 'unet', params: { features, bottleneck: 16 } }));
  tf.tidy(() => {
    for (const layer of model.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
      for (const weight of layer.weights) weight.write(tf.randomUniform(weight.shape as number[], 0.5, 1.5));
    }
  });
  return model;
}

async function inThisThread(model: tfl.LayersModel, batch: Float32Array, count: number): Promise<Float32Array> {
  const graph = buildInferenceGraph(model);
  const output = graph.predict(tf.tensor4d(batch, [count, 32, 32, 1]));
  const values = (await output.data()) as Float32Array;
  tf.dispose(output);
  graph.dispose();
  return values;
}

let pool: InferencePool;

beforeAll(async () => {
  await build({
    entryPoints: ['main/ml/inferenceWorker.ts'],
    outfile: script,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'warning',
    external: ['@tensorflow/*', 'webgpu'],
  });
  await chooseBackend('wasm');
  pool = await InferencePool.start(script, 2);
});

afterAll(async () => {
  await pool?.close();
  rmSync(folder, { recursive: true, force: true });
});

describe('inference threads', () => {
  it('predict exactly what the folded graph predicts in this thread, for each model they are given', async () => {
    const batches = [3, 2, 3].map((count, i) =>
      Float32Array.from({ length: count * 32 * 32 }, (_, j) => Math.sin(j / 5 + i)),
    );
    for (const model of [unet([4, 8]), unet([8, 8])]) {
      const expected = await Promise.all(batches.map((batch) => inThisThread(model, batch, batch.length / 1024)));
      const actual = await pool.run(model, 32, 1, (predict, inFlight) => {
        expect(inFlight).toBe(4);
        return Promise.all(batches.map((batch) => predict(batch, batch.length / 1024)));
      });
      actual.forEach((values, i) => expect(Array.from(values)).toEqual(Array.from(expected[i]!)));
      model.dispose();
    }
  });

  it('tile a section with batches in flight to the same result as one batch at a time in this thread', async () => {
    const model = unet([4, 8]);
    const shape = { traces: 70, samples: 90 };
    const section = Float32Array.from({ length: 70 * 90 }, (_, i) => Math.cos(i / 13));
    const tiling = { patch: { samples: 32, traces: 32 }, overlap: 0.5, batchSize: 4 };
    const graph = buildInferenceGraph(model);
    const serial = await predictTiled([section], shape, tiling, async (batch, count) => {
      const output = graph.predict(tf.tensor4d(batch, [count, 32, 32, 1]));
      const values = (await output.data()) as Float32Array;
      tf.dispose(output);
      return values;
    });
    graph.dispose();
    const parallel = await pool.run(model, 32, 1, (predict, inFlight) =>
      predictTiled([section], shape, { ...tiling, inFlight }, predict),
    );
    expect(Array.from(parallel)).toEqual(Array.from(serial));
    model.dispose();
  });

  it('refuse to start from a missing worker script, with the reason', async () => {
    await expect(InferencePool.start(path.resolve(folder, 'missing.cjs'), 1)).rejects.toThrow(/missing\.cjs/);
  });
});

describe('withInferenceThreads', () => {
  const wasm: BackendReport = {
    backend: 'wasm',
    device: 'WebAssembly SIMD, 1 thread',
    fallbacks: [],
    forced: false,
    probeMs: 1,
  };

  it('says where wasm inference runs when it has worker threads', () => {
    expect(withInferenceThreads(wasm, 2).device).toBe('WebAssembly SIMD, training 1 thread, inference 2 threads');
  });

  it('leaves one-thread wasm and other backends as they are', () => {
    expect(withInferenceThreads(wasm, 1)).toEqual(wasm);
    const gpu: BackendReport = { ...wasm, backend: 'webgpu', device: 'NVIDIA H200 (Vulkan)' };
    expect(withInferenceThreads(gpu, 4)).toEqual(gpu);
  });
});
