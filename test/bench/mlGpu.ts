/**
 * The tfjs side of the GPU benchmark, run on the GPU machine by test/bench/gpu.sh: the project's own U-Net code on the
 * webgpu backend (Dawn), timed like test/bench/torch_unet.py times PyTorch on the same GPU in the same run.
 * Bundled whole (tfjs included) because the GPU machine has Node (carried) but no node_modules.
 */
import * as tf from '@tensorflow/tfjs-core';
import { buildModel } from '../../main/ml/architectures';
import { AdamWOptimizer } from '../../main/ml/adamw';
import { mse } from '../../main/ml/losses';
import { parseModelConfig } from '../../main/ml/modelConfig';
import { RunningLoss, trainStep, trainingObjective } from '../../main/ml/trainStep';
import { median } from './stats';

interface Case {
  name: string;
  features: number[];
  bottleneck: number;
  batch: number;
  patch: number;
}

async function setupWebgpu(dawnPath: string): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the native module is carried, not bundled
  const dawn = require(dawnPath) as { create: (flags: string[]) => { requestAdapter(): Promise<{ info?: { vendor?: string; device?: string; description?: string } } | null> }; globals: object };
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  const adapter = await gpu.requestAdapter();
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error('the webgpu backend did not start');
  await tf.ready();
  return [adapter?.info?.vendor, adapter?.info?.device || adapter?.info?.description].filter(Boolean).join(' ');
}

async function timeCase(c: Case): Promise<Record<string, number | string>> {
  const config = parseModelConfig({ architecture: 'unet', params: { features: c.features, bottleneck: c.bottleneck } });
  const { model } = buildModel(config);
  const optimizer = new AdamWOptimizer({ learningRate: 1e-3, weightDecay: 1e-4 });
  const loss = trainingObjective(mse);
  const x = tf.randomNormal([c.batch, c.patch, c.patch, 1]);
  const y = tf.randomNormal([c.batch, c.patch, c.patch, 1]);
  const running = new RunningLoss();
  const steps = async (n: number): Promise<number> => {
    const started = performance.now();
    for (let i = 0; i < n; i++) running.add(trainStep(model, optimizer, x, y, loss));
    await running.mean(); // the only read-back: the loop itself never waits for the GPU
    return (performance.now() - started) / n;
  };
  await steps(3);
  const stepMs = median([await steps(10), await steps(10), await steps(10)]);
  const x64 = tf.randomNormal([64, c.patch, c.patch, 1]);
  const infer = async (): Promise<number> => {
    const started = performance.now();
    const out = model.predict(x64) as tf.Tensor;
    await out.data();
    out.dispose();
    return performance.now() - started;
  };
  await infer();
  await infer();
  const times: number[] = [];
  for (let i = 0; i < 10; i++) times.push(await infer());
  return { name: c.name, params: model.countParams(), stepMs, infer64Ms: median(times) };
}

export async function benchMlGpu(dawnPath: string): Promise<void> {
  const device = await setupWebgpu(dawnPath);
  const cases: Case[] = [
    { name: 'small default', features: [16, 32, 64], bottleneck: 128, batch: 8, patch: 128 },
    { name: "seeds' U-Net", features: [64, 128, 256, 512], bottleneck: 1024, batch: 16, patch: 128 },
  ];
  const results = [];
  for (const c of cases) results.push(await timeCase(c));
  console.log(JSON.stringify({ device, backend: tf.getBackend(), results }));
}
