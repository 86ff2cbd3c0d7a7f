/**
 * The spectrogram view of a window of a channel: the STFT of spectrogram.ts (the seed's 256/192/256 at 100 Hz) of
 * every piece of the window, its segments' power averaged into at most `columns` columns of equal time, in dB.
 * Averaging the power (not the decibels) keeps what a column shows equal to the spectrum of its time span. A column
 * no segment falls in (a gap, or a piece shorter than one segment) is NaN, drawn blank.
 *
 * Pieces are transformed a few thousand segments at a time, so a day of 100 Hz (135 k segments) never holds its
 * whole spectrogram in memory, and the view thread (main/workflows/viewThread) serves its other requests between batches.
 */
import type { RecordingSpectrogram } from '../../preload/contract';
import { channelName, nsToMs } from './mseed';
import type { RecordingCache } from './recordingCache';
import { densityToDecibels, spectrogram, stftSettingsFor } from './spectrogram';

export interface SpectrogramRequest {
  sourceId: string;
  startNs: bigint;
  endNs: bigint;
  columns: number;
}

const SEGMENTS_PER_BATCH = 4096;

export async function readSpectrogram(
  cache: RecordingCache,
  request: SpectrogramRequest,
): Promise<Omit<RecordingSpectrogram, 'setId'>> {
  const pieces = await cache.readWindow(request.sourceId, request.startNs, request.endNs);
  const sampleRate = pieces[0]?.sampleRate ?? 100;
  const settings = stftSettingsFor(sampleRate);
  const hop = settings.nperseg - settings.noverlap;
  const bins = settings.nfft / 2 + 1;
  const windowSeconds = Number(request.endNs - request.startNs) / 1e9;
  // A column is never narrower than one hop: finer columns would only repeat segments.
  const columnSeconds = Math.max(windowSeconds / request.columns, hop / sampleRate);
  const columns = Math.ceil(windowSeconds / columnSeconds);
  const power = new Float64Array(columns * bins);
  const counts = new Uint32Array(columns);
  for (const piece of pieces) {
    const samples = piece.samples;
    const pieceOffsetSeconds = Number(piece.startNs - request.startNs) / 1e9;
    for (let first = 0; first + settings.nperseg <= samples.length; first += SEGMENTS_PER_BATCH * hop) {
      // Between batches (about 20 ms of CPU each) the thread's other requests (the set's other channels) get a turn.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const batch = samples.subarray(first, first + (SEGMENTS_PER_BATCH - 1) * hop + settings.nperseg);
      const { values, times } = spectrogram(batch as ArrayLike<number>, { sampleRate: piece.sampleRate, ...settings });
      const batchOffsetSeconds = pieceOffsetSeconds + first / piece.sampleRate;
      times.forEach((time, s) => {
        const column = Math.floor((batchOffsetSeconds + time) / columnSeconds);
        if (column < 0 || column >= columns) return;
        counts[column]!++;
        for (let f = 0; f < bins; f++) power[column * bins + f]! += values[s * bins + f]!;
      });
    }
  }
  const decibels = new Float32Array(columns * bins);
  for (let c = 0; c < columns; c++) {
    for (let f = 0; f < bins; f++) {
      decibels[c * bins + f] = counts[c] === 0 ? NaN : densityToDecibels(power[c * bins + f]! / counts[c]!);
    }
  }
  return {
    sourceId: request.sourceId,
    name: channelName(request.sourceId),
    startMs: nsToMs(request.startNs),
    columnMs: columnSeconds * 1000,
    columns,
    frequencies: Float32Array.from({ length: bins }, (_, f) => (f * sampleRate) / settings.nfft),
    decibels,
    settings,
  };
}
