/**
 * Training kernels for @tensorflow/tfjs-backend-wasm 4.22, which cannot train a conv net as shipped.
 *
 * What a U-Net/autoencoder step needs on wasm was checked by running one against the cpu backend (wasmKernels.test.ts):
 * - Conv2DBackpropFilter is missing (the filter gradient of conv2d, fused conv2d and conv2dTranspose): added;
 * - MaxPoolGrad exists but is wrong (it drops windows whose values are all negative): replaced;
 * - Conv2DBackpropInput and Tile (used by BatchNorm's gradient) exist but are slow element loops: replaced.
 * AvgPoolGrad, ResizeNearestNeighborGrad, Select (LeakyReLU's gradient) and the rest of BatchNorm's gradient agree with
 * the cpu backend. Measured on one dedicated Xeon core (wasm SIMD, 1 thread), U-Net [16,32,64] + bottleneck 128
 * (484k parameters), batch 8 of 128x128: 5.7 s per training step with only Conv2DBackpropFilter added, 2.3 s with all.
 *
 * The kernels are composed of tfjs ops that the wasm backend runs fast (pad, reshape, broadcasts, conv2d through
 * XNNPACK). Ops called inside a kernel run at kernel depth > 0, so the engine does not record them on the gradient tape;
 * tf.tidy frees their intermediates.
 */
import * as tf from '@tensorflow/tfjs-core';
import type {
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropInputAttrs,
  KernelFunc,
  MaxPoolGradAttrs,
  TensorInfo,
  TileAttrs,
} from '@tensorflow/tfjs-core';

/** The engine hands kernels Tensor objects; a bare TensorInfo is wrapped so tfjs ops can use it (tidy frees the wrapper). */
function asTensor4D(info: TensorInfo | undefined, kernel: string, name: string): tf.Tensor4D {
  if (info === undefined || info.shape.length !== 4) throw new Error(`${kernel}: input '${name}' must be a 4-D tensor`);
  return (info instanceof tf.Tensor ? info : tf.engine().makeTensorFromTensorInfo(info)) as tf.Tensor4D;
}

function toChannelsLast(t: tf.Tensor4D, dataFormat: 'NHWC' | 'NCHW'): tf.Tensor4D {
  return dataFormat === 'NCHW' ? tf.transpose(t, [0, 2, 3, 1]) : t;
}

/**
 * Places x `before` rows/columns into a [height, width] frame: zeros fill what x does not cover, and x is cropped where
 * it does not fit (a negative `before` crops its start).
 */
function frame(x: tf.Tensor4D, beforeH: number, beforeW: number, height: number, width: number, fill = 0): tf.Tensor4D {
  const [, xHeight, xWidth] = x.shape;
  const paddings: Array<[number, number]> = [
    [0, 0],
    [Math.max(0, beforeH), Math.max(0, height - beforeH - xHeight)],
    [Math.max(0, beforeW), Math.max(0, width - beforeW - xWidth)],
    [0, 0],
  ];
  const padded = tf.pad(x, paddings, fill);
  if (padded.shape[1] === height && padded.shape[2] === width) return padded;
  return tf.slice(padded, [0, Math.max(0, -beforeH), Math.max(0, -beforeW), 0], [-1, height, width, -1]);
}

/** Inserts stride - 1 zeros after every sample and trace (the trailing ones are cropped by frame()). */
function insertZeros(x: tf.Tensor4D, strideHeight: number, strideWidth: number): tf.Tensor4D {
  if (strideHeight === 1 && strideWidth === 1) return x;
  const [batch, height, width, channels] = x.shape;
  const spread = tf.pad(tf.reshape(x, [batch, height, 1, width, 1, channels]), [
    [0, 0],
    [0, 0],
    [0, strideHeight - 1],
    [0, 0],
    [0, strideWidth - 1],
    [0, 0],
  ]);
  return tf.reshape(spread, [batch, height * strideHeight, width * strideWidth, channels]);
}

/**
 * dW[kh, kw, ci, co] = sum over (n, oh, ow) of xFramed[n, kh + oh*sh, kw + ow*sw, ci] * dy[n, oh, ow, co]. Read with ci as
 * the batch, n as the input channel and dy as an [outH, outW, N, Co] filter dilated by the stride, that is one stride-1
 * 'valid' conv2d with output [Ci, KH, KW, Co], which the wasm backend runs through XNNPACK. Measured here against the
 * KH x KW shifted matrix products: 87 against 115 ms for x [8,128,128,16] and a 3x3 filter at stride 1, 20 against 709 ms
 * at stride 2 (strided slices are slow on wasm).
 */
