/**
 * Equivalence checks of our webgpu kernels against the cpu backend, and of the folded inference graph against the model
 * itself. Shared by the unit test (where a WebGPU adapter exists) and the GPU benchmark (test/bench/mlGpu.ts), which
 * runs them on the GPU machine before timing. Fresh random inputs on every call.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NamedAttrMap } from '@tensorflow/tfjs-core';
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import { buildModel } from '../architectures';
import { AdamWOptimizer } from '../adamw';
import { buildInferenceGraph } from '../inferenceGraph';
import { parseModelConfig } from '../modelConfig';
import { dropoutMask } from './dropout';
import { MATRIX_TOLERANCE } from './matrixConv';
import { matrixSupport } from './matrixDevice';
import { MATRIX_CONV, useMatrixConvs } from './matrixKernels';
import { registerWebgpuKernels, useStockWebgpuKernels } from './register';

export interface CheckResult {
  name: string;
  /** max |actual - expected| / max |expected| */
  relError: number;
  /** The bound relError must stay under: TOLERANCE unless the kernel computes in half precision on purpose. */
  tolerance: number;
}

export const TOLERANCE = 1e-4;
export { MATRIX_TOLERANCE };
/** For a whole network on the tensor cores against strict float32: the rounding of each layer's inputs compounds. */
export const MATRIX_GRAPH_TOLERANCE = 1e-2;

/**
 * The reference backend's version, reported with the checks. Also a used import: bundlers drop a bare
 * `import '@tensorflow/tfjs-backend-cpu'` of its node build (not in the package's sideEffects list), and with it the
 * registration of the cpu backend.
 */
export const REFERENCE = `tfjs-backend-cpu ${version_cpu}`;

type Shape4 = [number, number, number, number];

function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let difference = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    const value = expected[i] as number;
    const error = Math.abs((actual[i] as number) - value);
    difference = Number.isNaN(error) ? Number.POSITIVE_INFINITY : Math.max(difference, error);
    scale = Math.max(scale, Math.abs(value));
  }
  return difference / Math.max(scale, 1e-30);
}

function randomArray(shape: number[]): Float32Array {
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = Math.random() * 2 - 1;
  return values;
}

async function runOn(
  backend: string,
  kernel: string,
  inputs: Record<string, [Float32Array, number[]]>,
  attrs: NamedAttrMap,
) {
  await tf.setBackend(backend);
  const tensors = Object.fromEntries(
    Object.entries(inputs).map(([name, [values, shape]]) => [name, tf.tensor(values, shape)]),
  );
  const output = tf.engine().runKernel(kernel, tensors, attrs) as tf.Tensor;
  const values = await output.data();
  tf.dispose([output, ...Object.values(tensors)]);
  return values;
}

interface FilterCase {
  x: Shape4;
  filter: Shape4;
  strides: number;
  pad: 'same' | 'valid';
}

/** Small odd shapes (edges of every tile), the U-Net's kinds of layer, and enough K to split it into many slices. */
const FILTER_CASES: FilterCase[] = [
  { x: [2, 9, 11, 3], filter: [3, 3, 3, 5], strides: 1, pad: 'same' },
  { x: [2, 9, 11, 3], filter: [3, 3, 3, 5], strides: 2, pad: 'valid' },
  { x: [3, 16, 16, 1], filter: [3, 3, 1, 16], strides: 1, pad: 'same' },
  { x: [2, 8, 8, 130], filter: [3, 3, 130, 140], strides: 1, pad: 'same' },
  { x: [8, 32, 32, 8], filter: [1, 1, 8, 1], strides: 1, pad: 'same' },
  // conv2dTranspose's filter gradient: 2x2, stride 2 over the larger tensor
  { x: [4, 16, 16, 24], filter: [2, 2, 24, 40], strides: 2, pad: 'same' },
];

function outputShape(c: FilterCase): Shape4 {
  const conv = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad);
  return [c.x[0], conv.outHeight, conv.outWidth, c.filter[3]];
}

/** Input gradients: stride-1 'same' odd kernels (run as a forward conv), and a strided and an even case (tfjs's). */
const INPUT_GRAD_CASES: FilterCase[] = [
  { x: [2, 9, 11, 16], filter: [3, 3, 16, 32], strides: 1, pad: 'same' },
  { x: [3, 16, 16, 1], filter: [3, 3, 1, 16], strides: 1, pad: 'same' },
  { x: [2, 8, 8, 130], filter: [1, 1, 130, 7], strides: 1, pad: 'same' },
  { x: [2, 10, 12, 6], filter: [3, 3, 6, 8], strides: 2, pad: 'same' },
  { x: [2, 10, 12, 6], filter: [2, 2, 6, 8], strides: 1, pad: 'same' },
];

