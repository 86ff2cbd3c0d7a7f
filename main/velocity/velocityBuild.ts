/**
 * Building a velocity model from a pre-stack survey's shots (the `velocity-build` job and `promethium velocity
 * build`): the shots brought into the network's layout (shotGatherReader.ts), the ensemble's map with test-time
 * augmentation and its spread (velocityPrediction.ts), the semblance + Dix map of the same shots beside it, and the
 * shots modelled over the predicted map, so that the data residual shows where the map fails to explain the data.
 *
 * Field amplitudes have no absolute scale, so the modelled shots are scaled to the input by one least-squares factor
 * over every sample; the residual is the input minus them. Everything lands in one folder per survey, written under a
 * temporary name and renamed when complete (a new build replaces the old one whole):
 *
 *   velocity.npy, spread.npy, baseline.npy   float32 [1, 1, 70, 70], m/s (OpenFWI's model*.npy layout)
 *   shots.npy, modelled.npy                  float32 [1, 5, 1000, 70] (OpenFWI's data*.npy layout)
 *   build.json                               VelocityBuildRecord
 *
 * Reading a build back checks build.json against its schema and every array's shape and values, so that a damaged or
 * hand-edited build is reported by file name (a 'damaged-file' error) and never drawn.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { PromethiumError, type VelocityBuild } from '../../preload/contract';
import { renameDurably, writeFileAtomically } from '../files/atomicFile';
import { encodeNpy, NpyFormatError, NpyReader } from '../files/npy';
import { checkpoint } from '../ml/cancellation';
import { openSegy } from '../segy';
import { OPENFWI, OPENFWI_DATA_SIZE, OPENFWI_RECEIVERS, openFwiModeller } from './openfwiLayout';
import { semblanceVelocityMap } from './semblanceBaseline';
import { readShotGatherInput } from './shotGatherReader';
import { loadVelocityEnsemble } from './velocityEnsemble';
import { DEFAULT_PREDICTION, predictVelocity, type VelocityPrediction } from './velocityPrediction';
import { describeIssues } from '../common/validationIssues';

export interface VelocityBuildInput {
  surveyId: string;
  sourcePath: string;
  model: { id: string; name: string; dir: string };
  /** Time from the survey's time zero to the source's start, ms: the shots are placed that much later. */
  sourceDelayMs: number;
  resultDir: string;
}

export interface BuildProgress {
  signal: AbortSignal;
  progress(fraction: number, message: string): void;
}

/** What build.json holds: the build's figures without its arrays. */
export type VelocityBuildRecord = Omit<VelocityBuild, 'velocity' | 'spread' | 'baseline' | 'shots'> & {
  sourcePositionsM: number[];
};

/**
 * build.json as read back: the file may be damaged or edited by hand. A field added after the first builds has a
 * default that says what those builds did (they placed the shots with no source delay).
 */
const velocityBuildRecordSchema = z.object({
  surveyId: z.string(),
  model: z.object({ id: z.string(), name: z.string() }),
  builtAt: z.string(),
  cells: z.literal(OPENFWI.cells),
  spacingM: z.literal(OPENFWI.spacingM),
  line: z.object({ originX: z.number(), originY: z.number(), azimuthDeg: z.number() }),
  sourceDelayMs: z.number().default(0),
  sourcePositionsM: z.array(z.number()).length(OPENFWI.sourceColumns.length),
  modelledScale: z.number(),
  relativeResidual: z.number(),
  augmentedMaps: z.number().int().positive(),
  notes: z.array(z.string()),
  seconds: z.object({
    read: z.number(),
    predict: z.number(),
    baseline: z.number(),
    modelling: z.number(),
    total: z.number(),
  }),
}) satisfies z.ZodType<VelocityBuildRecord, unknown>;

const MAPS = ['velocity', 'spread', 'baseline'] as const;
export type VelocityMapName = (typeof MAPS)[number];
const MAP_SHAPE = [1, 1, OPENFWI.cells, OPENFWI.cells];
const SHOTS_SHAPE = [1, OPENFWI.sourceColumns.length, OPENFWI.samples, OPENFWI.cells];
const RECORD_FILE = 'build.json';

