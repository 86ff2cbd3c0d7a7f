/**
 * Derived volumes: a reconstruction applied to a whole survey (or on top of another derived volume) as a resumable
 * job, the volumes' lineage and progress in the project database, their sections for the compare view, and their
 * export to SEG-Y with the survey's source file as the header template.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  PromethiumError,
  type JobInfo,
  type JobRequest,
  type ReconstructionMethod,
  type ApplyVolumeRequest,
  type SectionData,
  type VolumeSummary,
} from '../../preload/contract';
import type { ApplyVolumeProgress } from '../compute/applyVolume';
import type { JobRecord, JobRunner } from '../jobs/jobRunner';
import type { ModelRegistry } from '../ml/registry/modelRegistry';
import type { Project } from '../project/project';
import type { StoredSurvey } from '../project/surveysRepository';
import type { StoredVolume } from '../project/volumesRepository';
import { UNCERTAINTY_GROUP } from '../survey/derivedVolume';
import { chooseModel } from './reconstructionService';
import { describeRun } from '../survey/runLabel';
import { SectionReader } from '../survey/sectionReader';

export interface ApplyVolumeInput {
  surveyId: string;
  task: 'denoise' | 'interpolate';
  modelId?: string;
  method?: ReconstructionMethod;
  tta: boolean;
  ensemble: number;
  /** Model denoising without the strength check (default: checked). */
  fullStrength?: boolean;
  parentVolumeId?: string;
  inlines?: [number, number];
  polygon?: [number, number][];
  name?: string;
}

export interface ExportVolumeInput {
  volumeId: string;
  path: string;
  format: 'source' | 'ieee';
  uncertainty: boolean;
}

const DEFAULT_METHODS = { denoise: 'fx', interpolate: 'pocs' } as const;

function notFound(id: string): PromethiumError {
  return new PromethiumError('not-found', `no volume ${id} in this project`);
}

/** The inline index range to process: the asked range, narrowed to the polygon's extent. */
function inlineRange(inlines: number, input: ApplyVolumeInput): [number, number] {
  let [first, last] = input.inlines ?? [0, inlines - 1];
  if (first > last || last >= inlines) {
    throw new PromethiumError('invalid-argument', `inline indices ${first}..${last} are outside 0..${inlines - 1}`);
  }
  if (input.polygon) {
    first = Math.max(first, Math.floor(Math.min(...input.polygon.map(([il]) => il))));
    last = Math.min(last, Math.ceil(Math.max(...input.polygon.map(([il]) => il))));
    if (first > last) throw new PromethiumError('invalid-argument', 'the polygon covers none of the chosen inlines');
  }
  return [first, last];
}

export class VolumeService {
  private readonly reader = new SectionReader();

  constructor(
    private readonly project: () => Project,
    private readonly jobs: JobRunner,
    private readonly models: ModelRegistry,
  ) {}

  async apply(input: ApplyVolumeInput): Promise<{ volume: VolumeSummary; job: JobInfo }> {
    const { volume, request } = await this.plan(input);
    const job = this.jobs.start(request);
    this.project().volumes.setState(volume.id, 'running', job.id);
    return { volume: this.get(volume.id), job };
  }

