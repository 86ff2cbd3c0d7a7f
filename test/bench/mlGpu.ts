/**
 * The tfjs side of the GPU benchmark, run on the GPU machine by test/bench/gpu.sh: the project's own U-Net code on the
 * webgpu backend (Dawn), timed like test/bench/torch_unet.py times PyTorch on the same GPU in the same run.
 * Bundled whole (tfjs included) because the GPU machine has Node (carried) but no node_modules.
 *
 * Before timing, our webgpu kernels and the folded inference graph are checked against the cpu backend / the model
 * (main/ml/webgpu/checks.ts). Then, per model: training steps with tfjs's stock kernels and with ours, 64-patch inference
 * through model.predict and through the folded graph, and a per-kernel GPU-time profile (timestamp queries) of each.
 * Inference reads the result back to the host on both sides; training reads the running loss back once per 10 steps.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { buildModel } from '../../main/ml/architectures';
import { activateWebgpuFromDawn } from '../../main/ml/dawnWebgpu';
import { AdamWOptimizer } from '../../main/ml/adamw';
import { buildInferenceGraph } from '../../main/ml/inferenceGraph';
import { mse } from '../../main/ml/losses';
import { parseModelConfig } from '../../main/ml/modelConfig';
import { RunningLoss, trainStep, trainingObjective } from '../../main/ml/trainStep';
import { checkWebgpu, REFERENCE } from '../../main/ml/webgpu/checks';
import { useDeviceDropout } from '../../main/ml/webgpu/dropout';
import { useClosedFormBatchNorm } from '../../main/ml/models/batchNormTraining';
import { matrixConvsActive, useMatrixConvs } from '../../main/ml/webgpu/matrixKernels';
import {
  INFERENCE_SUBMIT_BATCH,
  registerWebgpuKernels,
  setInferenceSubmitBatch,
  useStockWebgpuKernels,
} from '../../main/ml/webgpu/register';
import { benchMatrixConvs } from './matrixConvBench';
import { median } from './stats';

interface Case {
  name: string;
  features: number[];
  bottleneck: number;
  batch: number;
  patch: number;
}

interface KernelSummary {
  kernels: number;
  gpuMs: number;
  top: string[];
  /** PROMETHIUM_BENCH_KERNELS=1: every kernel in order, with its output shape (to find the layer that costs). */
  each?: string[];
}

/**
 * GPUs raise their clocks only under sustained load (the H200 ran the small model's inference at 12.8 ms of GPU time
 * in its first second and at 3.9 ms later): every timing starts after at least two seconds of the same work, on both
 * sides (test/bench/torch_unet.py warms up the same way).
 */
const WARMUP_MS = 2000;

async function warmUp(run: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  for (let calls = 0; calls < 5 || performance.now() - started < WARMUP_MS; calls++) await run();
}

/** GPU time per kernel name over one call of f (each kernel is timed alone, so the sum exceeds a pipelined run). */
async function profileKernels(f: () => tf.Tensor): Promise<KernelSummary> {
  const info = await tf.profile(f);
  tf.dispose(info.result as tf.Tensor);
  const byName = new Map<string, { ms: number; count: number }>();
  for (const kernel of info.kernels) {
    const entry = byName.get(kernel.name) ?? { ms: 0, count: 0 };
    entry.ms += Number(kernel.kernelTimeMs);
    entry.count += 1;
    byName.set(kernel.name, entry);
  }
  const sorted = [...byName.entries()].sort((a, b) => b[1].ms - a[1].ms);
  return {
    kernels: info.kernels.length,
    gpuMs: sorted.reduce((sum, [, e]) => sum + e.ms, 0),
    top: sorted.slice(0, 8).map(([name, e]) => `${name} ${e.ms.toFixed(1)}ms/${e.count}`),
    each: process.env.PROMETHIUM_BENCH_KERNELS
      ? info.kernels.map((k) => `${k.name} ${JSON.stringify(k.outputShapes)} ${Number(k.kernelTimeMs).toFixed(3)}`)
      : undefined,
  };
}

