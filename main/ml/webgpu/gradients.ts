/**
 * Mean and Sum gradients that broadcast dy on the device. tfjs-core 4.22's multiply dy by `ones(x.shape)`, a tensor
 * filled in JavaScript and uploaded: for every BatchNorm statistic of a training step, an array the size of the
 * activation (16.7M floats at the seeds' U-Net's first level, batch 16). A CPU profile of that model's step on the
 * H200 put 37% of the JS time in filling those arrays and most of the rest in uploading them: the step was bound by
 * the CPU, not the GPU. Same values: each element is dy / count (Mean) or dy (Sum) either way.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap } from '@tensorflow/tfjs-core';

function reduceGradient(kernelName: string, divideByCount: boolean): GradConfig {
  return {
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs: NamedAttrMap) => {
      const [x] = saved as tf.Tensor[];
      if (x === undefined || Array.isArray(dy)) throw new Error(`${kernelName} gradient: unexpected inputs`);
      const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
      const expandedShape = x.shape.map((size, i) => (axes.includes(i) ? 1 : size));
      const count = axes.reduce((n, axis) => n * (x.shape[axis] as number), 1);
      return {
        x: () => {
          const expanded = tf.reshape(dy, expandedShape);
          return tf.broadcastTo(divideByCount ? tf.div(expanded, count) : expanded, x.shape);
        },
      };
    },
  };
}

export const DEVICE_GRADIENTS: GradConfig[] = [reduceGradient(tf.Mean, true), reduceGradient(tf.Sum, false)];
