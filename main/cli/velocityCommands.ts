/**
 * `promethium velocity train|predict|baseline|synth`: velocity model building from shot gathers in OpenFWI's layout
 * (data*.npy [n, 5, 1000, 70] with model*.npy [n, 1, 70, 70] in the same folder, as OpenFWI ships them and
 * `velocity synth` writes them).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { type Command } from 'commander';
import { chooseBackend } from '../ml/backends';
import { OPENFWI_DATA_SIZE, OPENFWI_MODEL_SIZE } from '../velocity/openfwiLayout';
import { SEED_LOSS_WEIGHTS } from '../velocity/velocityLoss';
import { readVelocityEnsembleConfig } from '../velocity/velocityNetworkConfig';
import { trainVelocityEnsemble, type VelocitySamples } from '../velocity/velocityTraining';
import { NpyReader } from './npy';
import { UsageError } from './usageError';
import { velocityDatasetText, writeVelocityDataset } from './velocitySynth';

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
  if (target.endsWith('.npy')) return [target];
  const files = readdirSync(target)
    .filter((name) => /^data.*\.npy$/.test(name))
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
    .map((name) => path.join(target, name));
  if (files.length === 0) throw new UsageError(`${target}: no data*.npy file (OpenFWI layout)`);
  return files;
}

/** Every sample of the OpenFWI files under `targets`, with its true map (required for training). */
export function openFwiSamples(targets: readonly string[]): VelocitySamples & { close(): void } {
  const pairs = targets.flatMap(dataFiles).map(openPair);
  const count = pairs.reduce((sum, pair) => sum + pair.count, 0);
  return {
    count,
    read(index: number) {
      let local = index;
      for (const pair of pairs) {
        if (local < pair.count) {
          if (pair.models === null)
            throw new UsageError('velocity training needs the model*.npy beside each data*.npy');
          return { shots: pair.data.readItems(local, 1), velocity: pair.models.readItems(local, 1) };
        }
        local -= pair.count;
      }
      throw new RangeError(`sample ${index}: the data hold ${count}`);
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
  await chooseBackend(options.backend as Parameters<typeof chooseBackend>[0]);
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

export function registerVelocityCommands(program: Command): void {
  const velocity = program
    .command('velocity')
    .description('velocity model building from shot gathers (OpenFWI layout): train, predict, baseline, synth');
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
    .command('synth')
    .description('write a seeded dataset in OpenFWI layout (same as `synth --kind velocity`)')
    .requiredOption('--out <dir>', 'folder for data1.npy / model1.npy')
    .option('--family <name>', 'flat, curved, flatfault, curvefault or style', 'flat')
    .option('--count <n>', 'samples', '1')
    .option('--seed <n>', 'seed', '1')
    .action((options: { out: string; family: string; count: string; seed: string }) => {
      const summary = writeVelocityDataset({ ...options, count: Number(options.count), seed: Number(options.seed) });
      console.log(velocityDatasetText(summary));
    });
}

export const VELOCITY_SAMPLE_SIZES = { data: OPENFWI_DATA_SIZE, model: OPENFWI_MODEL_SIZE } as const;
