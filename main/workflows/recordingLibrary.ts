/**
 * The recording sets of the open project (passive seismic): importing a folder of miniSEED files (a job in the compute
 * process), listing and removing sets, and reading the waveform and spectrogram windows the views draw.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import {
  PromethiumError,
  type JobInfo,
  type RecordingAnomalies,
  type RecordingChannelInfo,
  type RecordingReconstruction,
  type RecordingSetSummary,
  type RecordingSpectrogram,
  type WaveformData,
} from '../../preload/contract';
import type { ApiEventBus } from '../jobs/events';
import type { JobRunner } from '../jobs/jobRunner';
import type { Project } from '../project/project';
import type { StoredChannel, StoredRecordingSet } from '../project/recordingSetsRepository';
import { channelName, formatNs, nsToMs } from '../passive/mseed';
import { RecordingCache } from '../passive/recordingCache';
import { describeRecordingSet } from '../passive/recordingSet';
import { readAnomalies } from '../passive/anomaly/recordingSetDetection';
import { readReconstruction } from '../passive/denoise/recordingSetReconstruction';
import type { ViewReader } from './viewThread/viewThread';
import type { SpectrogramWindowRequest, WaveformWindowRequest } from './viewThread/viewReads';

export class RecordingLibrary {
  constructor(
    private readonly project: () => Project,
    private readonly jobs: JobRunner,
    private readonly bus: ApiEventBus,
    /** Where the views' windows are read: off the main process's event loop (viewThread/viewThread.ts). */
    private readonly views: ViewReader,
  ) {}

  startImport(request: { dir: string; name?: string }): { recordingSet: RecordingSetSummary; job: JobInfo } {
    const project = this.project();
    const dir = path.resolve(request.dir);
    const id = randomUUID();
    const cacheDir = path.join(project.cachesDir, `${id}.recording`);
    project.recordings.insertImporting({ id, name: request.name ?? path.basename(dir), sourceDir: dir, cacheDir });
    const job = this.jobs.start({ kind: 'import-recordings', setId: id, dir, cacheDir });
    const recordingSet = this.get(id);
    this.bus.emit('recordings.changed', recordingSet);
    return { recordingSet, job };
  }

  /** Records the outcome of an import job (called by the job runner in the main process). */
  async finishImport(project: Project, info: JobInfo, setId: string, cacheDir: string): Promise<void> {
    try {
      if (info.state !== 'done') throw new Error(`the import job ${info.state}`);
      const cache = await RecordingCache.open(cacheDir);
      project.recordings.markReady(setId, await describeRecordingSet(cache.index));
    } catch (error) {
      project.recordings.markFailed(setId);
      await rm(cacheDir, { recursive: true, force: true });
      // A failed job already says why; a failure here (the cache unreadable) fails the job.
      if (info.state === 'done') throw error;
    } finally {
      const stored = project.recordings.get(setId);
      if (stored) this.bus.emit('recordings.changed', toSummary(stored));
    }
  }

  list(): RecordingSetSummary[] {
    return this.project().recordings.list().map(toSummary);
  }

  get(id: string): RecordingSetSummary {
    return toSummary(this.stored(id));
  }

  async remove(id: string): Promise<void> {
    const { cacheDir } = this.stored(id);
    this.project().recordings.remove(id);
    await rm(cacheDir, { recursive: true, force: true });
  }

  waveform(request: WaveformWindowRequest): Promise<WaveformData> {
    return this.views.read('waveform', { cacheDir: this.readyComponents(request.setId, []).cacheDir, window: request });
  }

  spectrogram(request: SpectrogramWindowRequest): Promise<RecordingSpectrogram> {
    return this.views.read('spectrogram', {
      cacheDir: this.readyComponents(request.setId, []).cacheDir,
      window: request,
    });
  }

  /** Starts training the spectrogram autoencoder on components of the set and ranking their windows (a job). */
  detect(request: { setId: string; sourceIds: string[]; epochs: number }): JobInfo {
    const { name, cacheDir } = this.readyComponents(request.setId, request.sourceIds);
    return this.jobs.start({ kind: 'detect-anomalies', setName: name, cacheDir, ...request });
  }

  async anomalies(request: { setId: string; sourceIds: string[] }): Promise<RecordingAnomalies | null> {
    const { cacheDir } = this.readyComponents(request.setId, request.sourceIds);
    return readAnomalies(cacheDir, request.sourceIds);
  }

  /** Starts running the detector of these components over a window: reconstruction and denoising (a job). */
  async reconstruct(request: {
    setId: string;
    sourceIds: string[];
    startMs: number;
    endMs: number;
    columns: number;
  }): Promise<JobInfo> {
    const { name, cacheDir } = this.readyComponents(request.setId, request.sourceIds);
    if ((await readAnomalies(cacheDir, request.sourceIds)) === null) {
      throw new PromethiumError(
        'not-found',
        `no detector for ${request.sourceIds.map(channelName).join(', ')} of ${name} yet: run Find anomalies on them first`,
      );
    }
    return this.jobs.start({ kind: 'reconstruct-recording', setName: name, cacheDir, ...request });
  }

  async reconstruction(request: { setId: string; sourceIds: string[] }): Promise<RecordingReconstruction | null> {
    const { cacheDir } = this.readyComponents(request.setId, request.sourceIds);
    return readReconstruction(cacheDir, request.sourceIds);
  }

  /** A ready set that holds every one of `sourceIds`. */
  private readyComponents(id: string, sourceIds: readonly string[]): StoredRecordingSet {
    const stored = this.stored(id);
    if (stored.state !== 'ready') {
      throw new PromethiumError('unavailable', `recording set ${stored.name} is ${stored.state}, not ready`);
    }
    const missing = sourceIds.filter((sourceId) => !stored.channels.some((c) => c.sourceId === sourceId));
    if (missing.length > 0) {
      throw new PromethiumError(
        'not-found',
        `recording set ${stored.name} has no channel ${missing.map(channelName).join(', ')}`,
      );
    }
    return stored;
  }

  private stored(id: string): StoredRecordingSet {
    const stored = this.project().recordings.get(id);
    if (!stored) throw new PromethiumError('not-found', `no recording set ${id} in this project`);
    return stored;
  }
}

function toSummary(stored: StoredRecordingSet): RecordingSetSummary {
  return {
    id: stored.id,
    name: stored.name,
    sourceDir: stored.sourceDir,
    state: stored.state,
    channels: stored.channels.map(toChannelInfo),
    files: stored.files,
    createdAt: stored.createdAt,
  };
}

function toChannelInfo(channel: StoredChannel): RecordingChannelInfo {
  return {
    sourceId: channel.sourceId,
    name: channelName(channel.sourceId),
    network: channel.network,
    station: channel.station,
    location: channel.location,
    channel: channel.channel,
    sampleRate: channel.sampleRate,
    sampleType: channel.sampleType,
    sampleCount: channel.sampleCount,
    startMs: nsToMs(channel.startNs),
    endMs: nsToMs(channel.endNs),
    startUtc: formatNs(channel.startNs),
    endUtc: formatNs(channel.endNs),
    gaps: channel.gaps.map((gap) => ({
      afterMs: nsToMs(gap.afterNs),
      beforeMs: nsToMs(gap.beforeNs),
      durationMs: Number(gap.durationNs) / 1e6,
    })),
  };
}
