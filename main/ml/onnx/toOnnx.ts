/**
 * Translates a trained tfjs-layers model into an ONNX model (opset 13) for native CPU inference with ONNX Runtime.
 * Layer by layer, in model.layers order, with nothing folded by hand: ONNX Runtime's own graph optimisations fuse
 * Conv + BatchNormalization and Conv + LeakyRelu. The graph takes and returns NHWC like the tfjs model ('section'
 * [N, H, W, C] -> 'prediction' [N, H, W, C_out]) and runs NCHW inside (ONNX's Conv layout), with one transpose at
 * each end. A layer it cannot translate exactly throws an error naming it, so that the caller can stay on tfjs.
 * The weights are read once, now: convert again after training further.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { onnx } from 'onnx-proto';
import { channelsLast, ids, outputId, pair, weightByName } from '../inferenceGraph';

type Layer = tfl.layers.Layer;
type Attribute = onnx.IAttributeProto;

export const ONNX_INPUT = 'section';
export const ONNX_OUTPUT = 'prediction';
const OPSET = 13;
const IR_VERSION = 7;

/** The error for a model the converter cannot translate: the caller falls back to tfjs. */
export class OnnxConversionError extends Error {}

const unsupported = (layer: Layer, why: string): OnnxConversionError =>
  new OnnxConversionError(`layer '${layer.name}' (${layer.getClassName()}): ${why}`);

const ints = (name: string, values: number[]): Attribute => ({
  name,
  type: onnx.AttributeProto.AttributeType.INTS,
  ints: values,
});
const float = (name: string, value: number): Attribute => ({
  name,
  type: onnx.AttributeProto.AttributeType.FLOAT,
  f: value,
});
const int = (name: string, value: number): Attribute => ({
  name,
  type: onnx.AttributeProto.AttributeType.INT,
  i: value,
});
const text = (name: string, value: string): Attribute => ({
  name,
  type: onnx.AttributeProto.AttributeType.STRING,
  s: new TextEncoder().encode(value),
});

/** Element-wise activations by their tfjs name; 'linear' needs no node. */
const ACTIVATIONS: Readonly<Record<string, string | null>> = {
  linear: null,
  relu: 'Relu',
  sigmoid: 'Sigmoid',
  tanh: 'Tanh',
  softplus: 'Softplus',
};

/** The ONNX graph under construction: nodes, float32 initializers, and the ONNX name of each tfjs symbolic tensor. */
class GraphBuilder {
  readonly nodes: onnx.INodeProto[] = [];
  /** Dropout layers sample a mask on every run (Monte Carlo dropout) instead of passing their input through. */
  constructor(readonly sampleDropout: boolean) {}

  readonly initializers: onnx.ITensorProto[] = [];
  private readonly names = new Map<number, string>();

  name(id: number, reader: string): string {
    const found = this.names.get(id);
    if (found === undefined) throw new OnnxConversionError(`${reader} reads a tensor that no earlier layer produced`);
    return found;
  }

  inputs(layer: Layer): string[] {
    return ids(layer).map((id) => this.name(id, `layer '${layer.name}'`));
  }

  bind(id: number, name: string): void {
    this.names.set(id, name);
  }

  node(opType: string, input: string[], output: string, attribute: Attribute[] = []): string {
    this.nodes.push({ opType, input, output: [output], attribute, name: output });
    return output;
  }

  constant(name: string, dims: number[], values: Float32Array): string {
    // A copy: rawData must cover exactly these values, not the whole buffer a view may sit in.
    const rawData = new Uint8Array(Float32Array.from(values).buffer);
    this.initializers.push({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData });
    return name;
  }

  /** A layer weight, permuted to ONNX's layout, as an initializer named after the layer. */
  weight(layer: Layer, suffix: string, permutation?: number[]): string {
    const value = weightByName(layer, suffix);
    const permuted = permutation === undefined ? value.clone() : tf.transpose(value, permutation);
    const values = permuted.dataSync() as Float32Array;
    const dims = permuted.shape;
    permuted.dispose();
    return this.constant(`${layer.name}:${suffix}`, dims, values);
  }
}

/** The single input tensor's name, for the layers that take one. */
function soleInput(graph: GraphBuilder, layer: Layer): string {
  const inputs = graph.inputs(layer);
  if (inputs.length !== 1) throw unsupported(layer, `expected one input, got ${inputs.length}`);
  return inputs[0] as string;
}

function requireChannelsLast(layer: Layer): void {
  if (!channelsLast(layer)) throw unsupported(layer, 'only channels-last data is supported');
}

