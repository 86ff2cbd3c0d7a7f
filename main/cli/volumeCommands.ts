/** `promethium apply` (a reconstruction applied to a whole survey of a project) and `promethium export-volume`. */
import type { Command } from 'commander';
import type { JobInfo, ReconstructionMethod, VolumeSummary } from '../../preload/contract';
import { localPromethiumCommand, nodeCommand, submitApply } from '../cluster/clusterApply';
import { readClusterSettings } from '../cluster/clusterSettings';
import type { AppServices } from '../workflows/services';
import type { ApplyVolumeInput } from '../workflows/volumeService';
import { DIST_DIR } from './serve';
import { EXIT } from './exitCodes';
import { ProgressBar } from './progressBar';
import { cliServices, waitForJob } from './segyCommands';
import { UsageError } from './usageError';

interface ApplyCliOptions {
  project: string;
  survey?: string;
  task?: string;
  model?: string;
  method?: string;
  lines?: string;
  tta?: boolean;
  ensemble?: string;
  fullStrength?: boolean;
  resume?: string;
  json?: boolean;
  slurm?: boolean;
  tasks?: string;
  export?: string;
  format?: string;
}

const METHODS: readonly ReconstructionMethod[] = ['fx', 'median', 'fk', 'pocs', 'linear', 'slope'];

/** A job that did not finish: the exit code says how (cancelled, a disk or file problem, bad input, a bug). */
export function jobFailure(job: JobInfo, hint: string): Error {
  const code = job.error?.code;
  const exitCode =
    job.state === 'cancelled'
      ? EXIT.cancelled
      : code === 'io' || code === 'not-found'
        ? EXIT.io
        : code === 'invalid-argument' || code === 'segy-format'
          ? EXIT.badInput
          : EXIT.internal;
  return Object.assign(new Error(`${job.title}: ${job.state}${job.error ? `: ${job.error.message}` : ''}${hint}`), {
    exitCode,
  });
}

/** --lines A-B are inline numbers (as in `denoise --lines`); the job takes indices. */
function inlineIndices(
  services: AppServices,
  surveyId: string,
  spec: string | undefined,
): [number, number] | undefined {
  if (spec === undefined) return undefined;
  const match = /^(-?\d+)(?:-(-?\d+))?$/.exec(spec);
  if (!match) throw new UsageError(`--lines takes A-B (inline numbers), not "${spec}"`);
  const grid = services.surveys.get(surveyId).description?.grid;
  if (!grid) throw new UsageError('--lines needs a 3D survey');
  const toIndex = (number: number): number => {
    const index = (number - grid.inlines.first) / grid.inlines.step;
    if (!Number.isInteger(index) || index < 0 || index >= grid.inlines.count) {
      throw new UsageError(`inline ${number} is not one of ${grid.inlines.first}-${grid.inlines.last}`);
    }
    return index;
  };
  const first = toIndex(Number(match[1]));
  const last = toIndex(Number(match[2] ?? match[1]));
  if (last < first) throw new UsageError(`--lines ${spec}: the last line is before the first`);
  return [first, last];
}

function applyInput(services: AppServices, options: ApplyCliOptions): ApplyVolumeInput {
  if (!options.survey) throw new UsageError('--survey is required (or --resume VOLUME_ID)');
  if (options.task !== 'denoise' && options.task !== 'interpolate') {
    throw new UsageError(`--task is denoise or interpolate, not '${options.task}'`);
  }
  if (options.model && options.method) throw new UsageError('give --model or --method, not both');
  if (options.method && !METHODS.includes(options.method as ReconstructionMethod)) {
    throw new UsageError(`--method is one of ${METHODS.join(', ')}, not '${options.method}'`);
  }
  const ensemble = options.ensemble === undefined ? 1 : Number(options.ensemble);
  if (!Number.isInteger(ensemble) || ensemble < 1 || ensemble > 32) throw new UsageError('--ensemble is 1..32');
  return {
    surveyId: options.survey,
    task: options.task,
    modelId: options.model,
    method: options.method as ReconstructionMethod | undefined,
    tta: Boolean(options.tta),
    ensemble,
    fullStrength: Boolean(options.fullStrength),
    inlines: inlineIndices(services, options.survey, options.lines),
  };
}

async function startApply(services: AppServices, options: ApplyCliOptions): Promise<JobInfo> {
  if (options.resume) {
    const volume = services.volumes.get(options.resume);
    if (!volume.jobId || volume.state === 'ready') throw new UsageError(`volume ${volume.id} is ${volume.state}`);
    return services.jobs.resume(volume.jobId);
  }
  const { job } = await services.volumes.apply(applyInput(services, options));
  return job;
}

function describeVolume(volume: VolumeSummary): string {
  return `volume ${volume.id}: ${volume.name}, ${volume.completedLines} of ${volume.totalLines} inlines, ${volume.state}`;
}

