import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type { NamedAttrMap } from '@tensorflow/tfjs-core';
import { chooseBackend } from './backends';
import { buildModel } from './architectures';
import { parseModelConfig, type ModelConfig } from './modelConfig';
import { mse } from './losses';
import { randomInt, randomValues, seededRandom } from './testRandom';
import { registerWasmTrainingKernels, WASM_TRAINING_KERNEL_NAMES } from './wasmKernels';

type HostTensor = { values: Float32Array; shape: number[] };
type Shape4 = [number, number, number, number];

/** max |actual - expected| / max |expected|: relative to the result's scale, so near-zero entries do not blow it up. */
function relativeError(actual: Float32Array, expected: Float32Array): number {
  expect(actual.length).toBe(expected.length);
  let maxDifference = 0;
  let scale = 0;
  expected.forEach((value, i) => {
    maxDifference = Math.max(maxDifference, Math.abs((actual[i] as number) - value));
    scale = Math.max(scale, Math.abs(value));
  });
  return maxDifference / Math.max(scale, 1e-30);
}

async function runKernelOn(
  backend: 'wasm' | 'cpu',
  kernelName: string,
  inputs: Record<string, HostTensor>,
  attrs: NamedAttrMap,
): Promise<Float32Array> {
  await tf.setBackend(backend);
  const tensors = Object.fromEntries(Object.entries(inputs).map(([name, t]) => [name, tf.tensor(t.values, t.shape)]));
  const output = tf.engine().runKernel(kernelName, tensors, attrs) as tf.Tensor;
  const values = (await output.data()) as Float32Array;
  tf.dispose([output, ...Object.values(tensors)]);
  return values;
}

async function wasmAgainstCpu(kernelName: string, inputs: Record<string, HostTensor>, attrs: NamedAttrMap) {
  const expected = await runKernelOn('cpu', kernelName, inputs, attrs);
  const actual = await runKernelOn('wasm', kernelName, inputs, attrs);
  return relativeError(actual, expected);
}

interface ConvCase {
  input: Shape4;
  filter: Shape4;
  strides: [number, number];
  pad: 'same' | 'valid';
  output: Shape4;
}

/** Random conv geometries (seeded): batch 1-3, 5-19 samples/traces, 1-6 channels, filters 1x1 to 5x5. */
function convCases(seed: number, count: number): ConvCase[] {
  const random = seededRandom(seed);
  const cases: ConvCase[] = [];
  for (const stride of [1, 2]) {
    for (const pad of ['same', 'valid'] as const) {
      for (let i = 0; i < count; i++) {
        const input: Shape4 = [
          randomInt(random, 1, 3),
          randomInt(random, 5, 19),
          randomInt(random, 5, 19),
          randomInt(random, 1, 6),
        ];
        const filter: Shape4 = [randomInt(random, 1, 5), randomInt(random, 1, 5), input[3], randomInt(random, 1, 6)];
        const info = tf.backend_util.computeConv2DInfo(input, filter, stride, 1, pad);
        const output: Shape4 = [input[0], info.outHeight, info.outWidth, filter[3]];
        cases.push({ input, filter, strides: [stride, stride], pad, output });
      }
    }
  }
  return cases;
}

const hostTensor = (random: () => number, shape: number[]): HostTensor => ({
  values: randomValues(
    random,
    shape.reduce((a, b) => a * b, 1),
  ),
  shape,
});
const describeCase = (c: ConvCase) => `x ${c.input} filter ${c.filter} stride ${c.strides[0]} ${c.pad}`;

beforeAll(async () => {
  // Through the backend probe, as the app does: it registers the kernels when wasm starts.
  await chooseBackend('wasm');
});

