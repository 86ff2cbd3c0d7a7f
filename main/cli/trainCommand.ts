/** `promethium train`: import the data files into the project if needed, train, register the model. */
import path from 'node:path';
import { TRAINING_CORRUPTIONS, type JobInfo, type TrainingCorruption } from '../../preload/contract';
import type { AppServices } from '../workflows/services';
import type { TrainRequestInput } from '../workflows/trainingService';
import { EXIT } from './exitCodes';
import { ProgressBar } from './progressBar';
import { clusterTrainingChoice, submitClusterTraining } from './clusterTrainCommands';
import { cliServices, waitForJob } from './segyCommands';
import { UsageError } from './usageError';

export interface TrainCliOptions {
  task: string;
  data: string[];
  out: string;
  config: string;
  epochs: number;
  patch: number;
  batch: number;
  learningRate: number;
  timeBudget?: number;
  base?: string;
  corruption?: string;
  resume?: boolean;
  project: string;
  json?: boolean;
  seed?: number;
  /** Train on the project's Slurm cluster: one array task per model. */
  slurm?: boolean;
  ensemble?: number;
  /** A YAML/JSON list of configurations, one model each (trainingMembers.ts). */
  sweep?: string;
}

function isTrainingCorruption(kind: string): kind is TrainingCorruption {
  return (TRAINING_CORRUPTIONS as readonly string[]).includes(kind);
}

/** A ready survey of the project for this file, imported now if the project does not have it (or it changed). */
async function surveyFor(services: AppServices, file: string): Promise<string> {
  const sourcePath = path.resolve(file);
  const existing = services.surveys
    .list()
    .find((s) => s.sourcePath === sourcePath && s.state === 'ready' && s.sourceStatus === 'ok');
  if (existing) return existing.id;
  const { survey, job } = services.surveys.startImport({ path: sourcePath });
  const finished = await waitForJob(services, job, new ProgressBar(`importing ${path.basename(file)}`));
  if (finished.state !== 'done') {
    throw Object.assign(new Error(`import of ${file} failed: ${finished.error?.message}`), { exitCode: EXIT.badInput });
  }
  return survey.id;
}

function lastStoppedTraining(services: AppServices, name: string): JobInfo | undefined {
  return services.jobs
    .list()
    .find(
      (job) =>
        job.kind === 'train-model' &&
        job.title.endsWith(` ${name}`) &&
        ['cancelled', 'interrupted', 'failed'].includes(job.state),
    );
}

export async function runTraining(options: TrainCliOptions): Promise<void> {
  if (options.task !== 'denoise' && options.task !== 'interpolate') {
    throw new UsageError(`--task is denoise or interpolate, not '${options.task}'`);
  }
  const task = options.task;
  const corruption = options.corruption ?? 'synthetic';
  if (!isTrainingCorruption(corruption)) {
    throw new UsageError(`--corruption is ${TRAINING_CORRUPTIONS.join(', ')}, not '${corruption}'`);
  }
  if (corruption !== 'synthetic' && task !== 'denoise') {
    throw new UsageError(`--corruption ${corruption} trains denoisers only (interpolation hides live traces)`);
  }
  const sweep = await clusterTrainingChoice(options);
  const services = cliServices(options.project);
  try {
    let job: JobInfo;
    if (options.resume) {
      const stopped = lastStoppedTraining(services, options.out);
      if (!stopped)
        throw new UsageError(`no stopped training of '${options.out}' to resume in ${services.project.dir}`);
      job = services.jobs.resume(stopped.id);
    } else {
      if (options.data.length === 0) throw new UsageError('--data names at least one SEG-Y file to train on');
      const surveyIds = [];
      for (const file of options.data) surveyIds.push(await surveyFor(services, file));
      const input: TrainRequestInput = {
        name: options.out,
        task,
        surveyIds,
        config: options.config,
        baseModelId: options.base,
        epochs: options.epochs,
        batchSize: options.batch,
        patch: options.patch,
        learningRate: options.learningRate,
        timeBudgetSeconds: options.timeBudget,
        corruption,
        seed: options.seed,
      };
      if (options.slurm)
        return await submitClusterTraining(services, input, options.ensemble ?? 1, sweep, options.json);
      job = await services.training.start(input);
    }
    const finished = await waitForJob(services, job, new ProgressBar(`training ${options.out}`));
    if (finished.state !== 'done') {
      const hint =
        finished.state === 'cancelled' || finished.state === 'interrupted' ? ' (continue with --resume)' : '';
      throw Object.assign(new Error(`training ${finished.state}: ${finished.error?.message ?? ''}${hint}`), {
        exitCode: finished.state === 'cancelled' ? EXIT.cancelled : EXIT.internal,
      });
    }
    if (options.json) console.log(JSON.stringify(finished.result, null, 2));
    else console.log(`trained ${options.out}: ${JSON.stringify(finished.result)}`);
  } finally {
    services.close();
  }
}
