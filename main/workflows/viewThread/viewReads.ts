/**
 * What the view thread (viewThread.ts) reads and computes for the views: the recording views' windows (waveform
 * min/max columns, detrended and band-passed when asked; spectrogram columns), read from a recording set's cache,
 * and the 3D view's LOD cube. Each takes hundreds of milliseconds of CPU on a day of samples or a full-size LOD volume.
 */
import type { RecordingSpectrogram, WaveformData } from '../../../preload/contract';
import { msToNs } from '../../passive/mseed';
import { RecordingCache } from '../../passive/recordingCache';
import { readSpectrogram } from '../../passive/recordingSpectrogram';
import { readWaveform } from '../../passive/waveformWindow';
import { reduceLodCube, type LodCube } from '../../survey/lodCube';

export interface WaveformWindowRequest {
  setId: string;
  sourceIds: string[];
  startMs: number;
  endMs: number;
  columns: number;
  detrend: boolean;
  bandpass: [number, number] | null;
}

export interface SpectrogramWindowRequest {
  setId: string;
  sourceId: string;
  startMs: number;
  endMs: number;
  columns: number;
}

/** A recording view's window of the recording set cached in `cacheDir`. */
export interface RecordingWindow<W> {
  cacheDir: string;
  window: W;
}

/** Each kind of view read: what is asked and what comes back. */
export interface ViewReads {
  waveform: { request: RecordingWindow<WaveformWindowRequest>; result: WaveformData };
  spectrogram: { request: RecordingWindow<SpectrogramWindowRequest>; result: RecordingSpectrogram };
  /** A survey's LOD volume (its array moves to the thread) reduced to the 3D view's cube. */
  lodCube: { request: LodCube; result: LodCube };
}

export type ViewKind = keyof ViewReads;
export type ViewRequest = ViewReads[ViewKind]['request'];
export type ViewResult = ViewReads[ViewKind]['result'];

export async function readWaveformWindow({
  cacheDir,
  window: request,
}: RecordingWindow<WaveformWindowRequest>): Promise<WaveformData> {
  const cache = await RecordingCache.open(cacheDir);
  const window = { startNs: msToNs(request.startMs), endNs: msToNs(request.endMs) };
  const traces = [];
  for (const sourceId of request.sourceIds) {
    traces.push(await readWaveform(cache, { ...request, ...window, sourceId }));
  }
  return { setId: request.setId, startMs: request.startMs, endMs: request.endMs, traces };
}

export async function readSpectrogramWindow({
  cacheDir,
  window: request,
}: RecordingWindow<SpectrogramWindowRequest>): Promise<RecordingSpectrogram> {
  const cache = await RecordingCache.open(cacheDir);
  const result = await readSpectrogram(cache, {
    ...request,
    startNs: msToNs(request.startMs),
    endNs: msToNs(request.endMs),
  });
  return { setId: request.setId, ...result };
}

export const viewReaders: { [K in ViewKind]: (request: ViewReads[K]['request']) => Promise<ViewReads[K]['result']> } = {
  waveform: readWaveformWindow,
  spectrogram: readSpectrogramWindow,
  lodCube: async (lod) => reduceLodCube(lod),
};

/** The large arrays of a request or a result, whose buffers move to the receiving thread instead of being copied. */
export function movedBuffers(value: ViewRequest | ViewResult): ArrayBuffer[] {
  const arrays =
    'traces' in value
      ? value.traces.flatMap((trace) => trace.pieces.flatMap((piece) => [piece.min, piece.max]))
      : 'decibels' in value
        ? [value.frequencies, value.decibels]
        : 'data' in value
          ? [value.data]
          : [];
  return arrays.map((array) => array.buffer as ArrayBuffer);
}
