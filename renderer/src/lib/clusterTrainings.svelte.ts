/**
 * Trainings handed to the project's Slurm cluster, as the jobs panel shows them: each with its models' tasks (state
 * from squeue / sacct on the server, the epochs each task's checkpoint holds) and the final job that registers the
 * models, polled while any of them is still queued or running.
 */
import type { Api, ClusterTrainInput, ClusterTrainingStatus } from '../../../preload/contract';
import { clusterJobActive } from './clusterJobs.svelte';
import { PolledList } from './polledList.svelte';

export class ClusterTrainingsStore {
  private readonly list: PolledList<ClusterTrainingStatus>;

  constructor(
    private readonly api: Api,
    /** Runs an API call, turning a failure into a notice (AppState.attempt). */
    private readonly attempt: <T>(what: string, call: () => Promise<T>) => Promise<T | undefined>,
    /** Called when a training has finished, so the models list shows its models. */
    onFinished: () => void,
  ) {
    const read = () => attempt('Reading the cluster trainings', () => api.cluster.trainings());
    this.list = new PolledList(read, (training) => training.trainingId, clusterJobActive, onFinished);
  }

  get trainings(): ClusterTrainingStatus[] {
    return this.list.items;
  }

  refresh(): Promise<void> {
    return this.list.refresh();
  }

  async train(input: ClusterTrainInput): Promise<ClusterTrainingStatus | undefined> {
    const started = await this.attempt('Sending the training to the cluster', () => this.api.cluster.train(input));
    if (!started) return undefined;
    this.list.add(started);
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
    this.list.stop();
  }
}
