/**
 * Applies handed to the project's Slurm cluster, as the jobs panel shows them: each with its tasks' states (from
 * squeue / sacct on the server) and the inlines they wrote. Slurm sends no events, so the list is polled while any
 * of them is still queued or running, and not at all otherwise.
 */
import type { Api, ClusterJobStatus, VolumeSummary } from '../../../preload/contract';
import type { ApplyVolumeRequest } from './appState.svelte';

const POLL_MS = 3000;

/** Active until its final job has ended (also for trainings: clusterTrainings.svelte.ts). */
export function clusterJobActive(job: Pick<ClusterJobStatus, 'finish'>): boolean {
  return job.finish.state === 'pending' || job.finish.state === 'running' || job.finish.state === 'unknown';
}

export class ClusterJobsStore {
  jobs = $state<ClusterJobStatus[]>([]);
  active = $derived(this.jobs.filter(clusterJobActive));
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly api: Api,
    /** Runs an API call, turning a failure into a notice (AppState.attempt). */
    private readonly attempt: <T>(what: string, call: () => Promise<T>) => Promise<T | undefined>,
    /** Called when a cluster job has finished, so the volumes list shows it ready. */
    private readonly onFinished: () => void,
  ) {}

  async refresh(): Promise<void> {
    const listed = await this.attempt('Reading the cluster jobs', () => this.api.cluster.list());
    if (!listed) return;
    const wasActive = this.active.map((job) => job.volumeId);
    this.jobs = listed;
    if (listed.some((job) => wasActive.includes(job.volumeId) && !clusterJobActive(job))) this.onFinished();
    this.schedule();
  }

  async apply(request: ApplyVolumeRequest): Promise<VolumeSummary | undefined> {
    const started = await this.attempt('Sending the apply to the cluster', () => this.api.cluster.apply(request, {}));
    if (!started) return undefined;
    this.jobs = [started.status, ...this.jobs.filter((job) => job.volumeId !== started.volume.id)];
    this.schedule();
    return started.volume;
  }

  async resume(volumeId: string): Promise<void> {
    await this.attempt('Resubmitting the failed tasks', () => this.api.cluster.resume(volumeId));
    await this.refresh();
  }

  async cancel(volumeId: string): Promise<void> {
    await this.attempt('Cancelling the cluster job', () => this.api.cluster.cancel(volumeId));
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
