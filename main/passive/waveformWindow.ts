/**
 * What the waveform browser draws of a window of a channel: the samples, detrended and bandpassed when asked, reduced
 * to at most `columns` min/max pairs, so that a day of 100 Hz samples (8.64 million) travels as a few thousand
 * columns and still shows every spike, while a zoom to seconds gets the samples themselves.
 *
 * The filters run on the recorded samples before the reduction, piece by piece (never across a gap), over a margin
 * around the window so that the filter's start-up transient falls outside what is drawn.
 */
import type { WaveformPiece, WaveformTrace } from '../../preload/contract';
import { bandpassSections, filterZeroPhase, removeLinearTrend } from '../signal/butterworth';
import { channelName, nsToMs, sampleTimeNs, type Samples } from './mseed';
import type { RecordingCache, WindowPiece } from './recordingCache';

export interface WaveformRequest {
  sourceId: string;
  startNs: bigint;
  endNs: bigint;
  columns: number;
  detrend: boolean;
  /** Hz [low, high]; low 0: no low cut. */
  bandpass: readonly [number, number] | null;
}

/** Periods of the lowest corner read before and after the window: the filters' transients die out within them. */
const FILTER_MARGIN_PERIODS = 5;
const MAX_FILTER_MARGIN_NS = 3_600_000_000_000n;

export async function readWaveform(cache: RecordingCache, request: WaveformRequest): Promise<WaveformTrace> {
  const margin = filterMarginNs(request.bandpass);
  const pieces = await cache.readWindow(request.sourceId, request.startNs - margin, request.endNs + margin);
  const sampleRate = pieces[0]?.sampleRate ?? rateOf(cache, request.sourceId);
  const windowSamples = (Number(request.endNs - request.startNs) / 1e9) * sampleRate;
  const samplesPerColumn = Math.max(1, Math.floor(windowSamples / request.columns));
  const reduced: WaveformPiece[] = [];
  for (const piece of pieces) {
    const samples = request.detrend || request.bandpass ? filtered(piece, request) : piece.samples;
    const visible = visiblePart(piece, samples, request.startNs, request.endNs);
    if (visible) reduced.push(minMaxColumns(visible.startNs, piece.sampleRate, visible.samples, samplesPerColumn));
  }
  return {
    sourceId: request.sourceId,
    name: channelName(request.sourceId),
    sampleRate,
    samplesPerColumn,
    pieces: reduced,
  };
}

/** The piece's samples as float64, detrended and bandpassed as asked. */
function filtered(piece: WindowPiece, request: WaveformRequest): Float64Array {
  const samples = Float64Array.from(piece.samples as ArrayLike<number>);
  if (request.detrend) removeLinearTrend(samples);
  if (request.bandpass) filterZeroPhase(samples, bandpassSections(...request.bandpass, piece.sampleRate));
  return samples;
}

function filterMarginNs(bandpass: WaveformRequest['bandpass']): bigint {
  if (!bandpass) return 0n;
  const lowest = bandpass[0] > 0 ? bandpass[0] : bandpass[1];
  const margin = BigInt(Math.ceil((FILTER_MARGIN_PERIODS / lowest) * 1e9));
  return margin < MAX_FILTER_MARGIN_NS ? margin : MAX_FILTER_MARGIN_NS;
}

function rateOf(cache: RecordingCache, sourceId: string): number {
  return cache.index.channels.find((channel) => channel.sourceId === sourceId)?.pieces[0]?.sampleRate ?? 0;
}

/** The samples of a (filtered) piece inside [startNs, endNs), with the time of the first. */
function visiblePart(
  piece: WindowPiece,
  samples: Samples,
  startNs: bigint,
  endNs: bigint,
): { startNs: bigint; samples: Samples } | undefined {
  const period = 1e9 / piece.sampleRate;
  const first = Math.max(0, Math.ceil(Number(startNs - piece.startNs) / period - 1e-9));
  const end = Math.min(samples.length, Math.ceil(Number(endNs - piece.startNs) / period - 1e-9));
  if (end <= first) return undefined;
  return { startNs: sampleTimeNs(piece.startNs, first, piece.sampleRate), samples: samples.subarray(first, end) };
}

/** Min and max of each run of `perColumn` samples (the last run may be shorter). */
export function minMaxColumns(startNs: bigint, sampleRate: number, samples: Samples, perColumn: number): WaveformPiece {
  const columns = Math.ceil(samples.length / perColumn);
  const min = new Float32Array(columns);
  const max = new Float32Array(columns);
  for (let c = 0; c < columns; c++) {
    let low = Infinity;
    let high = -Infinity;
    const end = Math.min(samples.length, (c + 1) * perColumn);
    for (let i = c * perColumn; i < end; i++) {
      const value = samples[i]!;
      if (value < low) low = value;
      if (value > high) high = value;
    }
    min[c] = low;
    max[c] = high;
  }
  return { startMs: nsToMs(startNs), stepMs: (perColumn * 1000) / sampleRate, min, max };
}
