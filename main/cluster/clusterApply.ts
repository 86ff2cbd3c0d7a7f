/**
 * Apply to volume on a Slurm cluster. The survey's inlines are split into contiguous slices, one per task of one
 * `sbatch --array` job; each task runs `promethium cluster task` against the project on the shared file system and
 * writes only its own inlines of the derived volume (one chunk file per inline: tasks never write the same file). What
 * a task finished is the inline chunks on disk, so a task that is killed and started again (the batch script retries,
 * Slurm requeues a pre-empted task, `resume` resubmits a failed one) continues after its last finished inline, and the
 * result is byte-identical to a local apply. A final job (`--dependency=afterok` on every task) builds the 3D view's
 * downsampled volume, marks the volume ready and, when asked, exports it to SEG-Y.
 *
 * Tasks never write the project database (SQLite over a network file system is not safe with writers on many
 * nodes): only the submitting process and the final job do.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ApplyVolumeRequest, ClusterJobStatus, ClusterSettings, ClusterTaskStatus } from '../../preload/contract';
import { openVolumeWriter } from '../compute/applyVolume';
import type { ClusterJobRecord } from '../project/clusterJobsRepository';
import type { Project } from '../project/project';
import { SurveyCache } from '../survey/cache';
import { finishedInlineChunks } from '../survey/derivedVolume';
import { contiguousSlices } from '../survey/splitImport';
import { ClusterError, arrayTaskStanding, jobStanding, jobStates, retryingBatchScript, sbatch, scancel } from './slurm';

export const REQUEST_FILE = 'request.json';
const TASK_SCRIPT = 'apply.sbatch';
const FINISH_SCRIPT = 'finish.sbatch';

export interface FinishOptions {
  /** Export the finished volume to this SEG-Y file. */
  exportPath?: string;
  format?: 'source' | 'ieee';
}

/** The folder of a volume's cluster job: batch scripts, the request the tasks read, the task logs. */
export function clusterJobDir(projectDir: string, volumeId: string): string {
  return path.join(projectDir, 'cluster', volumeId);
}

/** Contiguous slices of inline indices 0..inlines-1, as even as possible, at most `tasks` of them. */
export function sliceInlines(inlines: number, tasks: number): [number, number][] {
  return contiguousSlices(inlines, tasks);
}

/** Quotes a word for bash, so paths with spaces or quotes reach the command as they are. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The shell command of this installation's CLI: the Node running us and the `promethium` script beside dist/. */
export function localPromethiumCommand(distDir: string): string {
  return [process.execPath, path.join(distDir, '..', 'bin', 'promethium.cjs')].map(shellQuote).join(' ');
}

/**
 * The command the nodes start Promethium with: the project's setting, else this installation's CLI (`localCommand`,
 * null where there is none, as in the desktop app), which works where the nodes see this disk.
 */
export function nodeCommand(settings: ClusterSettings, localCommand: string | null): string {
  if (settings.command) return settings.command;
  if (localCommand) return localCommand;
  throw new ClusterError(
    'set the command that starts Promethium on the nodes in the cluster settings (e.g. /opt/promethium/bin/promethium)',
  );
}

export function sbatchOptions(settings: ClusterSettings, name: string): string[] {
  const options = [`--job-name=${name}`, `--cpus-per-task=${settings.cpusPerTask}`];
  if (settings.partition) options.push(`--partition=${settings.partition}`);
  if (settings.account) options.push(`--account=${settings.account}`);
  if (settings.timeLimit) options.push(`--time=${settings.timeLimit}`);
  if (settings.gpusPerTask > 0) options.push(`--gres=gpu:${settings.gpusPerTask}`);
  if (settings.memoryPerTask) options.push(`--mem=${settings.memoryPerTask}`);
  return options;
}

function taskScript(command: string, project: Project, volumeId: string, slices: [number, number][]): string {
  const task = `${command} cluster task --project ${shellQuote(project.dir)} --volume ${volumeId} --slice "$slice"`;
  return retryingBatchScript(
    `one array task = one slice of inline indices of volume ${volumeId}.`,
    task,
    'on inline indices $slice stopped; the next one resumes after the last finished inline',
    [`slices=(${slices.map(([a, b]) => `${a}-${b}`).join(' ')})`, 'slice=${slices[$SLURM_ARRAY_TASK_ID]}'],
  );
}

function finishScript(command: string, project: Project, volumeId: string, options: FinishOptions): string {
  const exportArgs = options.exportPath
    ? ` --export ${shellQuote(path.resolve(options.exportPath))} --format ${options.format ?? 'source'}`
    : '';
  return `#!/bin/bash
# Promethium: after every task of volume ${volumeId} succeeded: the 3D view, the ready state${exportArgs ? ', the export' : ''}.
set -u
exec ${command} cluster finish --project ${shellQuote(project.dir)} --volume ${volumeId}${exportArgs}
`;
}

/**
 * Submits a planned apply (VolumeService.plan) as an array job and its final job; records both in the project.
 * `command`: how the nodes start Promethium (the settings' command, else this installation's).
 */
