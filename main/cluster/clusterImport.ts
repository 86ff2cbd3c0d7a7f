/**
 * Import of a large SEG-Y on a Slurm cluster: the split import (survey/splitImport.ts) as a chain of four Slurm jobs,
 * submitted at once, each starting when the one before it succeeded (`--dependency=afterok`):
 *
 *   scan    array job: task k scans its pieces of whole traces (byte ranges of the file) for the header keys
 *   layout  one job: the geometry from every piece, the survey cache set up, the fill cut into blocks of inlines
 *   fill    array job: task k writes its blocks of whole inlines into every chunking of the cache, and its blocks'
 *           rows of the live mask and of the 3D view's downsampled copy (so that copy is built by every task, not
 *           by one node at the end)
 *   finish  one job: the live mask and the downsampled copy assembled, the cache published, the survey marked ready
 *
 * Every piece and block is recorded once on disk, so a task killed and started again (the batch script retries,
 * Slurm requeues a pre-empted one) continues after what it recorded; `resume` submits the chain again and each stage
 * skips what is done. The plan, the scripts, the records and the logs are in `PROJECT/cluster/SURVEY_ID/`.
 *
 * The project database is written by the submitter (the survey, as importing, and the job record) and by the final
 * job (the survey ready), never by a task: SQLite over a network file system is not safe with writers on many
 * nodes. The final job rather than the app polling: the survey becomes ready even when the app that submitted it is
 * closed, and the dependency chain guarantees that the final job runs alone, after every task.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ClusterImportStatus, ClusterSettings } from '../../preload/contract';
import type { ClusterImportJobs, ClusterImportRecord } from '../project/clusterImportsRepository';
import { Project } from '../project/project';
import type { HeaderMap } from '../survey/headerMap';
import {
  fillPart,
  finishSplitImport,
  layoutSplitImport,
  planSplitImport,
  scanPart,
  splitImportProgress,
  type PieceListener,
  type SplitImportPlan,
} from '../survey/splitImport';
import { clusterJobDir, sbatchOptions, shellQuote } from './clusterApply';
import { ClusterError, jobStanding, jobStates, retryingBatchScript, sbatch, scancel } from './slurm';

export const IMPORT_STAGES = ['scan', 'layout', 'fill', 'finish'] as const;
export type ImportStage = (typeof IMPORT_STAGES)[number];
const ARRAY_STAGES: readonly ImportStage[] = ['scan', 'fill'];
const PLAN_FILE = 'plan.json';

export interface ClusterImportRequest {
  path: string;
  name?: string;
  headerMap?: Partial<HeaderMap>;
  /** Memory for the block of inlines a task holds, and the size of a scan piece (default: the split import's). */
  blockBytes?: number;
}

/** Plans the import, registers the survey as importing and submits the chain of jobs. */
export async function submitClusterImport(
  project: Project,
  request: ClusterImportRequest,
  settings: ClusterSettings,
  command: string,
): Promise<ClusterImportRecord> {
  const sourcePath = path.resolve(request.path);
  const surveyId = randomUUID();
  const dir = clusterJobDir(project.dir, surveyId);
  const plan = await planSplitImport({
    path: sourcePath,
    cacheDir: path.join(project.cachesDir, `${surveyId}.zarr`),
    workDir: dir,
    parts: settings.tasks,
    headerMap: request.headerMap,
    blockBytes: request.blockBytes,
  });
  await mkdir(path.join(dir, 'logs'), { recursive: true });
  await writeFile(path.join(dir, PLAN_FILE), JSON.stringify(plan, null, 2));
  for (const stage of IMPORT_STAGES) {
    await writeFile(path.join(dir, `${stage}.sbatch`), stepScript(command, project.dir, surveyId, stage), {
      mode: 0o755,
    });
  }
  const name = request.name ?? path.basename(sourcePath);
  project.surveys.insertImporting({ id: surveyId, name, sourcePath, cacheDir: plan.cacheDir });
  try {
    const record: ClusterImportRecord = {
      surveyId,
      submissions: [await submitChain(dir, settings, plan, surveyId)],
      scriptDir: dir,
      submittedAt: new Date().toISOString(),
    };
    project.clusterImports.save(record);
    return record;
  } catch (error) {
    project.surveys.remove(surveyId);
    throw error;
  }
}

/** Runs one step on a node (the batch scripts' `promethium cluster import-step`); `part`: the array task's index. */
export async function runImportStep(
  projectDir: string,
  surveyId: string,
  stage: ImportStage,
  part: number,
  onPiece: PieceListener,
): Promise<void> {
  const plan = await readPlan(projectDir, surveyId);
  if (stage === 'scan') return scanPart(plan, part, onPiece);
  if (stage === 'layout') return void (await layoutSplitImport(plan));
  if (stage === 'fill') return fillPart(plan, part, onPiece);
  const description = await finishSplitImport(plan);
  // The one write of the project database from the cluster, after every task (see the top of this file).
  const project = Project.open(projectDir, { create: false });
  try {
    project.surveys.markReady(surveyId, description);
  } finally {
    project.close();
  }
}

