/**
 * Native CPU inference through ONNX Runtime (onnxruntime-node: MLAS kernels with AVX2/AVX-512, several threads per
 * session), for models translated by toOnnx.ts. onnxruntime-node is an optional dependency: where it is not installed
 * or its native library does not load, onnxRuntimeAvailable() says why and inference stays on tfjs.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import type * as tfl from '@tensorflow/tfjs-layers';
import type * as ort from 'onnxruntime-node';
import type { PatchPredictor } from '../tiling';
import { layersModelToOnnx, ONNX_INPUT, ONNX_OUTPUT } from './toOnnx';

type OnnxRuntime = typeof ort;

export type OnnxRuntimeStatus = { available: true; version: string } | { available: false; reason: string };

const nodeRequire = createRequire(__filename);
let loaded: { runtime: OnnxRuntime; version: string } | { reason: string } | undefined;

/** Loads onnxruntime-node once; the failure is remembered with its reason. */
function load(): { runtime: OnnxRuntime; version: string } | { reason: string } {
  if (loaded !== undefined) return loaded;
  try {
    const runtime = nodeRequire('onnxruntime-node') as OnnxRuntime;
    loaded = { runtime, version: runtime.env.versions.node ?? 'unknown version' };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    loaded = {
      reason:
        code === 'MODULE_NOT_FOUND'
          ? 'onnxruntime-node is not installed'
          : `onnxruntime-node failed to load: ${message.trim()}`,
    };
  }
  return loaded;
}

export function onnxRuntimeAvailable(): OnnxRuntimeStatus {
  const result = load();
  return 'runtime' in result
    ? { available: true, version: result.version }
    : { available: false, reason: result.reason };
}

export interface OnnxPredictor {
  predict: PatchPredictor;
  /** Releases the session's native memory. */
  dispose(): Promise<void>;
}

export interface OnnxPredictorOptions {
  /** Threads of the one session (default: the CPU count). */
  threads?: number;
  /** Sample dropout on every run (Monte Carlo dropout ensembles); otherwise dropout is off, as in inference. */
  sampleDropout?: boolean;
}

/**
 * A predictor running `model` in ONNX Runtime on batches of `patch` x `patch` patches with `channels` channels
 * (NHWC, as for tfjs). Throws an OnnxConversionError for a model the converter cannot translate.
 * session.run blocks the JavaScript thread while it computes (measured: timers do not fire meanwhile), which is fine
 * in the compute process for batches of ~60 ms; never call it from the main process's loop.
 */
export async function createOnnxPredictor(
  model: tfl.LayersModel,
  patch: number,
  channels: number,
  options: OnnxPredictorOptions = {},
): Promise<OnnxPredictor> {
  const result = load();
  if (!('runtime' in result)) throw new Error(`ONNX Runtime is unavailable: ${result.reason}`);
  const { runtime } = result;
  const modelChannels = (model.inputs[0] as tfl.SymbolicTensor | undefined)?.shape[3];
  if (modelChannels !== channels) {
    throw new Error(`model '${model.name}' takes ${String(modelChannels)} input channels, not ${channels}`);
  }
  const session = await runtime.InferenceSession.create(
    layersModelToOnnx(model, { sampleDropout: options.sampleDropout }),
    {
      graphOptimizationLevel: 'all',
      intraOpNumThreads: options.threads ?? availableParallelism(),
      interOpNumThreads: 1,
      executionMode: 'sequential',
    },
  );
  const patchValues = patch * patch * channels;
  const predict: PatchPredictor = async (batch, count) => {
    if (batch.length < count * patchValues) {
      throw new Error(`a batch of ${count} patches needs ${count * patchValues} values, got ${batch.length}`);
    }
    const input = new runtime.Tensor('float32', batch.subarray(0, count * patchValues), [
      count,
      patch,
      patch,
      channels,
    ]);
    const outputs = await session.run({ [ONNX_INPUT]: input });
    const output = outputs[ONNX_OUTPUT];
    if (output === undefined) throw new Error(`ONNX Runtime returned no '${ONNX_OUTPUT}'`);
    return output.data as Float32Array;
  };
  return { predict, dispose: () => session.release() };
}
