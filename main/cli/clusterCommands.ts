/**
 * `promethium cluster …`: the project's Slurm settings, the check, the status / resume / cancel of an apply handed to
 * the cluster, and the two commands its batch scripts run on the nodes (`task`, `finish`).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import {
  applyVolumeRequestSchema,
  type ApplyVolumeRequest,
  type ClusterJobStatus,
  type ClusterSettings,
  type JobRequest,
} from '../../preload/contract';
import {
  REQUEST_FILE,
  cancelClusterApply,
  clusterJobDir,
  clusterStatus,
  localPromethiumCommand,
  nodeCommand,
  resumeClusterApply,
} from '../cluster/clusterApply';
import { checkCluster } from '../cluster/clusterCheck';
import { clusterImportStatus } from '../cluster/clusterImport';
import { trainingStatus } from '../cluster/clusterTrain';
import { readClusterSettings, updateClusterSettings } from '../cluster/clusterSettings';
import { APP_VERSION } from '../api/handlers';
import { ApiEventBus } from '../jobs/events';
import { ComputeHost } from '../jobs/computeHost';
import { computeBundlePath, forkComputeLauncher } from '../jobs/forkCompute';
import { Project } from '../project/project';
import { clusterImportAction, describeImportStatus, registerClusterImportCommands } from './clusterImportCommands';
import { EXIT } from './exitCodes';
import { ProgressBar } from './progressBar';
import { DIST_DIR } from './serve';
import { UsageError } from './usageError';
import { runExport } from './volumeCommands';
import { describeTraining, registerClusterTrainingCommands } from './clusterTrainCommands';

function withProject<T>(dir: string, work: (project: Project) => Promise<T>): Promise<T> {
  const project = Project.open(dir, { create: false });
  return work(project).finally(() => project.close());
}

function clusterRecord(project: Project, volumeId: string) {
  const record = project.clusterJobs.get(volumeId);
  const volume = project.volumes.get(volumeId);
  if (!record || !volume) throw new UsageError(`volume ${volumeId} of ${project.dir} was not sent to a cluster`);
  return { record, volumeDir: volume.dir };
}

/** Runs one job in a compute process of its own, with no project database: what a cluster task does on a node. */
export async function runComputeJob(request: JobRequest, label: string): Promise<unknown> {
  const host = new ComputeHost(forkComputeLauncher(computeBundlePath(DIST_DIR)), new ApiEventBus());
  const bar = new ProgressBar(label);
  try {
    const outcome = await host.run(`cluster-${process.pid}`, request, (fraction, message) => {
      bar.update(fraction, message);
      if (!process.stderr.isTTY) console.error(`${(fraction * 100).toFixed(0)}% ${message}`);
    });
    bar.done();
    if (outcome.state === 'done') return outcome.result;
    const reason = outcome.state === 'cancelled' ? 'cancelled' : outcome.error.message;
    throw Object.assign(new Error(`${label}: ${reason}`), {
      exitCode: outcome.state === 'cancelled' ? EXIT.cancelled : EXIT.internal,
    });
  } finally {
    host.stop();
  }
}