  /**
   * A new volume's record (state 'running') and the request that fills it, for whoever runs it: a local job
   * (`apply`) or the tasks of a cluster job (main/cluster).
   */
  async plan(input: ApplyVolumeInput): Promise<{ volume: VolumeSummary; request: ApplyVolumeRequest }> {
    const project = this.project();
    const survey = this.readySurvey(project, input.surveyId);
    const parent = input.parentVolumeId ? this.stored(project, input.parentVolumeId) : undefined;
    if (parent && (parent.summary.surveyId !== input.surveyId || parent.summary.state !== 'ready')) {
      throw new PromethiumError(
        'invalid-argument',
        `volume ${parent.summary.name} is not a finished volume of this survey`,
      );
    }
    const grid = survey.summary.description!.grid;
    const inlines = grid ? grid.inlines.count : 1;
    const range = inlineRange(inlines, input);
    const model = await chooseModel(this.models, input);
    const method = model ? null : (input.method ?? DEFAULT_METHODS[input.task]);
    const id = randomUUID();
    const dir = path.join(project.volumesDir, `${id}.zarr`);
    await mkdir(project.volumesDir, { recursive: true });
    const methodName = model ? `model ${model.name}` : method!;
    // The strength check is for model denoising only: elsewhere there is nothing to skip.
    const fullStrength = model !== null && input.task === 'denoise' && (input.fullStrength ?? false);
    const volume: VolumeSummary = {
      id,
      surveyId: input.surveyId,
      name:
        input.name ??
        `${survey.summary.name} ${input.task === 'denoise' ? 'denoised' : 'interpolated'} (${describeRun(methodName, model !== null, { ...input, fullStrength })})`,
      task: input.task,
      parentVolumeId: parent?.summary.id ?? null,
      modelId: model?.id ?? null,
      method: methodName,
      params: {
        inlines: range,
        polygon: input.polygon ?? null,
        tta: input.tta,
        ensemble: input.ensemble,
        fullStrength,
      },
      state: 'running',
      completedLines: 0,
      totalLines: inlines,
      hasUncertainty: model !== null && input.ensemble > 1,
      jobId: null,
      createdAt: new Date().toISOString(),
    };
    project.volumes.insert(volume, dir);
    const request: ApplyVolumeRequest = {
      kind: 'apply-volume',
      volumeId: id,
      surveyId: input.surveyId,
      surveyName: survey.summary.name,
      inputDir: parent?.dir ?? survey.cacheDir,
      volumeDir: dir,
      task: input.task,
      model: model && { dir: model.dir, name: model.name },
      method,
      tta: input.tta,
      ensemble: input.ensemble,
      fullStrength,
      inlines: range,
      polygon: input.polygon ?? null,
    };
    return { volume, request };
  }

  list(surveyId?: string): VolumeSummary[] {
    return this.project()
      .volumes.list(surveyId)
      .map((v) => v.summary);
  }

  get(id: string): VolumeSummary {
    return this.stored(this.project(), id).summary;
  }

  async remove(id: string): Promise<void> {
    const project = this.project();
    const stored = this.stored(project, id);
    const { summary, dir } = stored;
    // Asked of the job queue, not of the volume's record: a resumed job is queued before the record names it (the
    // record still names the stopped job until the first new line), and jobs that read the volume count too.
    const busy = this.jobs
      .list()
      .filter((job) => job.state === 'queued' || job.state === 'running')
      .map((job) => ({ job, use: volumeUse(project.jobs.get(job.id)?.request, stored) }))
      .find(({ use }) => use !== null);
    if (busy) {
      throw new PromethiumError(
        'invalid-argument',
        `volume ${summary.name} is being ${busy.use} by the ${busy.job.state} job "${busy.job.title}" (${busy.job.id}): cancel it first`,
      );
    }
    await this.reader.forget(id);
    project.volumes.remove(id);
    await rm(dir, { recursive: true, force: true });
  }

  /** A section of the volume (or of its standard deviation), labelled like its survey's sections. */
  async section(request: {
    volumeId: string;
    axis: 'inline' | 'crossline' | 'time';
    index: number;
    uncertainty: boolean;
  }): Promise<SectionData> {
    const project = this.project();
    const { summary, dir } = this.stored(project, request.volumeId);
    if (request.uncertainty && !summary.hasUncertainty) {
      throw new PromethiumError(
        'invalid-argument',
        `volume ${summary.name} has no uncertainty (it was not an ensemble)`,
      );
    }
    const survey = this.readySurvey(project, summary.surveyId);
    const location = {
      id: request.uncertainty ? `${summary.id}/${UNCERTAINTY_GROUP}` : summary.id,
      cacheDir: request.uncertainty ? path.join(dir, UNCERTAINTY_GROUP) : dir,
      sourcePath: survey.summary.sourcePath,
      description: survey.summary.description!,
    };
    const section = await this.reader.section(location, request.axis, request.index);
    return { ...section, surveyId: summary.surveyId };
  }

