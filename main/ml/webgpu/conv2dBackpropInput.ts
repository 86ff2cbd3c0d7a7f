/**
 * Conv2DBackpropInput for the webgpu backend, for the stride-1 'same' convolutions with odd kernels that make up most of
 * a U-Net: the input gradient of such a conv is itself a stride-1 'same' conv of dy with the kernel turned by 180
 * degrees and its channel axes swapped, dx = conv(dy, W'), W'[i, j, co, ci] = W[kh-1-i, kw-1-j, ci, co]. tfjs 4.22's
 * own kernel for this case took 66 ms of GPU time per seeds' U-Net step against 23 ms for its forward convs (H200), so
 * the gradient runs through tfjs's forward Conv2D kernel instead (plus a reverse and a transpose of the small kernel).
 * Other cases (strides, even kernels, explicit pads, NCHW: the transposed convs' forward pass among them) stay tfjs's.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Conv2DBackpropInputAttrs, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { WebgpuBackendLike } from './program';

const pair = (value: number | [number, number]): [number, number] => (Array.isArray(value) ? value : [value, value]);

/** Whether dx is a 'same' conv of dy with the turned kernel. */
export function backpropInputAsConv(attrs: Conv2DBackpropInputAttrs, filterShape: number[]): boolean {
  const [strideH, strideW] = pair(attrs.strides);
  const [kh, kw] = filterShape as [number, number];
  return (
    attrs.dataFormat !== 'NCHW' &&
    attrs.pad === 'same' &&
    strideH === 1 &&
    strideW === 1 &&
    kh % 2 === 1 &&
    kw % 2 === 1
  );
}

function runKernel(name: string, args: Parameters<KernelFunc>[0]): TensorInfo {
  const kernel = tf.getKernel(name, 'webgpu');
  if (kernel === undefined) throw new Error(`webgpu backend has no ${name} kernel`);
  return kernel.kernelFunc(args) as TensorInfo;
}

/** dx of a stride-1 'same' conv with an odd kernel (see backpropInputAsConv), NHWC. */
export function conv2dBackpropInputAsConv(dy: TensorInfo, filter: TensorInfo, backend: WebgpuBackendLike): TensorInfo {
  const kernelBackend = backend as unknown as tf.KernelBackend;
  const turned = runKernel(tf.Reverse, { inputs: { x: filter }, backend: kernelBackend, attrs: { dims: [0, 1] } });
  const swapped = runKernel(tf.Transpose, {
    inputs: { x: turned },
    backend: kernelBackend,
    attrs: { perm: [0, 1, 3, 2] },
  });
  backend.disposeData(turned.dataId);
  const dx = runKernel(tf.Conv2D, {
    inputs: { x: dy, filter: swapped },
    backend: kernelBackend,
    attrs: { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1 },
  });
  backend.disposeData(swapped.dataId);
  return dx;
}
