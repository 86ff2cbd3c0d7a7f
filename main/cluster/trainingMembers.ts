/**
 * The models of a training handed to the cluster, one array task each: an ensemble (the same training with seeds
 * 1..N, so member 1 is the local training with its default seed) or a sweep (a list of configurations, each changing
 * some of the training's settings or of its model's params). Sweeps come from users' files, so every entry is checked
 * here, before anything is submitted, and a bad one is refused naming the entry and the field.
 */
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  PromethiumError,
  trainingSweepEntrySchema,
  type TrainModelRequest,
  type TrainingSweepEntry,
} from '../../preload/contract';
import { resolveModelConfig } from '../ml/configCatalog';
import { parseModelConfig } from '../ml/modelConfig';

export class SweepError extends PromethiumError {
  constructor(message: string) {
    super('invalid-argument', message);
  }
}

/** Checks a sweep as parsed from YAML or JSON: a non-empty list of configurations, each one valid. */
export function parseSweep(value: unknown, source: string): TrainingSweepEntry[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new SweepError(`${source}: a sweep is a list of configurations, e.g. "- { learningRate: 0.001 }"`);
  }
  return value.map((entry, index) => {
    const result = trainingSweepEntrySchema.safeParse(entry);
    if (result.success) return result.data;
    const issue = result.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      const known = Object.keys(trainingSweepEntrySchema.shape).join(', ');
      throw new SweepError(
        `${source}: entry ${index + 1}, field ${issue.keys.join(', ')}: not something a sweep changes (${known})`,
      );
    }
    const field = issue.path.join('.');
    throw new SweepError(`${source}: entry ${index + 1}${field ? `, field ${field}` : ''}: ${issue.message}`);
  });
}

/** A sweep file's text (YAML or JSON: YAML reads both). */
export function parseSweepText(text: string, source: string): TrainingSweepEntry[] {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new SweepError(`${source}: not valid YAML or JSON (${error instanceof Error ? error.message : error})`);
  }
  return parseSweep(value, source);
}

/** The folder of model `index` in the training's folder: its checkpoints and, once trained, its result. */
export function memberDir(trainingDir: string, index: number): string {
  return path.join(trainingDir, `model-${index}`);
}

/** Ensemble member k (from 0) trains with seed k + 1. */
export function ensembleMembers(base: TrainModelRequest, size: number, trainingDir: string): TrainModelRequest[] {
  return Array.from({ length: size }, (_, index) => ({
    ...base,
    name: size === 1 ? base.name : `${base.name}, member ${index + 1} of ${size}`,
    seed: index + 1,
    checkpointDir: path.join(memberDir(trainingDir, index), 'checkpoint'),
    resume: true,
  }));
}

/** One member per sweep entry: the base training with the entry's changes, its model config checked. */
export async function sweepMembers(
  base: TrainModelRequest,
  sweep: TrainingSweepEntry[],
  trainingDir: string,
): Promise<TrainModelRequest[]> {
  const members: TrainModelRequest[] = [];
  for (const [index, entry] of sweep.entries()) {
    const source = `sweep entry ${index + 1}`;
    if ((entry.config !== undefined || entry.params !== undefined) && base.initialModelDir !== undefined) {
      throw new SweepError(`${source}: a fine-tuning keeps its base model's architecture (no config or params)`);
    }
    members.push({
      ...base,
      name: entry.name ?? `${base.name}, configuration ${index + 1} of ${sweep.length}`,
      seed: entry.seed ?? base.seed ?? 1,
      config: await sweepConfig(base.config, entry, source),
      epochs: entry.epochs ?? base.epochs,
      batchSize: entry.batchSize ?? base.batchSize,
      patch: entry.patch ?? base.patch,
      learningRate: entry.learningRate ?? base.learningRate,
      checkpointDir: path.join(memberDir(trainingDir, index), 'checkpoint'),
      resume: true,
    });
  }
  return members;
}

async function sweepConfig(baseConfig: unknown, entry: TrainingSweepEntry, source: string): Promise<unknown> {
  if (entry.config === undefined && entry.params === undefined) return baseConfig;
  const config = entry.config === undefined ? parseModelConfig(baseConfig) : await configNamed(entry.config, source);
  if (entry.params === undefined) return config;
  const params = { ...(config.params as Record<string, unknown>), ...entry.params };
  try {
    return parseModelConfig({ architecture: config.architecture, params }, source);
  } catch (error) {
    throw new SweepError((error as Error).message.replace(`${source}: `, `${source}, field `));
  }
}

async function configNamed(name: string, source: string) {
  try {
    return await resolveModelConfig(name);
  } catch (error) {
    throw new SweepError(`${source}, field config: ${(error as Error).message}`);
  }
}
