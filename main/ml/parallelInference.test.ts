import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildModel } from './architectures';
import { chooseBackend } from './backends';
import { buildInferenceGraph } from './inferenceGraph';
import { parseModelConfig } from './modelConfig';
import type { BackendReport } from '../../preload/contract';
import { onnxRuntimeAvailable } from './onnx/onnxRuntime';
import { OnnxConversionError } from './onnx/toOnnx';
import {
  InferencePool,
  inferenceEngine,
  onnxSessionInfo,
  withGraphPredictor,
  withInferenceThreads,
} from './parallelInference';
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

/** Runs `work` with PROMETHIUM_INFERENCE_ENGINE set to `engine` (unset for undefined), restoring it after. */
async function withEngine<T>(engine: string | undefined, work: () => Promise<T>): Promise<T> {
  const before = process.env.PROMETHIUM_INFERENCE_ENGINE;
  if (engine === undefined) delete process.env.PROMETHIUM_INFERENCE_ENGINE;
  else process.env.PROMETHIUM_INFERENCE_ENGINE = engine;
  try {
    return await work();
  } finally {
    if (before === undefined) delete process.env.PROMETHIUM_INFERENCE_ENGINE;
    else process.env.PROMETHIUM_INFERENCE_ENGINE = before;
  }
}

/** The largest difference relative to the largest magnitude of `expected`. */
function relativeError(actual: Float32Array, expected: Float32Array): number {
  expect(actual.length).toBe(expected.length);
  const largest = expected.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
  return expected.reduce((a, v, i) => Math.max(a, Math.abs(v - (actual[i] as number))), 0) / largest;
}

const ort = onnxRuntimeAvailable();

describe.skipIf(!ort.available)(
  `CPU inference through ONNX Runtime${ort.available ? '' : ` (skipped: ${ort.reason})`}`,
  () => {
    // 70 traces x 90 samples: not a multiple of the 32-sample patch, so edge patches overlap more.
    const shape = { traces: 70, samples: 90 };
    const section = Float32Array.from({ length: 70 * 90 }, (_, i) => Math.cos(i / 13) + 0.3 * Math.sin(i / 3));
    const tiling = { patch: { samples: 32, traces: 32 }, overlap: 0.5, batchSize: 4 };
    const denoise = (model: tfl.LayersModel, engine?: string) =>
      withEngine(engine, () =>
        withGraphPredictor(model, 32, 1, (predict, inFlight) =>
          predictTiled([section], shape, { ...tiling, inFlight }, predict),
        ),
      );

    it('runs on wasm and gives the section the forced tfjs path gives', async () => {
      expect(inferenceEngine('wasm')).toEqual({ engine: 'onnx', version: ort.available ? ort.version : '' });
      const model = unet([4, 8]);
      const before = onnxSessionInfo()?.serial ?? 0;
      const onnx = await denoise(model);
      expect(onnxSessionInfo()?.serial).toBe(before + 1);
      const tfjs = await denoise(model, 'tfjs');
      expect(relativeError(onnx, tfjs)).toBeLessThan(1e-5);
      model.dispose();
    });

    it('reuses the session for the same model and builds a new one after its weights change', async () => {
      const model = unet([4, 8]);
      const first = await denoise(model);
      const session = onnxSessionInfo();
      expect(Array.from(await denoise(model))).toEqual(Array.from(first));
      expect(onnxSessionInfo()).toEqual(session);
      // What a further training epoch does: new weights in the same layers.
      const kernel = model.layers.find((l) => l.getClassName() === 'Conv2D')!.weights[0]!;
      tf.tidy(() => {
        kernel.write(tf.mul(kernel.read(), 1.5));
      });
      const trained = await denoise(model);
      expect(onnxSessionInfo()?.serial).toBe(session!.serial + 1);
      expect(onnxSessionInfo()?.key).not.toBe(session!.key);
      expect(relativeError(trained, first)).toBeGreaterThan(1e-3);
      expect(relativeError(trained, await denoise(model, 'tfjs'))).toBeLessThan(1e-5);
      model.dispose();
    });

    it('refuses an unknown PROMETHIUM_INFERENCE_ENGINE by name, and keeps GPU backends on tfjs', async () => {
      const model = unet([4, 8]);
      await expect(denoise(model, 'gpu')).rejects.toThrow(
        "PROMETHIUM_INFERENCE_ENGINE=gpu is not an inference engine: use 'tfjs' or 'onnx'",
      );
      await withEngine('onnx', async () => {
        expect(inferenceEngine('cpu').engine).toBe('onnx');
        expect(inferenceEngine('webgpu').engine).toBe('tfjs');
      });
      model.dispose();
    });

    it('falls back to tfjs, warning once, for a model the converter refuses; forced onnx is then an error', async () => {
      const input = tfl.input({ shape: [null, null, 1] });
      const conv = tfl.layers.conv2d({
        filters: 1,
        kernelSize: 3,
        padding: 'same',
        activation: 'elu',
        name: 'elu_conv',
      });
      const model = tfl.model({ inputs: input, outputs: conv.apply(input) as tfl.SymbolicTensor });
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      try {
        const tfjs = await denoise(model, 'tfjs');
        expect(Array.from(await denoise(model))).toEqual(Array.from(tfjs));
        expect(Array.from(await denoise(model))).toEqual(Array.from(tfjs));
        expect(warn).toHaveBeenCalledTimes(1);
        expect(String(warn.mock.calls[0]?.[0])).toMatch(/'elu_conv' \(Conv2D\): activation 'elu'/);
      } finally {
        warn.mockRestore();
      }
      await expect(denoise(model, 'onnx')).rejects.toThrow(OnnxConversionError);
      model.dispose();
    });
  },
);

describe('withInferenceThreads', () => {
  const wasm: BackendReport = {
    backend: 'wasm',
    device: 'WebAssembly SIMD, 1 thread',
    fallbacks: [],
    forced: false,
    probeMs: 1,
    adapters: [],
    gpus: [],
  };

  const tfjs = { engine: 'tfjs' } as const;
  const onnx = { engine: 'onnx', version: '1.30.0' } as const;

  it('says where wasm inference runs when it has worker threads', () => {
    expect(withInferenceThreads(wasm, tfjs, 2).device).toBe('WebAssembly SIMD, training 1 thread, inference 2 threads');
  });

  it('says when inference runs in ONNX Runtime, on wasm and on cpu, with its threads', () => {
    expect(withInferenceThreads(wasm, onnx, 2).device).toBe(
      'WebAssembly SIMD, training 1 thread, inference ONNX Runtime 1.30.0 (native CPU), 2 threads',
    );
    const cpu: BackendReport = { ...wasm, backend: 'cpu', device: 'plain JavaScript (very slow for training)' };
    expect(withInferenceThreads(cpu, onnx, 1).device).toBe(
      'plain JavaScript (very slow for training), training 1 thread, inference ONNX Runtime 1.30.0 (native CPU), 1 thread',
    );
  });

  it('leaves one-thread wasm and other backends as they are', () => {
    expect(withInferenceThreads(wasm, tfjs, 1)).toEqual(wasm);
    const gpu: BackendReport = { ...wasm, backend: 'webgpu', device: 'NVIDIA H200 (Vulkan)' };
    expect(withInferenceThreads(gpu, tfjs, 4)).toEqual(gpu);
  });
});
