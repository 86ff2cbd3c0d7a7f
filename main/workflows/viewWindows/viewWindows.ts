/**
 * The windows the recording views draw, read from a recording set's cache: waveform min/max columns (detrended and
 * band-passed when asked) and spectrogram columns. A day of samples takes hundreds of milliseconds of CPU, so the
 * main process reads them in the view thread (viewThread.ts); this module is what that thread runs.
 */
import type { RecordingSpectrogram, WaveformData } from '../../../preload/contract';
import { msToNs } from '../../passive/mseed';
import { RecordingCache } from '../../passive/recordingCache';
import { readSpectrogram } from '../../passive/recordingSpectrogram';
import { readWaveform } from '../../passive/waveformWindow';

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

/** Each kind of view window: what is asked and what comes back. */
export interface ViewWindows {
  waveform: { request: WaveformWindowRequest; result: WaveformData };
  spectrogram: { request: SpectrogramWindowRequest; result: RecordingSpectrogram };
}

export type ViewKind = keyof ViewWindows;

export async function readWaveformWindow(cacheDir: string, request: WaveformWindowRequest): Promise<WaveformData> {
  const cache = await RecordingCache.open(cacheDir);
  const window = { startNs: msToNs(request.startMs), endNs: msToNs(request.endMs) };
  const traces = [];
  for (const sourceId of request.sourceIds) {
    traces.push(await readWaveform(cache, { ...request, ...window, sourceId }));
  }
  return { setId: request.setId, startMs: request.startMs, endMs: request.endMs, traces };
}

export async function readSpectrogramWindow(
  cacheDir: string,
  request: SpectrogramWindowRequest,
): Promise<RecordingSpectrogram> {
  const cache = await RecordingCache.open(cacheDir);
  const result = await readSpectrogram(cache, {
    ...request,
    startNs: msToNs(request.startMs),
    endNs: msToNs(request.endMs),
  });
  return { setId: request.setId, ...result };
}

export const viewWindowReaders: {
  [K in ViewKind]: (cacheDir: string, request: ViewWindows[K]['request']) => Promise<ViewWindows[K]['result']>;
} = { waveform: readWaveformWindow, spectrogram: readSpectrogramWindow };

/** The sample arrays of a window, whose buffers move to the receiving thread instead of being copied. */
export function windowBuffers(window: WaveformData | RecordingSpectrogram): ArrayBuffer[] {
  const arrays =
    'traces' in window
      ? window.traces.flatMap((trace) => trace.pieces.flatMap((piece) => [piece.min, piece.max]))
      : [window.frequencies, window.decibels];
  return arrays.map((array) => array.buffer as ArrayBuffer);
}
