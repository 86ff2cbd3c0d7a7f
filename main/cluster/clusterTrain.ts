/**
 * Training on a Slurm cluster: one `sbatch --array` job with one task per model (the members of an ensemble, or the
 * configurations of a sweep: trainingMembers.ts), each running the project's own trainer (the 'train-model' compute
 * job) through `promethium cluster train-task` on a node, with `--gres=gpu:N` from the cluster settings. A task's
 * checkpoints are in its own folder, `PROJECT/cluster/TRAINING_ID/model-K/checkpoint/`, and every task runs with
 * resume on: killed and started again (the batch script retries, Slurm requeues a pre-empted task, `resume`
 * resubmits a failed one), it continues from its last complete epoch. The epochs its checkpoint holds are its
 * progress, and a `trained.json` beside it says it finished.
 *
 * The models are registered by a final job (`--dependency=afterok` on every task), not by the submitter polling:
 * trainings run for hours or days and the workstation that submitted them need not stay on. Tasks never open the
 * project database (SQLite on a network file system is not safe with writers on many nodes); the final job is its one
 * writer from the cluster, once every task is done, and registers member by member so that a final job run again
 * (resumed after a failure) never registers a model twice.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import {
  trainModelRequestSchema,
  type ClusterSettings,
  type ClusterTrainingStatus,
  type ClusterTrainingTaskStatus,
  type EpochMetrics,
  type TrainModelRequest,
} from '../../preload/contract';
import { writeFileAtomically } from '../files/atomicFile';
import { CHECKPOINT_FILES, readLastState } from '../ml/training/checkpoint';
import { readModelFiles } from '../ml/registry/modelFiles';
import type { ModelRegistry } from '../ml/registry/modelRegistry';
import type { ClusterTrainingRecord } from '../project/clusterTrainingsRepository';
import type { Project } from '../project/project';
import { sbatchOptions, shellQuote } from './clusterApply';
import { memberDir } from './trainingMembers';
import { ClusterError, arrayTaskStanding, jobStanding, jobStates, retryingBatchScript, sbatch, scancel } from './slurm';

const REQUEST_FILE = 'training.json';
const TASK_SCRIPT = 'train.sbatch';
const FINISH_SCRIPT = 'register.sbatch';
const TRAINED_FILE = 'trained.json';

/** What the tasks read: the training's id and each member's training request (paths included). */
const trainingRequestSchema = z.object({
  trainingId: z.string(),
  members: z.array(trainModelRequestSchema).min(1),
});
export type ClusterTrainingRequest = z.infer<typeof trainingRequestSchema>;

/** What a task records when its model is trained. */
const trainedSchema = z.object({ epochs: z.number().int().min(0), stoppedBecause: z.string() });
type Trained = z.infer<typeof trainedSchema>;

export interface TrainingSubmission {
  id: string;
  name: string;
  kind: 'ensemble' | 'sweep';
  members: TrainModelRequest[];
}

/** The folder of a training's cluster job: batch scripts, the request, the task logs, each model's checkpoints. */
export function trainingJobDir(projectDir: string, trainingId: string): string {
  return path.join(projectDir, 'cluster', trainingId);
}

function taskScript(command: string, project: Project, submission: TrainingSubmission): string {
  const task = `${command} cluster train-task --project ${shellQuote(project.dir)} --training ${submission.id} --model "$SLURM_ARRAY_TASK_ID"`;
  return retryingBatchScript(
    `one array task = one model of training ${submission.id} (${submission.members.length} models).`,
    task,
    'on model $SLURM_ARRAY_TASK_ID stopped; the next one resumes from its last checkpoint',
  );
}

function finishScript(command: string, project: Project, trainingId: string): string {
  return `#!/bin/bash
# Promethium: after every model of training ${trainingId} is trained: register them in the project.
set -u
exec ${command} cluster train-finish --project ${shellQuote(project.dir)} --training ${trainingId}
`;
}

function submitTasks(dir: string, settings: ClusterSettings, trainingId: string, indices: string): Promise<string> {
  return sbatch(
    [
      ...sbatchOptions(settings, `promethium-train-${trainingId.slice(0, 8)}`),
      `--array=${indices}`,
      '--requeue',
      `--output=${path.join(dir, 'logs', 'model-%a.log')}`,
    ],
    path.join(dir, TASK_SCRIPT),
  );
}

