/**
 * SEG-Y imports handed to the project's Slurm cluster, as the jobs panel shows them: each stage's jobs (from squeue /
 * sacct on the server) and the pieces and blocks the tasks recorded, polled while any import runs.
 */
import type { Api, ClusterImportStatus, SurveySummary } from '../../../preload/contract';
import { PolledList } from './polledList.svelte';

/** The final job's state says whether the chain still runs (it waits while the stages before it run). */
export function finalJobState(status: ClusterImportStatus): string {
  return status.stages.find((stage) => stage.stage === 'finish')?.jobs[0]?.state ?? 'unknown';
}

export function clusterImportActive(status: ClusterImportStatus): boolean {
  return ['pending', 'running', 'unknown'].includes(finalJobState(status));
}

export class ClusterImportsStore {
  private readonly list: PolledList<ClusterImportStatus>;

  constructor(
    private readonly api: Api,
    /** Runs an API call, turning a failure into a notice (AppState.attempt). */
    private readonly attempt: <T>(what: string, call: () => Promise<T>) => Promise<T | undefined>,
    /** Called when an import has ended, so the survey list shows it ready. */
    onFinished: () => void,
  ) {
    const read = () => attempt('Reading the cluster imports', () => api.cluster.imports());
    this.list = new PolledList(read, (status) => status.surveyId, clusterImportActive, onFinished);
  }

  get imports(): ClusterImportStatus[] {
    return this.list.items;
  }

  refresh(): Promise<void> {
    return this.list.refresh();
  }

  async submit(request: Parameters<Api['cluster']['importSurvey']>[0]): Promise<SurveySummary | undefined> {
    const started = await this.attempt('Sending the import to the cluster', () =>
      this.api.cluster.importSurvey(request),
    );
    if (!started) return undefined;
    this.list.add(started.status);
    return started.survey;
  }

  async resume(surveyId: string): Promise<void> {
    await this.attempt('Submitting the import again', () => this.api.cluster.resumeImport(surveyId));
    await this.refresh();
  }

  async cancel(surveyId: string): Promise<void> {
    await this.attempt('Cancelling the cluster import', () => this.api.cluster.cancelImport(surveyId));
    await this.refresh();
  }

  stop(): void {
    this.list.stop();
  }
}