/** `apply --slurm`: the volume is planned here and filled by an array job on the cluster (main/cluster). */
async function submitToCluster(services: AppServices, options: ApplyCliOptions): Promise<void> {
  if (options.resume)
    throw new UsageError('--resume continues a local apply; use `promethium cluster resume VOLUME_ID`');
  if (options.format !== undefined && options.format !== 'source' && options.format !== 'ieee') {
    throw new UsageError(`--format is 'source' or 'ieee', not '${options.format}'`);
  }
  const project = services.project;
  let settings = readClusterSettings(project);
  if (options.tasks !== undefined) {
    const tasks = Number(options.tasks);
    if (!Number.isInteger(tasks) || tasks < 1 || tasks > 10_000) throw new UsageError('--tasks is 1..10000');
    settings = { ...settings, tasks };
  }
  const { volume, request } = await services.volumes.plan(applyInput(services, options));
  const record = await submitApply(
    project,
    request,
    settings,
    nodeCommand(settings, localPromethiumCommand(DIST_DIR)),
    {
      exportPath: options.export,
      format: options.format as 'source' | 'ieee' | undefined,
    },
  );
  if (options.json) console.log(JSON.stringify({ volume: services.volumes.get(volume.id), cluster: record }, null, 2));
  else {
    console.log(
      `volume ${volume.id}: array job ${record.arrayJobIds[0]} (${record.slices.length} tasks), final job ${record.finishJobId}`,
    );
    console.error(`follow it with: promethium cluster status ${volume.id} --project ${project.dir}`);
  }
}

async function runApply(options: ApplyCliOptions): Promise<void> {
  const services = cliServices(options.project);
  try {
    if (options.slurm) return await submitToCluster(services, options);
    if (options.tasks !== undefined || options.export !== undefined) {
      throw new UsageError('--tasks and --export go with --slurm (a local apply exports with export-volume)');
    }
    const job = await startApply(services, options);
    const request = services.project.jobs.get(job.id)?.request;
    const volumeId = request?.kind === 'apply-volume' ? request.volumeId : '';
    console.error(`writing volume ${volumeId} (job ${job.id})`);
    const finished = await waitForJob(services, job, new ProgressBar('applying'));
    if (finished.state !== 'done') throw jobFailure(finished, ` (continue with --resume ${volumeId})`);
    const volume = services.volumes.get(volumeId);
    if (options.json) console.log(JSON.stringify({ volume, result: finished.result }, null, 2));
    else console.log(describeVolume(volume));
  } finally {
    services.close();
  }
}

export async function runExport(
  volumeId: string,
  out: string,
  options: { project: string; format: string; uncertainty?: boolean; json?: boolean },
): Promise<void> {
  if (options.format !== 'source' && options.format !== 'ieee') {
    throw new UsageError(`--format is 'source' or 'ieee', not '${options.format}'`);
  }
  const services = cliServices(options.project);
  try {
    const job = services.volumes.export({
      volumeId,
      path: out,
      format: options.format,
      uncertainty: Boolean(options.uncertainty),
    });
    const finished = await waitForJob(services, job, new ProgressBar('exporting'));
    if (finished.state !== 'done') throw jobFailure(finished, '');
    if (options.json) console.log(JSON.stringify(finished.result, null, 2));
    else console.error(`wrote ${out}`);
  } finally {
    services.close();
  }
}

export function registerVolumeCommands(program: Command): void {
  program
    .command('apply')
    .description(
      'denoise or interpolate a whole survey of a project into a new derived volume (resumable: --resume VOLUME_ID)',
    )
    .requiredOption('--project <dir>', 'project folder')
    .option('--survey <id>', 'survey id (see import --json)')
    .option('--task <task>', 'denoise or interpolate')
    .option('--model <id>', 'a bundled or trained model (default: the bundled model of the task)')
    .option(
      '--method <name>',
      'a classical method instead: fx, median, fk (denoise); pocs, linear, slope (interpolate)',
    )
    .option('--lines <A-B>', 'only these inlines (numbers); the others are copied unchanged')
    .option('--tta', 'test-time augmentation: average the four flips (with a model)')
    .option('--ensemble <n>', 'Monte Carlo dropout passes (with a model); keeps a standard-deviation volume')
    .option('--full-strength', 'denoise with the model in full, without the per-line strength check (SURE)')
    .option('--resume <volume-id>', 'continue an interrupted or cancelled apply after its last finished inline')
    .option('--json', 'print the volume and the job result as JSON')
    .option('--slurm', "run on the project's Slurm cluster as an array job (see `promethium cluster`)")
    .option('--tasks <n>', 'with --slurm: array tasks (default: the cluster settings)')
    .option('--export <out>', 'with --slurm: export the finished volume to this SEG-Y file')
    .option('--format <format>', "with --export: 'source' (default) or 'ieee'")
    .action(async (options: ApplyCliOptions) => runApply(options));

  program
    .command('export-volume')
    .description("write a derived volume to SEG-Y: the survey's source file is the header template (headers kept)")
    .argument('<volume-id>', 'volume id (printed by apply)')
    .argument('<out>', 'output SEG-Y file (written to a temporary file, renamed when complete)')
    .requiredOption('--project <dir>', 'project folder')
    .option('--format <format>', "sample format: 'source' (default) or 'ieee'", 'source')
    .option(
      '--uncertainty',
      'write the Monte Carlo dropout standard deviation instead (volumes applied with --ensemble)',
    )
    .option('--json', 'print the export summary as JSON')
    .action(
      async (
        volumeId: string,
        out: string,
        options: { project: string; format: string; uncertainty?: boolean; json?: boolean },
      ) => runExport(volumeId, out, options),
    );
}
