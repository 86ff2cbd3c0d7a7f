/**
 * Velocity model building for the open project: starts the `velocity-build` job on a pre-stack survey with a velocity
 * ensemble from the registry (the bundled one by default), reads the survey's latest build back, and exports its maps
 * as depth SEG-Y or .npy. A build lives in the survey's cache folder (`velocity/`): it reopens after a restart, and goes
 * with the survey when the survey is removed or imported again.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_VELOCITY_MODEL, PromethiumError, type JobInfo, type VelocityBuild } from '../../preload/contract';
import { writeFileAtomically } from '../files/atomicFile';
import { encodeNpy } from '../files/npy';
import type { JobRunner } from '../jobs/jobRunner';
import type { ModelRegistry } from '../ml/registry/modelRegistry';
import type { Project } from '../project/project';
import type { StoredSurvey } from '../project/surveysRepository';
import { OPENFWI } from '../velocity/openfwiLayout';
import {
  readVelocityBuild,
  readVelocityMap,
  readVelocityRecord,
  type VelocityMapName,
} from '../velocity/velocityBuild';
import { writeVelocitySegy } from '../velocity/velocitySegy';

const POST_STACK_KINDS = new Set(['post-stack-3d', 'post-stack-2d']);
const MAP_TITLES: Record<VelocityMapName, string> = {
  velocity: 'VELOCITY (ENSEMBLE MEAN)',
  spread: 'VELOCITY SPREAD (ENSEMBLE STANDARD DEVIATION)',
  baseline: 'VELOCITY (SEMBLANCE + DIX)',
};

export class VelocityService {
  constructor(
    private readonly project: () => Project,
    private readonly jobs: JobRunner,
    private readonly models: ModelRegistry,
  ) {}

  async build(request: { surveyId: string; modelId?: string; sourceDelayMs?: number }): Promise<JobInfo> {
    const project = this.project();
    const { summary: survey, cacheDir } = this.shotSurvey(project, request.surveyId);
    const id = request.modelId ?? DEFAULT_VELOCITY_MODEL;
    const details = await this.models.get(id);
    if (details.summary.task !== 'velocity') {
      throw new PromethiumError(
        'invalid-argument',
        `${details.summary.name} is a ${details.summary.task} model, not a velocity ensemble`,
      );
    }
    return this.jobs.start({
      kind: 'velocity-build',
      surveyId: survey.id,
      surveyName: survey.name,
      sourcePath: survey.sourcePath,
      model: { id, name: details.summary.name, dir: this.models.folder(id) },
      sourceDelayMs: request.sourceDelayMs ?? 0,
      resultDir: buildDir(cacheDir),
    });
  }

  async result(surveyId: string): Promise<VelocityBuild | null> {
    return readVelocityBuild(buildDir(this.shotSurvey(this.project(), surveyId).cacheDir));
  }

  async export(request: {
    surveyId: string;
    map: VelocityMapName;
    format: 'segy' | 'npy';
    path: string;
  }): Promise<{ path: string; sizeBytes: number }> {
    const { summary: survey, cacheDir } = this.shotSurvey(this.project(), request.surveyId);
    const dir = buildDir(cacheDir);
    const record = await readVelocityRecord(dir);
    if (record === null) {
      throw new PromethiumError('not-found', `${survey.name} has no velocity model yet: build one first`);
    }
    const map = readVelocityMap(dir, request.map);
    const target = path.resolve(request.path);
    if (request.format === 'npy') {
      await writeFileAtomically(target, encodeNpy(map, [1, 1, OPENFWI.cells, OPENFWI.cells]));
    } else {
      const title = MAP_TITLES[request.map];
      await writeVelocitySegy(target, {
        map,
        side: OPENFWI.cells,
        spacingM: OPENFWI.spacingM,
        title,
        line: record.line,
      });
    }
    return { path: target, sizeBytes: (await stat(target)).size };
  }

  /** A ready survey that may hold shot gathers (not a stacked one). */
  private shotSurvey(project: Project, surveyId: string): StoredSurvey {
    const stored = project.surveys.get(surveyId);
    if (!stored) throw new PromethiumError('not-found', `no survey ${surveyId} in this project`);
    const { summary } = stored;
    if (summary.state !== 'ready' || !summary.description) {
      throw new PromethiumError('unavailable', `survey ${summary.name} is ${summary.state}, not ready`);
    }
    if (POST_STACK_KINDS.has(summary.description.kind)) {
      throw new PromethiumError(
        'invalid-argument',
        `${summary.name} is a stacked survey (${summary.description.kind}): velocity building needs pre-stack shot gathers`,
      );
    }
    return stored;
  }
}

const buildDir = (surveyCacheDir: string) => path.join(surveyCacheDir, 'velocity');
