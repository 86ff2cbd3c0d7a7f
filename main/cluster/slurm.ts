/**
 * The Slurm commands Promethium uses, run as the user would run them (sbatch, squeue, sacct, scontrol, scancel on the
 * PATH): no scheduler or protocol of our own. Every failure becomes a ClusterError that quotes what Slurm said.
 */
import { execFile } from 'node:child_process';
import { PromethiumError, type ClusterTaskState } from '../../preload/contract';

export class ClusterError extends PromethiumError {
  constructor(message: string) {
    super('unavailable', message);
  }
}

export interface SlurmJobState {
  /** `1234_5` for array task 5 of job 1234; `1235` for a plain job. */
  id: string;
  state: ClusterTaskState;
  /** Slurm's own word (PENDING, RUNNING, COMPLETED, FAILED, NODE_FAIL, PREEMPTED, ...). */
  slurmState: string;
}

const TIMEOUT_MS = 30_000;

export function runSlurm(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env, timeout: TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      const said = stderr.trim() || error.message;
      reject(
        new ClusterError(
          missing ? `${command} is not on the PATH: is Slurm installed here?` : `${command} ${args[0] ?? ''}: ${said}`,
        ),
      );
    });
  });
}

/** Submits a batch script; returns the job id (`sbatch --parsable` prints `id` or `id;cluster`). */
export async function sbatch(args: string[], scriptPath: string): Promise<string> {
  const out = await runSlurm('sbatch', ['--parsable', ...args, scriptPath]);
  const id = out.trim().split(';')[0] ?? '';
  if (!/^\d+$/.test(id)) throw new ClusterError(`sbatch answered "${out.trim()}" instead of a job id`);
  return id;
}

/** Attempts of one task inside its allocation: a crash of the process (not of the node) costs no queue wait. */
const ATTEMPTS_PER_TASK = 3;

/**
 * A batch script that runs `command` up to three times inside its allocation, each attempt continuing after what the
 * one before recorded. `what` heads the script; `stopped` ends the log line of a stopped attempt ("attempt N ...");
 * `setup` lines run first (bash, e.g. picking the task's share from $SLURM_ARRAY_TASK_ID).
 */
export function retryingBatchScript(what: string, command: string, stopped: string, setup: string[] = []): string {
  return [
    '#!/bin/bash',
    `# Promethium: ${what}`,
    'set -u',
    ...setup,
    `for attempt in $(seq ${ATTEMPTS_PER_TASK}); do`,
    `  ${command} && exit 0`,
    `  echo "promethium: attempt $attempt ${stopped}" >&2`,
    'done',
    'exit 1',
    '',
  ].join('\n');
}

export function foldState(slurmState: string): ClusterTaskState {
  const word = slurmState.split(/[\s+]/)[0]!.toUpperCase();
  if (['PENDING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'RESV_DEL_HOLD', 'CONFIGURING'].includes(word)) {
    return 'pending';
  }
  if (['RUNNING', 'COMPLETING', 'SUSPENDED', 'STAGE_OUT', 'SIGNALING', 'RESIZING'].includes(word)) return 'running';
  if (word === 'COMPLETED') return 'done';
  if (word === 'CANCELLED') return 'cancelled';
  if (['FAILED', 'NODE_FAIL', 'PREEMPTED', 'TIMEOUT', 'OUT_OF_MEMORY', 'BOOT_FAIL', 'DEADLINE'].includes(word)) {
    return 'failed';
  }
  return 'unknown';
}

/**
 * The states of a job's array tasks (and of plain jobs): squeue for what is queued or running, then sacct for what
 * has ended; where accounting is off (sacct refuses), scontrol, which remembers ended jobs for a few minutes.
 */
export async function jobStates(jobIds: string[]): Promise<SlurmJobState[]> {
  if (jobIds.length === 0) return [];
  const byId = new Map<string, SlurmJobState>();
  const queued = await runSlurm('squeue', [
    '--noheader',
    '--array',
    '--format=%i|%T',
    '--jobs',
    jobIds.join(','),
  ]).catch(
    () => '', // squeue refuses ids it no longer knows: they are in sacct
  );
  for (const state of parseLines(queued)) byId.set(state.id, state);
  const ended = await runSlurm('sacct', [
    '--noheader',
    '--parsable2',
    '--format=JobID,State',
    '--jobs',
    jobIds.join(','),
  ])
    .then((out) => parseLines(out).filter((s) => !s.id.includes('.')))
    .catch(() => scontrolStates(jobIds));
  for (const state of ended) if (!byId.has(state.id)) byId.set(state.id, state);
  return [...byId.values()];
}

/** Where a task or job stands: its Slurm id and its state, 'unknown' where Slurm no longer knows it. */
export interface TaskStanding {
  slurmId: string;
  state: ClusterTaskState;
  slurmState: string;
}

/**
 * Array task `index` of a job whose tasks may have been resubmitted as later arrays (same indices): the latest array
 * job that knows the index is the one that runs it now.
 */
export function arrayTaskStanding(states: SlurmJobState[], arrayJobIds: string[], index: number): TaskStanding {
  const byId = new Map(states.map((state) => [state.id, state]));
  const slurmId =
    [...arrayJobIds]
      .reverse()
      .map((id) => `${id}_${index}`)
      .find((id) => byId.has(id)) ?? `${arrayJobIds.at(-1)}_${index}`;
  return jobStanding(states, slurmId);
}

/** A plain job's (or one array task's) standing. */
export function jobStanding(states: SlurmJobState[], slurmId: string): TaskStanding {
  const state = states.find((s) => s.id === slurmId);
  return { slurmId, state: state?.state ?? 'unknown', slurmState: state?.slurmState ?? 'not known to Slurm' };
}

async function scontrolStates(jobIds: string[]): Promise<SlurmJobState[]> {
  const states: SlurmJobState[] = [];
  for (const id of jobIds) {
    const out = await runSlurm('scontrol', ['--oneliner', 'show', 'job', id]).catch(() => '');
    for (const line of out.split('\n')) {
      const arrayJob = /ArrayJobId=(\d+)/.exec(line)?.[1];
      const arrayTask = /ArrayTaskId=(\d+)/.exec(line)?.[1];
      const jobId = /JobId=(\d+)/.exec(line)?.[1];
      const state = /JobState=(\S+)/.exec(line)?.[1];
      if (!jobId || !state) continue;
      const name = arrayJob && arrayTask ? `${arrayJob}_${arrayTask}` : jobId;
      states.push({ id: name, state: foldState(state), slurmState: state });
    }
  }
  return states;
}

function parseLines(out: string): SlurmJobState[] {
  return out
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.includes('|'))
    .map((line) => {
      const [id, slurmState] = line.split('|') as [string, string];
      return { id, state: foldState(slurmState), slurmState };
    });
}

export async function scancel(jobIds: string[]): Promise<void> {
  if (jobIds.length) await runSlurm('scancel', jobIds);
}
