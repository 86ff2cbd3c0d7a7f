/** CPU-side amplitude processing of one displayed section (trace-major: trace t is data[t*samples .. (t+1)*samples)). */
import { selectKth } from '../../../main/common/selectKth';
import type { ClipMode } from '../../../preload/contract';

/**
 * How many values at most the percentile looks at: a strided subsample (every k-th live sample) keeps the clip well
 * under a millisecond on any section, so it never shows in a line change. 65,536 values put the 99th percentile within
 * a fraction of a percent of the exact one on seismic amplitudes; sections smaller than this get the exact value.
 */
const PERCENTILE_SAMPLE_LIMIT = 65_536;

/** The display clip's percentile choices (the Clip selects of the survey and compare views). */
export const CLIP_PERCENTILES: readonly number[] = [90, 95, 98, 99, 99.5, 99.9, 100];

/**
 * The live traces' finite samples (every k-th one when there are more than PERCENTILE_SAMPLE_LIMIT), optionally as
 * |value|, in a scratch array: `values[0..count)`.
 */
function liveSubsample(
  data: Float32Array,
  traces: number,
  samples: number,
  live: Uint8Array,
  absolute: boolean,
): { values: Float32Array; count: number } {
  let liveTraces = 0;
  for (let t = 0; t < traces; t++) if (live[t]) liveTraces++;
  const total = liveTraces * samples;
  if (total === 0) return { values: new Float32Array(0), count: 0 };
  const stride = Math.max(1, Math.ceil(total / PERCENTILE_SAMPLE_LIMIT));
  const values = new Float32Array(Math.ceil(total / stride));
  let n = 0;
  // Every stride-th live sample, counting across traces: `seen` live samples come before this trace.
  let seen = 0;
  for (let t = 0; t < traces; t++) {
    if (!live[t]) continue;
    const base = t * samples;
    for (let s = Math.ceil(seen / stride) * stride - seen; s < samples; s += stride) {
      const v = data[base + s]!;
      if (Number.isFinite(v)) values[n++] = absolute ? Math.abs(v) : v;
    }
    seen += samples;
  }
  return { values, count: n };
}

/** The value of rank `percentile` (0..100) among values[0..count) (rearranges them); 0 when there are none. */
function percentileOf(values: Float32Array, count: number, percentile: number): number {
  if (count === 0) return 0;
  const rank = Math.min(count - 1, Math.max(0, Math.ceil((percentile / 100) * count) - 1));
  return selectKth(values, rank, count);
}

/**
 * The `percentile` (0..100) of |amplitude| over the live traces' finite samples: the symmetric display clip.
 * Dead traces and NaN/Inf samples are ignored; returns 0 when nothing is left. Found by quickselect, not a sort.
 */
export function symmetricClip(
  data: Float32Array,
  traces: number,
  samples: number,
  live: Uint8Array,
  percentile: number,
): number {
  const { values, count } = liveSubsample(data, traces, samples, live, true);
  return percentileOf(values, count, percentile);
}

/** The clip modes as the Clip select offers them. */
export const CLIP_MODE_CHOICES: readonly { id: ClipMode; label: string; description: string }[] = [
  { id: 'symmetric', label: '± percentile', description: 'zero in the middle, ± this percentile of |amplitude|' },
  { id: 'percentile', label: 'Percentiles', description: 'from the (100 − p)th to the pth percentile of the values' },
  { id: 'minmax', label: 'Min to max', description: 'from the smallest to the largest value shown' },
];

/** The values shown in colour: centre ± half (divided by the gain); the colormap's ends lie at the range's ends. */
export interface DisplayRange {
  centre: number;
  half: number;
}

/** The display range of a section's live samples under a clip mode (`percentile` is ignored for min to max). */
export function displayRange(
  data: Float32Array,
  traces: number,
  samples: number,
  live: Uint8Array,
  mode: ClipMode,
  percentile: number,
): DisplayRange {
  if (mode === 'symmetric') return { centre: 0, half: symmetricClip(data, traces, samples, live, percentile) };
  const { values, count } = liveSubsample(data, traces, samples, live, false);
  const [lowPercentile, highPercentile] = mode === 'minmax' ? [0, 100] : [100 - percentile, percentile];
  const high = percentileOf(values, count, highPercentile);
  const low = percentileOf(values, count, lowPercentile);
  return { centre: (low + high) / 2, half: (high - low) / 2 };
}

/**
 * Whether a section looks like zero-mean amplitudes (seismic traces) rather than a quantity centred elsewhere
 * (velocities, impedances: all of one sign, their mean far from zero against their spread). Decides the map and clip
 * a survey opens with.
 */
export function looksZeroMean(data: Float32Array, traces: number, samples: number, live: Uint8Array): boolean {
  const { values, count } = liveSubsample(data, traces, samples, live, false);
  if (count === 0) return true;
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < count; i++) {
    sum += values[i]!;
    squares += values[i]! * values[i]!;
  }
  const mean = sum / count;
  const rms = Math.sqrt(squares / count);
  return Math.abs(mean) <= 0.5 * rms;
}

/**
 * Automatic gain control: each sample divided by the RMS amplitude of a centred window of `windowSamples` samples along
 * its trace (running sums, O(samples) per trace). Dead traces stay as they are; non-finite samples count as 0.
 */
export function agc(
  data: Float32Array,
  traces: number,
  samples: number,
  live: Uint8Array,
  windowSamples: number,
): Float32Array {
  const out = new Float32Array(data.length);
  const half = Math.max(1, Math.floor(windowSamples / 2));
  const squares = new Float64Array(samples + 1);
  for (let t = 0; t < traces; t++) {
    const base = t * samples;
    if (!live[t]) {
      out.set(data.subarray(base, base + samples), base);
      continue;
    }
    squares[0] = 0;
    for (let s = 0; s < samples; s++) {
      const v = data[base + s]!;
      squares[s + 1] = squares[s]! + (Number.isFinite(v) ? v * v : 0);
    }
    let traceEnergy = squares[samples]! / samples;
    if (!(traceEnergy > 0)) traceEnergy = 1;
    const floor = Math.sqrt(traceEnergy) * 1e-3;
    for (let s = 0; s < samples; s++) {
      const from = Math.max(0, s - half);
      const to = Math.min(samples, s + half + 1);
      const rms = Math.sqrt((squares[to]! - squares[from]!) / (to - from));
      const v = data[base + s]!;
      out[base + s] = Number.isFinite(v) ? v / Math.max(rms, floor) : v;
    }
  }
  return out;
}

/** Where the readout reads: the sample under the cursor, or null outside the section. */
export function sampleAt(
  data: Float32Array,
  traces: number,
  samples: number,
  trace: number,
  sample: number,
): number | null {
  if (trace < 0 || trace >= traces || sample < 0 || sample >= samples) return null;
  return data[trace * samples + sample] ?? null;
}

/** Round axis ticks: about `target` ticks between lo and hi, at 1/2/5 x 10^k steps. */
export function niceTicks(lo: number, hi: number, target: number): number[] {
  const span = hi - lo;
  if (!(span > 0) || target < 1) return [];
  const raw = span / target;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}
