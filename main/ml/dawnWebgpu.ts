/**
 * The webgpu backend from a dawn.node file given by path, for bundled scripts on GPU machines where no node_modules
 * exist (the app itself goes through backends.ts and the `webgpu` package).
 */
import * as tf from '@tensorflow/tfjs-core';
import { DAWN_FLAGS, type GpuLike, gpuWithMatrixFeatures } from './webgpu/matrixDevice';
import { verifyMatrixConvs } from './webgpu/matrixKernels';
import { registerWebgpuKernels } from './webgpu/register';

interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: object;
}

/** Activates tfjs's webgpu backend on the Dawn module at `dawnPath`, with our kernels; returns the adapter's name. */
export async function activateWebgpuFromDawn(dawnPath: string): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a native module carried next to the bundle
  const dawn = require(dawnPath) as DawnModule;
  Object.assign(globalThis, dawn.globals);
  const gpu = gpuWithMatrixFeatures(dawn.create(DAWN_FLAGS));
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new Error('Dawn found no GPU adapter');
  // tfjs-backend-webgpu registers itself only if navigator.gpu exists when it loads.
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error('the webgpu backend did not start');
  await tf.ready();
  // As backends.ts does for the app: our kernels, gradients and uploads (main/ml/webgpu/), for training on the GPU
  // machine (gpu-train) as much as for the benchmark.
  registerWebgpuKernels();
  const refused = await verifyMatrixConvs();
  if (refused !== null) console.warn(refused);
  return [adapter.info?.vendor, adapter.info?.device || adapter.info?.description].filter(Boolean).join(' ');
}