export async function buildVelocityModel(input: VelocityBuildInput, job: BuildProgress): Promise<VelocityBuildRecord> {
  const started = performance.now();
  const elapsed = (since: number) => (performance.now() - since) / 1000;
  job.progress(0.02, 'reading the shots');
  const file = await openSegy(input.sourcePath);
  const shots = await readShotGatherInput(file, input.sourceDelayMs / 1000, job.signal).finally(() => file.close());
  const readSeconds = elapsed(started);

  job.progress(0.1, `predicting with ${input.model.name} (test-time augmentation)`);
  await checkpoint(job.signal);
  const predictStarted = performance.now();
  const prediction = await predictWithEnsemble(input.model.dir, shots.shots);
  const predictSeconds = elapsed(predictStarted);

  job.progress(0.2, 'semblance + Dix on the same shots');
  await checkpoint(job.signal);
  const baselineStarted = performance.now();
  const baseline = semblanceVelocityMap(shots.shots);
  const baselineSeconds = elapsed(baselineStarted);

  const modellingStarted = performance.now();
  const modelled = await modelShots(prediction.velocity, job);
  const { scale, relativeResidual } = fitAmplitude(shots.shots, modelled);
  for (let k = 0; k < modelled.length; k++) modelled[k] = modelled[k]! * scale;
  const modellingSeconds = elapsed(modellingStarted);

  const { line } = shots.plan;
  const record: VelocityBuildRecord = {
    surveyId: input.surveyId,
    model: { id: input.model.id, name: input.model.name },
    builtAt: new Date().toISOString(),
    cells: OPENFWI.cells,
    spacingM: OPENFWI.spacingM,
    line: {
      originX: line.originX,
      originY: line.originY,
      azimuthDeg: ((Math.atan2(line.directionX, line.directionY) * 180) / Math.PI + 360) % 360,
    },
    sourceDelayMs: input.sourceDelayMs,
    sourcePositionsM: shots.plan.shots.map((shot) => shot.sourceAlongM),
    modelledScale: scale,
    relativeResidual,
    augmentedMaps: prediction.maps,
    notes: [...shots.notes],
    seconds: {
      read: readSeconds,
      predict: predictSeconds,
      baseline: baselineSeconds,
      modelling: modellingSeconds,
      total: elapsed(started),
    },
  };
  job.progress(0.98, 'saving the velocity model');
  await writeBuild(input.resultDir, record, {
    velocity: prediction.velocity,
    spread: prediction.uncertainty,
    baseline,
    shots: shots.shots,
    modelled,
  });
  return record;
}

/** The ensemble's map and spread (with test-time augmentation); the model is freed after its one use. */
async function predictWithEnsemble(modelDir: string, shots: Float32Array): Promise<VelocityPrediction> {
  const { model, params } = await loadVelocityEnsemble(modelDir);
  try {
    return predictVelocity(model, params, shots, DEFAULT_PREDICTION);
  } finally {
    model.dispose();
  }
}

/** The five shots of the predicted map, one at a time (a cancellation point between shots). */
async function modelShots(velocity: Float32Array, job: BuildProgress): Promise<Float32Array> {
  const modeller = openFwiModeller(velocity);
  const out = new Float32Array(OPENFWI_DATA_SIZE);
  const shotSize = OPENFWI.samples * OPENFWI.cells;
  for (const [shot, column] of OPENFWI.sourceColumns.entries()) {
    job.progress(0.25 + (0.7 * shot) / OPENFWI.sourceColumns.length, `modelling shot ${shot + 1} of 5 over the map`);
    await checkpoint(job.signal);
    const receivers = out.subarray(shot * shotSize, (shot + 1) * shotSize);
    modeller.shoot({ x: column, z: OPENFWI.surfaceRow }, OPENFWI_RECEIVERS, receivers);
  }
  return out;
}

/** The least-squares factor that scales `modelled` to `recorded`, and the residual's RMS over the input's. */
export function fitAmplitude(
  recorded: Float32Array,
  modelled: Float32Array,
): { scale: number; relativeResidual: number } {
  let cross = 0;
  let modelledEnergy = 0;
  let recordedEnergy = 0;
  for (let k = 0; k < recorded.length; k++) {
    cross += recorded[k]! * modelled[k]!;
    modelledEnergy += modelled[k]! * modelled[k]!;
    recordedEnergy += recorded[k]! * recorded[k]!;
  }
  const scale = modelledEnergy > 0 ? cross / modelledEnergy : 0;
  const residualEnergy = recordedEnergy - 2 * scale * cross + scale * scale * modelledEnergy;
  return { scale, relativeResidual: recordedEnergy > 0 ? Math.sqrt(Math.max(0, residualEnergy) / recordedEnergy) : 0 };
}

