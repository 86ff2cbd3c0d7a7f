/**
 * `promethium velocity train|predict|baseline|synth`: velocity model building from shot gathers in OpenFWI's layout
 * (data*.npy [n, 5, 1000, 70] with model*.npy [n, 1, 70, 70] in the same folder, as OpenFWI ships them and
 * `velocity synth` writes them).
 */
import { existsSync, readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { cpus } from 'node:os';
import path from 'node:path';
import { type Command } from 'commander';
import { chooseBackend } from '../ml/backends';
import { writeFileAtomically } from '../files/atomicFile';
import { OPENFWI, OPENFWI_DATA_SIZE } from '../velocity/openfwiLayout';
import { semblanceVelocityMap } from '../velocity/semblanceBaseline';
import { loadVelocityEnsemble } from '../velocity/velocityEnsemble';
import { velocityMapQuality, type VelocityMapQuality } from '../velocity/velocityMetrics';
import { DEFAULT_PREDICTION, predictVelocity } from '../velocity/velocityPrediction';
import { writeVelocitySegy } from '../velocity/velocitySegy';
import { SEED_LOSS_WEIGHTS } from '../velocity/velocityLoss';
import { readVelocityEnsembleConfig } from '../velocity/velocityNetworkConfig';
import { trainVelocityEnsemble, type VelocitySamples } from '../velocity/velocityTraining';
import { encodeNpy, NpyReader } from '../files/npy';
import { UsageError } from './usageError';
import { runVelocityBuild, type VelocityBuildCli } from './velocityBuildCommand';
import { velocityDatasetText, writeDatasetShotGathers, writeVelocityDataset } from './velocitySynth';

/** One data*.npy file with its model*.npy (when present): the samples of an OpenFWI pair. */
interface OpenFwiPair {
  data: NpyReader;
  models: NpyReader | null;
  count: number;
}

function openPair(dataPath: string): OpenFwiPair {
  const data = NpyReader.open(dataPath);
  const [count = 0, ...item] = data.shape;
  if (item.reduce((a, b) => a * b, 1) !== OPENFWI_DATA_SIZE) {
    data.close();
    throw new UsageError(`${dataPath}: shape (${data.shape.join(', ')}), OpenFWI data are [n, 5, 1000, 70]`);
  }
  const modelPath = path.join(path.dirname(dataPath), path.basename(dataPath).replace(/^data/, 'model'));
  let models: NpyReader | null = null;
  try {
    models = NpyReader.open(modelPath);
  } catch {
    models = null;
  }
  if (models !== null && models.shape[0] !== count) {
    throw new UsageError(`${modelPath} holds ${models.shape[0]} maps for the ${count} samples of ${dataPath}`);
  }
  return { data, models, count };
}

/** The data*.npy files of a folder, or the file itself. */
function dataFiles(target: string): string[] {
  if (!existsSync(target)) throw new UsageError(`${target}: no such file or folder`);
  if (target.endsWith('.npy')) return [target];
  const files = readdirSync(target)
    .filter((name) => /^data.*\.npy$/.test(name))
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
    .map((name) => path.join(target, name));
  if (files.length === 0) throw new UsageError(`${target}: no data*.npy file (OpenFWI layout)`);
  return files;
}

/** Every sample of the OpenFWI files under `targets`, with its true map (required for training). */
export interface OpenFwiSamples extends VelocitySamples {
  readShots(index: number): Float32Array;
  /** The true map of a sample, or null where no model*.npy came with the data. */
  readTruth(index: number): Float32Array | null;
  close(): void;
}

/** Every sample of the OpenFWI files under `targets`, in order, with its true map where there is one. */
export function openFwiSamples(targets: readonly string[]): OpenFwiSamples {
  const pairs = targets.flatMap(dataFiles).map(openPair);
  const count = pairs.reduce((sum, pair) => sum + pair.count, 0);
  const locate = (index: number): { pair: OpenFwiPair; local: number } => {
    let local = index;
    for (const pair of pairs) {
      if (local < pair.count) return { pair, local };
      local -= pair.count;
    }
    throw new RangeError(`sample ${index}: the data hold ${count}`);
  };
  const readShots = (index: number) => {
    const { pair, local } = locate(index);
    return pair.data.readItems(local, 1);
  };
  const readTruth = (index: number) => {
    const { pair, local } = locate(index);
    return pair.models === null ? null : pair.models.readItems(local, 1);
  };
  return {
    count,
    readShots,
    readTruth,
    read(index: number) {
      const velocity = readTruth(index);
      if (velocity === null) throw new UsageError('velocity training needs the model*.npy beside each data*.npy');
      return { shots: readShots(index), velocity };
    },
    close() {
      for (const pair of pairs) {
        pair.data.close();
        pair.models?.close();
      }
    },
  };
}

interface TrainCli {
  config: string;
  data: string[];
  validation: string[];
  out: string;
  epochs: string;
  batchSize: string;
  learningRate: string;
  physicsWeight: string;
  physicsSteps: string;
  physicsShots: string;
  seed: string;
  resume?: boolean;
  backend?: string;
}

function positiveNumber(text: string, option: string): number {
  const value = Number(text);
  if (!(value >= 0) || !Number.isFinite(value)) throw new UsageError(`${option} ${text}: give a number >= 0`);
  return value;
}

async function runVelocityTraining(options: TrainCli): Promise<void> {
  await prepareBackend(options.backend);
  const config = await readVelocityEnsembleConfig(options.config);
  const training = openFwiSamples(options.data);
  const validation = openFwiSamples(options.validation);
  console.log(`training on ${training.count} samples, validating on ${validation.count}`);
  try {
    const result = await trainVelocityEnsemble(config, training, validation, {
      epochs: positiveNumber(options.epochs, '--epochs'),
      batchSize: positiveNumber(options.batchSize, '--batch-size'),
      learningRate: positiveNumber(options.learningRate, '--learning-rate'),
      weightDecay: 0.01,
      firstCycleSteps: Math.max(1, Math.ceil(training.count / positiveNumber(options.batchSize, '--batch-size'))),
      maxGradientNorm: 1,
      weights: { ...SEED_LOSS_WEIGHTS, physics: positiveNumber(options.physicsWeight, '--physics-weight') },
      physics: {
        samples: 1,
        shots: options.physicsShots.split(',').map((s) => positiveNumber(s, '--physics-shots')),
        steps: positiveNumber(options.physicsSteps, '--physics-steps'),
        borderCells: 20,
      },
      seed: positiveNumber(options.seed, '--seed'),
      checkpointDir: options.out,
      resume: Boolean(options.resume),
      provenance: {
        data:
          `${training.count} samples (${options.data.join(', ')}), validated on ${validation.count} ` +
          `(${options.validation.join(', ')}), OpenFWI layout`,
        command: `promethium ${process.argv.slice(2).join(' ')}`,
        hardware: `host with ${cpus().length} CPU cores (${cpus()[0]?.model ?? 'unknown'})`,
      },
      onEpoch: (e) =>
        console.log(
          `epoch ${e.epoch}: train loss ${e.trainLoss.toFixed(4)}, validation MAPE ${e.valMape.toFixed(2)} %, ` +
            `MAE ${e.valMae.toFixed(4)}, SSIM ${e.valSsim.toFixed(3)}, learning rate ${e.learningRate.toExponential(2)}, ` +
            `member weights ${e.memberWeights.map((w) => w.toFixed(2)).join('/')}, ${e.seconds.toFixed(0)} s ` +
            `(physics ${e.physicsSecondsPerStep.toFixed(1)} s a step)`,
        ),
    });
    console.log(`best model (lowest validation MAPE): ${result.bestModelDir}`);
  } finally {
    training.close();
    validation.close();
  }
}

/** Starts the tfjs backend a command asked for (or the best available); the GPU entry replaces it (velocityGpuMain.ts). */
export type BackendStarter = (requested: string | undefined) => Promise<unknown>;

let prepareBackend: BackendStarter = (requested) => chooseBackend(requested);

export function registerVelocityCommands(program: Command, startBackend?: BackendStarter): void {
  if (startBackend !== undefined) prepareBackend = startBackend;
  const velocity = program
    .command('velocity')
    .description('velocity model building from shot gathers (OpenFWI layout): train, predict, baseline, build, synth');
  velocity
    .command('train')
    .description('train the velocity ensemble (the seed loss: MAPE + L2 + gradient + physics; AdamW, cosine restarts)')
    .option('--config <yaml>', 'ensemble config', 'resources/configs/velocity/ensemble-small.yaml')
    .requiredOption('--data <dirs...>', 'training folders (data*.npy + model*.npy)')
    .requiredOption('--validation <dirs...>', 'validation folders')
    .requiredOption('--out <dir>', 'checkpoint folder (last/ and best/)')
    .option('--epochs <n>', 'epochs', '10')
    .option('--batch-size <n>', 'samples per step', '4')
    .option('--learning-rate <lr>', 'peak learning rate of the cosine schedule', '1e-4')
    .option('--physics-weight <w>', 'weight of the data-consistency term (0 leaves it out)', '0.2')
    .option('--physics-steps <n>', 'time steps modelled by the physics term', '400')
    .option('--physics-shots <list>', 'shots modelled by the physics term (0-4)', '2')
    .option('--seed <n>', 'shuffling seed', '1')
    .option('--resume', 'continue from <out>/last')
    .option('--backend <name>', 'tensorflow, webgpu, wasm or cpu (default: the best available)')
    .action(async (options: TrainCli) => runVelocityTraining(options));
  velocity
    .command('predict')
    .description(
      'velocity maps and their uncertainty from OpenFWI shots, as .npy and SEG-Y (depth); scored when the true maps are there',
    )
    .requiredOption('--model <dir>', "trained ensemble folder (a training run's best/)")
    .requiredOption('--data <path>', 'data*.npy, or a folder of them (model*.npy beside them are the true maps)')
    .requiredOption('--out <dir>', 'output folder')
    .option('--samples <n>', 'predict the first n samples only')
    .option('--no-tta', 'no test-time augmentation (the flip and the noisy copies)')
    .option('--monotone', 'velocities never decrease with depth')
    .option('--backend <name>', 'tensorflow, webgpu, wasm or cpu (default: the best available)')
    .action(async (options: PredictCli) => runVelocityPrediction(options));
  velocity
    .command('baseline')
    .description(
      'the classical answer: semblance velocity analysis, automatic picks and Dix conversion, scored against the true maps',
    )
    .requiredOption('--data <path>', 'data*.npy, or a folder of them, with model*.npy beside them')
    .option('--samples <n>', 'the first n samples only')
    .option('--mean-of <dirs...>', 'also score the mean map of these training folders (the answer that knows no shots)')
    .action((options: BaselineCli) => runBaseline(options));
  velocity
    .command('build')
    .description(
      "build the velocity model of a project's pre-stack survey from its shot gathers: the ensemble with TTA and its spread, semblance + Dix, the shots modelled over the map",
    )
    .requiredOption('--project <dir>', 'project folder')
    .requiredOption('--survey <id>', 'survey id (see import --json)')
    .option('--model <id>', 'a velocity ensemble of the registry (default: the bundled velocity_ensemble_v1)')
    .option(
      '--source-delay-ms <ms>',
      "time from the survey's time zero to the source's start (67 when time zero is at the wavelet's peak)",
      '0',
    )
    .option('--out <dir>', 'also write the velocity, spread and baseline maps there as depth SEG-Y and .npy')
    .action(async (options: VelocityBuildCli) => runVelocityBuild(options));
  velocity
    .command('synth')
    .description('write a seeded dataset in OpenFWI layout (same as `synth --kind velocity`)')
    .requiredOption('--out <dir>', 'folder for data1.npy / model1.npy')
    .option('--family <name>', 'flat, curved, flatfault, curvefault or style', 'flat')
    .option('--count <n>', 'samples', '1')
    .option('--seed <n>', 'seed', '1')
    .option('--shot-segy', "also write each sample's five shots as a pre-stack SEG-Y (shots<i>.sgy) with coordinates")
    .action(async (options: { out: string; family: string; count: string; seed: string; shotSegy?: boolean }) => {
      const summary = writeVelocityDataset({ ...options, count: Number(options.count), seed: Number(options.seed) });
      console.log(velocityDatasetText(options.shotSegy ? await writeDatasetShotGathers(summary) : summary));
    });
}

interface PredictCli {
  model: string;
  data: string;
  out: string;
  samples?: string;
  tta: boolean;
  monotone?: boolean;
  backend?: string;
}

/** Mean MAE, RMSE, MAPE and SSIM of maps against the truth, printed in OpenFWI's units. */
class QualitySummary {
  private readonly totals = { mae: 0, rmse: 0, mape: 0, ssim: 0 };
  private count = 0;

  add(truth: Float32Array, predicted: Float32Array): VelocityMapQuality {
    const quality = velocityMapQuality(truth, predicted);
    for (const key of Object.keys(this.totals) as (keyof VelocityMapQuality)[]) this.totals[key] += quality[key];
    this.count += 1;
    return quality;
  }

  text(label: string): string {
    const n = Math.max(1, this.count);
    const { mae, rmse, mape, ssim } = this.totals;
    return `${label} over ${this.count} samples: ${qualityText({ mae: mae / n, rmse: rmse / n, mape: mape / n, ssim: ssim / n })}`;
  }
}

function qualityText(q: VelocityMapQuality): string {
  return `MAE ${q.mae.toFixed(4)}, RMSE ${q.rmse.toFixed(4)} (OpenFWI units), MAPE ${q.mape.toFixed(2)} %, SSIM ${q.ssim.toFixed(3)}`;
}

function sampleCount(limit: string | undefined, available: number): number {
  if (limit === undefined) return available;
  const n = Number(limit);
  if (!(Number.isInteger(n) && n >= 1)) throw new UsageError(`--samples ${limit}: give a whole number >= 1`);
  return Math.min(n, available);
}

async function runVelocityPrediction(options: PredictCli): Promise<void> {
  await prepareBackend(options.backend);
  const { model, params } = await loadVelocityEnsemble(options.model);
  const data = openFwiSamples([options.data]);
  const count = sampleCount(options.samples, data.count);
  const side = params.output_size;
  const velocities = new Float32Array(count * side * side);
  const deviations = new Float32Array(count * side * side);
  const summary = new QualitySummary();
  const prediction = options.tta ? DEFAULT_PREDICTION : { ...DEFAULT_PREDICTION, flip: false, noisyCopies: 0 };
  await mkdir(options.out, { recursive: true });
  const started = performance.now();
  try {
    for (let i = 0; i < count; i++) {
      const shots = data.readShots(i);
      const result = predictVelocity(model, params, shots, {
        ...prediction,
        monotoneWithDepth: Boolean(options.monotone),
      });
      velocities.set(result.velocity, i * side * side);
      deviations.set(result.uncertainty, i * side * side);
      const truth = data.readTruth(i);
      const scored = truth === null ? '' : `: ${qualityText(summary.add(truth, result.velocity))}`;
      console.log(`sample ${i}: ${result.maps} maps (members x augmentations)${scored}`);
      for (const [name, map, title] of [
        ['velocity', result.velocity, 'VELOCITY'],
        ['velocity-std', result.uncertainty, 'VELOCITY STANDARD DEVIATION'],
      ] as const) {
        await writeVelocitySegy(path.join(options.out, `${name}-${i}.sgy`), {
          map,
          side,
          spacingM: OPENFWI.spacingM,
          title,
        });
      }
    }
    const seconds = (performance.now() - started) / 1000;
    await writeFileAtomically(path.join(options.out, 'velocity.npy'), encodeNpy(velocities, [count, 1, side, side]));
    await writeFileAtomically(
      path.join(options.out, 'velocity-std.npy'),
      encodeNpy(deviations, [count, 1, side, side]),
    );
    console.log(`${(seconds / count).toFixed(2)} s a sample (${options.tta ? 'with' : 'without'} TTA)`);
    console.log(summary.text('ensemble'));
    console.log(
      `wrote velocity.npy, velocity-std.npy [${count}, 1, ${side}, ${side}] and velocity(-std)-<i>.sgy to ${options.out}`,
    );
  } finally {
    data.close();
    model.dispose();
  }
}

interface BaselineCli {
  data: string;
  samples?: string;
  meanOf?: string[];
}

/** The cell-by-cell mean of every true map under `targets`. */
function meanMap(targets: readonly string[]): Float32Array {
  const training = openFwiSamples(targets);
  try {
    let sum: Float64Array | null = null;
    for (let i = 0; i < training.count; i++) {
      const map = training.read(i).velocity;
      sum ??= new Float64Array(map.length);
      for (let k = 0; k < map.length; k++) sum[k] = sum[k]! + map[k]!;
    }
    if (sum === null) throw new UsageError(`${targets.join(', ')}: no samples to average`);
    return Float32Array.from(sum, (value) => value / training.count);
  } finally {
    training.close();
  }
}

function runBaseline(options: BaselineCli): void {
  const mean = options.meanOf === undefined ? null : meanMap(options.meanOf);
  const data = openFwiSamples([options.data]);
  const count = sampleCount(options.samples, data.count);
  const semblance = new QualitySummary();
  const meanQuality = new QualitySummary();
  const started = performance.now();
  try {
    for (let i = 0; i < count; i++) {
      const truth = data.readTruth(i);
      if (truth === null)
        throw new UsageError(`${options.data}: the baseline is scored against model*.npy, none found`);
      console.log(`sample ${i}: ${qualityText(semblance.add(truth, semblanceVelocityMap(data.readShots(i))))}`);
      if (mean !== null) meanQuality.add(truth, mean);
    }
  } finally {
    data.close();
  }
  console.log(`${((performance.now() - started) / 1000 / count).toFixed(2)} s a sample`);
  console.log(semblance.text('semblance + Dix'));
  if (mean !== null) console.log(meanQuality.text('mean training map'));
}
