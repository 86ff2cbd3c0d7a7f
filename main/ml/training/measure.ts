/**
 * The ML performance measurement behind `npm run bench -- ml`: one training step of the small default U-Net
 * (configs/unet-small.yaml) on a batch of 8 patches of 128 x 128, and denoising a 1000-trace x 1500-sample section with
 * it through tiled inference (normalised by its robust scale, patches of 128 with overlap 0.5 as inference uses them,
 * and for comparison without overlap). The issue's target: the section denoised in at most 5 s with the default model.
 * On the CPU backends inference is timed on each engine that can run it (ONNX Runtime where it loads, and tfjs),
 * alternating them run by run so that both see the same machine load.
 *
 * The model is untrained (random weights): speed does not depend on the weights. Times are medians over repeats, each
 * ending with a readback so that asynchronous GPU backends are timed to completion.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import type { BackendName, BackendReport } from '../../../preload/contract';
import { AdamWOptimizer } from '../adamw';
import { buildModel } from '../architectures';
import { useClosedFormBatchNorm } from '../models/batchNormTraining';
import { chooseBackend } from '../backends';
import { lossFromSpec } from '../losses';
import { parseModelConfig, readModelConfigFile, type ModelConfig } from '../modelConfig';
import { MODEL_FILES, readModelCard } from '../registry/modelFiles';
import { robustAmplitudeScale } from '../normalization';
import { reconstructSection } from '../inference';
import { inferenceEngine, inferenceThreadCount, onnxThreadCount } from '../parallelInference';
import { TilePlan, type PatchSize } from '../tiling';
import { trainStep, trainingObjective } from '../trainStep';
import { LayeredVolume } from '../../synth/layeredVolume';
import { DEFAULT_AUGMENTATION, DEFAULT_CORRUPTION, buildTaskBatch, taskBatchTensors } from './taskBatches';
import { weightedByTargets } from './trainer';

export interface MlMeasurementOptions {
  /** Backend to measure (default wasm: the one every machine has). */
  backend?: BackendName;
  /**
   * The model config (default resources/configs/unet-small.yaml, relative to the working directory), or a model folder
   * whose card's config is measured (e.g. resources/models/unet_denoise_v2).
   */
  configPath?: string;
  /** Timed training steps after one warm-up step (default 3). */
  steps?: number;
  /** Timed inference runs over the section per engine after one warm-up (default 3). */
  inferenceRuns?: number;
}

export interface InferenceMeasurement {
  /** What inferred, e.g. 'ONNX Runtime 1.30.0, 2 threads' or 'tfjs wasm, 2 worker threads'. */
  engine: string;
  overlap: number;
  patches: number;
  seconds: number;
  tracesPerSecond: number;
}

export interface MlMeasurement {
  backend: BackendReport;
  config: string;
  parameters: number;
  trainBatch: { count: number; patch: PatchSize };
  trainStepSeconds: number;
  section: { traces: number; samples: number };
  inferenceBatchSize: number;
  inference: InferenceMeasurement[];
}

const TRAIN_BATCH = 8;
const PATCH: PatchSize = { samples: 128, traces: 128 };
const SECTION = { traces: 1000, samples: 1500 };
const INFERENCE_BATCH = 16;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function timed(run: () => Promise<void>, repeats: number): Promise<number> {
  await run(); // warm-up: kernel compilation, weight upload, Adam's moment creation
  const seconds: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const started = performance.now();
    await run();
    seconds.push((performance.now() - started) / 1000);
  }
  return median(seconds);
}

/** A denoising batch of 8 patches of 128 x 128 cut from a synthetic volume, as the trainer builds it. */
function trainingBatch() {
  const volume = new LayeredVolume({ inlines: TRAIN_BATCH, crosslines: PATCH.traces, samples: PATCH.samples, seed: 1 });
  const clean = Array.from({ length: TRAIN_BATCH }, (_, i) => volume.inline(i));
  const task = { task: 'denoise' as const, corruption: DEFAULT_CORRUPTION, augmentation: DEFAULT_AUGMENTATION };
  return taskBatchTensors(buildTaskBatch(clean, PATCH, task, 1));
}

type Engine = 'onnx' | 'tfjs';

/** The inference engines this backend can use, with how each is described in the report. */
function inferenceEngines(backend: string): { engine: Engine; label: string }[] {
  const threads = inferenceThreadCount();
  const tfjs = {
    engine: 'tfjs' as const,
    label: `tfjs ${backend}, ${threads >= 2 ? `${threads} worker threads` : 'one thread'}`,
  };
  const best = inferenceEngine(backend);
  if (best.engine === 'tfjs') return [tfjs];
  return [{ engine: 'onnx', label: `ONNX Runtime ${best.version}, ${onnxThreadCount()} threads` }, tfjs];
}

/** Runs `work` with PROMETHIUM_INFERENCE_ENGINE forced to `engine`, restoring the setting after. */
async function onEngine<T>(engine: Engine, work: () => Promise<T>): Promise<T> {
  const before = process.env.PROMETHIUM_INFERENCE_ENGINE;
  process.env.PROMETHIUM_INFERENCE_ENGINE = engine;
  try {
    return await work();
  } finally {
    if (before === undefined) delete process.env.PROMETHIUM_INFERENCE_ENGINE;
    else process.env.PROMETHIUM_INFERENCE_ENGINE = before;
  }
}

