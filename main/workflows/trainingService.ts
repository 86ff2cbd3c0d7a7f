/**
 * Starting training jobs from the API/CLI and registering their models when they finish. Lives in the main process:
 * it turns user choices (surveys, config name, base model) into a job request with paths, which the renderer never sends.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import {
  PromethiumError,
  type EpochMetrics,
  type JobInfo,
  type JobRequest,
  type TrainingCorruption,
} from '../../preload/contract';
import type { JobRecord, JobRunner } from '../jobs/jobRunner';
import type { Project } from '../project/project';
import { resolveModelConfig } from '../ml/configCatalog';
import type { TrainModelResult } from '../compute/trainModel';
import { readModelFiles } from '../ml/registry/modelFiles';
import type { ModelRegistry } from '../ml/registry/modelRegistry';

export interface TrainRequestInput {
  name: string;
  task: 'denoise' | 'interpolate';
  surveyIds: string[];
  /** A bundled config's name, or (the CLI's --config) a config file's path. */
  config: string;
  /** A config file in place of `config` (the API's way to name one: the path fence has admitted it). */
  configFile?: string;
  baseModelId?: string;
  epochs: number;
  batchSize: number;
  patch: number;
  learningRate: number;
  timeBudgetSeconds?: number;
  /** 'synthetic' by default; 'blind-spot' or 'recorrupted' for denoisers trained on noisy field data (taskBatches.ts). */
  corruption?: TrainingCorruption;
  /** The run's seed (starting weights, shuffles, corruption); 1 when absent. */
  seed?: number;
}

/** What a finished job says when no epoch beat the base model (trainer.ts, keptBase). */
const KEPT_BASE_RESULT =
  "training did not beat the base model on this survey's held-out lines; the result is the base model";

type TrainJobRequest = Extract<JobRequest, { kind: 'train-model' }>;

function keptBaseNote(result: TrainModelResult): string {
  const comparison = result.adaptComparison;
  if (!comparison?.keepBase) return KEPT_BASE_RESULT;
  const worse = 10 * Math.log10(comparison.adaptedMse / comparison.baseMse);
  const by = Number.isFinite(worse) && worse > 0 ? ` (its estimated error ${worse.toFixed(2)} dB higher)` : '';
  return `the adapted model was no better than the base model on ${comparison.lines} lines of this survey by Stein's unbiased risk estimate${by}; the result is the base model`;
}

export class TrainingService {
  constructor(
    private readonly project: () => Project,
    private readonly jobs: JobRunner,
    private readonly models: ModelRegistry,
  ) {}

  async start(input: TrainRequestInput): Promise<JobInfo> {
    return this.jobs.start(await this.plan(input));
  }

  /**
   * The job request of a training: the surveys' caches, the resolved config or the base model's folder, a fresh
   * checkpoint folder in the project. A cluster training (ClusterTrainingService) makes its tasks' requests from it.
   */
  async plan(input: TrainRequestInput): Promise<TrainJobRequest> {
    const project = this.project();
    const sources = input.surveyIds.map((id) => {
      const stored = project.surveys.get(id);
      if (!stored) throw new PromethiumError('not-found', `no survey ${id} in this project`);
      if (stored.summary.state !== 'ready') {
        throw new PromethiumError('invalid-argument', `${stored.summary.name} is still importing or failed to import`);
      }
      // 3D inlines, a 2D line and pre-stack gathers all train alike (training/patchSource.ts).
      return { surveyId: id, cacheDir: stored.cacheDir, sourcePath: stored.summary.sourcePath };
    });
    const base = input.baseModelId;
    return {
      kind: 'train-model',
      name: input.name,
      task: input.task,
      config: base ? null : await resolveModelConfig(input.configFile ?? input.config),
      sources,
      epochs: input.epochs,
      batchSize: input.batchSize,
      patch: input.patch,
      learningRate: input.learningRate,
      timeBudgetSeconds: input.timeBudgetSeconds,
      corruption: input.corruption ?? 'synthetic',
      initialModelDir: base ? this.models.folder(base) : undefined,
      parentId: base ?? null,
      checkpointDir: path.join(project.dir, 'training', randomUUID()),
      resume: false,
      seed: input.seed,
    };
  }

  /**
   * Fine-tunes `modelId` on one survey for a time box, self-supervised: the survey is its own target. Interpolation
   * models learn to restore live traces hidden from them. Denoisers train on recorrupted pairs: the survey is already
   * noisy, so adding noise and asking for the survey back would teach them to keep its noise; instead white noise at
   * the survey's own level is added to the input and subtracted from the target, which in expectation asks for the
   * clean survey (taskBatches.ts). Blind-spot pairs, the earlier choice, made the bundled denoisers worse on two of the
   * three real datasets of the quality benchmark (BENCHMARKS.md).
   */
  async adapt(input: { modelId: string; surveyId: string; timeBudgetSeconds: number }): Promise<JobInfo> {
    const details = await this.models.get(input.modelId);
    const survey = this.project().surveys.get(input.surveyId);
    if (!survey) throw new PromethiumError('not-found', `no survey ${input.surveyId} in this project`);
    const task = details.summary.task;
    if (task === 'velocity') {
      throw new PromethiumError(
        'invalid-argument',
        `${details.summary.name} builds velocity models from shot gathers: it has no survey of its own to adapt to`,
      );
    }
    const trainedPatch = (details.card.config as { training?: { patch?: unknown } } | null)?.training?.patch;
    return this.start({
      name: `${details.summary.name} adapted to ${survey.summary.name}`,
      task,
      surveyIds: [input.surveyId],
      config: '',
      baseModelId: input.modelId,
      epochs: 1000,
      batchSize: 8,
      patch: typeof trainedPatch === 'number' ? trainedPatch : 128,
      // With BatchNorm frozen (trainModel.ts), the bundled models' own rate: 5e-4 gained a third as much in the quality
      // benchmark's 40 s adaptations (Gaussian 0 dB on F3, Viking Graben, Mobil).
      learningRate: 2e-3,
      timeBudgetSeconds: input.timeBudgetSeconds,
      corruption: task === 'denoise' ? 'recorrupted' : 'synthetic',
    });
  }

  recordEpoch(job: JobRecord, detail: unknown): void {
    if (job.request.kind === 'train-model') job.project.models.recordEpoch(job.info.id, detail as EpochMetrics);
  }

  /** A finished training registers its best model; stopped ones keep their checkpoints for `jobs.resume`. */
  async finish(job: JobRecord): Promise<void> {
    if (job.request.kind !== 'train-model' || job.info.state !== 'done') return;
    const result = job.info.result as TrainModelResult;
    for (const epoch of result.history) job.project.models.recordEpoch(job.info.id, epoch);
    const summary = await this.models.add(await readModelFiles(result.bestModelDir), job.info.id, job.project);
    job.info.result = {
      modelId: summary.id,
      name: summary.name,
      stoppedBecause: result.stoppedBecause,
      epochs: result.history.length,
      // Fine-tuning that never beat the base on the held-out lines registers the base's weights: say so, not "adapted".
      keptBase: result.keptBase,
      ...(result.keptBase ? { note: keptBaseNote(result) } : {}),
      ...(result.adaptComparison ? { adaptComparison: result.adaptComparison } : {}),
    };
    await rm(job.request.checkpointDir, { recursive: true, force: true });
  }
}
