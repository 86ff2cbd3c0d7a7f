/**
 * SEG-Y imports handed to the project's Slurm cluster, for the API: planned and submitted here (main/cluster), their
 * jobs' states read back from Slurm and their progress from what the tasks recorded.
 */
import path from 'node:path';
import {
  PromethiumError,
  type ClusterImportStatus,
  type HeaderMapPositions,
  type SurveySummary,
} from '../../preload/contract';
import { nodeCommand } from '../cluster/clusterApply';
import {
  cancelClusterImport,
  clusterImportStatus,
  resumeClusterImport,
  submitClusterImport,
} from '../cluster/clusterImport';
import { readClusterSettings } from '../cluster/clusterSettings';
import type { ApiEventBus } from '../jobs/events';
import type { ClusterImportRecord } from '../project/clusterImportsRepository';
import type { Project } from '../project/project';

export class ClusterImportService {
  constructor(
    private readonly project: () => Project,
    private readonly bus: ApiEventBus,
    /** This installation's CLI as a shell command (null in the desktop app: the settings must name one). */
    private readonly localCommand: string | null,
  ) {}

  async importSurvey(request: {
    path: string;
    name?: string;
    headerMap?: Partial<HeaderMapPositions>;
  }): Promise<{ survey: SurveySummary; status: ClusterImportStatus }> {
    const project = this.project();
    const settings = readClusterSettings(project);
    const command = nodeCommand(settings, this.localCommand);
    const record = await submitClusterImport(
      project,
      { ...request, path: path.resolve(request.path) },
      settings,
      command,
    );
    const survey = project.surveys.get(record.surveyId)!.summary;
    this.bus.emit('surveys.changed', survey);
    return { survey, status: await clusterImportStatus(project.dir, record) };
  }

  async list(): Promise<ClusterImportStatus[]> {
    const project = this.project();
    return Promise.all(project.clusterImports.list().map((record) => clusterImportStatus(project.dir, record)));
  }

  async resume(surveyId: string): Promise<void> {
    const project = this.project();
    await resumeClusterImport(project, this.record(project, surveyId), readClusterSettings(project));
  }

  async cancel(surveyId: string): Promise<void> {
    const project = this.project();
    await cancelClusterImport(project.dir, this.record(project, surveyId));
  }

  private record(project: Project, surveyId: string): ClusterImportRecord {
    const record = project.clusterImports.get(surveyId);
    if (!record) throw new PromethiumError('not-found', `survey ${surveyId} was not imported on the cluster`);
    return record;
  }
}
