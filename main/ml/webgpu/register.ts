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
  FusedConv2DAttrs,
  GradConfig,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { conv2dBackpropFilterWebgpu } from './conv2dBackpropFilter';
import { backpropInputAsConv, conv2dBackpropInputAsConv } from './conv2dBackpropInput';
import { DEVICE_GRADIENTS } from './gradients';
import type { WebgpuBackendLike } from './program';
import { cacheBindGroupLayouts, stopCachingBindGroupLayouts } from './layoutCache';
import { MATRIX_TOLERANCE, type MatrixLayout, matrixConv2d, matrixConvFits, matrixConvInfo } from './matrixConv';
import { matrixSupport } from './matrixDevice';
import { useQueueUploads, useStockUploads } from './upload';

const BACKEND = 'webgpu';
/**
 * Dispatches recorded before each queue submit: tfjs's default is 15. A small U-Net's training step is bound by the
 * JavaScript that issues its ~1,600 kernels; submitting every 64 took it from 42-44 to 39-41 ms on the H200 (two runs
 * each, test/bench/gpu.sh), with inference unchanged.
 */
const SUBMIT_BATCH_FLAG = 'WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE';
const SUBMIT_BATCH = 64;
let stockSubmitBatch: number | undefined;
const stock = new Map<string, KernelConfig>();
const stockGradients = new Map<string, GradConfig>();

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

function inputGradKernel(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
    const inputs = args.inputs as Record<string, TensorInfo | undefined>;
    const filter = input(inputs, 'filter');
    if (!backpropInputAsConv(attrs, filter.shape)) return fallback(args);
    return conv2dBackpropInputAsConv(input(inputs, 'dy'), filter, args.backend as unknown as WebgpuBackendLike);
  };
}

let matrixConvs = true;

/**
 * Whether FusedConv2D may run on the tensor cores (matrixConv.ts: half-precision products, float32 sums, like
 * PyTorch's default TF32) where the device has subgroup matrices. On by default; off gives strict float32.
 */
export function useMatrixConvs(enabled: boolean): void {
  matrixConvs = enabled;
}

/** Whether FusedConv2D runs on the tensor cores now. */
export function matrixConvsActive(): boolean {
  return matrixConvs && matrixSupport() !== null;
}

interface ErrorScopes {
  pushErrorScope(filter: 'validation'): void;
  popErrorScope(): Promise<{ message: string } | null>;
}

/**
 * One small conv on the tensor cores against the float32 kernel on the same device, when the webgpu backend starts:
 * a driver that lists subgroup matrices but fails to compile or run our kernel must not give wrong sections. Turns
 * the tensor-core convolutions off where they fail; returns why, or null when they run (or are not offered).
 */
export async function verifyMatrixConvs(): Promise<string | null> {
  if (!matrixConvsActive() || tf.getBackend() !== BACKEND) return null;
  const device = (tf.backend() as unknown as { device: ErrorScopes }).device;
  const [x, filter, bias] = [
    tf.randomNormal([2, 20, 24, 24]),
    tf.randomNormal([3, 3, 24, 40], 0, 0.2),
    tf.randomNormal([40]),
  ];
  const conv = () =>
    tf.fused.conv2d({
      x: x as tf.Tensor4D,
      filter: filter as tf.Tensor4D,
      bias,
      strides: 1,
      pad: 'same',
      activation: 'relu',
    });
  useMatrixConvs(false);
  const expected = conv();
  useMatrixConvs(true);
  device.pushErrorScope('validation');
  const actual = conv();
  const [difference, scale] = tf.tidy(() => [tf.max(tf.abs(tf.sub(actual, expected))), tf.max(tf.abs(expected))]);
  // Reading submits the recorded commands, so their errors fall inside the scope too.
  const values = Promise.all([difference.data(), scale.data()]);
  const error = await device.popErrorScope();
  const [differenceValue, scaleValue] = await values;
  tf.dispose([x, filter, bias, expected, actual, difference, scale]);
  const relError = (differenceValue[0] as number) / Math.max(scaleValue[0] as number, 1e-30);
  const reason = error
    ? `the tensor-core convolution failed on this GPU (${error.message.split('\n')[0]})`
    : relError < MATRIX_TOLERANCE
      ? null
      : `the tensor-core convolution differs from float32 by ${relError.toExponential(1)} on this GPU`;
  if (reason !== null) useMatrixConvs(false);
  return reason;
}

function fusedConvKernel(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const support = matrixSupport();
    if (!matrixConvs || support === null) return fallback(args);
    const attrs = args.attrs as unknown as FusedConv2DAttrs;
    const inputs = args.inputs as Record<string, TensorInfo | undefined>;
    const [x, filter] = [input(inputs, 'x'), input(inputs, 'filter')];
    const extras = { bias: inputs.bias, prelu: inputs.preluActivationWeights };
    const conv = matrixConvInfo(x, filter, attrs, extras, support);
    if (conv === null) return fallback(args);
    return matrixConv2d(args.backend as unknown as WebgpuBackendLike, x, filter, conv, attrs, extras, support);
  };
}