describe('wasm training kernels', () => {
  it('registers each kernel once, even when called again', () => {
    registerWasmTrainingKernels();
    for (const name of WASM_TRAINING_KERNEL_NAMES) expect(tf.getKernel(name, 'wasm')).toBeDefined();
    const before = WASM_TRAINING_KERNEL_NAMES.map((name) => tf.getKernel(name, 'wasm')?.kernelFunc);
    registerWasmTrainingKernels();
    expect(WASM_TRAINING_KERNEL_NAMES.map((name) => tf.getKernel(name, 'wasm')?.kernelFunc)).toEqual(before);
  });

  it('Conv2DBackpropFilter matches the cpu backend (strides 1 and 2, same and valid, NHWC and NCHW)', async () => {
    const random = seededRandom(11);
    for (const c of convCases(101, 3)) {
      const inputs = { x: hostTensor(random, c.input), dy: hostTensor(random, c.output) };
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter };
      expect(await wasmAgainstCpu('Conv2DBackpropFilter', inputs, attrs), describeCase(c)).toBeLessThan(1e-4);
    }
    const [c] = convCases(7, 1);
    if (c === undefined) throw new Error('no case');
    const toNchw = ([n, h, w, ch]: Shape4) => [n, ch, h, w];
    const inputs = { x: hostTensor(random, toNchw(c.input)), dy: hostTensor(random, toNchw(c.output)) };
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NCHW', filterShape: c.filter };
    expect(await wasmAgainstCpu('Conv2DBackpropFilter', inputs, attrs), `NCHW ${describeCase(c)}`).toBeLessThan(1e-4);
  });

  it('Conv2DBackpropInput matches the cpu backend (strides 1 and 2, same and valid, NHWC and NCHW)', async () => {
    const random = seededRandom(12);
    for (const c of convCases(202, 3)) {
      const inputs = { dy: hostTensor(random, c.output), filter: hostTensor(random, c.filter) };
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.input };
      expect(await wasmAgainstCpu('Conv2DBackpropInput', inputs, attrs), describeCase(c)).toBeLessThan(1e-4);
    }
    const [c] = convCases(8, 1);
    if (c === undefined) throw new Error('no case');
    const [n, h, w, ch] = c.input;
    const inputs = {
      dy: hostTensor(random, [c.output[0], c.output[3], c.output[1], c.output[2]]),
      filter: hostTensor(random, c.filter),
    };
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NCHW', inputShape: [n, ch, h, w] };
    expect(await wasmAgainstCpu('Conv2DBackpropInput', inputs, attrs), `NCHW ${describeCase(c)}`).toBeLessThan(1e-4);
  });

  it('MaxPoolGrad matches the cpu backend (disjoint and overlapping windows, same and valid, negative windows, ties)', async () => {
    const random = seededRandom(14);
    const cases: Array<{ shape: Shape4; window: [number, number]; strides: [number, number]; pad: 'same' | 'valid' }> =
      [
        { shape: [2, 9, 8, 3], window: [2, 2], strides: [2, 2], pad: 'valid' },
        { shape: [1, 7, 5, 2], window: [2, 2], strides: [2, 2], pad: 'same' },
        { shape: [1, 10, 8, 2], window: [3, 3], strides: [3, 3], pad: 'same' },
        { shape: [2, 6, 5, 1], window: [2, 1], strides: [2, 1], pad: 'valid' },
      ];
    for (const c of convCases(303, 3)) {
      cases.push({
        shape: c.input,
        window: [Math.min(c.filter[0], 3), Math.min(c.filter[1], 3)],
        strides: c.strides,
        pad: c.pad,
      });
    }
    for (const { shape, window, strides, pad } of cases) {
      const input = hostTensor(random, shape);
      // Ties: a quarter of the values are rounded to -1, 0 or 1, so many windows hold their maximum more than once.
      input.values.forEach((v, i) => (input.values[i] = random() < 0.25 ? Math.round(v) : v));
      await tf.setBackend('cpu');
      const pooled = tf.maxPool(tf.tensor4d(input.values, shape), window, strides, pad);
      const output = { values: pooled.dataSync() as Float32Array, shape: pooled.shape };
      pooled.dispose();
      const dy = hostTensor(random, output.shape);
      const what = `x ${shape} window ${window} stride ${strides} ${pad}`;
      const error = await wasmAgainstCpu('MaxPoolGrad', { dy, input, output }, { filterSize: window, strides, pad });
      expect(error, what).toBeLessThan(1e-6);
    }
  });

  it('Tile matches the cpu backend, including the BatchNorm-gradient case and int tensors', async () => {
    const random = seededRandom(13);
    const cases: Array<[number[], number[]]> = [
      [
        [1, 1, 1, 5],
        [3, 7, 6, 1],
      ],
      [
        [2, 3],
        [2, 3],
      ],
      [[4], [1]],
      [
        [2, 1, 3],
        [1, 4, 2],
      ],
    ];
    for (let i = 0; i < 4; i++) {
      const shape = [randomInt(random, 1, 4), randomInt(random, 1, 4), randomInt(random, 1, 4)];
      cases.push([shape, shape.map(() => randomInt(random, 1, 3))]);
    }
    for (const [shape, reps] of cases) {
      expect(await wasmAgainstCpu('Tile', { x: hostTensor(random, shape) }, { reps }), `${shape} x ${reps}`).toBe(0);
    }
    await tf.setBackend('wasm');
    const ints = tf.tile(tf.tensor1d([1, 2, 3], 'int32'), [2]);
    expect(ints.dtype).toBe('int32');
    expect(Array.from(await ints.data())).toEqual([1, 2, 3, 1, 2, 3]);
    ints.dispose();
  });
});