  export(input: ExportVolumeInput): JobInfo {
    const project = this.project();
    const { summary, dir } = this.stored(project, input.volumeId);
    if (summary.state !== 'ready') {
      throw new PromethiumError(
        'invalid-argument',
        `volume ${summary.name} is ${summary.state}: only finished volumes export`,
      );
    }
    if (input.uncertainty && !summary.hasUncertainty) {
      throw new PromethiumError(
        'invalid-argument',
        `volume ${summary.name} has no uncertainty (it was not an ensemble)`,
      );
    }
    const survey = this.readySurvey(project, summary.surveyId);
    const { sourcePath, sourceStatus, description } = survey.summary;
    if (sourceStatus !== 'ok') {
      throw new PromethiumError('unavailable', `the source ${sourcePath} is ${sourceStatus}: export needs its headers`);
    }
    const out = path.resolve(input.path);
    if (out === path.resolve(sourcePath)) {
      throw new PromethiumError('invalid-argument', "the export must not overwrite the survey's source file");
    }
    return this.jobs.start({
      kind: 'export-volume',
      volumeId: summary.id,
      volumeDir: dir,
      surveyCacheDir: survey.cacheDir,
      sourcePath,
      headerMap: description!.headerMap.map,
      path: out,
      format: input.format,
      uncertainty: input.uncertainty,
      history: historyLine(summary, input.uncertainty),
    });
  }

  /** Job hook: the volume's finished lines, after every line. */
  recordProgress(job: JobRecord, detail: unknown): void {
    if (job.request.kind !== 'apply-volume') return;
    const progress = detail as ApplyVolumeProgress;
    job.project.volumes.setProgress(job.request.volumeId, progress.completedLines, job.info.id);
  }

  /** Job hook: a finished job makes the volume ready; a stopped one leaves it resumable. */
  finish(job: JobRecord): void {
    if (job.request.kind !== 'apply-volume') return;
    const { state, id } = job.info;
    const volumes = job.project.volumes;
    if (state === 'done') volumes.markReady(job.request.volumeId, id);
    else volumes.setState(job.request.volumeId, state === 'failed' ? 'failed' : 'interrupted', id);
  }

  async close(): Promise<void> {
    await this.reader.close();
  }

  private stored(project: Project, id: string): StoredVolume {
    const stored = project.volumes.get(id);
    if (!stored) throw notFound(id);
    return stored;
  }

  private readySurvey(project: Project, surveyId: string): StoredSurvey {
    const stored = project.surveys.get(surveyId);
    if (!stored) throw new PromethiumError('not-found', `no survey ${surveyId} in this project`);
    const description = stored.summary.description;
    if (stored.summary.state !== 'ready' || !description || !(description.grid || description.line)) {
      throw new PromethiumError('invalid-argument', `${stored.summary.name} has no ready inlines to process`);
    }
    return stored;
  }
}

/** Whether a job writes the volume (applies into it) or reads it (exports it, or applies on top of it); null: neither. */
function volumeUse(request: JobRequest | undefined, volume: StoredVolume): 'written' | 'read' | null {
  if (request?.kind === 'apply-volume') {
    if (request.volumeId === volume.summary.id) return 'written';
    if (request.inputDir === volume.dir) return 'read';
  }
  if (request?.kind === 'export-volume' && request.volumeId === volume.summary.id) return 'read';
  return null;
}

/** The text header's history card: what was done, by what, when (a card holds 76 characters after "C40 "). */
function historyLine(volume: VolumeSummary, uncertainty: boolean): string {
  const date = new Date().toISOString().slice(0, 10);
  const what = uncertainty ? `std of ${volume.params.ensemble}-pass ${volume.task}` : volume.task;
  return `Promethium ${date}: ${what} (${volume.method})`.slice(0, 76);
}
