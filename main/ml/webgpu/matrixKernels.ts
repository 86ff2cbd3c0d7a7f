/**
 * The tensor-core convolutions (matrixConv.ts) as tfjs kernels on the webgpu backend: FusedConv2D where the device has
 * subgroup matrices, and MATRIX_CONV for the inference graph's joins and upsampling; the switch between them and strict
 * float32, and the check of the kernel against float32 when the backend starts. register.ts registers them.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { FusedConv2DAttrs, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import {
  concatConvInfo,
  MATRIX_TOLERANCE,
  type MatrixLayout,
  matrixConv2d,
  matrixConvFits,
  matrixConvInfo,
} from './matrixConv';
import { matrixSupport } from './matrixDevice';
import { input, WEBGPU_BACKEND, type WebgpuBackendLike } from './program';

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
  if (!matrixConvsActive() || tf.getBackend() !== WEBGPU_BACKEND) return null;
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

export function fusedConvKernel(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const support = matrixSupport();
    if (!matrixConvsActive() || support === null) return fallback(args);
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

export const matrixConvKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const support = matrixSupport();
  if (support === null) throw new Error(`${MATRIX_CONV} needs subgroup matrices`);
  const named = inputs as Record<string, TensorInfo | undefined>;
  const [x, filter] = [input(named, 'x'), input(named, 'filter')];
  const x2 = named.x2;
  const { pad, activation, block } = attrs as unknown as MatrixConvAttrs;
  const conv = concatConvInfo(x.shape, x2?.shape[3] ?? 0, filter.shape, pad);
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
  if (!matrixConvsActive() || support === null || tf.getBackend() !== WEBGPU_BACKEND) return null;
  const { x, x2, filter, bias, alpha, pad, block } = request;
  const conv = concatConvInfo(x.shape, x2?.shape[3] ?? 0, filter.shape, pad);
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
