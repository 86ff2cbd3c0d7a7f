/**
 * Trainings handed to the project's Slurm cluster, as the jobs panel shows them: each with its models' tasks (state
 * from squeue / sacct on the server, the epochs each task's checkpoint holds) and the final job that registers the
 * models. Slurm sends no events, so the list is polled while any of them is still queued or running.
 */
import type { Api, ClusterTrainInput, ClusterTrainingStatus } from '../../../preload/contract';
import { clusterJobActive } from './clusterJobs.svelte';

const POLL_MS = 3000;

export class ClusterTrainingsStore {
  trainings = $state<ClusterTrainingStatus[]>([]);
  active = $derived(this.trainings.filter(clusterJobActive));
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly api: Api,
    /** Runs an API call, turning a failure into a notice (AppState.attempt). */
    private readonly attempt: <T>(what: string, call: () => Promise<T>) => Promise<T | undefined>,
    /** Called when a training has finished, so the models list shows its models. */
    private readonly onFinished: () => void,
  ) {}

  async refresh(): Promise<void> {
    const listed = await this.attempt('Reading the cluster trainings', () => this.api.cluster.trainings());
    if (!listed) return;
    const wasActive = this.active.map((training) => training.trainingId);
    this.trainings = listed;
    if (listed.some((t) => wasActive.includes(t.trainingId) && !clusterJobActive(t))) this.onFinished();
    this.schedule();
  }

  async train(input: ClusterTrainInput): Promise<ClusterTrainingStatus | undefined> {
    const started = await this.attempt('Sending the training to the cluster', () => this.api.cluster.train(input));
    if (!started) return undefined;
    this.trainings = [started, ...this.trainings];
    this.schedule();
    return started;
  }

  async resume(trainingId: string): Promise<void> {
    await this.attempt('Resubmitting the stopped models', () => this.api.cluster.resumeTraining(trainingId));
    await this.refresh();
  }

  async cancel(trainingId: string): Promise<void> {
    await this.attempt('Cancelling the cluster training', () => this.api.cluster.cancelTraining(trainingId));
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
