/**
 * AdamW's update of one variable in three webgpu kernels instead of tfjs's fourteen. A tfjs training step on a large GPU
 * is bound by the JavaScript that issues its kernels (about 90 us each on the H200), and the optimizer issued about a
 * third of the seeds' U-Net's 2,800 kernels per step: decay, two moment updates of 4 kernels each, 2 bias corrections and
 * 4 for the update, each with scalar operands. Here the scalars are uniforms and each new value is one kernel:
 *   m' = b1 m + (1 - b1) g,   v' = b2 v + (1 - b2) g^2,   w' = w s - lr (m' / c1) / (sqrt(v' / c2) + eps),
 * with s = 1 - lr * weightDecay for decaying variables (else 1) and c = 1 - b^t the bias corrections: the same arithmetic
 * as adamw.ts on tfjs's AdamOptimizer, in the same order, so the state (moments, accBeta, iterations) stays tfjs's.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { GridStrideProgram, type Uniform, type WebgpuBackendLike } from './program';

const MOMENT_KERNEL = 'PromethiumAdamMoment';
const UPDATE_KERNEL = 'PromethiumAdamUpdate';
const f32 = (value: number): Uniform => ({ type: 'float32', data: [value] });

type Inputs = Record<string, TensorInfo | undefined>;
const inputsOf = (inputs: Inputs, names: string[]): TensorInfo[] =>
  names.map((name) => {
    const value = inputs[name];
    if (value === undefined) throw new Error(`AdamW kernel: missing input '${name}'`);
    return value;
  });

/** moment' = decay * moment + (1 - decay) * (g or g^2). */
const momentKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const { decay, squared } = attrs as NamedAttrMap & { decay: number; squared: boolean };
  const [g, moment] = inputsOf(inputs as Inputs, ['g', 'moment']);
  const program = new GridStrideProgram(
    ['g', 'moment'],
    (moment as TensorInfo).shape,
    `promethiumAdamMoment_${squared}`,
    'decay : f32,',
    `let gi = g[i];
     result[i] = uniforms.decay * moment[i] + (1.0 - uniforms.decay) * ${squared ? 'gi * gi' : 'gi'};`,
  );
  const uniforms = [f32(decay), program.stride];
  return (backend as unknown as WebgpuBackendLike).runWebGPUProgram(
    program,
    [g, moment] as TensorInfo[],
    'float32',
    uniforms,
  );
};

/** w' = w * shrink - lr * (m / c1) / (sqrt(v / c2) + eps). */
const updateKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const { shrink, learningRate, c1, c2, epsilon } = attrs as NamedAttrMap & Record<string, number>;
  const [w, m, v] = inputsOf(inputs as Inputs, ['w', 'm', 'v']);
  const program = new GridStrideProgram(
    ['w', 'm', 'v'],
    (w as TensorInfo).shape,
    'promethiumAdamUpdate',
    'shrink : f32, lr : f32, c1 : f32, c2 : f32, eps : f32,',
    `let step = (m[i] / uniforms.c1) / (sqrt(v[i] / uniforms.c2) + uniforms.eps);
     result[i] = w[i] * uniforms.shrink - uniforms.lr * step;`,
  );
  const uniforms = [...[shrink, learningRate, c1, c2, epsilon].map((value) => f32(value as number)), program.stride];
  return (backend as unknown as WebgpuBackendLike).runWebGPUProgram(
    program,
    [w, m, v] as TensorInfo[],
    'float32',
    uniforms,
  );
};

/** Registers the kernels for the webgpu backend (idempotent). */
export function registerAdamWKernels(): void {
  for (const [kernelName, kernelFunc] of [
    [MOMENT_KERNEL, momentKernel],
    [UPDATE_KERNEL, updateKernel],
  ] as const) {
    if (tf.getKernel(kernelName, 'webgpu') === undefined)
      tf.registerKernel({ kernelName, backendName: 'webgpu', kernelFunc });
  }
}

export interface FusedAdamWStep {
  variable: tf.Variable;
  gradient: tf.Tensor;
  firstMoment: tf.Variable;
  secondMoment: tf.Variable;
  beta1: number;
  beta2: number;
  epsilon: number;
  learningRate: number;
  /** 1 - learningRate * weightDecay for a decaying variable, else 1. */
  shrink: number;
  /** 1 - beta1^t and 1 - beta2^t, t the step being taken (from 1). */
  c1: number;
  c2: number;
}

/** One variable's AdamW step on the webgpu backend, in place (moments and value). */
export function fusedAdamWStep(step: FusedAdamWStep): void {
  registerAdamWKernels();
  tf.tidy(() => {
    const run = (name: string, inputs: Record<string, tf.Tensor>, attrs: NamedAttrMap): tf.Tensor =>
      tf.engine().runKernel(name, inputs, attrs) as tf.Tensor;
    const g = step.gradient;
    const m = run(MOMENT_KERNEL, { g, moment: step.firstMoment }, { decay: step.beta1, squared: false });
    const v = run(MOMENT_KERNEL, { g, moment: step.secondMoment }, { decay: step.beta2, squared: true });
    const { shrink, learningRate, c1, c2, epsilon } = step;
    const w = run(UPDATE_KERNEL, { w: step.variable, m, v }, { shrink, learningRate, c1, c2, epsilon });
    step.firstMoment.assign(m);
    step.secondMoment.assign(v);
    step.variable.assign(w);
  });
}
