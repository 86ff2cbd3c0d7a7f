/**
 * An inference-only executor for a trained tfjs-layers model, rewritten for speed; every rewrite is exact up to float
 * rounding:
 * - every conv2d -> BatchNormalization (-> LeakyReLU) chain becomes one fused conv2d with the BatchNorm folded into its
 *   weights and bias and the activation fused in, so each conv's output is written once instead of three times:
 *   gamma * (conv(x, W) + b - mean) / sqrt(var + eps) + beta = conv(x, W * s) + (b - mean) * s + beta,  s = gamma / sqrt(var + eps);
 * - LeakyReLU runs as PReLU with the slope in every channel (the same x < 0 ? a x : x): tfjs-backend-wasm's LeakyRelu is
 *   an element loop (measured 30 ms for a [16,128,128,16] tensor) where its Prelu goes through XNNPACK (3 ms);
 * - a transposed conv whose kernel equals its stride (the U-Net's 2x2 / stride 2 upsampling) writes each output pixel
 *   from exactly one input pixel, so it is a 1x1 conv to kh*kw*Co channels followed by a depth-to-space rearrangement
 *   (one 4-D transpose): 4 times fewer multiplications than a conv over the zero-spread input, no zeros to pad;
 * - on wasm, a conv reading a channel concatenation (the U-Net's skip joins) runs as the sum of one conv per part, with
 *   the filter split along its input channels: the wasm Concat copies channel runs in JavaScript (30-40 ms per decoder
 *   join of a batch of 16), which costs more than the extra add;
 * - on webgpu with the tensor cores (webgpu/matrixConv.ts), a conv reading a two-part concatenation reads both parts
 *   itself, and a sub-pixel conv writes its output pixels where depth-to-space puts them: neither the concatenation nor
 *   the rearrangement is written (2.4 and 1.2 ms of GPU time in the seeds' U-Net's 64-patch inference on an H200).
 * Every other layer runs as itself in inference mode (dropout off). The weights are read once, at build time: rebuild
 * after training further.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { matrixConvsActive, tryMatrixConv } from './webgpu/matrixKernels';
import { withInferenceSubmits } from './webgpu/register';

type Layer = tfl.layers.Layer;

interface FusedConv {
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
  strides: [number, number];
  pad: 'same' | 'valid';
  dilations: [number, number];
  /** PReLU slopes, one per output channel (a folded LeakyReLU), or null for no activation. */
  alpha: tf.Tensor1D | null;
}

interface Step {
  inputs: number[];
  output: number;
  run: (inputs: tf.Tensor[]) => tf.Tensor;
}

export interface InferenceGraph {
  predict(x: tf.Tensor): tf.Tensor;
  /** Frees the folded weights (the model's own weights are untouched). */
  dispose(): void;
  /** How many conv -> BatchNorm chains were folded (for tests and logs). */
  readonly fusedConvs: number;
  /** How many transposed convs run as a 1x1 conv and depth-to-space. */
  readonly subPixelConvs: number;
  /** How many channel concatenations were split into their conv. */
  readonly splitConcats: number;
}

export interface InferenceGraphOptions {
  /** Run convs over a channel concatenation as a sum of convs (default: on the wasm backend, where Concat is slow). */
  splitConcats?: boolean;
}

const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const symbolics = (layer: Layer): tfl.SymbolicTensor[] =>
  asArray(layer.input as tfl.SymbolicTensor | tfl.SymbolicTensor[]);
export const ids = (layer: Layer): number[] => symbolics(layer).map((s) => s.id);
export const outputId = (layer: Layer): number => (layer.output as tfl.SymbolicTensor).id;
export const pair = (value: unknown): [number, number] =>
  Array.isArray(value) ? [Number(value[0]), Number(value[1] ?? value[0])] : [Number(value), Number(value)];
export const channelsLast = (layer: Layer): boolean =>
  (layer.getConfig().dataFormat ?? 'channelsLast') === 'channelsLast';

export function weightByName(layer: Layer, suffix: string): tf.Tensor {
  const found = layer.weights.find((w) => w.originalName.endsWith(suffix));
  if (found === undefined) throw new Error(`${layer.name}: no weight '${suffix}'`);
  return found.read();
}

/** Which layers read each symbolic tensor; a model output counts as one more reader. */
function countReaders(model: tfl.LayersModel): Map<number, Layer[]> {
  const readers = new Map<number, Layer[]>();
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    for (const id of ids(layer)) readers.set(id, [...(readers.get(id) ?? []), layer]);
  }
  for (const output of model.outputs) readers.set(output.id, [...(readers.get(output.id) ?? []), model]);
  return readers;
}

