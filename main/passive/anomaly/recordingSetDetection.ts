/**
 * Anomaly detection on a recording set of a project (the app's "Find anomalies"): the components of one instrument
 * read whole from the set's cache (channels split over several files joined), the spectrogram autoencoder trained on
 * them (`promethium detect` does the same for files), and the ranked windows kept in the set's cache folder beside the
 * detector, so that the view lists them again without training. Runs in the compute process.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RecordingAnomalies } from '../../../preload/contract';
import { writeFileAtomically } from '../../files/atomicFile';
import { JobCancelledError } from '../../ml/cancellation';
import { resolveModelConfig } from '../../ml/configCatalog';
import { nsToMs } from '../mseed';
import { RecordingCache } from '../recordingCache';
import { trainAndDetect } from './detection';
import { stationRecording } from './stationRecording';
import { SPECTROGRAM_TRAINING_DEFAULTS, spectrogramConfigPath } from './training';

export interface DetectAnomaliesRequest {
  setId: string;
  cacheDir: string;
  sourceIds: string[];
  epochs: number;
}

export interface DetectionJob {
  signal: AbortSignal;
  progress(fraction: number, message: string): void;
}

/** The folder of a component group's detector and ranking inside the set's cache (e.g. `IU_COLA_00_L_H_1+...`). */
export function groupDir(cacheDir: string, sourceIds: readonly string[]): string {
  const key = [...sourceIds]
    .sort()
    .map((id) => id.replace(/^FDSN:/, ''))
    .join('+');
  return path.join(cacheDir, 'detectors', key);
}

/** The trained spectrogram autoencoder of a component group (a detector folder, main/passive/anomaly/detectorFolder.ts). */
export function detectorDir(cacheDir: string, sourceIds: readonly string[]): string {
  return path.join(groupDir(cacheDir, sourceIds), 'detector');
}

const RANKING_FILE = 'anomalies.json';

export async function detectAnomaliesInSet(
  request: DetectAnomaliesRequest,
  job: DetectionJob,
): Promise<{ windows: number; topScore: number }> {
  const cache = await RecordingCache.open(request.cacheDir);
  const channels = await Promise.all(
    request.sourceIds.map(async (sourceId) => ({ sourceId, segments: await cache.readChannel(sourceId) })),
  );
  const recording = stationRecording(channels);
  const config = await resolveModelConfig(spectrogramConfigPath());
  const dir = groupDir(request.cacheDir, request.sourceIds);
  const report = await trainAndDetect(recording, config, {
    ...SPECTROGRAM_TRAINING_DEFAULTS,
    epochs: request.epochs,
    modelDir: detectorDir(request.cacheDir, request.sourceIds),
    resume: false,
    onEpoch: (epoch) => {
      job.progress(epoch.epoch / request.epochs, `epoch ${epoch.epoch} of ${request.epochs}`);
      if (job.signal.aborted) throw new JobCancelledError();
    },
  });
  const startMs = nsToMs(recording.startNs);
  const ranking: RecordingAnomalies = {
    setId: request.setId,
    sourceIds: request.sourceIds,
    channels: report.channels,
    epochs: report.detector.epoch,
    createdAt: new Date().toISOString(),
    windows: report.ranked.map((window) => ({
      startMs: startMs + window.startSeconds * 1000,
      endMs: startMs + window.endSeconds * 1000,
      score: window.score,
    })),
  };
  await writeFileAtomically(path.join(dir, RANKING_FILE), JSON.stringify(ranking));
  return { windows: ranking.windows.length, topScore: ranking.windows[0]?.score ?? 0 };
}

/** The ranking the last detection on these components wrote, or null before there was one. */
export async function readAnomalies(
  cacheDir: string,
  sourceIds: readonly string[],
): Promise<RecordingAnomalies | null> {
  const text = await readGroupFile(cacheDir, sourceIds, RANKING_FILE);
  return text === null ? null : (JSON.parse(text) as RecordingAnomalies);
}

/** A file of the component group's folder (kept by a job on these components), or null while it does not exist. */
export async function readGroupFile(
  cacheDir: string,
  sourceIds: readonly string[],
  name: string,
): Promise<string | null> {
  return readFile(path.join(groupDir(cacheDir, sourceIds), name), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
}
