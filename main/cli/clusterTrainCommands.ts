/**
 * Training on the project's Slurm cluster from the command line: `promethium train … --slurm [--ensemble N | --sweep
 * FILE]` submits it (trainCommand.ts calls here), `promethium cluster train-status|train-resume|train-cancel` follow
 * it, and the batch scripts run the two hidden commands on the nodes (`train-task`, `train-finish`).
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { ClusterTrainingStatus, TrainingSweepEntry } from '../../preload/contract';
import { runTrainingTask } from '../cluster/clusterTrain';
import { parseSweepText } from '../cluster/trainingMembers';
import type { TrainModelResult } from '../compute/trainModel';
import type { TrainRequestInput } from '../workflows/trainingService';
import type { AppServices } from '../workflows/services';
import { runComputeJob } from './clusterCommands';
import { cliServices } from './segyCommands';
import { UsageError } from './usageError';

/** Checks the cluster options of `train` before anything is imported or submitted; returns the sweep, if any. */
export async function clusterTrainingChoice(options: {
  slurm?: boolean;
  ensemble?: number;
  sweep?: string;
  resume?: boolean;
}): Promise<TrainingSweepEntry[] | undefined> {
  if (!options.slurm) {
    if (options.ensemble !== undefined || options.sweep !== undefined) {
      throw new UsageError('--ensemble and --sweep train on the cluster: add --slurm');
    }
    return undefined;
  }
  if (options.resume)
    throw new UsageError('--resume continues a local training; use `promethium cluster train-resume ID`');
  if (options.ensemble !== undefined && options.sweep !== undefined) {
    throw new UsageError('a cluster training is an ensemble (--ensemble) or a sweep (--sweep), not both');
  }
  if (options.ensemble !== undefined && (!Number.isInteger(options.ensemble) || options.ensemble > 64)) {
    throw new UsageError(`--ensemble is a whole number of models, 1..64, not ${options.ensemble}`);
  }
  if (options.sweep === undefined) return undefined;
  const text = await readFile(options.sweep, 'utf8').catch((error: Error) => {
    throw new UsageError(`--sweep ${options.sweep}: ${error.message}`);
  });
  return parseSweepText(text, options.sweep);
}

export async function submitClusterTraining(
  services: AppServices,
  input: TrainRequestInput,
  ensemble: number,
  sweep: TrainingSweepEntry[] | undefined,
  json: boolean | undefined,
): Promise<void> {
  const status = await services.clusterTraining.submit({ ...input, ensemble, sweep });
  if (json) return console.log(JSON.stringify(status, null, 2));
  console.log(
    `training ${status.trainingId}: ${status.tasks.length} models as array job ${status.tasks[0]?.slurmId.split('_')[0]}, final job ${status.finish.slurmId}`,
  );
  console.error(
    `follow it with: promethium cluster train-status ${status.trainingId} --project ${services.project.dir}`,
  );
}

export function describeTraining(status: ClusterTrainingStatus): string {
  const lines = status.tasks.map(
    (task) =>
      `  model ${task.index} (${task.slurmId}) ${task.name}, seed ${task.seed}: ${task.state} (${task.slurmState}), ` +
      `${task.trained ? `trained in ${task.epoch} epoch${task.epoch === 1 ? '' : 's'}` : `epoch ${task.epoch} of ${task.epochs}`}`,
  );
  const registered = status.modelIds.length ? `; registered models ${status.modelIds.join(', ')}` : '';
  return [
    `training ${status.trainingId} (${status.name}, ${status.kind} of ${status.tasks.length})${registered}`,
    ...lines,
    `  final job ${status.finish.slurmId}: ${status.finish.state} (${status.finish.slurmState})`,
  ].join('\n');
}

function modelIndex(spec: string): number {
  if (!/^\d+$/.test(spec)) throw new UsageError(`--model takes the model's index in the training, not "${spec}"`);
  return Number(spec);
}

async function withServices<T>(projectDir: string, work: (services: AppServices) => Promise<T>): Promise<T> {
  const services = cliServices(projectDir);
  return work(services).finally(() => services.close());
}

export function registerClusterTrainingCommands(cluster: Command): void {
  cluster
    .command('train-status')
    .description('the models of a training sent to the cluster: state and epochs done')
    .argument('<training-id>', 'training id (printed by train --slurm)')
    .requiredOption('--project <dir>', 'project folder')
    .option('--json', 'print JSON')
    .action(async (trainingId: string, options: { project: string; json?: boolean }) =>
      withServices(options.project, async (services) => {
        const status = await services.clusterTraining.status(trainingId);
        console.log(options.json ? JSON.stringify(status, null, 2) : describeTraining(status));
      }),
    );

  cluster
    .command('train-resume')
    .description('resubmit the stopped models of a training (each resumes from its last checkpoint)')
    .argument('<training-id>', 'training id')
    .requiredOption('--project <dir>', 'project folder')
    .action(async (trainingId: string, options: { project: string }) =>
      withServices(options.project, async (services) => {
        const tasks = await services.clusterTraining.resume(trainingId);
        console.log(tasks.length ? `resubmitted models ${tasks.join(', ')}` : 'no model needed resubmitting');
      }),
    );

  cluster
    .command('train-cancel')
    .description('cancel the models and the final job of a training (their checkpoints stay)')
    .argument('<training-id>', 'training id')
    .requiredOption('--project <dir>', 'project folder')
    .action(async (trainingId: string, options: { project: string }) =>
      withServices(options.project, async (services) => {
        await services.clusterTraining.cancel(trainingId);
        console.log(
          `cancelled; continue later with: promethium cluster train-resume ${trainingId} --project ${options.project}`,
        );
      }),
    );

  cluster
    .command('train-task', { hidden: true })
    .description('run on a node by the batch script: train one model of a training, resuming from its checkpoint')
    .requiredOption('--project <dir>', 'project folder')
    .requiredOption('--training <id>', 'training id')
    .requiredOption('--model <index>', "the model's index in the training")
    .action(async (options: { project: string; training: string; model: string }) => {
      // Tasks never open the project database: the request file written at submission holds all they need.
      const outcome = await runTrainingTask(
        options.project,
        options.training,
        modelIndex(options.model),
        (request) => runComputeJob(request, `model ${options.model}`) as Promise<TrainModelResult>,
      );
      console.log(`model ${options.model} ${outcome}`);
    });

  cluster
    .command('train-finish', { hidden: true })
    .description('run by the final job: register the trained models in the project')
    .requiredOption('--project <dir>', 'project folder')
    .requiredOption('--training <id>', 'training id')
    .action(async (options: { project: string; training: string }) =>
      withServices(options.project, async (services) => {
        const modelIds = await services.clusterTraining.register(options.training);
        console.log(`registered models ${modelIds.join(', ')}`);
      }),
    );
}