/**
 * Times what the app runs: reconstructSection (survey scale, tiles, inference, blending, and with `checked` the
 * strength check that model denoising applies by default, ml/sure.ts), on each engine in turn for every run after one
 * warm-up run each (ONNX session creation, worker start, kernel compilation).
 */
async function measureInference(
  model: ReturnType<typeof buildModel>['model'],
  overlap: number,
  runs: number,
  engines: { engine: Engine; label: string }[],
  checked = false,
): Promise<InferenceMeasurement[]> {
  const section = new LayeredVolume({ inlines: 1, crosslines: SECTION.traces, samples: SECTION.samples, seed: 2 });
  const raw = section.inline(0);
  const live = new Uint8Array(SECTION.traces).fill(1);
  const denoise = async (): Promise<number> => {
    const started = performance.now();
    const scale = robustAmplitudeScale(raw, SECTION);
    const strengthCheck = checked ? { sampleIntervalS: 0.004 } : null;
    const options = {
      task: 'denoise' as const,
      scale,
      patch: PATCH.samples,
      overlap,
      batchSize: INFERENCE_BATCH,
      strengthCheck,
    };
    await reconstructSection(model, raw, SECTION, live, options);
    return (performance.now() - started) / 1000;
  };
  const seconds = engines.map(() => [] as number[]);
  for (let run = -1; run < runs; run++) {
    for (const [i, { engine }] of engines.entries()) {
      const time = await onEngine(engine, denoise);
      if (run >= 0) seconds[i]!.push(time);
    }
  }
  const patches = new TilePlan(SECTION, PATCH, overlap).origins.length;
  return engines.map(({ label }, i) => {
    const time = median(seconds[i]!);
    const engine = checked ? `${label}, strength checked (the app's default)` : label;
    return { engine, overlap, patches, seconds: time, tracesPerSecond: SECTION.traces / time };
  });
}

/** A config file, or the config in a model folder's card. */
async function modelConfigAt(configPath: string): Promise<ModelConfig> {
  if (!(await stat(configPath)).isDirectory()) return readModelConfigFile(configPath);
  return parseModelConfig((await readModelCard(configPath)).config, path.join(configPath, MODEL_FILES.card));
}

/** Measures a training step and tiled inference of the small default model on the chosen backend. */
export async function measureMlPerformance(options: MlMeasurementOptions = {}): Promise<MlMeasurement> {
  const backend = await chooseBackend(options.backend ?? 'wasm');
  const configPath = options.configPath ?? path.join('resources', 'configs', 'unet-small.yaml');
  const built = buildModel(await modelConfigAt(configPath));
  useClosedFormBatchNorm(built.trainingModel); // as the trainer trains
  const optimizer = new AdamWOptimizer({ learningRate: 1e-3, weightDecay: 1e-4 });
  const objective = weightedByTargets(trainingObjective(lossFromSpec('mse'), built.extraLoss));
  const { inputs, targets } = trainingBatch();
  try {
    const trainStepSeconds = await timed(async () => {
      const loss = trainStep(built.trainingModel, optimizer, inputs, targets, objective);
      await loss.data();
      loss.dispose();
    }, options.steps ?? 3);
    const engines = inferenceEngines(backend.backend);
    const inference: InferenceMeasurement[] = [];
    const runs = options.inferenceRuns ?? 3;
    // What one-click denoising runs: the best engine, overlap 0.5, with the strength check.
    inference.push(...(await measureInference(built.model, 0.5, runs, engines.slice(0, 1), true)));
    for (const overlap of [0.5, 0]) inference.push(...(await measureInference(built.model, overlap, runs, engines)));
    return {
      backend,
      config: configPath,
      parameters: built.model.countParams(),
      trainBatch: { count: TRAIN_BATCH, patch: PATCH },
      trainStepSeconds,
      section: SECTION,
      inferenceBatchSize: INFERENCE_BATCH,
      inference,
    };
  } finally {
    tf.dispose([inputs, targets]);
    built.trainingModel.dispose();
    optimizer.dispose();
  }
}

/** The measurement as a Markdown section body for BENCHMARKS.md. */
export function formatMlMeasurement(result: MlMeasurement): string {
  const { backend, trainBatch, section } = result;
  const lines = [
    `Backend ${backend.backend} (${backend.device}); model ${result.config} (${result.parameters.toLocaleString('en')} parameters, untrained).`,
    '',
    '| Measurement | Result |',
    '| --- | --- |',
    `| Training step, batch ${trainBatch.count} of ${trainBatch.patch.samples}x${trainBatch.patch.traces} | ${result.trainStepSeconds.toFixed(2)} s |`,
    ...result.inference.map(
      (run) =>
        `| Denoise ${section.traces} traces x ${section.samples} samples, overlap ${run.overlap} (${run.patches} patches, batches of ${result.inferenceBatchSize}), ${run.engine} | ${run.seconds.toFixed(2)} s = ${Math.round(run.tracesPerSecond)} traces/s (target: <= 5 s) |`,
    ),
  ];
  return lines.join('\n');
}