/** The final job, after `after` (none: it can run at once, every model being trained already). */
function submitFinish(dir: string, settings: ClusterSettings, trainingId: string, after: string[]): Promise<string> {
  return sbatch(
    [
      ...sbatchOptions({ ...settings, gpusPerTask: 0 }, `promethium-register-${trainingId.slice(0, 8)}`),
      ...(after.length ? [`--dependency=afterok:${after.join(':')}`] : []),
      `--output=${path.join(dir, 'logs', 'register.log')}`,
    ],
    path.join(dir, FINISH_SCRIPT),
  );
}

/** Submits the array job (one task per member) and the final job; records both in the project. */
export async function submitTraining(
  project: Project,
  submission: TrainingSubmission,
  settings: ClusterSettings,
  command: string,
): Promise<ClusterTrainingRecord> {
  const dir = trainingJobDir(project.dir, submission.id);
  await mkdir(path.join(dir, 'logs'), { recursive: true });
  const request: ClusterTrainingRequest = { trainingId: submission.id, members: submission.members };
  await writeFileAtomically(path.join(dir, REQUEST_FILE), JSON.stringify(request, null, 2));
  await writeFile(path.join(dir, TASK_SCRIPT), taskScript(command, project, submission), { mode: 0o755 });
  await writeFile(path.join(dir, FINISH_SCRIPT), finishScript(command, project, submission.id), { mode: 0o755 });
  const arrayJobId = await submitTasks(dir, settings, submission.id, `0-${submission.members.length - 1}`);
  const record: ClusterTrainingRecord = {
    id: submission.id,
    name: submission.name,
    kind: submission.kind,
    arrayJobIds: [arrayJobId],
    finishJobId: await submitFinish(dir, settings, submission.id, [arrayJobId]),
    members: submission.members.map((member) => ({ name: member.name, seed: member.seed ?? 1, epochs: member.epochs })),
    scriptDir: dir,
    submittedAt: new Date().toISOString(),
    modelIds: [],
  };
  project.clusterTrainings.save(record);
  return record;
}

