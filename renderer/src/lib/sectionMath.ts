/** CPU-side amplitude processing of one displayed section (trace-major: trace t is data[t*samples .. (t+1)*samples)). */
import { selectKth } from '../../../main/common/selectKth';

/**
 * How many values at most the percentile looks at: a strided subsample (every k-th live sample) keeps the clip well
 * under a millisecond on any section, so it never shows in a line change. 65,536 values put the 99th percentile within
 * a fraction of a percent of the exact one on seismic amplitudes; sections smaller than this get the exact value.
 */
const PERCENTILE_SAMPLE_LIMIT = 65_536;

/** The display clip's percentile choices (the Clip selects of the survey and compare views). */
export const CLIP_PERCENTILES: readonly number[] = [90, 95, 98, 99, 99.5, 99.9, 100];

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
  let liveTraces = 0;
  for (let t = 0; t < traces; t++) if (live[t]) liveTraces++;
  const total = liveTraces * samples;
  if (total === 0) return 0;
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
      if (Number.isFinite(v)) values[n++] = Math.abs(v);
    }
    seen += samples;
  }
  if (n === 0) return 0;
  const rank = Math.min(n - 1, Math.max(0, Math.ceil((percentile / 100) * n) - 1));
  return selectKth(values, rank, n);
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
