/**
 * Registers Promethium's faster kernels for the tfjs webgpu backend, replacing tfjs's own for the same kernel names,
 * and gradients that stay on the device (gradients are global: they give the same values on every backend).
 * Call after the webgpu backend is registered; the engine looks kernels and gradients up at every call, so this also
 * works once the backend is active. Once the backend has started, host tensors are uploaded through the queue too
 * (upload.ts). useStockWebgpuKernels() puts tfjs's back (the benchmark measures both).
 */
import * as tf from '@tensorflow/tfjs-core';
import type {
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropInputAttrs,
  GradConfig,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { conv2dBackpropFilterWebgpu } from './conv2dBackpropFilter';
import { backpropInputAsConv, conv2dBackpropInputAsConv } from './conv2dBackpropInput';
import { DEVICE_GRADIENTS } from './gradients';
import { input, WEBGPU_BACKEND, type WebgpuBackendLike } from './program';
import { cacheBindGroupLayouts, stopCachingBindGroupLayouts } from './layoutCache';
import { fusedConvKernel, MATRIX_CONV, matrixConvKernel } from './matrixKernels';
import { useQueueUploads, useStockUploads } from './upload';

/**
 * Dispatches recorded before each queue submit: tfjs's default is 15. A small U-Net's training step is bound by the
 * JavaScript that issues its ~1,600 kernels; submitting every 64 took it from 42-44 to 39-41 ms on the H200 (two runs
 * each, test/bench/gpu.sh), with inference unchanged.
 */
const SUBMIT_BATCH_FLAG = 'WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE';
const SUBMIT_BATCH = 64;
let stockSubmitBatch: number | undefined;

/**
 * Dispatches per queue submit while the inference graph runs: few, so the GPU starts on the first kernels while
 * JavaScript still issues the rest (with 64, a 37-kernel inference waits for all of them before the GPU starts).
 */
export const INFERENCE_SUBMIT_BATCH = 8;
let inferenceSubmitBatch = INFERENCE_SUBMIT_BATCH;

/** For the benchmark's tuning of inferenceSubmitBatch. */
export function setInferenceSubmitBatch(dispatches: number): void {
  inferenceSubmitBatch = dispatches;
}

/** Runs `run` (an inference on the webgpu backend) with queue submits every inferenceSubmitBatch dispatches. */
export function withInferenceSubmits<T>(run: () => T): T {
  if (tf.getBackend() !== WEBGPU_BACKEND) return run();
  const training = tf.env().getNumber(SUBMIT_BATCH_FLAG);
  tf.env().set(SUBMIT_BATCH_FLAG, inferenceSubmitBatch);
  try {
    return run();
  } finally {
    tf.env().set(SUBMIT_BATCH_FLAG, training);
  }
}
const stock = new Map<string, KernelConfig>();
const stockGradients = new Map<string, GradConfig>();

function filterGradKernel(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
    if (attrs.dataFormat === 'NCHW') return fallback(args);
    const inputs = args.inputs as Record<string, TensorInfo | undefined>;
    const backend = args.backend as unknown as WebgpuBackendLike;
    return conv2dBackpropFilterWebgpu(input(inputs, 'x'), input(inputs, 'dy'), attrs, backend);
  };
}

function inputGradKernel(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
    const inputs = args.inputs as Record<string, TensorInfo | undefined>;
    const filter = input(inputs, 'filter');
    if (!backpropInputAsConv(attrs, filter.shape)) return fallback(args);
    return conv2dBackpropInputAsConv(input(inputs, 'dy'), filter, args.backend as unknown as WebgpuBackendLike);
  };
}

const REPLACEMENTS: Record<string, (fallback: KernelFunc) => KernelFunc> = {
  [tf.Conv2DBackpropFilter]: filterGradKernel,
  [tf.Conv2DBackpropInput]: inputGradKernel,
  [tf.FusedConv2D]: fusedConvKernel,
};

function swap(kernelName: string, kernelFunc: KernelFunc): void {
  tf.unregisterKernel(kernelName, WEBGPU_BACKEND);
  tf.registerKernel({ kernelName, backendName: WEBGPU_BACKEND, kernelFunc });
}

function swapGradient(config: GradConfig): void {
  if (tf.getGradient(config.kernelName) !== undefined) tf.unregisterGradient(config.kernelName);
  tf.registerGradient(config);
}

/** Idempotent. Returns the names of the kernels and gradients replaced. */
export function registerWebgpuKernels(): string[] {
  const replaced: string[] = [];
  for (const config of DEVICE_GRADIENTS) {
    const original = stockGradients.get(config.kernelName) ?? tf.getGradient(config.kernelName);
    if (original !== undefined) stockGradients.set(config.kernelName, original);
    swapGradient(config);
    replaced.push(`${config.kernelName} gradient`);
  }
  for (const [kernelName, make] of Object.entries(REPLACEMENTS)) {
    const original = stock.get(kernelName) ?? tf.getKernel(kernelName, WEBGPU_BACKEND);
    if (original === undefined) continue; // the webgpu backend is not loaded
    stock.set(kernelName, original);
    swap(kernelName, make(original.kernelFunc));
    replaced.push(kernelName);
  }
  if (
    tf.getKernel(MATRIX_CONV, WEBGPU_BACKEND) === undefined &&
    tf.getKernel(tf.FusedConv2D, WEBGPU_BACKEND) !== undefined
  ) {
    tf.registerKernel({ kernelName: MATRIX_CONV, backendName: WEBGPU_BACKEND, kernelFunc: matrixConvKernel });
    replaced.push(MATRIX_CONV);
  }
  const backend = startedBackend();
  if (backend) {
    useQueueUploads(backend);
    cacheBindGroupLayouts();
    stockSubmitBatch ??= tf.env().getNumber(SUBMIT_BATCH_FLAG);
    tf.env().set(SUBMIT_BATCH_FLAG, SUBMIT_BATCH);
    replaced.push('host uploads', 'bind group layouts', `submits every ${SUBMIT_BATCH} dispatches`);
  }
  return replaced;
}

/** The webgpu backend's instance once it has started (tf.findBackend would start it: an adapter request). */
function startedBackend(): object | null {
  return (tf.engine().registry as Record<string, object | undefined>)[WEBGPU_BACKEND] ?? null;
}

export function useStockWebgpuKernels(): void {
  for (const [kernelName, original] of stock) swap(kernelName, original.kernelFunc);
  for (const original of stockGradients.values()) swapGradient(original);
  const backend = startedBackend();
  if (backend) useStockUploads(backend);
  stopCachingBindGroupLayouts();
  if (stockSubmitBatch !== undefined) tf.env().set(SUBMIT_BATCH_FLAG, stockSubmitBatch);
}