/** The request the submission wrote, read on a node without opening the project database. */
export async function readTrainingRequest(projectDir: string, trainingId: string): Promise<ClusterTrainingRequest> {
  const file = path.join(trainingJobDir(projectDir, trainingId), REQUEST_FILE);
  const parsed = trainingRequestSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
  if (!parsed.success) throw new ClusterError(`${file} is not a training request: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

async function readTrained(dir: string, index: number): Promise<Trained | null> {
  const text = await readFile(path.join(memberDir(dir, index), TRAINED_FILE), 'utf8').catch(() => null);
  return text === null ? null : trainedSchema.parse(JSON.parse(text));
}

/**
 * Runs model `index` of a training with `train` (the compute job, started by the caller) unless it is trained
 * already (a task requeued after it finished), and records that it is.
 */
export async function runTrainingTask(
  projectDir: string,
  trainingId: string,
  index: number,
  train: (request: TrainModelRequest) => Promise<{ history: EpochMetrics[]; stoppedBecause: string }>,
): Promise<'trained' | 'already trained'> {
  const dir = trainingJobDir(projectDir, trainingId);
  const request = await readTrainingRequest(projectDir, trainingId);
  const member = request.members[index];
  if (!member)
    throw new ClusterError(`training ${trainingId} has ${request.members.length} models, not a model ${index}`);
  if (await readTrained(dir, index)) return 'already trained';
  const result = await train(member);
  const trained: Trained = { epochs: result.history.length, stoppedBecause: result.stoppedBecause };
  await writeFileAtomically(path.join(memberDir(dir, index), TRAINED_FILE), JSON.stringify(trained));
  return 'trained';
}

/** Epochs in a checkpoint, read without touching it (a task may be writing it): its state's `epoch`. */
async function checkpointEpochs(checkpointDir: string): Promise<number> {
  // The `last` folder is swapped in by two renames; between them the complete previous one is `last.previous`.
  for (const folder of [CHECKPOINT_FILES.last, `${CHECKPOINT_FILES.last}.previous`]) {
    const text = await readFile(path.join(checkpointDir, folder, CHECKPOINT_FILES.state), 'utf8').catch(() => null);
    if (text !== null) return (JSON.parse(text) as { epoch: number }).epoch;
  }
  return 0;
}

function checkpointDirOf(dir: string, index: number): string {
  return path.join(memberDir(dir, index), 'checkpoint');
}

/** Every task's state (squeue / sacct) and progress (the epochs its checkpoint holds). */
export async function trainingStatus(project: Project, record: ClusterTrainingRecord): Promise<ClusterTrainingStatus> {
  const states = await jobStates([...record.arrayJobIds, record.finishJobId]);
  // Read after Slurm answered: a final job that ended before the query has registered its models by now.
  const modelIds = project.clusterTrainings.get(record.id)?.modelIds ?? record.modelIds;
  const tasks: ClusterTrainingTaskStatus[] = [];
  for (const [index, member] of record.members.entries()) {
    const trained = await readTrained(record.scriptDir, index);
    tasks.push({
      index,
      name: member.name,
      seed: member.seed,
      ...arrayTaskStanding(states, record.arrayJobIds, index),
      epoch: trained?.epochs ?? (await checkpointEpochs(checkpointDirOf(record.scriptDir, index))),
      epochs: member.epochs,
      trained: trained !== null,
    });
  }
  return {
    trainingId: record.id,
    name: record.name,
    kind: record.kind,
    tasks,
    finish: jobStanding(states, record.finishJobId),
    modelIds,
  };
}

const isActive = (task: { state: string }): boolean => task.state === 'pending' || task.state === 'running';

/**
 * Resubmits the tasks that stopped (failed, cancelled) before their model was trained, as a new array of those
 * indices (each resumes from its last checkpoint), and a new final job after them and the tasks still queued or
 * running. Returns the resubmitted task indices.
 */
export async function resumeClusterTraining(
  project: Project,
  record: ClusterTrainingRecord,
  settings: ClusterSettings,
): Promise<number[]> {
  const status = await trainingStatus(project, record);
  if (status.finish.state === 'done') throw new ClusterError('the training has finished: nothing to resume');
  const stopped = status.tasks.filter((task) => !task.trained && !isActive(task)).map((task) => task.index);
  const active = status.tasks.filter(isActive).map((task) => task.slurmId);
  const newArrays = stopped.length ? [await submitTasks(record.scriptDir, settings, record.id, stopped.join(','))] : [];
  await scancel([record.finishJobId]);
  const finishJobId = await submitFinish(record.scriptDir, settings, record.id, [...active, ...newArrays]);
  project.clusterTrainings.save({ ...record, arrayJobIds: [...record.arrayJobIds, ...newArrays], finishJobId });
  return stopped;
}

/** Cancels every task and the final job; the checkpoints stay, and `resume` continues from them. */
export async function cancelClusterTraining(record: ClusterTrainingRecord): Promise<void> {
  await scancel([...record.arrayJobIds, record.finishJobId]);
}

/** The training-curve key of model `index` (training_metrics.job_id, models.training_job_id). */
function memberJobId(trainingId: string, index: number): string {
  return `${trainingId}:${index}`;
}

/**
 * Registers the trained models in member order, each with its card and its curves (the history its checkpoint
 * holds), then drops its checkpoints as a local training does. Models registered by an earlier run are skipped.
 */
export async function registerTrainedModels(
  project: Project,
  registry: ModelRegistry,
  record: ClusterTrainingRecord,
): Promise<string[]> {
  const request = await readTrainingRequest(project.dir, record.id);
  const modelIds = [...record.modelIds];
  for (let index = modelIds.length; index < request.members.length; index++) {
    const member = request.members[index]!;
    if (!(await readTrained(record.scriptDir, index))) {
      throw new ClusterError(`model ${index} (${member.name}) of training ${record.id} is not trained`);
    }
    const state = await readLastState(member.checkpointDir);
    const jobId = memberJobId(record.id, index);
    for (const epoch of state?.history ?? []) project.models.recordEpoch(jobId, epoch);
    const files = await readModelFiles(path.join(member.checkpointDir, CHECKPOINT_FILES.best));
    modelIds.push((await registry.add(files, jobId, project)).id);
    project.clusterTrainings.save({ ...record, modelIds });
    await rm(member.checkpointDir, { recursive: true, force: true });
  }
  return modelIds;
}
