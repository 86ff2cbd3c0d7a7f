/**
 * `promethium import FILE --slurm`: a SEG-Y import as a chain of Slurm jobs (main/cluster/clusterImport.ts); the
 * step its batch scripts run on the nodes (`cluster import-step`); status, resume and cancel of such an import
 * (reached through `cluster status|resume|cancel SURVEY_ID`).
 */
import type { Command } from 'commander';
import type { ClusterImportStatus, ClusterSettings } from '../../preload/contract';
import { localPromethiumCommand, nodeCommand } from '../cluster/clusterApply';
import {
  IMPORT_STAGES,
  cancelClusterImport,
  clusterImportStatus,
  resumeClusterImport,
  runImportStep,
  submitClusterImport,
  type ImportStage,
} from '../cluster/clusterImport';
import { readClusterSettings } from '../cluster/clusterSettings';
import { Project } from '../project/project';
import { DIST_DIR } from './serve';
import { UsageError } from './usageError';

export interface ClusterImportCliOptions {
  project: string;
  json?: boolean;
  tasks?: string;
  blockMb?: string;
}

function wholeNumber(option: string, value: string, max: number): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < 1 || number > max)
    throw new UsageError(`--${option} is 1..${max}, not "${value}"`);
  return number;
}

function megabytes(option: string, value: string): number {
  const number = Number(value);
  if (!(number > 0 && number <= 65_536))
    throw new UsageError(`--${option} takes megabytes (up to 65536), not "${value}"`);
  return Math.round(number * 1e6);
}

/** Plans the import here (the file's layout checked, the header map proposed) and submits it to the cluster. */
export async function importOnCluster(file: string, options: ClusterImportCliOptions): Promise<void> {
  const project = Project.open(options.project, { create: true });
  try {
    let settings: ClusterSettings = readClusterSettings(project);
    if (options.tasks !== undefined) settings = { ...settings, tasks: wholeNumber('tasks', options.tasks, 10_000) };
    const blockBytes = options.blockMb === undefined ? undefined : megabytes('block-mb', options.blockMb);
    const command = nodeCommand(settings, localPromethiumCommand(DIST_DIR));
    const record = await submitClusterImport(project, { path: file, blockBytes }, settings, command);
    const survey = project.surveys.get(record.surveyId)!.summary;
    if (options.json) return console.log(JSON.stringify({ survey, cluster: record }, null, 2));
    const jobs = record.submissions[0]!;
    console.log(
      `survey ${survey.id}: scan ${jobs.scan}, layout ${jobs.layout}, fill ${jobs.fill}, final job ${jobs.finish}`,
    );
    console.error(`follow it with: promethium cluster status ${survey.id} --project ${project.dir}`);
  } finally {
    project.close();
  }
}

export function describeImportStatus(status: ClusterImportStatus): string {
  const { scanPieces, fillBlocks } = status;
  const lines = status.stages.map(({ stage, jobs }) => {
    const states = jobs.map((job) => `${job.slurmId} ${job.state}`).join(', ');
    return `  ${stage.padEnd(6)} ${states}`;
  });
  return [
    `import of survey ${status.surveyId}: ${scanPieces.done} of ${scanPieces.total} scan pieces, ` +
      (fillBlocks ? `${fillBlocks.done} of ${fillBlocks.total} blocks of inlines written` : 'layout not done yet'),
    ...lines,
  ].join('\n');
}

/**
 * `cluster status|resume|cancel ID` when ID is a survey imported on the cluster; false when it is not one (then ID
 * names an apply).
 */
export async function clusterImportAction(
  project: Project,
  id: string,
  action: 'status' | 'resume' | 'cancel',
  json = false,
): Promise<boolean> {
  const record = project.clusterImports.get(id);
  if (!record) return false;
  if (action === 'status') {
    const status = await clusterImportStatus(project.dir, record);
    console.log(json ? JSON.stringify(status, null, 2) : describeImportStatus(status));
  } else if (action === 'resume') {
    const jobs = await resumeClusterImport(project, record, readClusterSettings(project));
    console.log(
      `submitted again: scan ${jobs.scan}, layout ${jobs.layout}, fill ${jobs.fill}, final job ${jobs.finish}`,
    );
  } else {
    await cancelClusterImport(project.dir, record);
    console.log(`cancelled; continue later with: promethium cluster resume ${id} --project ${project.dir}`);
  }
  return true;
}

export function registerClusterImportCommands(cluster: Command): void {
  cluster
    .command('import-step', { hidden: true })
    .description('run on a node by a batch script: one step of a cluster import')
    .argument('<stage>', IMPORT_STAGES.join(' | '))
    .requiredOption('--project <dir>', 'project folder')
    .requiredOption('--survey <id>', 'survey id')
    .option('--part <k>', 'the array task index (scan and fill)', '0')
    .action(async (stage: string, options: { project: string; survey: string; part: string }) => {
      if (!(IMPORT_STAGES as readonly string[]).includes(stage)) {
        throw new UsageError(`the stage is one of ${IMPORT_STAGES.join(', ')}, not "${stage}"`);
      }
      if (!/^\d+$/.test(options.part)) throw new UsageError(`--part takes an array task index, not "${options.part}"`);
      // Printed line by line: the task log is a file, and what a killed task finished shows in it.
      await runImportStep(
        options.project,
        options.survey,
        stage as ImportStage,
        Number(options.part),
        (done, total, what) => console.error(`${stage} ${what} (${done} of ${total})`),
      );
      console.error(`${stage} step done`);
    });
}