/** The layer's `activation` (its config) applied to `input`: a node after it, or `input` itself when linear. */
function activationAfter(graph: GraphBuilder, layer: Layer, input: string, output: string): string {
  const activation = String(layer.getConfig().activation ?? 'linear');
  const opType = ACTIVATIONS[activation];
  if (opType === undefined) throw unsupported(layer, `activation '${activation}' is not supported`);
  return opType === null ? input : graph.node(opType, [input], output);
}

/**
 * TF's 'same' padding, the odd extra pad at the end. At stride 1 the pads, (k - 1) * d in all, do not depend on the
 * input size: explicit (ONNX Runtime refuses auto_pad with dilations). At larger strides they do: SAME_UPPER, which
 * places them as TF does.
 */
function convSamePadding(layer: Layer, kernel: number[], strides: number[], dilations: number[]): Attribute {
  if (strides.every((s) => s === 1)) {
    const total = kernel.map((k, axis) => (k - 1) * (dilations[axis] as number));
    const begin = total.map((t) => Math.floor(t / 2));
    return ints('pads', [...begin, ...total.map((t, axis) => t - (begin[axis] as number))]);
  }
  if (dilations.some((d) => d !== 1)) throw unsupported(layer, "'same' padding with both strides and dilations");
  return text('auto_pad', 'SAME_UPPER');
}

function translateConv2d(graph: GraphBuilder, layer: Layer, output: string): string {
  requireChannelsLast(layer);
  const config = layer.getConfig();
  const inputs = [soleInput(graph, layer), graph.weight(layer, 'kernel', [3, 2, 0, 1])]; // [kh,kw,in,out] -> [out,in,kh,kw]
  if (config.useBias === true) inputs.push(graph.weight(layer, 'bias'));
  const kernel = pair(config.kernelSize);
  const strides = pair(config.strides);
  const dilations = pair(config.dilationRate ?? 1);
  const attributes = [ints('kernel_shape', kernel), ints('strides', strides), ints('dilations', dilations)];
  if (config.padding === 'same') attributes.push(convSamePadding(layer, kernel, strides, dilations));
  else if (config.padding !== 'valid') throw unsupported(layer, `padding '${String(config.padding)}'`);
  const convolved = graph.node('Conv', inputs, `${output}:conv`, attributes);
  return activationAfter(graph, layer, convolved, output);
}

/**
 * tfjs's 'same' transposed conv gives in * stride outputs, with the pads of the forward conv it is the gradient of:
 * k - s in all, floor((k - s) / 2) first. A kernel shorter than its stride leaves s - k outputs at the end that no
 * input reaches ('valid' too): output_padding. ONNX's auto_pad differs between versions for ConvTranspose: not used.
 */
function transposedConvPads(layer: Layer, kernel: [number, number], strides: [number, number]) {
  const padding = layer.getConfig().padding;
  if (padding !== 'same' && padding !== 'valid') throw unsupported(layer, `padding '${String(padding)}'`);
  const total = kernel.map((k, axis) => (padding === 'same' ? Math.max(k - (strides[axis] as number), 0) : 0));
  const begin = total.map((t) => Math.floor(t / 2));
  const end = total.map((t, axis) => t - (begin[axis] as number));
  const outputPadding = kernel.map((k, axis) => Math.max((strides[axis] as number) - k, 0));
  return { pads: [...begin, ...end], outputPadding };
}

function translateConv2dTranspose(graph: GraphBuilder, layer: Layer, output: string): string {
  requireChannelsLast(layer);
  const config = layer.getConfig();
  if (pair(config.dilationRate ?? 1).some((d) => d !== 1)) throw unsupported(layer, 'dilated transposed convs');
  const kernel = pair(config.kernelSize);
  const strides = pair(config.strides);
  const inputs = [soleInput(graph, layer), graph.weight(layer, 'kernel', [3, 2, 0, 1])]; // [kh,kw,out,in] -> [in,out,kh,kw]
  if (config.useBias === true) inputs.push(graph.weight(layer, 'bias'));
  const { pads, outputPadding } = transposedConvPads(layer, kernel, strides);
  const attributes = [
    ints('kernel_shape', kernel),
    ints('strides', strides),
    ints('pads', pads),
    ints('output_padding', outputPadding),
  ];
  const convolved = graph.node('ConvTranspose', inputs, `${output}:conv`, attributes);
  return activationAfter(graph, layer, convolved, output);
}