const soleReader = (readers: Map<number, Layer[]>, layer: Layer, className: string): Layer | undefined => {
  const list = readers.get(outputId(layer)) ?? [];
  return list.length === 1 && list[0]?.getClassName() === className ? list[0] : undefined;
};

function foldable(conv: Layer): boolean {
  return conv.getConfig().activation === 'linear' && channelsLast(conv);
}

/** PReLU slopes equal to a LeakyReLU layer's alpha in each of `channels` channels. */
const leakySlopes = (act: Layer, channels: number): tf.Tensor1D =>
  tf.fill([channels], Number(act.getConfig().alpha)) as tf.Tensor1D;

function foldBatchNorm(conv: Layer, norm: Layer | undefined, act: Layer | undefined): FusedConv {
  const config = conv.getConfig();
  const kernel = weightByName(conv, 'kernel') as tf.Tensor4D;
  const outChannels = kernel.shape[3];
  const [filter, bias] = tf.tidy((): [tf.Tensor4D, tf.Tensor1D] => {
    const convBias = config.useBias === true ? weightByName(conv, 'bias') : tf.zeros([outChannels]);
    if (norm === undefined) return [kernel.clone(), convBias.clone() as tf.Tensor1D];
    const normConfig = norm.getConfig();
    const axis = Number(normConfig.axis ?? -1);
    if (axis !== -1 && axis !== 3) throw new Error(`${norm.name}: only channels-last BatchNorm folds`);
    const eps = Number(normConfig.epsilon ?? 1e-3);
    const gamma = normConfig.scale === false ? tf.ones([outChannels]) : weightByName(norm, 'gamma');
    const beta = normConfig.center === false ? tf.zeros([outChannels]) : weightByName(norm, 'beta');
    const scale = tf.div(gamma, tf.sqrt(tf.add(weightByName(norm, 'moving_variance'), eps)));
    const folded = tf.add(tf.mul(tf.sub(convBias, weightByName(norm, 'moving_mean')), scale), beta);
    return [tf.mul(kernel, scale) as tf.Tensor4D, folded as tf.Tensor1D];
  });
  return {
    filter,
    bias,
    strides: pair(config.strides),
    pad: config.padding as 'same' | 'valid',
    dilations: pair(config.dilationRate ?? 1),
    alpha: act === undefined ? null : leakySlopes(act, outChannels),
  };
}

const fusedConv2d = (x: tf.Tensor, f: FusedConv, filter = f.filter, bias: tf.Tensor1D | null = f.bias) =>
  tf.fused.conv2d({
    x: x as tf.Tensor4D,
    filter,
    bias: bias ?? undefined,
    strides: f.strides,
    pad: f.pad,
    dilations: f.dilations,
    dataFormat: 'NHWC',
    ...(f.alpha === null ? {} : { activation: 'prelu' as const, preluActivationWeights: f.alpha }),
  });

const runFused =
  (f: FusedConv) =>
  ([x]: tf.Tensor[]): tf.Tensor =>
    fusedConv2d(x as tf.Tensor, f);

/**
 * conv(concat(x1, x2, ...), W) = conv(x1, W1) + conv(x2, W2) + ..., W split along its input channels like the inputs;
 * the bias rides on the last conv and the activation comes after the sum.
 */
function runSplit(f: FusedConv, channels: number[]) {
  const filters = tf.split(f.filter, channels, 2) as tf.Tensor4D[];
  const run = (parts: tf.Tensor[]): tf.Tensor => {
    const linear: FusedConv = { ...f, alpha: null };
    const sum = parts
      .map((part, i) => fusedConv2d(part, linear, filters[i], i === parts.length - 1 ? f.bias : null))
      .reduce((a, b) => tf.add(a, b));
    return f.alpha === null ? sum : tf.prelu(sum, f.alpha as tf.Tensor);
  };
  return { run, filters };
}

/** A conv over concat([x1, x2]) on the tensor cores reading both parts; tfjs's concat and fused conv where it cannot. */
function runConcatOnTensorCores(f: FusedConv) {
  return ([x1, x2]: tf.Tensor[]): tf.Tensor => {
    const [a, b] = [x1 as tf.Tensor4D, x2 as tf.Tensor4D];
    const unitStrides = pair(f.strides).every((s) => s === 1) && pair(f.dilations).every((d) => d === 1);
    const request = { x: a, x2: b, filter: f.filter, bias: f.bias, alpha: f.alpha, pad: f.pad };
    return (unitStrides ? tryMatrixConv(request) : null) ?? fusedConv2d(tf.concat([a, b], 3), f);
  };
}

