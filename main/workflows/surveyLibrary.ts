/**
 * The surveys of the open project: inspecting a SEG-Y before import, importing it (a job), listing, removing, and
 * reading sections and gathers for the viewers.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import {
  PromethiumError,
  type ArbitraryLineData,
  type DisplaySettings,
  type JobInfo,
  type SectionData,
  type SampleAxisInfo,
  type SegyInspection,
  type SurveyDescription,
  type SurveySummary,
  type TraceHeaderData,
} from '../../preload/contract';
import type { ApiEventBus } from '../jobs/events';
import type { JobRunner } from '../jobs/jobRunner';
import type { Project } from '../project/project';
import type { StoredSurvey } from '../project/surveysRepository';
import { openSegy } from '../segy/reader';
import { sampleTraceHeaders } from '../segy/scan';
import { HEADER_MAP_FIELDS, detectHeaderMap, type HeaderMap } from '../survey/headerMap';
import { SectionReader, type SurveyLocation } from '../survey/sectionReader';
import { describeFile, describeProposal } from '../survey/surveyDescription';

export async function inspectSegy(filePath: string, headerMap?: Partial<HeaderMap>): Promise<SegyInspection> {
  const file = await openSegy(filePath);
  try {
    const sample = await sampleTraceHeaders(file, HEADER_MAP_FIELDS);
    const proposal = detectHeaderMap(sample, file.traceCount, headerMap);
    return { file: describeFile(file), headerMap: describeProposal(proposal) };
  } finally {
    await file.close();
  }
}

export class SurveyLibrary {
  private readonly reader = new SectionReader();

  constructor(
    private readonly project: () => Project,
    private readonly jobs: JobRunner,
    private readonly bus: ApiEventBus,
  ) {}

  startImport(request: { path: string; name?: string; headerMap?: Partial<HeaderMap> }): {
    survey: SurveySummary;
    job: JobInfo;
  } {
    const project = this.project();
    const sourcePath = path.resolve(request.path);
    const id = randomUUID();
    const cacheDir = path.join(project.cachesDir, `${id}.zarr`);
    project.surveys.insertImporting({ id, name: request.name ?? path.basename(sourcePath), sourcePath, cacheDir });
    const job = this.jobs.start({
      kind: 'import-survey',
      surveyId: id,
      path: sourcePath,
      cacheDir,
      headerMap: request.headerMap,
    });
    const survey = this.stored(project, id).summary;
    this.bus.emit('surveys.changed', survey);
    return { survey, job };
  }

  /** Records the outcome of an import job (called by the job runner in the main process). */
  finishImport(project: Project, info: JobInfo, surveyId: string, cacheDir: string): void {
    if (info.state === 'done') project.surveys.markReady(surveyId, info.result as SurveyDescription);
    else {
      project.surveys.markFailed(surveyId);
      void rm(cacheDir, { recursive: true, force: true });
    }
    const stored = project.surveys.get(surveyId);
    if (stored) this.bus.emit('surveys.changed', stored.summary);
  }

  list(): SurveySummary[] {
    return this.project()
      .surveys.list()
      .map((s) => s.summary);
  }

  get(id: string): SurveySummary {
    return this.stored(this.project(), id).summary;
  }

  async remove(id: string): Promise<void> {
    const project = this.project();
    const { cacheDir } = this.stored(project, id);
    await this.reader.forget(id);
    project.surveys.remove(id);
    project.settings.remove(displayKey(id));
    await rm(cacheDir, { recursive: true, force: true });
  }

  /** The user's declaration of the vertical axis (the headers' guess was wrong): saved, and announced to the windows. */
  setVerticalAxis(id: string, axis: Pick<SampleAxisInfo, 'domain' | 'unit'>): SurveySummary {
    const project = this.project();
    const { summary } = this.stored(project, id);
    if (summary.state !== 'ready' || !summary.description) {
      throw new PromethiumError(
        'unavailable',
        `survey ${summary.name} is ${summary.state}: its axis can be set once it is ready`,
      );
    }
    const sampleAxis = { ...summary.description.sampleAxis, ...axis };
    project.surveys.updateDescription(id, { ...summary.description, sampleAxis });
    const updated = this.stored(project, id).summary;
    this.bus.emit('surveys.changed', updated);
    return updated;
  }

  /** The display settings saved for a survey (null before the first were saved). */
  display(id: string): DisplaySettings | null {
    const project = this.project();
    this.stored(project, id);
    return project.settings.get<DisplaySettings>(displayKey(id)) ?? null;
  }

  setDisplay(id: string, settings: DisplaySettings): void {
    const project = this.project();
    this.stored(project, id);
    project.settings.set(displayKey(id), settings);
  }

  async section(surveyId: string, axis: 'inline' | 'crossline' | 'time', index: number): Promise<SectionData> {
    return this.reader.section(this.readable(surveyId), axis, index);
  }

  async arbitraryLine(surveyId: string, points: readonly (readonly [number, number])[]): Promise<ArbitraryLineData> {
    return this.reader.arbitrary(this.readable(surveyId), points);
  }

  /** The source SEG-Y header of the trace in a grid cell, or of a gather's trace. */
  async traceHeader(
    request: { surveyId: string; cell: [number, number] } | { surveyId: string; gather: number; trace: number },
  ): Promise<TraceHeaderData> {
    const survey = this.readable(request.surveyId);
    return 'cell' in request
      ? this.reader.cellTraceHeader(survey, request.cell[0], request.cell[1])
      : this.reader.gatherTraceHeader(survey, request.gather, request.trace);
  }

  async liveMask(surveyId: string): Promise<{ inlines: number; crosslines: number; mask: Uint8Array }> {
    return this.reader.liveMask(this.readable(surveyId));
  }

  async lod(surveyId: string): Promise<{ data: Float32Array; shape: [number, number, number]; factor: number }> {
    return this.reader.lod(this.readable(surveyId));
  }

  async gather(surveyId: string, index: number): Promise<SectionData> {
    return this.reader.gather(this.readable(surveyId), index);
  }

  async close(): Promise<void> {
    await this.reader.close();
  }

  private stored(project: Project, id: string): StoredSurvey {
    const stored = project.surveys.get(id);
    if (!stored) throw new PromethiumError('not-found', `no survey ${id} in this project`);
    return stored;
  }

  private readable(id: string): SurveyLocation {
    const { summary, cacheDir } = this.stored(this.project(), id);
    if (summary.state !== 'ready' || !summary.description) {
      throw new PromethiumError('unavailable', `survey ${summary.name} is ${summary.state}, not ready to browse`);
    }
    return { id, cacheDir, sourcePath: summary.sourcePath, description: summary.description };
  }
}

/** Where a survey's display settings live in the project's settings table. */
function displayKey(surveyId: string): string {
  return `display:${surveyId}`;
}