function conv2DBackpropFilter(x4: tf.Tensor4D, dy4: tf.Tensor4D, attrs: Conv2DBackpropFilterAttrs): tf.Tensor4D {
  const x = toChannelsLast(x4, attrs.dataFormat);
  const dy = toChannelsLast(dy4, attrs.dataFormat);
  const { filterShape, strides, pad, dimRoundingMode } = attrs;
  const conv = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, 1, pad, dimRoundingMode);
  const { filterHeight, filterWidth, outHeight, outWidth, strideHeight, strideWidth, padInfo } = conv;
  // Exactly the rows and columns the filter taps read: padding added, input the last window never reaches dropped.
  const framed = frame(
    x,
    padInfo.top,
    padInfo.left,
    filterHeight - 1 + (outHeight - 1) * strideHeight + 1,
    filterWidth - 1 + (outWidth - 1) * strideWidth + 1,
  );
  const channelsAsBatch = tf.transpose(framed, [3, 1, 2, 0]);
  const dyAsFilter = tf.transpose(dy, [1, 2, 0, 3]);
  const gradient = tf.conv2d(channelsAsBatch, dyAsFilter, 1, 'valid', 'NHWC', [strideHeight, strideWidth]);
  return tf.transpose(gradient, [1, 2, 0, 3]);
}

const conv2DBackpropFilterKernel: KernelFunc = ({ inputs, attrs }) =>
  tf.tidy(() =>
    conv2DBackpropFilter(
      asTensor4D(inputs.x, 'Conv2DBackpropFilter', 'x'),
      asTensor4D(inputs.dy, 'Conv2DBackpropFilter', 'dy'),
      attrs as unknown as Conv2DBackpropFilterAttrs,
    ),
  );

/**
 * dx = the correlation of dy, spread out by the stride (zeros between samples) and framed by KH-1-padTop rows, with the
 * filter flipped in space and its channel axes swapped: one stride-1 'valid' conv2d through XNNPACK. Replaces
 * tfjs-backend-wasm's own Conv2DBackpropInput, a direct loop that took half of a U-Net training step (profiled here:
 * 2.8 s of 5.6 s for the step measured in the header).
 */
function conv2DBackpropInput(dy4: tf.Tensor4D, filter: tf.Tensor4D, attrs: Conv2DBackpropInputAttrs): tf.Tensor4D {
  const channelsFirst = attrs.dataFormat === 'NCHW';
  const dy = toChannelsLast(dy4, attrs.dataFormat);
  const [batch, s1, s2, s3] = attrs.inputShape;
  const inShape: [number, number, number, number] = channelsFirst ? [batch, s2, s3, s1] : [batch, s1, s2, s3];
  const conv = tf.backend_util.computeConv2DInfo(
    inShape,
    filter.shape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { filterHeight, filterWidth, inHeight, inWidth, padInfo } = conv;
  const framed = frame(
    insertZeros(dy, conv.strideHeight, conv.strideWidth),
    filterHeight - 1 - padInfo.top,
    filterWidth - 1 - padInfo.left,
    inHeight + filterHeight - 1,
    inWidth + filterWidth - 1,
  );
  const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]);
  const dx = tf.conv2d(framed, flipped, 1, 'valid');
  return channelsFirst ? tf.transpose(dx, [0, 3, 1, 2]) : dx;
}

const conv2DBackpropInputKernel: KernelFunc = ({ inputs, attrs }) =>
  tf.tidy(() =>
    conv2DBackpropInput(
      asTensor4D(inputs.dy, 'Conv2DBackpropInput', 'dy'),
      asTensor4D(inputs.filter, 'Conv2DBackpropInput', 'filter'),
      attrs as unknown as Conv2DBackpropInputAttrs,
    ),
  );

/**
 * x[:, kh::sh, kw::sw, :] limited to outH x outW, without StridedSlice (slow on wasm): crop the first kh/kw, reshape so
 * the stride becomes its own axis, and take index 0 of it.
 */
function everyStride(x: tf.Tensor4D, kh: number, kw: number, pool: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const { outHeight, outWidth, strideHeight, strideWidth } = pool;
  const [batch, , , channels] = x.shape;
  const shifted = frame(x, -kh, -kw, outHeight * strideHeight, outWidth * strideWidth);
  const grouped = tf.reshape(shifted, [batch, outHeight, strideHeight, outWidth, strideWidth, channels]);
  const firsts = tf.slice(grouped, [0, 0, 0, 0, 0, 0], [batch, outHeight, 1, outWidth, 1, channels]);
  return tf.reshape(firsts, [batch, outHeight, outWidth, channels]);
}