interface BuildArrays {
  velocity: Float32Array;
  spread: Float32Array;
  baseline: Float32Array;
  shots: Float32Array;
  modelled: Float32Array;
}

async function writeBuild(dir: string, record: VelocityBuildRecord, arrays: BuildArrays): Promise<void> {
  const partial = `${dir}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  try {
    for (const name of MAPS) await writeFileAtomically(npyPath(partial, name), encodeNpy(arrays[name], MAP_SHAPE));
    for (const name of ['shots', 'modelled'] as const) {
      await writeFileAtomically(npyPath(partial, name), encodeNpy(arrays[name], SHOTS_SHAPE));
    }
    await writeFileAtomically(path.join(partial, RECORD_FILE), JSON.stringify(record, null, 1));
    await rm(dir, { recursive: true, force: true });
    await renameDurably(partial, dir);
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw error;
  }
}

const npyPath = (dir: string, name: string) => path.join(dir, `${name}.npy`);

/** A stored build that cannot be read back, naming the file and what is wrong with it. */
function damagedBuild(problem: string): PromethiumError {
  return new PromethiumError(
    'damaged-file',
    `the stored velocity model is damaged: ${problem}; build the velocity model again`,
  );
}

/** One stored array, checked to have the shape the build wrote and only finite values (nothing NaN to draw). */
function readArray(dir: string, name: string, shape: readonly number[]): Float32Array {
  const file = npyPath(dir, name);
  if (!existsSync(file)) throw damagedBuild(`${file} is missing`);
  let reader: NpyReader;
  try {
    reader = NpyReader.open(file);
  } catch (error) {
    if (error instanceof NpyFormatError) throw damagedBuild(error.message);
    throw error;
  }
  try {
    if (reader.shape.join() !== shape.join()) {
      throw damagedBuild(`${file} holds an array of shape (${reader.shape.join(', ')}), not (${shape.join(', ')})`);
    }
    const values = reader.readItems(0, 1);
    if (!values.every(Number.isFinite))
      throw damagedBuild(`${file} holds values that are not numbers (NaN or infinite)`);
    return values;
  } finally {
    reader.close();
  }
}

/** The figures of the build stored in `dir` (build.json), or null when none was completed there. */
export async function readVelocityRecord(dir: string): Promise<VelocityBuildRecord | null> {
  const file = path.join(dir, RECORD_FILE);
  if (!existsSync(file)) return null;
  const text = await readFile(file, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw damagedBuild(`${file} is not valid JSON (${(error as Error).message})`);
  }
  const parsed = velocityBuildRecordSchema.safeParse(json);
  if (!parsed.success) {
    throw damagedBuild(`${file}: ${describeIssues(parsed.error.issues)}`);
  }
  return parsed.data;
}

/** The build stored in `dir` with its maps and shots, or null when none was completed there. */
export async function readVelocityBuild(dir: string): Promise<VelocityBuild | null> {
  const stored = await readVelocityRecord(dir);
  if (stored === null) return null;
  const { sourcePositionsM, ...record } = stored;
  return {
    ...record,
    velocity: readArray(dir, 'velocity', MAP_SHAPE),
    spread: readArray(dir, 'spread', MAP_SHAPE),
    baseline: readArray(dir, 'baseline', MAP_SHAPE),
    shots: {
      count: OPENFWI.sourceColumns.length,
      samples: OPENFWI.samples,
      receivers: OPENFWI.cells,
      sampleIntervalMs: OPENFWI.sampleIntervalS * 1000,
      sourcePositionsM,
      input: readArray(dir, 'shots', SHOTS_SHAPE),
      modelled: readArray(dir, 'modelled', SHOTS_SHAPE),
    },
  };
}

/** One stored map (velocity, spread or baseline), m/s [z, x]. */
export function readVelocityMap(dir: string, name: VelocityMapName): Float32Array {
  return readArray(dir, name, MAP_SHAPE);
}
