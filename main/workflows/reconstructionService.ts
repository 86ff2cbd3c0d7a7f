/**
 * One-click reconstruction of a line: builds the 'reconstruct-section' job from the user's choice (model or method)
 * and keeps the panels of the last few results in memory for the compare view (only the QC figures are persisted).
 */
import {
  DEFAULT_MODELS,
  PromethiumError,
  type JobInfo,
  type ReconstructionMethod,
  type ReconstructionQc,
  type ReconstructionResult,
} from '../../preload/contract';
import type { SectionReconstructionOutput } from '../compute/reconstructSection';
import type { JobRecord, JobRunner } from '../jobs/jobRunner';
import type { ModelRegistry } from '../ml/registry/modelRegistry';
import type { Project } from '../project/project';
import { sectionTraceAxisName } from '../survey/surveyDescription';

const KEPT_RESULTS = 8;

export interface ReconstructInput {
  surveyId: string;
  axis: 'inline' | 'crossline';
  index: number;
  task: 'denoise' | 'interpolate';
  modelId?: string;
  method?: ReconstructionMethod;
  tta: boolean;
  ensemble: number;
  /** Model denoising without the strength check (default: checked). */
  fullStrength?: boolean;
}

/**
 * The model a reconstruction uses: an explicit model; else none when a method is chosen; else the task's bundled model
 * when there is one (else none: the method default).
 */
export async function chooseModel(
  models: ModelRegistry,
  input: Pick<ReconstructInput, 'modelId' | 'method' | 'task'>,
): Promise<{ id: string; dir: string; name: string } | null> {
  const id = input.modelId ?? (input.method ? undefined : DEFAULT_MODELS[input.task]);
  if (!id) return null;
  const known = (await models.list()).find((m) => m.id === id);
  if (!known) {
    if (input.modelId) throw new PromethiumError('not-found', `no model ${input.modelId}`);
    return null;
  }
  return { id, dir: models.folder(id), name: known.name };
}

export class ReconstructionService {
  private readonly results = new Map<string, ReconstructionResult>();

  constructor(
    private readonly project: () => Project,
    private readonly jobs: JobRunner,
    private readonly models: ModelRegistry,
  ) {}

  async start(input: ReconstructInput): Promise<JobInfo> {
    const stored = this.project().surveys.get(input.surveyId);
    if (!stored) throw new PromethiumError('not-found', `no survey ${input.surveyId} in this project`);
    const description = stored.summary.description;
    const grid = description?.grid;
    if (stored.summary.state !== 'ready' || !description || !(grid || description.line)) {
      throw new PromethiumError('invalid-argument', `${stored.summary.name} has no ready inlines to reconstruct`);
    }
    const axisRange = input.axis === 'inline' ? grid?.inlines : grid?.crosslines;
    const number = axisRange ? axisRange.first + input.index * axisRange.step : input.index;
    const model = await this.chooseModel(input);
    return this.jobs.start({
      kind: 'reconstruct-section',
      surveyId: input.surveyId,
      surveyName: stored.summary.name,
      cacheDir: stored.cacheDir,
      label: grid ? `${input.axis === 'inline' ? 'Inline' : 'Crossline'} ${number}` : stored.summary.name,
      axis: input.axis,
      index: input.index,
      traceAxisName: sectionTraceAxisName(description, input.axis),
      task: input.task,
      model,
      method: model ? null : (input.method ?? null),
      tta: input.tta,
      ensemble: input.ensemble,
      fullStrength: input.task === 'denoise' && (input.fullStrength ?? false),
    });
  }

  private chooseModel(input: ReconstructInput): Promise<{ dir: string; name: string } | null> {
    return chooseModel(this.models, input).then((chosen) => chosen && { dir: chosen.dir, name: chosen.name });
  }

  /** Job hook: keeps the panels in memory, leaves only the QC figures (no arrays) in the persisted job result. */
  finish(job: JobRecord): void {
    if (job.request.kind !== 'reconstruct-section' || job.info.state !== 'done') return;
    const output = job.info.result as SectionReconstructionOutput;
    this.results.set(job.info.id, {
      jobId: job.info.id,
      task: job.request.task,
      input: { ...output.input, surveyId: job.request.surveyId },
      result: output.result,
      difference: output.difference,
      uncertainty: output.uncertainty,
      qc: output.qc,
    });
    while (this.results.size > KEPT_RESULTS) this.results.delete(this.results.keys().next().value!);
    const { spectra: _spectra, ...figures }: ReconstructionQc = output.qc;
    job.info.result = figures;
  }

  result(jobId: string): ReconstructionResult {
    const result = this.results.get(jobId);
    if (!result) {
      throw new PromethiumError(
        'not-found',
        `no reconstruction result for job ${jobId} (only the last ${KEPT_RESULTS} are kept)`,
      );
    }
    return result;
  }
}
