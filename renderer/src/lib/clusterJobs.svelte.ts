/**
 * Applies handed to the project's Slurm cluster, as the jobs panel shows them: each with its tasks' states (from
 * squeue / sacct on the server) and the inlines they wrote, polled while any of them is still queued or running.
 */
import type { Api, ClusterJobStatus, ClusterTaskState, VolumeSummary } from '../../../preload/contract';
import type { ApplyVolumeRequest } from './appState.svelte';
import { PolledList } from './polledList.svelte';

/** Active until its final job has ended (also for trainings: clusterTrainings.svelte.ts). */
export function clusterJobActive(job: Pick<ClusterJobStatus, 'finish'>): boolean {
  return job.finish.state === 'pending' || job.finish.state === 'running' || job.finish.state === 'unknown';
}

const STATE_ORDER: readonly ClusterTaskState[] = ['running', 'pending', 'done', 'failed', 'cancelled', 'unknown'];

/** How many of `states` are in each state, running first, states with none left out (the jobs panel's summaries). */
export function stateCounts(states: readonly ClusterTaskState[]): [ClusterTaskState, number][] {
  return STATE_ORDER.map(
    (state) => [state, states.filter((s) => s === state).length] as [ClusterTaskState, number],
  ).filter(([, count]) => count > 0);
}

export class ClusterJobsStore {
  private readonly list: PolledList<ClusterJobStatus>;

  constructor(
    private readonly api: Api,
    /** Runs an API call, turning a failure into a notice (AppState.attempt). */
    private readonly attempt: <T>(what: string, call: () => Promise<T>) => Promise<T | undefined>,
    /** Called when a cluster job has finished, so the volumes list shows it ready. */
    onFinished: () => void,
  ) {
    const read = () => attempt('Reading the cluster jobs', () => api.cluster.list());
    this.list = new PolledList(read, (job) => job.volumeId, clusterJobActive, onFinished);
  }

  get jobs(): ClusterJobStatus[] {
    return this.list.items;
  }

  refresh(): Promise<void> {
    return this.list.refresh();
  }

  async apply(request: ApplyVolumeRequest): Promise<VolumeSummary | undefined> {
    const started = await this.attempt('Sending the apply to the cluster', () => this.api.cluster.apply(request, {}));
    if (!started) return undefined;
    this.list.add(started.status);
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
    this.list.stop();
  }
}