async function readRequest(projectDir: string, volumeId: string): Promise<ApplyVolumeRequest> {
  const file = path.join(clusterJobDir(path.resolve(projectDir), volumeId), REQUEST_FILE);
  const parsed = applyVolumeRequestSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
  if (!parsed.success) throw new UsageError(`${file} is not an apply request: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

function parseSlice(spec: string): [number, number] {
  const match = /^(\d+)-(\d+)$/.exec(spec);
  if (!match || Number(match[1]) > Number(match[2]))
    throw new UsageError(`--slice takes A-B (inline indices), not "${spec}"`);
  return [Number(match[1]), Number(match[2])];
}

function describeStatus(status: ClusterJobStatus): string {
  const lines = status.tasks.map(
    (task) =>
      `  task ${task.index} (${task.slurmId}) inline indices ${task.slice[0]}-${task.slice[1]}: ${task.state} ` +
      `(${task.slurmState}), ${task.finishedInlines} of ${task.inlines} inlines`,
  );
  return [
    `volume ${status.volumeId}: ${status.finishedInlines} of ${status.totalInlines} inlines written`,
    ...lines,
    `  final job ${status.finish.slurmId}: ${status.finish.state} (${status.finish.slurmState})`,
  ].join('\n');
}

function settingsChange(options: Record<string, string | undefined>): Partial<ClusterSettings> {
  const change: Partial<ClusterSettings> = {};
  const integer = (name: string, value: string): number => {
    if (!/^\d+$/.test(value)) throw new UsageError(`--${name} takes a whole number, not "${value}"`);
    return Number(value);
  };
  if (options.partition !== undefined) change.partition = options.partition;
  if (options.account !== undefined) change.account = options.account;
  if (options.time !== undefined) change.timeLimit = options.time;
  if (options.command !== undefined) change.command = options.command;
  if (options.gpus !== undefined) change.gpusPerTask = integer('gpus', options.gpus);
  if (options.cpus !== undefined) change.cpusPerTask = integer('cpus', options.cpus);
  if (options.mem !== undefined) change.memoryPerTask = options.mem;
  if (options.tasks !== undefined) change.tasks = integer('tasks', options.tasks);
  return change;
}

export function registerClusterCommands(program: Command): void {
  const cluster = program
    .command('cluster')
    .description('hand work to a Slurm cluster: settings, check, status, resume, cancel');
  registerClusterTrainingCommands(cluster);

  cluster
    .command('settings')
    .description("show or change the project's cluster settings")
    .requiredOption('--project <dir>', 'project folder')
    .option('--partition <name>', 'partition (empty: the default one)')
    .option('--account <name>', 'account to charge')
    .option('--time <limit>', 'time limit per task, e.g. 02:00:00')
    .option('--gpus <n>', 'GPUs per task (--gres=gpu:N)')
    .option('--cpus <n>', 'CPU cores per task')
    .option('--mem <size>', 'memory per task, e.g. 16G (empty: the partition default)')
    .option('--tasks <n>', 'array tasks an apply is split into')
    .option('--command <cmd>', 'the command that starts Promethium on the nodes')
    .option('--json', 'print JSON')
    .action(async (options: Record<string, string | undefined> & { project: string; json?: boolean }) =>
      withProject(options.project, async (project) => {
        const change = settingsChange(options);
        const settings = Object.keys(change).length
          ? updateClusterSettings(project, change)
          : readClusterSettings(project);
        if (options.json) console.log(JSON.stringify(settings, null, 2));
        else
          for (const [key, value] of Object.entries(settings))
            console.log(`${key}: ${value === '' ? '(default)' : value}`);
      }),
    );

  cluster
    .command('check')
    .description('say what is missing to run on the cluster: Slurm commands, a shared file system, the same version')
    .requiredOption('--project <dir>', 'project folder')
    .option('--json', 'print JSON')
    .action(async (options: { project: string; json?: boolean }) =>
      withProject(options.project, async (project) => {
        const settings = readClusterSettings(project);
        const report = await checkCluster(
          project,
          settings,
          nodeCommand(settings, localPromethiumCommand(DIST_DIR)),
          APP_VERSION,
        );
        if (options.json) console.log(JSON.stringify(report, null, 2));
        else
          for (const item of report.items)
            console.log(`${item.ok ? 'ok     ' : 'MISSING'} ${item.what}: ${item.detail}`);
        if (!report.ok) process.exitCode = EXIT.io;
      }),
    );

  cluster
    .command('status')
    .description('the tasks of an apply or an import sent to the cluster: their state and what they wrote')
    .argument('<volume-id>', 'volume id (printed by apply --slurm), or survey id (printed by import --slurm)')
    .requiredOption('--project <dir>', 'project folder')
    .option('--json', 'print JSON')
    .action(async (volumeId: string, options: { project: string; json?: boolean }) =>
      withProject(options.project, async (project) => {
        if (await clusterImportAction(project, volumeId, 'status', options.json)) return;
        const { record, volumeDir } = clusterRecord(project, volumeId);
        const status = await clusterStatus(record, volumeDir);
        console.log(options.json ? JSON.stringify(status, null, 2) : describeStatus(status));
      }),
    );

  cluster
    .command('resume')
    .description('resubmit what failed or was cancelled of an apply or an import (it continues after what was written)')
    .argument('<volume-id>', 'volume id or survey id')
    .requiredOption('--project <dir>', 'project folder')
    .action(async (volumeId: string, options: { project: string }) =>
      withProject(options.project, async (project) => {
        if (await clusterImportAction(project, volumeId, 'resume')) return;
        const { record, volumeDir } = clusterRecord(project, volumeId);
        const tasks = await resumeClusterApply(project, record, volumeDir, readClusterSettings(project));
        console.log(tasks.length ? `resubmitted tasks ${tasks.join(', ')}` : 'no task needed resubmitting');
      }),
    );

  cluster
    .command('cancel')
    .description('cancel the jobs of an apply or an import (what they wrote so far stays)')
    .argument('<volume-id>', 'volume id or survey id')
    .requiredOption('--project <dir>', 'project folder')
    .action(async (volumeId: string, options: { project: string }) =>
      withProject(options.project, async (project) => {
        if (await clusterImportAction(project, volumeId, 'cancel')) return;
        await cancelClusterApply(project, clusterRecord(project, volumeId).record);
        console.log(`cancelled; continue later with: promethium cluster resume ${volumeId} --project ${project.dir}`);
      }),
    );

  registerClusterImportCommands(cluster);

  cluster
    .command('task', { hidden: true })
    .description('run on a node by the batch script: one slice of inline indices of an apply')
    .requiredOption('--project <dir>', 'project folder')
    .requiredOption('--volume <id>', 'volume id')
    .requiredOption('--slice <A-B>', 'inline indices')
    .action(async (options: { project: string; volume: string; slice: string }) => {
      // Tasks on many nodes never open the project database (SQLite over a network file system): the request file
      // written at submission holds all they need.
      const request = await readRequest(options.project, options.volume);
      const slice = parseSlice(options.slice);
      await runComputeJob({ kind: 'apply-volume-slice', apply: request, slice }, `inlines ${options.slice}`);
    });

  cluster
    .command('finish', { hidden: true })
    .description('run by the final job: finish the volume, mark it ready, export it if asked')
    .requiredOption('--project <dir>', 'project folder')
    .requiredOption('--volume <id>', 'volume id')
    .option('--export <out>', 'export the finished volume to this SEG-Y file')
    .option('--format <format>', "sample format of the export: 'source' or 'ieee'", 'source')
    .action(async (options: { project: string; volume: string; export?: string; format: string }) => {
      const request = await readRequest(options.project, options.volume);
      await runComputeJob({ kind: 'finish-volume', apply: request }, 'finishing the volume');
      await withProject(options.project, async (project) => {
        const record = clusterRecord(project, options.volume).record;
        project.volumes.markReady(options.volume, `slurm:${record.arrayJobIds.at(-1)}`);
      });
      if (options.export) {
        await runExport(options.volume, options.export, { project: options.project, format: options.format });
      }
      console.log(`volume ${options.volume} is ready`);
    });

  program
    .command('jobs')
    .description("a project's jobs: local ones, and applies and trainings sent to the cluster with their tasks")
    .requiredOption('--project <dir>', 'project folder')
    .option('--json', 'print JSON')
    .action(async (options: { project: string; json?: boolean }) =>
      withProject(options.project, async (project) => {
        const local = project.jobs.list();
        const cluster: ClusterJobStatus[] = [];
        for (const record of project.clusterJobs.list()) {
          const volume = project.volumes.get(record.volumeId);
          if (volume) cluster.push(await clusterStatus(record, volume.dir));
        }
        const imports = await Promise.all(
          project.clusterImports.list().map((record) => clusterImportStatus(project.dir, record)),
        );
        const trainings = await Promise.all(
          project.clusterTrainings.list().map((record) => trainingStatus(project, record)),
        );
        if (options.json) return console.log(JSON.stringify({ local, cluster, imports, trainings }, null, 2));
        for (const job of local)
          console.log(`${job.id} ${job.state.padEnd(11)} ${(job.progress * 100).toFixed(0)}% ${job.title}`);
        for (const status of cluster) console.log(describeStatus(status));
        for (const status of imports) console.log(describeImportStatus(status));
        for (const status of trainings) console.log(describeTraining(status));
      }),
    );
}
