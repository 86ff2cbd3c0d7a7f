/**
 * An inference-only executor for a trained tfjs-layers model: every conv2d -> BatchNormalization (-> LeakyReLU) chain
 * becomes one fused conv2d with the BatchNorm folded into its weights and bias, and the activation fused in as well, so
 * the GPU writes each conv's output once instead of three times (conv, normalise, activate). With BatchNorm on its
 * moving statistics this is exact up to float rounding:
 *   gamma * (conv(x, W) + b - mean) / sqrt(var + eps) + beta = conv(x, W * s) + (b - mean) * s + beta,  s = gamma / sqrt(var + eps).
 * Every other layer runs as itself in inference mode (dropout off). The weights are read once, at build time: rebuild
 * after training further.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

type Layer = tfl.layers.Layer;
type Activation = 'linear' | 'leakyrelu';

interface FusedConv {
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
  strides: [number, number];
  pad: 'same' | 'valid';
  dilations: [number, number];
  activation: Activation;
  leakyreluAlpha: number;
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
}

const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const ids = (layer: Layer): number[] =>
  asArray(layer.input as tfl.SymbolicTensor | tfl.SymbolicTensor[]).map((s) => s.id);
const outputId = (layer: Layer): number => (layer.output as tfl.SymbolicTensor).id;
const pair = (value: unknown): [number, number] =>
  Array.isArray(value) ? [Number(value[0]), Number(value[1] ?? value[0])] : [Number(value), Number(value)];

function weightByName(layer: Layer, suffix: string): tf.Tensor {
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
  const config = conv.getConfig();
  return config.activation === 'linear' && (config.dataFormat ?? 'channelsLast') === 'channelsLast';
}

function foldBatchNorm(conv: Layer, norm: Layer, act: Layer | undefined): FusedConv {
  const config = conv.getConfig();
  const normConfig = norm.getConfig();
  const axis = Number(normConfig.axis ?? -1);
  if (axis !== -1 && axis !== 3) throw new Error(`${norm.name}: only channels-last BatchNorm folds`);
  const eps = Number(normConfig.epsilon ?? 1e-3);
  const [filter, bias] = tf.tidy(() => {
    const kernel = weightByName(conv, 'kernel') as tf.Tensor4D;
    const outChannels = kernel.shape[3];
    const gamma = normConfig.scale === false ? tf.ones([outChannels]) : weightByName(norm, 'gamma');
    const beta = normConfig.center === false ? tf.zeros([outChannels]) : weightByName(norm, 'beta');
    const convBias = config.useBias === true ? weightByName(conv, 'bias') : tf.zeros([outChannels]);
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
    activation: act === undefined ? 'linear' : 'leakyrelu',
    leakyreluAlpha: act === undefined ? 0 : Number(act.getConfig().alpha),
  };
}

const runFused =
  (f: FusedConv) =>
  ([x]: tf.Tensor[]): tf.Tensor =>
    tf.fused.conv2d({ x: x as tf.Tensor4D, ...f, dataFormat: 'NHWC' });

const runLayer =
  (layer: Layer) =>
  (inputs: tf.Tensor[]): tf.Tensor =>
    layer.apply(inputs.length === 1 ? (inputs[0] as tf.Tensor) : inputs, { training: false }) as tf.Tensor;

/** Builds the plan: one step per layer, except that a folded chain's BatchNorm and activation steps disappear. */
export function buildInferenceGraph(model: tfl.LayersModel): InferenceGraph {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) throw new Error('one input and one output only');
  const readers = countReaders(model);
  const absorbed = new Set<Layer>();
  const fused: FusedConv[] = [];
  const steps: Step[] = [];
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer' || absorbed.has(layer)) continue;
    const norm =
      layer.getClassName() === 'Conv2D' && foldable(layer)
        ? soleReader(readers, layer, 'BatchNormalization')
        : undefined;
    if (norm === undefined) {
      steps.push({ inputs: ids(layer), output: outputId(layer), run: runLayer(layer) });
      continue;
    }
    const act = soleReader(readers, norm, 'LeakyReLU');
    const chain = fused[fused.push(foldBatchNorm(layer, norm, act)) - 1] as FusedConv;
    absorbed.add(norm);
    if (act !== undefined) absorbed.add(act);
    steps.push({ inputs: ids(layer), output: outputId(act ?? norm), run: runFused(chain) });
  }
  return {
    fusedConvs: fused.length,
    predict: (x) =>
      execute(steps, (model.inputs[0] as tfl.SymbolicTensor).id, (model.outputs[0] as tfl.SymbolicTensor).id, x),
    dispose: () => tf.dispose(fused.flatMap((f) => [f.filter, f.bias])),
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