function translateBatchNorm(graph: GraphBuilder, layer: Layer, output: string): string {
  const config = layer.getConfig();
  const axis = Number(config.axis ?? -1);
  if (axis !== -1 && axis !== 3)
    throw unsupported(layer, `normalises axis ${axis}, only the channel axis is supported`);
  const mean = graph.weight(layer, 'moving_mean');
  const channels = weightByName(layer, 'moving_mean').shape[0] as number;
  const fixed = (name: string, value: number) =>
    graph.constant(`${layer.name}:${name}`, [channels], new Float32Array(channels).fill(value));
  const gamma = config.scale === false ? fixed('gamma', 1) : graph.weight(layer, 'gamma');
  const beta = config.center === false ? fixed('beta', 0) : graph.weight(layer, 'beta');
  const variance = graph.weight(layer, 'moving_variance');
  const epsilon = float('epsilon', Number(config.epsilon ?? 1e-3));
  return graph.node('BatchNormalization', [soleInput(graph, layer), gamma, beta, mean, variance], output, [epsilon]);
}

function translateMaxPooling(graph: GraphBuilder, layer: Layer, output: string): string {
  requireChannelsLast(layer);
  const config = layer.getConfig();
  const kernel = pair(config.poolSize);
  const attributes = [ints('kernel_shape', kernel), ints('strides', pair(config.strides ?? kernel))];
  // Max pooling ignores SAME_UPPER's pads as TF does (they are -inf, never the maximum).
  if (config.padding === 'same') attributes.push(text('auto_pad', 'SAME_UPPER'));
  else if (config.padding !== 'valid') throw unsupported(layer, `padding '${String(config.padding)}'`);
  return graph.node('MaxPool', [soleInput(graph, layer)], output, attributes);
}

function translateUpSampling(graph: GraphBuilder, layer: Layer, output: string): string {
  requireChannelsLast(layer);
  const config = layer.getConfig();
  const interpolation = String(config.interpolation ?? 'nearest');
  if (interpolation !== 'nearest') throw unsupported(layer, `interpolation '${interpolation}', only 'nearest'`);
  const [sh, sw] = pair(config.size);
  const scales = graph.constant(`${layer.name}:scales`, [4], Float32Array.of(1, 1, sh, sw));
  // Output pixel i reads input pixel floor(i / s), as tfjs's nearest-neighbour resize does for whole scales.
  return graph.node('Resize', [soleInput(graph, layer), '', scales], output, [
    text('mode', 'nearest'),
    text('coordinate_transformation_mode', 'asymmetric'),
    text('nearest_mode', 'floor'),
  ]);
}

function translateConcatenate(graph: GraphBuilder, layer: Layer, output: string): string {
  const axis = Number(layer.getConfig().axis ?? -1);
  if (axis !== -1 && axis !== 3)
    throw unsupported(layer, `joins along axis ${axis}, only the channel axis is supported`);
  return graph.node('Concat', graph.inputs(layer), output, [int('axis', 1)]);
}

/** Add and Multiply with any number of inputs; the attention gate's [.., 1] coefficients broadcast in NCHW too. */
function translateMerge(graph: GraphBuilder, layer: Layer, output: string): string {
  const inputs = graph.inputs(layer);
  if (layer.getClassName() === 'Add') return graph.node(inputs.length === 2 ? 'Add' : 'Sum', inputs, output);
  const last = inputs.length - 2;
  return inputs
    .slice(1)
    .reduce((a, b, i) => graph.node('Mul', [a, b], i === last ? output : `${output}:${i}`), inputs[0] as string);
}

function translateActivation(graph: GraphBuilder, layer: Layer, output: string): string {
  return activationAfter(graph, layer, soleInput(graph, layer), output);
}

function translateLeakyRelu(graph: GraphBuilder, layer: Layer, output: string): string {
  const alpha = float('alpha', Number(layer.getConfig().alpha));
  return graph.node('LeakyRelu', [soleInput(graph, layer)], output, [alpha]);
}

/**
 * Inference: dropout is the identity, so its output is its input. For Monte Carlo dropout, a fresh mask on every run,
 * kept values scaled by 1 / (1 - rate) as tfjs does: x * (U(0, 1) >= rate) / (1 - rate). Built from RandomUniformLike
 * rather than ONNX's Dropout in training mode, which ONNX Runtime's graph optimisations remove as an inference no-op
 * (measured: its output equalled its input at every optimisation level but 'disabled').
 */
function translateDropout(graph: GraphBuilder, layer: Layer, output: string): string {
  const input = soleInput(graph, layer);
  const { rate, noiseShape } = layer.getConfig();
  if (!graph.sampleDropout || Number(rate) === 0) return input;
  if (noiseShape !== null && noiseShape !== undefined)
    throw unsupported(layer, 'a dropout noise shape is not supported');
  const uniform = graph.node('RandomUniformLike', [input], `${output}:uniform`);
  const dropped = graph.node(
    'Less',
    [uniform, graph.constant(`${layer.name}:rate`, [], Float32Array.of(Number(rate)))],
    `${output}:dropped`,
  );
  const kept = graph.node('Not', [dropped], `${output}:kept`);
  const mask = graph.node('Cast', [kept], `${output}:mask`, [int('to', onnx.TensorProto.DataType.FLOAT)]);
  const scale = graph.constant(`${layer.name}:scale`, [], Float32Array.of(1 / (1 - Number(rate))));
  return graph.node('Mul', [graph.node('Mul', [input, mask], `${output}:masked`), scale], output);
}