type Inputs = Record<string, [Float32Array, number[]]>;

/** A conv-gradient kernel on `backend` against the cpu backend, with random inputs, for each case. */
async function checkConvGradient(
  kernel: typeof tf.Conv2DBackpropFilter | typeof tf.Conv2DBackpropInput,
  cases: FilterCase[],
  backend: string,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const c of cases) {
    const dyShape = outputShape(c);
    const dy: [Float32Array, number[]] = [randomArray(dyShape), dyShape];
    const filterGradient = kernel === tf.Conv2DBackpropFilter;
    const inputs: Inputs = filterGradient
      ? { x: [randomArray(c.x), c.x], dy }
      : { dy, filter: [randomArray(c.filter), c.filter] };
    const shapes = filterGradient ? { filterShape: c.filter } : { inputShape: c.x };
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', ...shapes } as unknown as NamedAttrMap;
    const expected = await runOn('cpu', kernel, inputs, attrs);
    const actual = await runOn(backend, kernel, inputs, attrs);
    results.push({
      name: `${kernel} x${c.x.join('x')} f${c.filter.join('x')} s${c.strides} ${c.pad}`,
      relError: relativeError(actual, expected),
      tolerance: TOLERANCE,
    });
  }
  return results;
}

export const checkFilterGrad = (backend = 'webgpu') =>
  checkConvGradient(tf.Conv2DBackpropFilter, FILTER_CASES, backend);
export const checkInputGrad = (backend = 'webgpu') =>
  checkConvGradient(tf.Conv2DBackpropInput, INPUT_GRAD_CASES, backend);

/** A small U-Net with non-trivial BatchNorm statistics: the folded graph must give the model's own output. */
function smallUNet() {
  const config = parseModelConfig({ architecture: 'unet', params: { features: [8, 16], bottleneck: 32 } });
  const { model } = buildModel(config);
  tf.tidy(() => {
    for (const layer of model.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
      for (const weight of layer.weights) weight.write(tf.randomUniform(weight.shape as number[], 0.5, 1.5));
    }
  });
  return model;
}

export async function checkInferenceGraph(backend: string): Promise<CheckResult> {
  await tf.setBackend(backend);
  const model = smallUNet();
  const x = tf.randomNormal([3, 32, 32, 1]);
  const graph = buildInferenceGraph(model);
  const expected = model.predict(x) as tf.Tensor;
  const actual = graph.predict(x);
  const relError = relativeError(await actual.data(), await expected.data());
  tf.dispose([x, expected, actual]);
  graph.dispose();
  model.dispose();
  return { name: `inference graph (${graph.fusedConvs} convs folded) on ${backend}`, relError, tolerance: TOLERANCE };
}

/**
 * The folded graph on the tensor cores (its concatenations read in place, its sub-pixel convs written in place,
 * register.ts MATRIX_CONV) against the model in strict float32 on the same backend; none where the GPU has no
 * subgroup matrices. Half-precision products through every layer of the network: a looser bound than one conv's.
 */
export async function checkMatrixGraph(backend = 'webgpu'): Promise<CheckResult[]> {
  if (matrixSupport() === null) return [];
  await tf.setBackend(backend);
  const model = smallUNet();
  const x = tf.randomNormal([3, 32, 32, 1]);
  useMatrixConvs(false);
  const expected = model.predict(x) as tf.Tensor;
  useMatrixConvs(true);
  const graph = buildInferenceGraph(model);
  const profile = await tf.profile(() => graph.predict(x));
  const actual = profile.result as tf.Tensor;
  const names = new Set(profile.kernels.map((k) => k.name));
  const inPlace = names.has(MATRIX_CONV) && !names.has('Concat') && !names.has('Transpose');
  const relError = inPlace ? relativeError(await actual.data(), await expected.data()) : Number.POSITIVE_INFINITY;
  tf.dispose([x, expected, actual]);
  graph.dispose();
  model.dispose();
  const name = `inference graph on the tensor cores, ${inPlace ? 'joins and upsampling in place' : 'NOT in place'}`;
  return [{ name, relError, tolerance: MATRIX_GRAPH_TOLERANCE }];
}

/** The gradient of a BatchNorm-like statistic (mean and sum over batch, samples, traces) with ours against tfjs's. */
export async function checkReductionGradients(backend: string): Promise<CheckResult> {
  await tf.setBackend(backend);
  const x = tf.randomNormal([2, 6, 5, 3]);
  const weights = tf.randomNormal([3]);
  const statistic = (input: tf.Tensor): tf.Scalar =>
    tf.sum(tf.mul(tf.add(tf.mean(tf.square(input), [0, 1, 2]), tf.sum(input, [0, 1])), weights));
  const gradient = async (): Promise<Float32Array> => {
    const g = tf.grad(statistic)(x);
    const values = (await g.data()) as Float32Array;
    g.dispose();
    return values;
  };
  useStockWebgpuKernels();
  const expected = await gradient();
  registerWebgpuKernels();
  const actual = await gradient();
  tf.dispose([x, weights]);
  return {
    name: `Mean and Sum gradients on ${backend} vs tfjs's`,
    relError: relativeError(actual, expected),
    tolerance: TOLERANCE,
  };
}

