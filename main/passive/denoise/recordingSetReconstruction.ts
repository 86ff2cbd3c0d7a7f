/**
 * The reconstruction view of a recording set (the app's "Reconstruction"): the spectrogram autoencoder that Find
 * anomalies trained on a component group run over a window of the set, its input / output / difference spectrograms
 * and the waveform denoised with its mask (spectrogramDenoising.ts), reduced to the columns the view draws and kept in
 * the group's folder of the set's cache, beside the detector. Runs in the compute process.
 *
 * The spectrogram frames are averaged into columns in dB (not in power as recordingSpectrogram.ts does for the plain
 * view): averaging is linear, so a column of the difference stays exactly the output's column minus the input's.
 */
import path from 'node:path';
import type {
  ComponentReconstructionWindow,
  JobRequest,
  RecordingReconstruction,
  RecordingSpectrogram,
  WaveformTrace,
} from '../../../preload/contract';
import { writeFileAtomically } from '../../files/atomicFile';
import { readDetectorState } from '../anomaly/detectorFolder';
import { detectorDir, groupDir, readGroupFile } from '../anomaly/recordingSetDetection';
import { stationRecording, type StationRecording } from '../anomaly/stationRecording';
import { channelName, msToNs, nsToMs } from '../mseed';
import { RecordingCache } from '../recordingCache';
import { minMaxColumns } from '../waveformWindow';
import { denoiseWithDetector } from './spectrogramDenoising';
import type { ComponentReconstruction, SpectrogramReconstruction } from './spectrogramReconstruction';

type ReconstructRecordingRequest = Extract<JobRequest, { kind: 'reconstruct-recording' }>;

const RECONSTRUCTION_FILE = 'reconstruction.json';

export async function reconstructRecordingWindow(
  request: ReconstructRecordingRequest,
): Promise<{ components: number; mse: number[] }> {
  const cache = await RecordingCache.open(request.cacheDir);
  const [startNs, endNs] = [msToNs(request.startMs), msToNs(request.endMs)];
  const channels = await Promise.all(
    request.sourceIds.map(async (sourceId) => ({
      sourceId,
      segments: await cache.readWindow(sourceId, startNs, endNs),
    })),
  );
  const recording = stationRecording(channels);
  const modelDir = detectorDir(request.cacheDir, request.sourceIds);
  const denoised = await denoiseWithDetector(recording, modelDir);
  const { settings, epoch } = await readDetectorState(modelDir);
  const columns = spectrogramColumns(request.setId, recording, denoised.reconstruction, request.columns, settings);
  const samplesPerColumn = Math.max(1, Math.floor(recording.components[0]!.length / request.columns));
  const components = recording.channels.map((name, c): ComponentReconstructionWindow => {
    const sourceId = request.sourceIds.find((id) => channelName(id) === name)!;
    const component = denoised.reconstruction.components[c]!;
    const trace = (samples: Float32Array): WaveformTrace => ({
      sourceId,
      name,
      sampleRate: recording.sampleRate,
      samplesPerColumn,
      pieces: [minMaxColumns(recording.startNs, recording.sampleRate, samples, samplesPerColumn)],
    });
    return {
      sourceId,
      name,
      ...columns(sourceId, component),
      mse: component.mse,
      mae: component.mae,
      original: trace(recording.components[c]!),
      denoised: trace(denoised.components[c]!),
    };
  });
  const startMs = nsToMs(recording.startNs);
  const result: RecordingReconstruction = {
    setId: request.setId,
    sourceIds: request.sourceIds,
    startMs,
    endMs: startMs + (recording.components[0]!.length / recording.sampleRate) * 1000,
    epochs: epoch,
    components,
  };
  await writeFileAtomically(
    path.join(groupDir(request.cacheDir, request.sourceIds), RECONSTRUCTION_FILE),
    JSON.stringify(result, (_key, value: unknown) => (value instanceof Float32Array ? Array.from(value) : value)),
  );
  return { components: components.length, mse: components.map((component) => component.mse) };
}

/** The input, output and difference of a component averaged into at most `columns` columns of equal time. */
function spectrogramColumns(
  setId: string,
  recording: StationRecording,
  reconstruction: SpectrogramReconstruction,
  maxColumns: number,
  settings: { nperseg: number; noverlap: number; nfft: number },
): (
  sourceId: string,
  component: ComponentReconstruction,
) => Pick<ComponentReconstructionWindow, 'input' | 'output' | 'difference'> {
  const { times, frequencies } = reconstruction;
  const bins = frequencies.length;
  const windowSeconds = recording.components[0]!.length / recording.sampleRate;
  // A column is never narrower than one hop: finer columns would only repeat frames.
  const columnSeconds = Math.max(
    windowSeconds / maxColumns,
    (settings.nperseg - settings.noverlap) / recording.sampleRate,
  );
  const columns = Math.ceil(windowSeconds / columnSeconds);
  const columnOf = Array.from(times, (time) => Math.min(columns - 1, Math.floor(time / columnSeconds)));
  const counts = new Uint32Array(columns);
  for (const column of columnOf) counts[column]!++;
  const average = (frames: Float32Array): Float32Array => {
    const sums = new Float64Array(columns * bins);
    columnOf.forEach((column, t) => {
      for (let f = 0; f < bins; f++) sums[column * bins + f]! += frames[t * bins + f]!;
    });
    return Float32Array.from(sums, (sum, k) =>
      counts[Math.floor(k / bins)] === 0 ? NaN : sum / counts[Math.floor(k / bins)]!,
    );
  };
  return (sourceId, component) => {
    const spectrogramOf = (frames: Float32Array): RecordingSpectrogram => ({
      setId,
      sourceId,
      name: component.channel,
      startMs: nsToMs(recording.startNs),
      columnMs: columnSeconds * 1000,
      columns,
      frequencies: Float32Array.from(frequencies),
      decibels: average(frames),
      settings,
    });
    return {
      input: spectrogramOf(component.input),
      output: spectrogramOf(component.output),
      difference: spectrogramOf(component.difference),
    };
  };
}

/** The reconstruction the last job on these components kept, or null before there was one. */
export async function readReconstruction(
  cacheDir: string,
  sourceIds: readonly string[],
): Promise<RecordingReconstruction | null> {
  const text = await readGroupFile(cacheDir, sourceIds, RECONSTRUCTION_FILE);
  if (text === null) return null;
  const stored = JSON.parse(text) as RecordingReconstruction;
  return { ...stored, components: stored.components.map(withTypedArrays) };
}

/** JSON keeps the arrays as plain lists (and NaN as null): back to the contract's Float32Arrays. */
function withTypedArrays(component: ComponentReconstructionWindow): ComponentReconstructionWindow {
  const floats = (values: ArrayLike<number | null>) => Float32Array.from(values, (value) => value ?? NaN);
  const spectrogram = (stored: RecordingSpectrogram): RecordingSpectrogram => ({
    ...stored,
    frequencies: floats(stored.frequencies),
    decibels: floats(stored.decibels),
  });
  const trace = (stored: WaveformTrace): WaveformTrace => ({
    ...stored,
    pieces: stored.pieces.map((piece) => ({ ...piece, min: floats(piece.min), max: floats(piece.max) })),
  });
  return {
    ...component,
    input: spectrogram(component.input),
    output: spectrogram(component.output),
    difference: spectrogram(component.difference),
    original: trace(component.original),
    denoised: trace(component.denoised),
  };
}