/** Each stage's Slurm jobs (one per task for the array stages) in the chain that runs now, and what is recorded. */
export async function clusterImportStatus(
  projectDir: string,
  record: ClusterImportRecord,
): Promise<ClusterImportStatus> {
  const jobs = record.submissions.at(-1)!;
  const plan = await readPlan(projectDir, record.surveyId);
  const states = await jobStates(Object.values(jobs));
  const stateOf = (slurmId: string) => jobStanding(states, slurmId);
  return {
    surveyId: record.surveyId,
    stages: IMPORT_STAGES.map((stage) => ({
      stage,
      jobs: ARRAY_STAGES.includes(stage)
        ? Array.from({ length: arrayTasks(plan, stage) }, (_, k) => stateOf(`${jobs[stage]}_${k}`))
        : [stateOf(jobs[stage])],
    })),
    ...(await splitImportProgress(plan)),
  };
}

/**
 * After a job of the chain failed or was cancelled: cancels what is left of it and submits a new chain; each stage
 * skips what its tasks recorded, so only the work left is done again.
 */
export async function resumeClusterImport(
  project: Project,
  record: ClusterImportRecord,
  settings: ClusterSettings,
): Promise<ClusterImportJobs> {
  const status = await clusterImportStatus(project.dir, record);
  const states = status.stages.flatMap((stage) => stage.jobs.map((job) => job.state));
  if (states.at(-1) === 'done') throw new ClusterError('the import has finished: nothing to resume');
  if (states.every((state) => state === 'pending' || state === 'running' || state === 'done')) {
    throw new ClusterError('nothing to resume: every job of the import is queued, running or done');
  }
  await scancel(activeJobs(status));
  const plan = await readPlan(project.dir, record.surveyId);
  const jobs = await submitChain(record.scriptDir, settings, plan, record.surveyId);
  project.clusterImports.save({ ...record, submissions: [...record.submissions, jobs] });
  return jobs;
}

/** Cancels every job of the chain; what the tasks recorded stays, and `resume` continues after it. */
export async function cancelClusterImport(projectDir: string, record: ClusterImportRecord): Promise<void> {
  await scancel(activeJobs(await clusterImportStatus(projectDir, record)));
}

/** The jobs and array tasks still queued or running (Slurm refuses to cancel one that has ended). */
function activeJobs(status: ClusterImportStatus): string[] {
  return status.stages.flatMap(({ jobs }) =>
    jobs.filter((job) => job.state === 'pending' || job.state === 'running').map((job) => job.slurmId),
  );
}

async function readPlan(projectDir: string, surveyId: string): Promise<SplitImportPlan> {
  const file = path.join(clusterJobDir(path.resolve(projectDir), surveyId), PLAN_FILE);
  return JSON.parse(await readFile(file, 'utf8')) as SplitImportPlan;
}

/** Scan tasks: one per part of the file's pieces; fill tasks: one per part of the survey's inlines (some may idle). */
function arrayTasks(plan: SplitImportPlan, stage: ImportStage): number {
  return stage === 'scan' ? plan.scanPieces.length : plan.parts;
}

async function submitChain(
  dir: string,
  settings: ClusterSettings,
  plan: SplitImportPlan,
  surveyId: string,
): Promise<ClusterImportJobs> {
  const jobs: Partial<ClusterImportJobs> = {};
  let after: string | null = null;
  for (const stage of IMPORT_STAGES) {
    const array = ARRAY_STAGES.includes(stage);
    const options = [
      // Reading and writing files: no GPU, whatever the settings give applies.
      ...sbatchOptions({ ...settings, gpusPerTask: 0 }, `promethium-import-${stage}-${surveyId.slice(0, 8)}`),
      `--output=${path.join(dir, 'logs', array ? `${stage}-%a.log` : `${stage}.log`)}`,
    ];
    if (array) options.push(`--array=0-${arrayTasks(plan, stage) - 1}`, '--requeue');
    // A failed stage cancels the ones after it, instead of leaving them pending for ever.
    if (after) options.push(`--dependency=afterok:${after}`, '--kill-on-invalid-dep=yes');
    after = jobs[stage] = await sbatch(options, path.join(dir, `${stage}.sbatch`));
  }
  return jobs as ClusterImportJobs;
}

function stepScript(command: string, projectDir: string, surveyId: string, stage: ImportStage): string {
  const part = ARRAY_STAGES.includes(stage) ? ' --part "$SLURM_ARRAY_TASK_ID"' : '';
  const step = `${command} cluster import-step ${stage} --project ${shellQuote(projectDir)} --survey ${surveyId}${part}`;
  return retryingBatchScript(
    `the ${stage} step of the cluster import of survey ${surveyId}.`,
    step,
    `of the ${stage} step stopped; the next one continues after what it recorded`,
  );
}