/**
 * The GPU dropout mask (dropout.ts) on a tensor larger than one dispatch covers (the grid loop), rate 0.1: every value
 * 0 or 1 / 0.9; zeros at the rate and mean 1 within 10 binomial standard deviations, in each quarter (the last one is
 * written by the loop only); two seeds' masks differ where two independent masks would (2 p (1 - p) of the elements).
 * relError is 0 when all hold, else 1; the name carries the measured figures.
 */
export async function checkDropoutMask(backend = 'webgpu'): Promise<CheckResult> {
  await tf.setBackend(backend);
  const rate = 0.1;
  const shape = [17, 128, 128, 64];
  const [first, second] = [dropoutMask(shape, rate, 1), dropoutMask(shape, rate, 2)];
  const a = (await first.data()) as Float32Array;
  const b = (await second.data()) as Float32Array;
  tf.dispose([first, second]);
  const scale = 1 / (1 - rate);
  const quarter = Math.floor(a.length / 4);
  const statistics = [0, 1, 2, 3].map((q) => {
    let zeros = 0;
    let sum = 0;
    let strange = 0;
    for (let i = q * quarter; i < (q + 1) * quarter; i++) {
      const v = a[i] as number;
      if (v === 0) zeros++;
      else if (Math.abs(v - scale) > 1e-6) strange++;
      sum += v;
    }
    return { zeros: zeros / quarter, mean: sum / quarter, strange };
  });
  let differing = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differing++;
  const differ = differing / a.length;
  const sd = (p: number, n: number) => Math.sqrt((p * (1 - p)) / n);
  const ok =
    statistics.every(
      (q) =>
        q.strange === 0 &&
        Math.abs(q.zeros - rate) < 10 * sd(rate, quarter) &&
        Math.abs(q.mean - 1) < 10 * scale * sd(rate, quarter),
    ) && Math.abs(differ - 2 * rate * (1 - rate)) < 10 * sd(2 * rate * (1 - rate), a.length);
  const zeros = statistics.map((q) => q.zeros.toFixed(4)).join('/');
  return {
    name: `dropout mask ${shape.join('x')} rate ${rate} on ${backend}: zeros ${zeros}, seeds differ ${differ.toFixed(4)}`,
    relError: ok ? 0 : 1,
    tolerance: TOLERANCE,
  };
}

/**
 * Three AdamW steps (webgpu: the fused kernels of adamw.ts) against the same steps on the cpu backend (tfjs's Adam plus
 * the decay), on a decaying conv kernel and a non-decaying BatchNorm-like vector, with the same gradients.
 */
export async function checkFusedAdamW(backend = 'webgpu'): Promise<CheckResult> {
  const shapes = [[3, 3, 8, 16], [16]];
  const initial = shapes.map((shape) => randomArray(shape));
  const gradients = [0, 1, 2].map(() => shapes.map((shape) => randomArray(shape)));
  const run = async (name: string): Promise<Float32Array[]> => {
    await tf.setBackend(name);
    const variables = shapes.map((shape, v) =>
      tf.variable(tf.tensor(initial[v] as Float32Array, shape), true, `adamw-check-${name}-${v}`),
    );
    const optimizer = new AdamWOptimizer({ learningRate: 0.01, weightDecay: 0.1 });
    for (const step of gradients) {
      const named = variables.map((variable, v) => ({
        name: variable.name,
        tensor: tf.tensor(step[v] as Float32Array, variable.shape),
      }));
      optimizer.applyGradients(named);
      tf.dispose(named.map((n) => n.tensor));
    }
    const values = await Promise.all(variables.map(async (variable) => (await variable.data()) as Float32Array));
    tf.dispose(variables);
    optimizer.dispose();
    return values;
  };
  const expected = await run('cpu');
  const actual = await run(backend);
  const relError = Math.max(...expected.map((e, v) => relativeError(actual[v] as Float32Array, e)));
  return { name: `AdamW, 3 steps, fused kernels on ${backend} vs tfjs's ops`, relError, tolerance: TOLERANCE };
}

/**
 * Host tensors uploaded through the queue (upload.ts) against the cpu backend: float32, int32 and bool data, and a
 * chain of 64 host scalars, each uploaded while the kernels that read the previous ones are still being recorded.
 */