export async function submitApply(
  project: Project,
  request: ApplyVolumeRequest,
  settings: ClusterSettings,
  command: string,
  options: FinishOptions,
): Promise<ClusterJobRecord> {
  const dir = clusterJobDir(project.dir, request.volumeId);
  await mkdir(path.join(dir, 'logs'), { recursive: true });
  const input = await SurveyCache.open(request.inputDir);
  let inlines: number;
  try {
    inlines = input.shape[0];
    // Set the volume up once, here: the tasks only ever open it.
    await openVolumeWriter(request, input, false);
  } finally {
    await input.close();
  }
  const slices = sliceInlines(inlines, settings.tasks);
  await writeFile(path.join(dir, REQUEST_FILE), JSON.stringify(request, null, 2));
  await writeFile(path.join(dir, TASK_SCRIPT), taskScript(command, project, request.volumeId, slices), { mode: 0o755 });
  await writeFile(path.join(dir, FINISH_SCRIPT), finishScript(command, project, request.volumeId, options), {
    mode: 0o755,
  });
  const arrayJobId = await sbatch(
    [
      ...sbatchOptions(settings, `promethium-apply-${request.volumeId.slice(0, 8)}`),
      `--array=0-${slices.length - 1}`,
      '--requeue',
      `--output=${path.join(dir, 'logs', 'task-%a.log')}`,
    ],
    path.join(dir, TASK_SCRIPT),
  );
  const finishJobId = await submitFinish(dir, settings, request.volumeId, [arrayJobId]);
  const record: ClusterJobRecord = {
    volumeId: request.volumeId,
    arrayJobIds: [arrayJobId],
    finishJobId,
    slices,
    scriptDir: dir,
    submittedAt: new Date().toISOString(),
  };
  project.clusterJobs.save(record);
  project.volumes.setState(request.volumeId, 'running', `slurm:${arrayJobId}`);
  return record;
}

function submitFinish(dir: string, settings: ClusterSettings, volumeId: string, after: string[]): Promise<string> {
  return sbatch(
    [
      ...sbatchOptions({ ...settings, gpusPerTask: 0 }, `promethium-finish-${volumeId.slice(0, 8)}`),
      `--dependency=afterok:${after.join(':')}`,
      `--output=${path.join(dir, 'logs', 'finish.log')}`,
    ],
    path.join(dir, FINISH_SCRIPT),
  );
}

/** Every task's state (from squeue / sacct) and progress (from the inline chunks the tasks wrote). */
export async function clusterStatus(record: ClusterJobRecord, volumeDir: string): Promise<ClusterJobStatus> {
  const states = await jobStates([...record.arrayJobIds, record.finishJobId]);
  const totalInlines = record.slices.at(-1)![1] + 1;
  const done = await finishedInlineChunks(volumeDir);
  const tasks = record.slices.map((slice, index): ClusterTaskStatus => {
    const inSlice = [...done].filter((il) => il >= slice[0] && il <= slice[1]).length;
    return {
      index,
      slice,
      ...arrayTaskStanding(states, record.arrayJobIds, index),
      finishedInlines: inSlice,
      inlines: slice[1] - slice[0] + 1,
    };
  });
  return {
    volumeId: record.volumeId,
    tasks,
    finish: jobStanding(states, record.finishJobId),
    finishedInlines: done.size,
    totalInlines,
  };
}

/**
 * Resubmits the tasks that failed or were cancelled with inlines left to do (they resume after their last finished
 * inline) and a new final job after them and after the tasks still queued or running. Returns the resubmitted task
 * indices.
 */
export async function resumeClusterApply(
  project: Project,
  record: ClusterJobRecord,
  volumeDir: string,
  settings: ClusterSettings,
): Promise<number[]> {
  const status = await clusterStatus(record, volumeDir);
  if (status.finish.state === 'done') throw new ClusterError('the cluster job has finished: nothing to resume');
  const stopped = status.tasks.filter(
    (task) => task.finishedInlines < task.inlines && !['pending', 'running'].includes(task.state),
  );
  const active = status.tasks.filter((task) => ['pending', 'running'].includes(task.state)).map((t) => t.slurmId);
  const newArrays: string[] = [];
  if (stopped.length) {
    newArrays.push(
      await sbatch(
        [
          ...sbatchOptions(settings, `promethium-apply-${record.volumeId.slice(0, 8)}`),
          `--array=${stopped.map((task) => task.index).join(',')}`,
          '--requeue',
          `--output=${path.join(record.scriptDir, 'logs', 'task-%a.log')}`,
        ],
        path.join(record.scriptDir, TASK_SCRIPT),
      ),
    );
  }
  await scancel([record.finishJobId]);
  const finishJobId = await submitFinish(record.scriptDir, settings, record.volumeId, [...active, ...newArrays]);
  project.clusterJobs.save({ ...record, arrayJobIds: [...record.arrayJobIds, ...newArrays], finishJobId });
  project.volumes.setState(record.volumeId, 'running', `slurm:${newArrays.at(-1) ?? record.arrayJobIds.at(-1)}`);
  return stopped.map((task) => task.index);
}

/** Cancels every task and the final job; the finished inlines stay, and `resume` continues after them. */
export async function cancelClusterApply(project: Project, record: ClusterJobRecord): Promise<void> {
  await scancel([...record.arrayJobIds, record.finishJobId]);
  project.volumes.setState(record.volumeId, 'interrupted', `slurm:${record.arrayJobIds.at(-1)}`);
}