/** Each value of an [N, Ho, Wo, C] tensor repeated over its sh x sw window: [N, Ho*sh, Wo*sw, C], by one broadcast. */
function spreadOverWindows(t: tf.Tensor4D, strideHeight: number, strideWidth: number): tf.Tensor4D {
  const [batch, height, width, channels] = t.shape;
  const windows = tf.add(
    tf.reshape(t, [batch, height, 1, width, 1, channels]),
    tf.zeros([1, 1, strideHeight, 1, strideWidth, 1]),
  );
  return tf.reshape(windows, [batch, height * strideHeight, width * strideWidth, channels]);
}

/** [1, Ho*sh, Wo*sw, 1]: every element's row-major position within its sh x sw window. */
function positionsInWindows(pool: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const { outHeight, outWidth, strideHeight, strideWidth } = pool;
  const [height, width] = [outHeight * strideHeight, outWidth * strideWidth];
  const positions = new Float32Array(height * width);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) positions[r * width + c] = (r % strideHeight) * strideWidth + (c % strideWidth);
  }
  return tf.tensor4d(positions, [1, height, width, 1]);
}

/**
 * Windows that tile the input (stride = window, the U-Net's 2x2 pooling), all at once: mark the elements equal to their
 * window's maximum, keep the one with the lowest position (a min-pool over positions), and hand it dy.
 */
function maxPoolGradDisjoint(
  dy: tf.Tensor4D,
  input: tf.Tensor4D,
  output: tf.Tensor4D,
  pool: tf.backend_util.Conv2DInfo,
) {
  const { outHeight, outWidth, strideHeight, strideWidth, padInfo } = pool;
  const windowSize = strideHeight * strideWidth;
  // Padding can never be a window's maximum.
  const windowed = frame(input, padInfo.top, padInfo.left, outHeight * strideHeight, outWidth * strideWidth, -Infinity);
  const holdsMax = tf.cast(tf.equal(windowed, spreadOverWindows(output, strideHeight, strideWidth)), 'float32');
  // A maximum's candidate is its position; any other element's is beyond every position.
  const candidates = tf.add(positionsInWindows(pool), tf.mul(tf.sub(1, holdsMax), windowSize)) as tf.Tensor4D;
  const window: [number, number] = [strideHeight, strideWidth];
  const firstMax = tf.neg(tf.maxPool(tf.neg(candidates), window, window, 'valid')) as tf.Tensor4D;
  const chosen = tf.equal(candidates, spreadOverWindows(firstMax, strideHeight, strideWidth));
  const routed = tf.mul(spreadOverWindows(dy, strideHeight, strideWidth), tf.cast(chosen, 'float32')) as tf.Tensor4D;
  const [, height, width] = input.shape;
  return frame(routed, -padInfo.top, -padInfo.left, height, width);
}

/**
 * Overlapping windows, one pass per filter tap: compare that tap's view of the input with the pooled output, claim the
 * windows whose maximum it is first to hold, and scatter dy back to the tap's positions (zeros between them for strides
 * > 1). Slower than the disjoint case (6-D slices), but general.
 */
function maxPoolGradOverlapping(
  dy: tf.Tensor4D,
  input: tf.Tensor4D,
  output: tf.Tensor4D,
  pool: tf.backend_util.Conv2DInfo,
) {
  const { filterHeight, filterWidth, outHeight, outWidth, strideHeight, strideWidth, padInfo } = pool;
  const paddedHeight = (outHeight - 1) * strideHeight + filterHeight;
  const paddedWidth = (outWidth - 1) * strideWidth + filterWidth;
  const padded = frame(input, padInfo.top, padInfo.left, paddedHeight, paddedWidth, -Infinity);
  let unclaimed: tf.Tensor = tf.ones(output.shape, 'bool');
  const routed: tf.Tensor4D[] = [];
  for (let kh = 0; kh < filterHeight; kh++) {
    for (let kw = 0; kw < filterWidth; kw++) {
      const holdsMax = tf.logicalAnd(tf.equal(everyStride(padded, kh, kw, pool), output), unclaimed);
      unclaimed = tf.logicalAnd(unclaimed, tf.logicalNot(holdsMax));
      const share = tf.mul(dy, tf.cast(holdsMax, 'float32')) as tf.Tensor4D;
      routed.push(frame(insertZeros(share, strideHeight, strideWidth), kh, kw, paddedHeight, paddedWidth));
    }
  }
  const [, height, width] = input.shape;
  return frame(tf.addN(routed), -padInfo.top, -padInfo.left, height, width);
}