export async function checkUploads(backend = 'webgpu'): Promise<CheckResult> {
  const values = randomArray([1000]);
  const integers = Int32Array.from(values, (v) => Math.round(v * 100));
  const flags = Uint8Array.from(values, (v) => (v > 0 ? 1 : 0));
  const compute = async (on: string): Promise<Float32Array> => {
    await tf.setBackend(on);
    const result = tf.tidy(() => {
      let value = tf.mul(
        tf.add(tf.tensor1d(values), tf.cast(tf.tensor1d(integers, 'int32'), 'float32')),
        tf.cast(tf.tensor1d(flags, 'bool'), 'float32'),
      );
      for (let k = 0; k < 64; k++) value = tf.add(tf.mul(value, 1 + k / 1000), k / 7);
      return value;
    });
    const data = (await result.data()) as Float32Array;
    result.dispose();
    return data;
  };
  const expected = await compute('cpu');
  const actual = await compute(backend);
  return {
    name: `host uploads through the queue on ${backend}`,
    relError: relativeError(actual, expected),
    tolerance: TOLERANCE,
  };
}

interface FusedConvCase {
  x: Shape4;
  filter: Shape4;
  pad: 'same' | 'valid';
  bias: boolean;
  activation: 'linear' | 'relu' | 'leakyrelu' | 'prelu';
}

/** Edges of every tile (odd pixel counts, channels that fill no fragment), both tile kinds, every epilogue. */
const MATRIX_CONV_CASES: FusedConvCase[] = [
  { x: [2, 9, 11, 3], filter: [3, 3, 3, 5], pad: 'same', bias: true, activation: 'prelu' },
  { x: [2, 16, 16, 64], filter: [3, 3, 64, 128], pad: 'same', bias: true, activation: 'leakyrelu' },
  { x: [1, 8, 8, 96], filter: [1, 1, 96, 40], pad: 'valid', bias: false, activation: 'linear' },
  { x: [3, 5, 7, 1], filter: [3, 3, 1, 16], pad: 'same', bias: true, activation: 'relu' },
  { x: [2, 12, 10, 33], filter: [3, 3, 33, 70], pad: 'valid', bias: true, activation: 'linear' },
  // channels and output rows in 16s, 'valid' padding on a wide row
  { x: [2, 10, 32, 32], filter: [3, 3, 32, 64], pad: 'same', bias: true, activation: 'prelu' },
  { x: [3, 4, 16, 48], filter: [1, 1, 48, 16], pad: 'valid', bias: false, activation: 'linear' },
  { x: [1, 6, 66, 16], filter: [3, 3, 16, 32], pad: 'valid', bias: true, activation: 'leakyrelu' },
];

/** FusedConv2D on the tensor cores (matrixConv.ts) against float32 on the cpu backend; none where the GPU has none. */
export async function checkMatrixConv(backend = 'webgpu'): Promise<CheckResult[]> {
  if (matrixSupport() === null) return [];
  const results: CheckResult[] = [];
  for (const c of MATRIX_CONV_CASES) {
    const outChannels = c.filter[3];
    const inputs: Inputs = { x: [randomArray(c.x), c.x], filter: [randomArray(c.filter), c.filter] };
    if (c.bias) inputs.bias = [randomArray([outChannels]), [outChannels]];
    if (c.activation === 'prelu') inputs.preluActivationWeights = [randomArray([outChannels]), [outChannels]];
    const attrs = {
      strides: 1,
      pad: c.pad,
      dataFormat: 'NHWC',
      dilations: 1,
      activation: c.activation,
      leakyreluAlpha: 0.2,
    } as unknown as NamedAttrMap;
    const expected = await runOn('cpu', tf.FusedConv2D, inputs, attrs);
    const actual = await runOn(backend, tf.FusedConv2D, inputs, attrs);
    results.push({
      name: `FusedConv2D on the tensor cores x${c.x.join('x')} f${c.filter.join('x')} ${c.pad} ${c.activation}`,
      relError: relativeError(actual, expected),
      tolerance: MATRIX_TOLERANCE,
    });
  }
  return results;
}

/**
 * Everything, with our kernels registered on webgpu: in strict float32 first (the tensor-core convolutions off), then
 * the tensor-core convolutions, which are left on.
 */
export async function checkWebgpu(): Promise<CheckResult[]> {
  await tf.setBackend('webgpu');
  registerWebgpuKernels();
  useMatrixConvs(false);
  const strict = [
    ...(await checkFilterGrad()),
    ...(await checkInputGrad()),
    await checkReductionGradients('webgpu'),
    await checkInferenceGraph('webgpu'),
    await checkDropoutMask('webgpu'),
    await checkFusedAdamW('webgpu'),
    await checkUploads('webgpu'),
  ];
  useMatrixConvs(true);
  return [...strict, ...(await checkMatrixConv()), ...(await checkMatrixGraph())];
}
