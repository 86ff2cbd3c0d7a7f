/**
 * Dropout with its mask drawn on the GPU. tfjs-core 4.22's dropout multiplies by randomUniform(shape), which fills an
 * array in JavaScript (seedrandom, one call per element) and uploads it: about 32M numbers per training step for the
 * seeds' U-Net at batch 16 (its bottleneck and decoder activations), on the one thread that also issues every kernel,
 * which is what bounds a tfjs training step on a large GPU. Here one kernel hashes (element index, per-call seed) with
 * PCG into the mask value itself: 0 with probability `rate`, else 1 / (1 - rate), the values tfjs's mask takes.
 * The masks differ from tfjs's (another generator) but have the same distribution; the gradient is dy * mask (Mul's).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, NamedAttrMap } from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { GridStrideProgram, type Uniform, type WebgpuBackendLike } from './program';

export const DROPOUT_MASK_KERNEL = 'PromethiumDropoutMask';

/** PCG (O'Neill 2014), the hash Jarzynski & Olano (2020) recommend for GPU random numbers; 24 bits make the uniform. */
const PCG = `
  fn pcg(v : u32) -> u32 {
    let state = v * 747796405u + 2891336453u;
    let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
    return (word >> 22u) ^ word;
  }
`;

const maskProgram = (shape: number[]) =>
  new GridStrideProgram(
    [],
    shape,
    'promethiumDropoutMask',
    'seed : u32, rate : f32, scale : f32,',
    `let u = f32(pcg(u32(i) ^ pcg(uniforms.seed)) >> 8u) * (1.0 / 16777216.0);
     result[i] = select(uniforms.scale, 0.0, u < uniforms.rate);`,
    PCG,
  );

const maskKernel: KernelFunc = ({ backend, attrs }) => {
  const { shape, rate, seed } = attrs as NamedAttrMap & { shape: number[]; rate: number; seed: number };
  const program = maskProgram(shape);
  const uniforms: Uniform[] = [
    { type: 'uint32', data: [seed >>> 0] },
    { type: 'float32', data: [rate] },
    { type: 'float32', data: [1 / (1 - rate)] },
    program.stride,
  ];
  return (backend as unknown as WebgpuBackendLike).runWebGPUProgram(program, [], 'float32', uniforms);
};

/** Registers the mask kernel for the webgpu backend (idempotent). */
export function registerDropoutMaskKernel(): void {
  if (tf.getKernel(DROPOUT_MASK_KERNEL, 'webgpu') !== undefined) return;
  tf.registerKernel({ kernelName: DROPOUT_MASK_KERNEL, backendName: 'webgpu', kernelFunc: maskKernel });
}

let calls = 0;
/** A different seed for every mask of the process, starting somewhere new in every process like tfjs's masks. */
const sessionSeed = Math.floor(Math.random() * 2 ** 32);
const nextSeed = (): number => (sessionSeed + Math.imul(++calls, 0x9e3779b9)) >>> 0;

/** The mask alone, 0 or 1 / (1 - rate) per element of `shape` (for tests and checks). */
export function dropoutMask(shape: number[], rate: number, seed = nextSeed()): tf.Tensor {
  if (!(rate > 0 && rate < 1)) throw new Error(`dropout rate must be in (0, 1), got ${rate}`);
  registerDropoutMaskKernel();
  return tf.engine().runKernel(DROPOUT_MASK_KERNEL, {}, { shape, rate, seed }) as tf.Tensor;
}

/**
 * Makes every Dropout layer of `model` draw its training mask on the GPU (the model must train on the webgpu backend);
 * in inference mode the layers stay the identity. Returns how many layers were switched. The model is used for this
 * training only, so the switch is not undone (as trainer.ts freezes BatchNorm).
 */
export function useDeviceDropout(model: tfl.LayersModel): number {
  type Call = (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];
  let switched = 0;
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'Dropout') continue;
    const { rate, noiseShape } = layer.getConfig();
    if (!(Number(rate) > 0) || (noiseShape !== null && noiseShape !== undefined)) continue;
    const target = layer as unknown as { call: Call };
    target.call = (inputs, kwargs) => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (x === undefined) throw new Error(`${layer.name}: no input`);
      if (kwargs.training !== true) return x;
      return tf.tidy(() => tf.mul(x, dropoutMask(x.shape, Number(rate))));
    };
    switched++;
  }
  return switched;
}