/** A channels-last, linear transposed conv whose kernel equals its stride: each output pixel has one input pixel. */
function subPixelable(layer: Layer): boolean {
  if (layer.getClassName() !== 'Conv2DTranspose' || !foldable(layer)) return false;
  const config = layer.getConfig();
  const [kh, kw] = pair(config.kernelSize);
  const [sh, sw] = pair(config.strides);
  const [dh, dw] = pair(config.dilationRate ?? 1);
  return kh === sh && kw === sw && dh === 1 && dw === 1;
}

/**
 * out[n, i*kh + a, j*kw + b, c] = x[n, i, j, :] . K[a, b, c, :] + bias[c]: a 1x1 conv to (a, b, c) channels, then each
 * pixel's channels spread over its kh x kw block (reshape, one transpose, reshape).
 */
function subPixelConv(layer: Layer) {
  const config = layer.getConfig();
  const [kh, kw] = pair(config.kernelSize);
  const [filter, bias] = tf.tidy(() => {
    const kernel = weightByName(layer, 'kernel') as tf.Tensor4D; // [kh, kw, out, in]
    const [, , outChannels, inChannels] = kernel.shape;
    const convBias = config.useBias === true ? weightByName(layer, 'bias') : tf.zeros([outChannels]);
    const pointwise = tf.reshape(tf.transpose(kernel, [3, 0, 1, 2]), [1, 1, inChannels, kh * kw * outChannels]);
    // A concatenation, not tf.tile: on wasm a tile comes out of a reshape, and FusedConv2D reads the bias's rank from
    // its storage (rank 2 there), refusing it.
    const repeated = tf.concat(Array.from({ length: kh * kw }, () => convBias));
    return [pointwise as tf.Tensor4D, repeated as tf.Tensor1D];
  });
  const outChannels = filter.shape[3] / (kh * kw);
  const run = ([x]: tf.Tensor[]): tf.Tensor => {
    const onTensorCores = tryMatrixConv({
      x: x as tf.Tensor4D,
      filter,
      bias,
      alpha: null,
      pad: 'valid',
      block: [kh, kw],
    });
    if (onTensorCores !== null) return onTensorCores;
    const [batch, height, width] = (x as tf.Tensor4D).shape;
    const pixels = tf.fused.conv2d({ x: x as tf.Tensor4D, filter, bias, strides: 1, pad: 'valid' });
    const blocks = tf.reshape(pixels, [batch * height, width, kh, kw * outChannels]);
    return tf.reshape(tf.transpose(blocks, [0, 2, 1, 3]), [batch, height * kh, width * kw, outChannels]);
  };
  return { run, weights: [filter, bias] };
}

const runLayer =
  (layer: Layer) =>
  (inputs: tf.Tensor[]): tf.Tensor =>
    layer.apply(inputs.length === 1 ? (inputs[0] as tf.Tensor) : inputs, { training: false }) as tf.Tensor;

/** A LeakyReLU of known channel count runs as PReLU; others run as themselves. */
function runActivation(layer: Layer): { run: Step['run']; weights: tf.Tensor[] } {
  const channels = (layer.output as tfl.SymbolicTensor).shape.at(-1);
  if (typeof channels !== 'number') return { run: runLayer(layer), weights: [] };
  const slopes = leakySlopes(layer, channels);
  return { run: ([x]) => tf.prelu(x as tf.Tensor, slopes as tf.Tensor), weights: [slopes] };
}

/**
 * A channels-last Concatenate whose only reader is a conv that folds: its parts' channel counts, or undefined when
 * the concatenation has to run as itself.
 */
function splittableConcat(layer: Layer, readers: Map<number, Layer[]>): number[] | undefined {
  const axis = Number(layer.getConfig().axis ?? -1);
  const conv = soleReader(readers, layer, 'Conv2D');
  if ((axis !== -1 && axis !== 3) || conv === undefined || !foldable(conv)) return undefined;
  const channels = symbolics(layer).map((s) => (s.shape.length === 4 ? s.shape[3] : null));
  return channels.every((c): c is number => typeof c === 'number') ? channels : undefined;
}

/**
 * Builds the plan: one step per layer, except that folded BatchNorms and activations, and split concatenations,
 * disappear into their conv's step.
 */