/**
 * Routes each dy to the first position (row-major within the window) that holds its window's maximum, as the cpu and
 * webgl backends do. Replaces tfjs-backend-wasm 4.22's MaxPoolGrad, which loses the gradient of every window whose values
 * are all negative (common after LeakyReLU), so a U-Net trained with it on wasm gets wrong encoder gradients.
 */
function maxPoolGrad(dy: tf.Tensor4D, input: tf.Tensor4D, output: tf.Tensor4D, attrs: MaxPoolGradAttrs): tf.Tensor4D {
  const { filterSize, strides, pad, dimRoundingMode } = attrs;
  const pool = tf.backend_util.computePool2DInfo(input.shape, filterSize, strides, 1, pad, dimRoundingMode);
  const disjoint = pool.filterHeight === pool.strideHeight && pool.filterWidth === pool.strideWidth;
  return disjoint ? maxPoolGradDisjoint(dy, input, output, pool) : maxPoolGradOverlapping(dy, input, output, pool);
}

const maxPoolGradKernel: KernelFunc = ({ inputs, attrs }) =>
  tf.tidy(() =>
    maxPoolGrad(
      asTensor4D(inputs.dy, 'MaxPoolGrad', 'dy'),
      asTensor4D(inputs.input, 'MaxPoolGrad', 'input'),
      asTensor4D(inputs.output, 'MaxPoolGrad', 'output'),
      attrs as unknown as MaxPoolGradAttrs,
    ),
  );

/**
 * tile(x, reps) as one broadcast: x reshaped to [1, d0, 1, d1, ...] plus zeros of [r0, d0, r1, d1, ...], reshaped to the
 * output (axes whose repeat or size is 1 drop out of the interleaved shape). tfjs-backend-wasm's Tile copies element by
 * element: 120 ms against 11 ms here for BatchNorm's gradient, which tiles a [1,1,1,16] vector to [8,128,128,16] for
 * every BatchNorm layer of every step.
 */
function tile(x: tf.Tensor, reps: readonly number[]): tf.Tensor {
  const sourceShape: number[] = [];
  const spreadShape: number[] = [];
  x.shape.forEach((size, axis) => {
    const repeat = reps[axis] ?? 1;
    if (repeat !== 1) {
      sourceShape.push(1);
      spreadShape.push(repeat);
    }
    if (size !== 1) {
      sourceShape.push(size);
      spreadShape.push(size);
    }
  });
  const spread = tf.add(tf.reshape(x, sourceShape), tf.zeros(spreadShape, x.dtype));
  return tf.reshape(
    spread,
    x.shape.map((size, axis) => size * (reps[axis] ?? 1)),
  );
}

/** Float tiles take the broadcast; other dtypes (bool masks, int indices) keep the backend's own kernel. */
function tileKernel(original: KernelFunc | undefined): KernelFunc {
  return (params) => {
    const x = params.inputs.x;
    if (x?.dtype !== 'float32' && original !== undefined) return original(params);
    if (x === undefined) throw new Error(`Tile: input 'x' is missing`);
    const input = x instanceof tf.Tensor ? x : tf.engine().makeTensorFromTensorInfo(x);
    return tf.tidy(() => tile(input, (params.attrs as unknown as TileAttrs).reps));
  };
}

/**
 * Kernels this module gives the wasm backend, by tfjs kernel name, each made from the backend's own version (undefined
 * when it has none): the missing Conv2DBackpropFilter, and replacements for kernels too slow to train with.
 */
const WASM_TRAINING_KERNELS: Readonly<Record<string, (original: KernelFunc | undefined) => KernelFunc>> = {
  Conv2DBackpropFilter: () => conv2DBackpropFilterKernel,
  Conv2DBackpropInput: () => conv2DBackpropInputKernel,
  MaxPoolGrad: () => maxPoolGradKernel,
  Tile: tileKernel,
};

export const WASM_TRAINING_KERNEL_NAMES: readonly string[] = Object.keys(WASM_TRAINING_KERNELS);

const ours = new WeakSet<KernelFunc>();

/** Registers WASM_TRAINING_KERNELS for 'wasm', replacing the backend's own versions; safe to call more than once. */
export function registerWasmTrainingKernels(): void {
  for (const [kernelName, make] of Object.entries(WASM_TRAINING_KERNELS)) {
    const current = tf.getKernel(kernelName, 'wasm');
    if (current !== undefined && ours.has(current.kernelFunc)) continue;
    const kernelFunc = make(current?.kernelFunc);
    ours.add(kernelFunc);
    if (current !== undefined) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  }
}
