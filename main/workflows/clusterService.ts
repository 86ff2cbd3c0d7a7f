/**
 * Applies handed to the project's Slurm cluster, for the API: the volume is planned like a local apply, its tasks
 * and final job are submitted (main/cluster), and their state is read back from Slurm and from the inlines written.
 */
import path from 'node:path';
import {
  PromethiumError,
  type ClusterCheck,
  type ClusterJobStatus,
  type ClusterSettings,
  type VolumeSummary,
} from '../../preload/contract';
import {
  cancelClusterApply,
  clusterStatus,
  nodeCommand,
  resumeClusterApply,
  submitApply,
} from '../cluster/clusterApply';
import { checkCluster } from '../cluster/clusterCheck';
import { readClusterSettings, updateClusterSettings } from '../cluster/clusterSettings';
import type { ClusterJobRecord } from '../project/clusterJobsRepository';
import type { Project } from '../project/project';
import type { ApplyVolumeInput, VolumeService } from './volumeService';

export class ClusterService {
  constructor(
    private readonly project: () => Project,
    private readonly volumes: VolumeService,
    /** This installation's CLI as a shell command (null in the desktop app: the settings must name one). */
    private readonly localCommand: string | null,
  ) {}

  settings(): ClusterSettings {
    return readClusterSettings(this.project());
  }

  updateSettings(change: Partial<ClusterSettings>): ClusterSettings {
    return updateClusterSettings(this.project(), change);
  }

  /** `appVersion`: this installation's, which the nodes must run too. */
  check(appVersion: string): Promise<ClusterCheck> {
    const settings = this.settings();
    return checkCluster(this.project(), settings, nodeCommand(settings, this.localCommand), appVersion);
  }

  async apply(
    input: ApplyVolumeInput,
    options: { exportPath?: string },
  ): Promise<{ volume: VolumeSummary; status: ClusterJobStatus }> {
    const project = this.project();
    const settings = this.settings();
    const { volume, request } = await this.volumes.plan(input);
    const record = await submitApply(project, request, settings, nodeCommand(settings, this.localCommand), {
      exportPath: options.exportPath && path.resolve(options.exportPath),
    });
    return { volume: this.volumes.get(volume.id), status: await clusterStatus(record, request.volumeDir) };
  }

  async list(): Promise<ClusterJobStatus[]> {
    const project = this.project();
    const statuses: ClusterJobStatus[] = [];
    for (const record of project.clusterJobs.list()) {
      const volume = project.volumes.get(record.volumeId);
      if (volume) statuses.push(await clusterStatus(record, volume.dir));
    }
    return statuses;
  }

  async resume(volumeId: string): Promise<number[]> {
    const { project, record, dir } = this.record(volumeId);
    return resumeClusterApply(project, record, dir, this.settings());
  }

  async cancel(volumeId: string): Promise<void> {
    const { project, record } = this.record(volumeId);
    await cancelClusterApply(project, record);
  }

  private record(volumeId: string): { project: Project; record: ClusterJobRecord; dir: string } {
    const project = this.project();
    const record = project.clusterJobs.get(volumeId);
    const volume = project.volumes.get(volumeId);
    if (!record || !volume) throw new PromethiumError('not-found', `volume ${volumeId} was not sent to the cluster`);
    return { project, record, dir: volume.dir };
  }
}