/**
 * Promethium's own kernel for the inference graph (no gradient): a fused conv on the tensor cores whose input may come
 * as two tensors to concatenate along channels (x, x2) and whose output may be spread depth-to-space (attr `block`).
 * Run through tryMatrixConv.
 */
export const MATRIX_CONV = 'PromethiumMatrixConv2D';

interface MatrixConvAttrs {
  pad: 'same' | 'valid';
  activation: 'linear' | 'prelu';
  block?: [number, number];
}

const matrixConvKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const support = matrixSupport();
  if (support === null) throw new Error(`${MATRIX_CONV} needs subgroup matrices`);
  const named = inputs as Record<string, TensorInfo | undefined>;
  const [x, filter] = [input(named, 'x'), input(named, 'filter')];
  const x2 = named.x2;
  const { pad, activation, block } = attrs as unknown as MatrixConvAttrs;
  const channels = (x.shape[3] as number) + (x2?.shape[3] ?? 0);
  const shape = [...x.shape.slice(0, 3), channels] as [number, number, number, number];
  const conv = tf.backend_util.computeConv2DInfo(shape, filter.shape as [number, number, number, number], 1, 1, pad);
  const layout: MatrixLayout = { ...(x2 ? { split: x.shape[3] as number } : {}), ...(block ? { block } : {}) };
  const extras = { bias: named.bias, prelu: named.preluActivationWeights, x2 };
  return matrixConv2d(
    backend as unknown as WebgpuBackendLike,
    x,
    filter,
    conv,
    { activation },
    extras,
    support,
    layout,
  );
};

/** A fused conv on the tensor cores for the inference graph (see MATRIX_CONV). */
export interface MatrixConvRequest {
  x: tf.Tensor4D;
  /** Concatenated after x along channels. */
  x2?: tf.Tensor4D;
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
  /** PReLU slopes per output channel, or null for none. */
  alpha: tf.Tensor | null;
  pad: 'same' | 'valid';
  block?: [number, number];
}

/** The conv on the tensor cores, or null where they cannot run it (the caller then runs tfjs's ops). */
export function tryMatrixConv(request: MatrixConvRequest): tf.Tensor | null {
  const support = matrixSupport();
  if (!matrixConvs || support === null || tf.getBackend() !== BACKEND) return null;
  const { x, x2, filter, bias, alpha, pad, block } = request;
  const channels = x.shape[3] + (x2?.shape[3] ?? 0);
  const conv = tf.backend_util.computeConv2DInfo(
    [x.shape[0], x.shape[1], x.shape[2], channels],
    filter.shape,
    1,
    1,
    pad,
  );
  if (!matrixConvFits(conv, support)) return null;
  const inputs = {
    x,
    filter,
    bias,
    ...(x2 ? { x2 } : {}),
    ...(alpha ? { preluActivationWeights: alpha } : {}),
  };
  const attrs = { pad, activation: alpha ? 'prelu' : 'linear', ...(block ? { block } : {}) };
  return tf.engine().runKernel(MATRIX_CONV, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}

const REPLACEMENTS: Record<string, (fallback: KernelFunc) => KernelFunc> = {
  [tf.Conv2DBackpropFilter]: filterGradKernel,
  [tf.Conv2DBackpropInput]: inputGradKernel,
  [tf.FusedConv2D]: fusedConvKernel,
};

function swap(kernelName: string, kernelFunc: KernelFunc): void {
  tf.unregisterKernel(kernelName, BACKEND);
  tf.registerKernel({ kernelName, backendName: BACKEND, kernelFunc });
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
    const original = stock.get(kernelName) ?? tf.getKernel(kernelName, BACKEND);
    if (original === undefined) continue; // the webgpu backend is not loaded
    stock.set(kernelName, original);
    swap(kernelName, make(original.kernelFunc));
    replaced.push(kernelName);
  }
  if (tf.getKernel(MATRIX_CONV, BACKEND) === undefined && tf.getKernel(tf.FusedConv2D, BACKEND) !== undefined) {
    tf.registerKernel({ kernelName: MATRIX_CONV, backendName: BACKEND, kernelFunc: matrixConvKernel });
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
  return (tf.engine().registry as Record<string, object | undefined>)[BACKEND] ?? null;
}

export function useStockWebgpuKernels(): void {
  for (const [kernelName, original] of stock) swap(kernelName, original.kernelFunc);
  for (const original of stockGradients.values()) swapGradient(original);
  const backend = startedBackend();
  if (backend) useStockUploads(backend);
  stopCachingBindGroupLayouts();
  if (stockSubmitBatch !== undefined) tf.env().set(SUBMIT_BATCH_FLAG, stockSubmitBatch);
}
