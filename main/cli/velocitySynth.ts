/**
 * `promethium synth --kind velocity --family F --count N --seed S --out DIR`: a seeded velocity-building dataset in
 * OpenFWI's layout and file naming, data1.npy [n, 5, 1000, 70] + model1.npy [n, 1, 70, 70], data2.npy ... with at most
 * 500 samples per pair, as OpenFWI ships them. Each sample's model comes from its own seed (run seed, family, index),
 * so any sample can be regenerated alone; its shots are modelled by the finite-difference modeller.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { deriveSeed } from '../signal/random';
import { isVelocityFamily, velocityModel, VELOCITY_FAMILIES, type VelocityFamily } from '../synth/velocityModels';
import { modelOpenFwiShots, OPENFWI, OPENFWI_DATA_SIZE, OPENFWI_SHOTS } from '../velocity/openfwiLayout';
import { writeShotGatherSegy } from '../velocity/shotGatherSegy';
import { NpyReader, NpyWriter } from '../files/npy';
import { ProgressBar } from './progressBar';
import { UsageError } from './usageError';

/** Samples per data*.npy / model*.npy pair (OpenFWI's own file size). */
export const SAMPLES_PER_FILE = 500;

export interface VelocitySynthOptions {
  readonly out: string;
  readonly family?: string;
  readonly count?: number;
  readonly seed?: number;
}

export interface VelocityDatasetSummary {
  readonly dir: string;
  readonly family: VelocityFamily;
  readonly count: number;
  readonly files: readonly string[];
  readonly seconds: number;
}

export function velocityFamily(text: string): VelocityFamily {
  if (isVelocityFamily(text)) return text;
  throw new UsageError(`family '${text}': expected ${VELOCITY_FAMILIES.join(', ')}`);
}

/** Generates and writes the dataset; each pair is written to .partial files and renamed when complete. */
export function writeVelocityDataset(options: VelocitySynthOptions): VelocityDatasetSummary {
  const family = velocityFamily(options.family ?? 'flat');
  const count = options.count ?? 1;
  if (!(Number.isInteger(count) && count >= 1))
    throw new UsageError(`--count ${count}: give a whole number of samples >= 1`);
  const seed = options.seed ?? 1;
  const started = performance.now();
  mkdirSync(options.out, { recursive: true });
  const progress = new ProgressBar(`modelling ${count} ${family} samples`);
  const files: string[] = [];
  const shots = new Float32Array(OPENFWI_DATA_SIZE);
  for (let first = 0, file = 1; first < count; first += SAMPLES_PER_FILE, file++) {
    const inFile = Math.min(SAMPLES_PER_FILE, count - first);
    const dataPath = path.join(options.out, `data${file}.npy`);
    const modelPath = path.join(options.out, `model${file}.npy`);
    const data = new NpyWriter(dataPath, [inFile, OPENFWI_SHOTS, OPENFWI.samples, OPENFWI.cells]);
    const models = new NpyWriter(modelPath, [inFile, 1, OPENFWI.cells, OPENFWI.cells]);
    try {
      for (let i = first; i < first + inFile; i++) {
        const model = velocityModel(family, deriveSeed(seed, family, i), OPENFWI.cells, OPENFWI.cells);
        data.append(modelOpenFwiShots(model, shots));
        models.append(model);
        progress.update((i + 1) / count, `sample ${i + 1}`);
      }
    } catch (error) {
      data.abort();
      models.abort();
      throw error;
    }
    data.close();
    models.close();
    files.push(dataPath, modelPath);
  }
  progress.done();
  return { dir: options.out, family, count, files, seconds: (performance.now() - started) / 1000 };
}

/**
 * Each sample's shots (read back from the written data*.npy) also as a pre-stack SEG-Y, shots<i>.sgy from 1, the way
 * field shot gathers arrive: the velocity build's input, with the sample's map in model*.npy as its answer.
 */
export async function writeDatasetShotGathers(summary: VelocityDatasetSummary): Promise<VelocityDatasetSummary> {
  const written: string[] = [];
  let sample = 0;
  for (const dataPath of summary.files.filter((file) => path.basename(file).startsWith('data'))) {
    const data = NpyReader.open(dataPath);
    try {
      for (let local = 0; local < (data.shape[0] ?? 0); local++) {
        sample += 1;
        const target = path.join(summary.dir, `shots${sample}.sgy`);
        const description = `${summary.family} family, sample ${sample} of ${path.basename(dataPath)}`;
        await writeShotGatherSegy(target, data.readItems(local, 1), description);
        written.push(target);
      }
    } finally {
      data.close();
    }
  }
  return { ...summary, files: [...summary.files, ...written] };
}

export function velocityDatasetText(summary: VelocityDatasetSummary): string {
  return [
    `wrote ${summary.count} ${summary.family} samples (5 shots x 1000 samples x 70 receivers, 70 x 70 velocity map) to ${summary.dir}:`,
    ...summary.files.map((file) => `  ${path.basename(file)}`),
    `in ${summary.seconds.toFixed(1)} s`,
  ].join('\n');
}