async function timeTraining(model: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor, rounds: number) {
  const optimizer = new AdamWOptimizer({ learningRate: 1e-3, weightDecay: 1e-4 });
  const loss = trainingObjective(mse);
  const running = new RunningLoss();
  let enqueueMs = 0;
  const steps = async (n: number): Promise<number> => {
    const started = performance.now();
    for (let i = 0; i < n; i++) running.add(trainStep(model, optimizer, x, y, loss));
    enqueueMs = (performance.now() - started) / n; // JS time to issue a step (the GPU runs behind it)
    await running.mean(); // the only read-back: the loop itself never waits for the GPU
    return (performance.now() - started) / n;
  };
  await warmUp(() => steps(3));
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) times.push(await steps(10));
  const profile = await profileKernels(() => trainStep(model, optimizer, x, y, loss));
  return { stepMs: median(times), enqueueMs, profile };
}

interface SubmittingBackend {
  endComputePassEncoder(): void;
  submitQueue(): void;
  device: { queue: { onSubmittedWorkDone(): Promise<void> } };
}

/**
 * Inference timed whole, and in its phases (medians): issuing the kernels from JS, waiting for the GPU to finish them,
 * and reading the result back.
 */
async function timeInference(predict: (x: tf.Tensor) => tf.Tensor, x64: tf.Tensor) {
  const backend = tf.backend() as unknown as SubmittingBackend;
  const phases = { enqueue: [] as number[], gpu: [] as number[], read: [] as number[] };
  const infer = async (): Promise<number> => {
    const started = performance.now();
    const out = predict(x64);
    const issued = performance.now();
    backend.endComputePassEncoder();
    backend.submitQueue();
    await backend.device.queue.onSubmittedWorkDone();
    const computed = performance.now();
    await out.data();
    out.dispose();
    const done = performance.now();
    phases.enqueue.push(issued - started);
    phases.gpu.push(computed - issued);
    phases.read.push(done - computed);
    return done - started;
  };
  await warmUp(infer);
  for (const list of Object.values(phases)) list.length = 0;
  const times: number[] = [];
  for (let i = 0; i < 20; i++) times.push(await infer());
  return {
    ms: median(times),
    times: times.map((t) => Number(t.toFixed(2))),
    enqueueMs: median(phases.enqueue),
    gpuWaitMs: median(phases.gpu),
    readMs: median(phases.read),
    profile: await profileKernels(() => predict(x64)),
  };
}

async function timeCase(c: Case) {
  const config = parseModelConfig({ architecture: 'unet', params: { features: c.features, bottleneck: c.bottleneck } });
  const { model } = buildModel(config);
  const x = tf.randomNormal([c.batch, c.patch, c.patch, 1]);
  const y = tf.randomNormal([c.batch, c.patch, c.patch, 1]);
  // PROMETHIUM_BENCH_INFERENCE_ONLY=1: no training steps (a short run for inference changes).
  const train = process.env.PROMETHIUM_BENCH_INFERENCE_ONLY ? async () => null : timeTraining;
  useStockWebgpuKernels();
  const stock = await train(model, x, y, 1);
  registerWebgpuKernels();
  useMatrixConvs(false);
  const hostDropout = await train(model, x, y, 1);
  const deviceDropouts = useDeviceDropout(model);
  const closedFormBatchNorms = useClosedFormBatchNorm(model);
  const oursStrict = await train(model, x, y, 3);
  useMatrixConvs(true);
  const ours = await train(model, x, y, 3);
  const x64 = tf.randomNormal([64, c.patch, c.patch, 1]);
  const predict = await timeInference((input) => model.predict(input, { batchSize: 64 }) as tf.Tensor, x64);
  const graph = buildInferenceGraph(model);
  const folded = await timeInference((input) => graph.predict(input), x64);
  useMatrixConvs(false);
  const foldedStrict = await timeInference((input) => graph.predict(input), x64);
  useMatrixConvs(true);
  // Once more after the strict run: the order of the two must not decide which one is faster.
  const foldedAgain = await timeInference((input) => graph.predict(input), x64);
  // PROMETHIUM_BENCH_SUBMIT_BATCHES=2,4,16: the folded inference again with each number of dispatches per submit.
  const submitBatches: Record<string, number> = {};
  for (const batch of (process.env.PROMETHIUM_BENCH_SUBMIT_BATCHES ?? '').split(',').filter(Boolean)) {
    setInferenceSubmitBatch(Number(batch));
    submitBatches[batch] = (await timeInference((input) => graph.predict(input), x64)).ms;
  }
  setInferenceSubmitBatch(INFERENCE_SUBMIT_BATCH);
  graph.dispose();
  tf.dispose([x, y, x64]);
  const params = model.countParams();
  return {
    name: c.name,
    params,
    deviceDropouts,
    closedFormBatchNorms,
    stock,
    hostDropout,
    oursStrict,
    ours,
    predict,
    folded,
    foldedStrict,
    foldedAgain,
    submitBatches,
  };
}

