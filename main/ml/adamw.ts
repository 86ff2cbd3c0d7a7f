/**
 * AdamW (Loshchilov & Hutter 2019, "Decoupled Weight Decay Regularization"): Adam whose weight decay shrinks the weights
 * directly, w <- w * (1 - lr * weightDecay), before the Adam update, instead of adding weightDecay * w to the gradient
 * (which Adam's per-weight scaling would then weaken exactly where gradients are large). Same order as PyTorch's AdamW.
 *
 * A subclass of tfjs's AdamOptimizer, so its moments, bias corrections and getWeights/setWeights (checkpoints, resume)
 * are tfjs's own; only the decay step is added. By default only kernels (rank >= 2) decay: decaying BatchNorm's gamma/beta
 * or biases shrinks feature scales without regularising anything.
 */
import * as tf from '@tensorflow/tfjs-core';
import { fusedAdamWStep } from './webgpu/adamw';

export interface AdamWOptions {
  learningRate: number;
  /** Decoupled decay per unit learning rate (PyTorch's default is 0.01). */
  weightDecay?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Which variables decay (default: rank >= 2, i.e. conv and dense kernels). */
  decays?: (variable: tf.Variable) => boolean;
}

type VariableGradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];

/** tfjs's AdamOptimizer state (private there), which the fused webgpu step keeps exactly as tfjs's own step does. */
interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
}

/**
 * base^n as n float32 multiplications compute it: a product of two float32 values is exact in a double, so rounding
 * it once to float32 (Math.fround) is what a float32 multiply gives.
 */
function float32Power(base: number, n: number): number {
  const factor = Math.fround(base);
  let power = factor;
  for (let i = 1; i < n; i++) power = Math.fround(power * factor);
  return power;
}

const decaysKernelsOnly = (variable: tf.Variable): boolean => variable.rank >= 2;

export class AdamWOptimizer extends tf.AdamOptimizer {
  static override get className(): string {
    return 'AdamW';
  }

  readonly weightDecay: number;
  private readonly decays: (variable: tf.Variable) => boolean;

  constructor(options: AdamWOptions) {
    const { learningRate, weightDecay = 0.01, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7 } = options;
    super(learningRate, beta1, beta2, epsilon);
    this.weightDecay = weightDecay;
    this.decays = options.decays ?? decaysKernelsOnly;
  }

  get currentLearningRate(): number {
    return this.learningRate;
  }

  /** For schedules such as reduce-on-plateau; the decay follows the learning rate, as in PyTorch. */
  setLearningRate(learningRate: number): void {
    this.learningRate = learningRate;
  }

  override applyGradients(variableGradients: VariableGradients): void {
    if (tf.getBackend() === 'webgpu') return this.applyGradientsFused(variableGradients);
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((v) => v.name)
      : Object.keys(variableGradients);
    const shrink = 1 - this.learningRate * this.weightDecay;
    if (shrink !== 1) {
      tf.tidy(() => {
        for (const name of names) {
          const variable = tf.engine().registeredVariables[name];
          if (variable !== undefined && this.decays(variable)) variable.assign(tf.mul(variable, shrink));
        }
      });
    }
    super.applyGradients(variableGradients);
  }

  /**
   * The same step in three kernels per variable (webgpu/adamw.ts): on a GPU, tfjs's fourteen small kernels per variable
   * cost more JavaScript time than the GPU spends on them. Moments are created, named and counted as tfjs does, so
   * checkpoints and resume see no difference.
   */
  private applyGradientsFused(variableGradients: VariableGradients): void {
    const state = this as unknown as AdamState;
    const list = Array.isArray(variableGradients)
      ? variableGradients.map(({ name, tensor }) => ({ name, gradient: tensor as tf.Tensor | undefined }))
      : Object.entries(variableGradients).map(([name, gradient]) => ({
          name,
          gradient: gradient as tf.Tensor | undefined,
        }));
    // The bias corrections of the step being taken: accBeta holds beta^(iterations + 1).
    const c1 = 1 - this.beta1 ** (this.iterations + 1);
    const c2 = 1 - this.beta2 ** (this.iterations + 1);
    const moment = (name: string, value: tf.Tensor) => ({
      originalName: name,
      variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
    });
    list.forEach(({ name, gradient }, i) => {
      const variable = tf.engine().registeredVariables[name];
      if (variable === undefined) return;
      state.accumulatedFirstMoment[i] ??= moment(`${name}/m`, variable);
      state.accumulatedSecondMoment[i] ??= moment(`${name}/v`, variable);
      if (gradient === undefined || gradient === null) return;
      fusedAdamWStep({
        variable,
        gradient,
        firstMoment: state.accumulatedFirstMoment[i].variable,
        secondMoment: state.accumulatedSecondMoment[i].variable,
        beta1: this.beta1,
        beta2: this.beta2,
        epsilon: this.epsilon,
        learningRate: this.learningRate,
        shrink: this.decays(variable) ? 1 - this.learningRate * this.weightDecay : 1,
        c1,
        c2,
      });
    });
    tf.tidy(() => {
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }

  /**
   * tfjs restores beta^(iterations + 1) with one pow, which rounds differently from the float32 product of as many
   * multiplications that the steps take (applyGradients); the product makes a resumed run continue bit for bit where
   * the uninterrupted one would be.
   */
  override async setWeights(weightValues: Parameters<tf.AdamOptimizer['setWeights']>[0]): Promise<void> {
    await super.setWeights(weightValues);
    const state = this as unknown as AdamState;
    const steps = this.iterations + 1;
    tf.tidy(() => {
      state.accBeta1.assign(tf.scalar(float32Power(this.beta1, steps)));
      state.accBeta2.assign(tf.scalar(float32Power(this.beta2, steps)));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), weightDecay: this.weightDecay };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    const options: AdamWOptions = {
      learningRate: Number(config.learningRate),
      weightDecay: Number(config.weightDecay),
      beta1: Number(config.beta1),
      beta2: Number(config.beta2),
      epsilon: Number(config.epsilon),
    };
    return new cls(options);
  }
}

tf.serialization.registerClass(AdamWOptimizer);