const INIT_SEED = 5;

/** Gradients of every trainable weight for one batch, on the given backend, from the same initial weights. */
async function modelGradients(
  config: ModelConfig,
  batch: number,
  backend: 'wasm' | 'cpu',
  weights: HostTensor[] | null,
) {
  await tf.setBackend(backend);
  // tfjs draws initial weights from Math.random: seeded, every run compares the same model. Over random models the
  // largest relative difference of float32 sums on the two backends is mostly 1e-6..2e-4, but a CI run drew one at
  // 1.5e-3; with this seed it is at most 3e-5.
  const seeded = vi.spyOn(Math, 'random').mockImplementation(seededRandom(INIT_SEED));
  const { trainingModel } = buildModel(config);
  seeded.mockRestore();
  if (weights) trainingModel.setWeights(weights.map((w) => tf.tensor(w.values, w.shape)));
  const random = seededRandom(21);
  const x = tf.tensor4d(randomValues(random, batch * 16 * 16), [batch, 16, 16, 1]);
  const target = tf.tensor4d(randomValues(random, batch * 16 * 16), [batch, 16, 16, 1]);
  const initial = trainingModel.getWeights().map((w) => ({ values: w.dataSync() as Float32Array, shape: w.shape }));
  const { grads } = tf.variableGrads(() => {
    const output = trainingModel.apply(x, { training: true }) as tf.Tensor | tf.Tensor[];
    return mse(target, Array.isArray(output) ? (output[0] as tf.Tensor) : output);
  });
  const values = await Promise.all(
    trainingModel.trainableWeights.map(
      async (w) => (await grads[(w.read() as tf.Variable).name]?.data()) as Float32Array,
    ),
  );
  tf.dispose([x, target, ...Object.values(grads)]);
  trainingModel.dispose();
  return { values, initial };
}

describe('a training step on wasm', () => {
  const small = (architecture: 'unet' | 'autoencoder', extra: object) =>
    parseModelConfig({ architecture, params: { features: [4, 8], bottleneck: 8, ...extra } });
  // Batch 1 with upsampling: tfjs-backend-cpu 4.22's ResizeNearestNeighborGrad offsets dy by the input's batch stride, so
  // its gradients are wrong from the second batch item on (wasm's are right), and it cannot be the reference there.
  const configs: Array<[string, ModelConfig, number]> = [
    ['U-Net plain (transposed conv up)', small('unet', { dropout: 0 }), 2],
    ['U-Net attention', small('unet', { dropout: 0, variant: 'attention' }), 2],
    [
      'U-Net attention, upsample + conv',
      small('unet', { dropout: 0, variant: 'attention', upsampling: 'upsample' }),
      1,
    ],
    ['U-Net residual', small('unet', { dropout: 0, variant: 'residual' }), 2],
    ['autoencoder', small('autoencoder', {}), 2],
  ];
  for (const [name, config, batch] of configs) {
    it(`${name}: the gradients of every weight match the cpu backend`, async () => {
      const cpu = await modelGradients(config, batch, 'cpu', null);
      const wasm = await modelGradients(config, batch, 'wasm', cpu.initial);
      expect(wasm.values.length).toBe(cpu.values.length);
      wasm.values.forEach((values, i) => {
        expect(relativeError(values, cpu.values[i] as Float32Array), `weight ${i}`).toBeLessThan(1e-3);
      });
    });
  }
});