/**
 * GaussianDropout (the VAE's latent sampling, models/vae.ts): the identity in inference, and for Monte Carlo sampling
 * x * N(1, rate / (1 - rate)) drawn on every run, as tfjs draws it in training mode.
 */
function translateGaussianDropout(graph: GraphBuilder, layer: Layer, output: string): string {
  const input = soleInput(graph, layer);
  const rate = Number(layer.getConfig().rate);
  if (!graph.sampleDropout || !(rate > 0 && rate < 1)) return input;
  const attributes = [float('mean', 1), float('scale', Math.sqrt(rate / (1 - rate)))];
  const noise = graph.node('RandomNormalLike', [input], `${output}:noise`, attributes);
  return graph.node('Mul', [input, noise], output);
}

type Translator = (graph: GraphBuilder, layer: Layer, output: string) => string;

/** One translator per supported tfjs layer class; returns the ONNX name of the layer's output. */
const TRANSLATORS: Readonly<Record<string, Translator>> = {
  Conv2D: translateConv2d,
  Conv2DTranspose: translateConv2dTranspose,
  BatchNormalization: translateBatchNorm,
  LeakyReLU: translateLeakyRelu,
  Activation: translateActivation,
  MaxPooling2D: translateMaxPooling,
  UpSampling2D: translateUpSampling,
  Concatenate: translateConcatenate,
  Add: translateMerge,
  Multiply: translateMerge,
  Dropout: translateDropout,
  GaussianDropout: translateGaussianDropout,
};

/** The model's channel count from its NHWC input shape; height and width stay free. */
function inputChannels(model: tfl.LayersModel): number {
  const shape = (model.inputs[0] as tfl.SymbolicTensor).shape;
  const channels = shape[3];
  if (shape.length !== 4 || typeof channels !== 'number') {
    throw new OnnxConversionError(
      `the model input must be [batch, height, width, channels], got [${shape.join(', ')}]`,
    );
  }
  return channels;
}

const valueInfo = (name: string, dims: (string | number | null)[]): onnx.IValueInfoProto => ({
  name,
  type: {
    tensorType: {
      elemType: onnx.TensorProto.DataType.FLOAT,
      shape: {
        dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : typeof d === 'number' ? { dimValue: d } : {})),
      },
    },
  },
});

export interface OnnxConversionOptions {
  /** Dropout layers sample a new mask on every run (Monte Carlo dropout); BatchNorm stays on its moving statistics. */
  sampleDropout?: boolean;
}

/** Encodes `model` (one NHWC input, one output, layers the translators know) as an ONNX ModelProto. */
export function layersModelToOnnx(model: tfl.LayersModel, options: OnnxConversionOptions = {}): Uint8Array {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new OnnxConversionError(
      `model '${model.name}' has ${model.inputs.length} inputs and ${model.outputs.length} outputs, one of each is supported`,
    );
  }
  const channels = inputChannels(model);
  const graph = new GraphBuilder(options.sampleDropout ?? false);
  const nchw = graph.node('Transpose', [ONNX_INPUT], `${ONNX_INPUT}:nchw`, [ints('perm', [0, 3, 1, 2])]);
  graph.bind((model.inputs[0] as tfl.SymbolicTensor).id, nchw);
  for (const layer of model.layers) {
    const className = layer.getClassName();
    if (className === 'InputLayer') continue;
    if (layer.inboundNodes.length !== 1) throw unsupported(layer, 'a layer applied more than once is not supported');
    const translate = TRANSLATORS[className];
    if (translate === undefined) throw unsupported(layer, 'this layer class has no ONNX translation');
    graph.bind(outputId(layer), translate(graph, layer, `${layer.name}:0`));
  }
  const result = graph.name((model.outputs[0] as tfl.SymbolicTensor).id, 'the model output');
  graph.node('Transpose', [result], ONNX_OUTPUT, [ints('perm', [0, 2, 3, 1])]);
  const outputChannels = (model.outputs[0] as tfl.SymbolicTensor).shape[3] ?? null;
  const proto = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'promethium',
    graph: {
      name: model.name,
      node: graph.nodes,
      initializer: graph.initializers,
      input: [valueInfo(ONNX_INPUT, ['N', 'H', 'W', channels])],
      output: [valueInfo(ONNX_OUTPUT, ['N', null, null, outputChannels])],
    },
  });
  return onnx.ModelProto.encode(proto).finish();
}
