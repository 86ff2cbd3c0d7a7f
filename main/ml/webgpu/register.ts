/**
 * Registers Promethium's faster kernels for the tfjs webgpu backend, replacing tfjs's own for the same kernel names.
 * Call after the webgpu backend is registered; the engine looks kernels up at every call, so this also works once the
 * backend is active. useStockWebgpuKernels() puts tfjs's kernels back (the benchmark measures both).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Conv2DBackpropFilterAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { conv2dBackpropFilterWebgpu } from './conv2dBackpropFilter';
import type { WebgpuBackendLike } from './program';

const BACKEND = 'webgpu';
const stock = new Map<string, KernelConfig>();

function input(inputs: Record<string, TensorInfo | undefined>, name: string): TensorInfo {
  const value = inputs[name];
  if (value === undefined) throw new Error(`webgpu kernel: missing input '${name}'`);
  return value;
}

function filterGradKernel(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
    if (attrs.dataFormat === 'NCHW') return fallback(args);
    const inputs = args.inputs as Record<string, TensorInfo | undefined>;
    const backend = args.backend as unknown as WebgpuBackendLike;
    return conv2dBackpropFilterWebgpu(input(inputs, 'x'), input(inputs, 'dy'), attrs, backend);
  };
}

const REPLACEMENTS: Record<string, (fallback: KernelFunc) => KernelFunc> = {
  [tf.Conv2DBackpropFilter]: filterGradKernel,
};

function swap(kernelName: string, kernelFunc: KernelFunc): void {
  tf.unregisterKernel(kernelName, BACKEND);
  tf.registerKernel({ kernelName, backendName: BACKEND, kernelFunc });
}

/** Idempotent. Returns the names of the kernels replaced. */
export function registerWebgpuKernels(): string[] {
  const replaced: string[] = [];
  for (const [kernelName, make] of Object.entries(REPLACEMENTS)) {
    const original = stock.get(kernelName) ?? tf.getKernel(kernelName, BACKEND);
    if (original === undefined) continue; // the webgpu backend is not loaded
    stock.set(kernelName, original);
    swap(kernelName, make(original.kernelFunc));
    replaced.push(kernelName);
  }
  return replaced;
}

export function useStockWebgpuKernels(): void {
  for (const [kernelName, original] of stock) swap(kernelName, original.kernelFunc);
}