export async function benchMlGpu(dawnPath: string): Promise<void> {
  const device = await activateWebgpuFromDawn(dawnPath);
  // PROMETHIUM_WEBGPU_FLAGS='{"WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE": 64}': tfjs flags to try, printed with the results.
  const flags = JSON.parse(process.env.PROMETHIUM_WEBGPU_FLAGS ?? '{}') as Record<string, number | boolean>;
  for (const [flag, value] of Object.entries(flags)) tf.env().set(flag, value);
  const checks = await checkWebgpu();
  await tf.setBackend('webgpu');
  for (const check of checks)
    console.log(
      `CHECK ${check.relError < check.tolerance ? 'ok  ' : 'FAIL'} ${check.relError.toExponential(2)} ${check.name} vs ${REFERENCE}`,
    );
  // PROMETHIUM_BENCH_ONLY=matrix: the tensor-core convolutions layer by layer, and no model.
  const only = process.env.PROMETHIUM_BENCH_ONLY ?? '';
  if (only === 'matrix' || only === '') await benchMatrixConvs();
  // PROMETHIUM_BENCH_SMOKE=1: one tiny case, to try the bundle on a software Vulkan (lavapipe) before a GPU run.
  const cases: Case[] = process.env.PROMETHIUM_BENCH_SMOKE
    ? [{ name: 'smoke', features: [8, 16], bottleneck: 32, batch: 2, patch: 32 }]
    : [
        { name: 'small default', features: [16, 32, 64], bottleneck: 128, batch: 8, patch: 128 },
        { name: "seeds' U-Net", features: [64, 128, 256, 512], bottleneck: 1024, batch: 16, patch: 128 },
      ];
  // PROMETHIUM_BENCH_ONLY=<prefix>: only the cases whose name starts with it (e.g. for a CPU profile of one model).
  const results = [];
  for (const c of cases.filter((k) => k.name.startsWith(only))) {
    const result = await timeCase(c);
    console.log(`PROFILE ${JSON.stringify(result)}`);
    results.push({
      name: result.name,
      params: result.params,
      stepMsStock: result.stock?.stepMs,
      stepMsHostDropout: result.hostDropout?.stepMs,
      deviceDropouts: result.deviceDropouts,
      stepMsStrict: result.oursStrict?.stepMs,
      stepMs: result.ours?.stepMs,
      enqueueMs: result.ours?.enqueueMs,
      infer64MsPredict: result.predict.ms,
      infer64MsStrict: result.foldedStrict.ms,
      infer64Ms: result.folded.ms,
      infer64MsAgain: result.foldedAgain.ms,
    });
  }
  const tensorCores = matrixConvsActive();
  console.log(`TFJS ${JSON.stringify({ device, backend: tf.getBackend(), tensorCores, flags, results })}`);
}
