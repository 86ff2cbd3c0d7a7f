/**
 * The tensor-core convolution (main/ml/webgpu/matrixConv.ts) layer by layer on the GPU machine: time per call of
 * tfjs's float32 FusedConv2D and of ours with each tile shape, for the U-Nets' kinds of layer. Prints one
 * MATRIX line per layer, after the device's subgroup matrix shape, and the first shader error if a pipeline fails.
 */
import * as tf from '@tensorflow/tfjs-core';
import { chooseMatrixTile, matrixConv2d, type MatrixTile } from '../../main/ml/webgpu/matrixConv';
import { matrixSupport } from '../../main/ml/webgpu/matrixDevice';
import type { WebgpuBackendLike } from '../../main/ml/webgpu/program';
import { useMatrixConvs } from '../../main/ml/webgpu/matrixKernels';

interface Layer {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
}

const LAYERS: Layer[] = [
  { name: "seeds' first conv", x: [16, 128, 128, 1], filter: [3, 3, 1, 64] },
  { name: "seeds' level 0", x: [16, 128, 128, 64], filter: [3, 3, 64, 64] },
  { name: "seeds' level 2", x: [16, 32, 32, 256], filter: [3, 3, 256, 256] },
  { name: "seeds' bottleneck", x: [16, 8, 8, 1024], filter: [3, 3, 1024, 1024] },
  { name: "seeds' upsampling (1x1)", x: [16, 16, 16, 1024], filter: [1, 1, 1024, 2048] },
  { name: 'small first conv', x: [64, 128, 128, 1], filter: [3, 3, 1, 16] },
  { name: 'small level 0', x: [64, 128, 128, 16], filter: [3, 3, 16, 16] },
  { name: 'small level 2', x: [64, 32, 32, 64], filter: [3, 3, 64, 64] },
  { name: 'small bottleneck', x: [64, 16, 16, 128], filter: [3, 3, 128, 128] },
];

const TILES: Record<string, MatrixTile> = {
  '128x64': { subgroupsM: 4, subgroupsN: 2, fragmentsM: 2, fragmentsN: 2, depth: 32 },
  '128x64 k64': { subgroupsM: 4, subgroupsN: 2, fragmentsM: 2, fragmentsN: 2, depth: 64 },
  '64x64': { subgroupsM: 2, subgroupsN: 2, fragmentsM: 2, fragmentsN: 2, depth: 32 },
  '128x128': { subgroupsM: 4, subgroupsN: 2, fragmentsM: 2, fragmentsN: 4, depth: 32 },
  '128x128 k64': { subgroupsM: 4, subgroupsN: 2, fragmentsM: 2, fragmentsN: 4, depth: 64 },
  '64x64 k64': { subgroupsM: 2, subgroupsN: 2, fragmentsM: 2, fragmentsN: 2, depth: 64 },
  '256x64': { subgroupsM: 8, subgroupsN: 2, fragmentsM: 2, fragmentsN: 2, depth: 32 },
  '64x16': { subgroupsM: 4, subgroupsN: 1, fragmentsM: 1, fragmentsN: 1, depth: 32 },
  '128x16': { subgroupsM: 4, subgroupsN: 1, fragmentsM: 2, fragmentsN: 1, depth: 32 },
};

interface TimedBackend {
  endComputePassEncoder(): void;
  submitQueue(): void;
  device: {
    queue: { onSubmittedWorkDone(): Promise<void> };
    pushErrorScope(filter: string): void;
    popErrorScope(): Promise<{ message: string } | null>;
  };
}

/**
 * Milliseconds per call over 10 calls after 2 warm-ups, waiting for the GPU to finish (tf.profile cannot time a
 * program run outside the engine's kernels).
 */
async function wallMs(backend: TimedBackend, f: () => tf.Tensor): Promise<number> {
  const finish = async (): Promise<void> => {
    backend.endComputePassEncoder();
    backend.submitQueue();
    await backend.device.queue.onSubmittedWorkDone();
  };
  for (let i = 0; i < 2; i++) f().dispose();
  await finish();
  const started = performance.now();
  for (let i = 0; i < 10; i++) f().dispose();
  await finish();
  return (performance.now() - started) / 10;
}

export async function benchMatrixConvs(): Promise<void> {
  const support = matrixSupport();
  console.log(`MATRIX support ${JSON.stringify(support)}`);
  if (support === null) return;
  const backend = tf.backend() as unknown as WebgpuBackendLike & TimedBackend;
  for (const layer of LAYERS) {
    const x = tf.randomNormal(layer.x) as tf.Tensor4D;
    const filter = tf.randomNormal(layer.filter, 0, 0.05) as tf.Tensor4D;
    const bias = tf.randomNormal([layer.filter[3]]) as tf.Tensor1D;
    const conv = tf.backend_util.computeConv2DInfo(layer.x, layer.filter, 1, 1, 'same');
    const flops =
      2 *
      conv.batchSize *
      conv.outHeight *
      conv.outWidth *
      conv.outChannels *
      layer.filter[0] *
      layer.filter[1] *
      conv.inChannels;
    useMatrixConvs(false);
    const float32 = (): tf.Tensor => tf.fused.conv2d({ x, filter, bias, strides: 1, pad: 'same', activation: 'relu' });
    const stock = await wallMs(backend, float32);
    const reference = float32();
    const row: Record<string, string> = {
      float32: `${stock.toFixed(3)} ms ${(flops / stock / 1e9).toFixed(1)} TFLOP/s`,
      chosen: JSON.stringify(
        chooseMatrixTile(conv.outChannels, conv.batchSize * conv.outHeight * conv.outWidth, support),
      ),
    };
    for (const [name, tile] of Object.entries(TILES)) {
      const run = (): tf.Tensor => {
        const info = matrixConv2d(backend, x, filter, conv, { activation: 'relu' }, { bias }, support, {}, tile);
        return tf.engine().makeTensorFromTensorInfo(info);
      };
      backend.device.pushErrorScope('validation');
      const first = run();
      const error = await backend.device.popErrorScope();
      if (error) {
        console.log(`MATRIX shader error (${name}): ${error.message}`);
        first.dispose();
        continue;
      }
      const difference = tf.tidy(() => tf.div(tf.max(tf.abs(tf.sub(first, reference))), tf.max(tf.abs(reference))));
      const relError = (await difference.data())[0] as number;
      tf.dispose([first, difference]);
      const ms = await wallMs(backend, run);
      row[name] = `${ms.toFixed(3)} ms ${(flops / ms / 1e9).toFixed(1)} TFLOP/s err ${relError.toExponential(1)}`;
    }
    useMatrixConvs(true);
    console.log(`MATRIX ${layer.name} ${JSON.stringify(row)}`);
    tf.dispose([x, filter, bias, reference]);
  }
}
