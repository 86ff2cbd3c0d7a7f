/**
 * Trainings handed to the project's Slurm cluster, for the API and the CLI: the training is planned like a local one
 * (TrainingService.plan), split into one request per model (an ensemble's seeds or a sweep's configurations), and
 * submitted as one array job (main/cluster/clusterTrain.ts); its state is read back from Slurm and the tasks' folders.
 */
import { randomUUID } from 'node:crypto';
import { PromethiumError, type ClusterTrainingStatus, type TrainingSweepEntry } from '../../preload/contract';
import { nodeCommand } from '../cluster/clusterApply';
import { readClusterSettings } from '../cluster/clusterSettings';
import {
  cancelClusterTraining,
  registerTrainedModels,
  resumeClusterTraining,
  submitTraining,
  trainingJobDir,
  trainingStatus,
} from '../cluster/clusterTrain';
import { ensembleMembers, sweepMembers } from '../cluster/trainingMembers';
import type { ModelRegistry } from '../ml/registry/modelRegistry';
import type { ClusterTrainingRecord } from '../project/clusterTrainingsRepository';
import type { Project } from '../project/project';
import type { TrainRequestInput, TrainingService } from './trainingService';

/** A training for the cluster: an ensemble of `ensemble` seeds, or one model per configuration of `sweep`. */
export type ClusterTrainRequestInput = TrainRequestInput & { ensemble: number; sweep?: TrainingSweepEntry[] };

export class ClusterTrainingService {
  constructor(
    private readonly project: () => Project,
    private readonly training: TrainingService,
    private readonly models: ModelRegistry,
    /** This installation's CLI as a shell command (null in the desktop app: the settings must name one). */
    private readonly localCommand: string | null,
  ) {}

  async submit(input: ClusterTrainRequestInput): Promise<ClusterTrainingStatus> {
    const project = this.project();
    const settings = readClusterSettings(project);
    const command = nodeCommand(settings, this.localCommand);
    const id = randomUUID();
    const dir = trainingJobDir(project.dir, id);
    const base = await this.training.plan(input);
    const members = input.sweep
      ? await sweepMembers(base, input.sweep, dir)
      : ensembleMembers(base, input.ensemble, dir);
    const kind = input.sweep ? 'sweep' : 'ensemble';
    const record = await submitTraining(project, { id, name: input.name, kind, members }, settings, command);
    return trainingStatus(project, record);
  }

  async list(): Promise<ClusterTrainingStatus[]> {
    const project = this.project();
    const statuses: ClusterTrainingStatus[] = [];
    for (const record of project.clusterTrainings.list()) statuses.push(await trainingStatus(project, record));
    return statuses;
  }

  status(trainingId: string): Promise<ClusterTrainingStatus> {
    return trainingStatus(this.project(), this.record(trainingId));
  }

  resume(trainingId: string): Promise<number[]> {
    const project = this.project();
    return resumeClusterTraining(project, this.record(trainingId), readClusterSettings(project));
  }

  cancel(trainingId: string): Promise<void> {
    return cancelClusterTraining(this.record(trainingId));
  }

  /** The final job's work: the trained models into the registry, with their cards and curves. */
  register(trainingId: string): Promise<string[]> {
    return registerTrainedModels(this.project(), this.models, this.record(trainingId));
  }

  private record(trainingId: string): ClusterTrainingRecord {
    const record = this.project().clusterTrainings.get(trainingId);
    if (!record) throw new PromethiumError('not-found', `no training ${trainingId} was sent to the cluster`);
    return record;
  }
}
