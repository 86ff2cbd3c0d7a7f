/**
 * SEG-Y imports handed to the project's Slurm cluster, as the jobs panel shows them: each stage's jobs (from squeue /
 * sacct on the server) and the pieces and blocks the tasks recorded. Slurm sends no events, so the list is polled
 * while any import is still queued or running, and not at all otherwise.
 */
import type { Api, ClusterImportStatus, SurveySummary } from '../../../preload/contract';

const POLL_MS = 3000;

/** The final job's state says whether the chain still runs (it waits while the stages before it run). */
export function finalJobState(status: ClusterImportStatus): string {
  return status.stages.find((stage) => stage.stage === 'finish')?.jobs[0]?.state ?? 'unknown';
}

export function clusterImportActive(status: ClusterImportStatus): boolean {
  return ['pending', 'running', 'unknown'].includes(finalJobState(status));
}

export class ClusterImportsStore {
  imports = $state<ClusterImportStatus[]>([]);
  active = $derived(this.imports.filter(clusterImportActive));
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly api: Api,
    /** Runs an API call, turning a failure into a notice (AppState.attempt). */
    private readonly attempt: <T>(what: string, call: () => Promise<T>) => Promise<T | undefined>,
    /** Called when an import has ended, so the survey list shows it ready. */
    private readonly onFinished: () => void,
  ) {}

  async refresh(): Promise<void> {
    const listed = await this.attempt('Reading the cluster imports', () => this.api.cluster.imports());
    if (!listed) return;
    const wasActive = this.active.map((status) => status.surveyId);
    this.imports = listed;
    if (listed.some((status) => wasActive.includes(status.surveyId) && !clusterImportActive(status))) {
      this.onFinished();
    }
    this.schedule();
  }

  async submit(request: Parameters<Api['cluster']['importSurvey']>[0]): Promise<SurveySummary | undefined> {
    const started = await this.attempt('Sending the import to the cluster', () =>
      this.api.cluster.importSurvey(request),
    );
    if (!started) return undefined;
    this.imports = [started.status, ...this.imports.filter((status) => status.surveyId !== started.survey.id)];
    this.schedule();
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
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    this.stop();
    if (this.active.length > 0) this.timer = setTimeout(() => void this.refresh(), POLL_MS);
  }
}