export function buildInferenceGraph(model: tfl.LayersModel, options: InferenceGraphOptions = {}): InferenceGraph {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) throw new Error('one input and one output only');
  const splitConcats = options.splitConcats ?? tf.getBackend() === 'wasm';
  const concatsOnTensorCores = !splitConcats && tf.getBackend() === 'webgpu' && matrixConvsActive();
  const readers = countReaders(model);
  const absorbed = new Set<Layer>();
  // Concatenations left to their conv: the concat's output id -> its inputs and their channel counts.
  const concats = new Map<number, { inputs: number[]; channels: number[] }>();
  const weights: tf.Tensor[] = [];
  const counts = { fusedConvs: 0, subPixelConvs: 0, splitConcats: 0 };
  const steps: Step[] = [];
  for (const layer of model.layers) {
    const className = layer.getClassName();
    if (className === 'InputLayer' || absorbed.has(layer)) continue;
    const joinable = splitConcats || (concatsOnTensorCores && ids(layer).length === 2);
    const channels = className === 'Concatenate' && joinable ? splittableConcat(layer, readers) : undefined;
    if (channels !== undefined) {
      concats.set(outputId(layer), { inputs: ids(layer), channels });
      continue;
    }
    if (subPixelable(layer)) {
      const { run, weights: folded } = subPixelConv(layer);
      weights.push(...folded);
      counts.subPixelConvs++;
      steps.push({ inputs: ids(layer), output: outputId(layer), run });
      continue;
    }
    if (className === 'LeakyReLU') {
      const { run, weights: slopes } = runActivation(layer);
      weights.push(...slopes);
      steps.push({ inputs: ids(layer), output: outputId(layer), run });
      continue;
    }
    if (className !== 'Conv2D' || !foldable(layer)) {
      steps.push({ inputs: ids(layer), output: outputId(layer), run: runLayer(layer) });
      continue;
    }
    const norm = soleReader(readers, layer, 'BatchNormalization');
    const act = soleReader(readers, norm ?? layer, 'LeakyReLU');
    const concat = concats.get(ids(layer)[0] as number);
    if (norm === undefined && act === undefined && concat === undefined) {
      steps.push({ inputs: ids(layer), output: outputId(layer), run: runLayer(layer) });
      continue;
    }
    const fused = foldBatchNorm(layer, norm, act);
    weights.push(fused.filter, fused.bias, ...(fused.alpha === null ? [] : [fused.alpha]));
    for (const folded of [norm, act]) if (folded !== undefined) absorbed.add(folded);
    if (norm !== undefined) counts.fusedConvs++;
    const output = outputId(act ?? norm ?? layer);
    if (concat === undefined) {
      steps.push({ inputs: ids(layer), output, run: runFused(fused) });
      continue;
    }
    if (concatsOnTensorCores) {
      steps.push({ inputs: concat.inputs, output, run: runConcatOnTensorCores(fused) });
      continue;
    }
    const { run, filters } = runSplit(fused, concat.channels);
    weights.push(...filters);
    counts.splitConcats++;
    steps.push({ inputs: concat.inputs, output, run });
  }
  const inputId = (model.inputs[0] as tfl.SymbolicTensor).id;
  const modelOutputId = (model.outputs[0] as tfl.SymbolicTensor).id;
  return {
    ...counts,
    predict: (x) => withInferenceSubmits(() => execute(steps, inputId, modelOutputId, x)),
    dispose: () => tf.dispose(weights),
  };
}

/** Runs the steps in order, freeing each intermediate after its last reader. */
function execute(steps: Step[], inputId: number, outputIdValue: number, x: tf.Tensor): tf.Tensor {
  const remaining = new Map<number, number>();
  for (const step of steps) for (const id of step.inputs) remaining.set(id, (remaining.get(id) ?? 0) + 1);
  const values = new Map<number, tf.Tensor>([[inputId, x]]);
  for (const step of steps) {
    const inputs = step.inputs.map((id) => {
      const value = values.get(id);
      if (value === undefined) throw new Error(`inference graph: tensor ${id} used before it was computed`);
      return value;
    });
    values.set(
      step.output,
      tf.tidy(() => step.run(inputs)),
    );
    for (const id of step.inputs) {
      const left = (remaining.get(id) ?? 1) - 1;
      remaining.set(id, left);
      if (left === 0 && id !== inputId && id !== outputIdValue) values.get(id)?.dispose();
    }
  }
  const output = values.get(outputIdValue);
  if (output === undefined) throw new Error('inference graph: the model output was not computed');
  return output;
}
