/**
 * What a reconstruction may change, enforced on its output whatever produced it (a model, a classical method): it
 * never invents energy that the recording does not hold. Every reconstruction of a section passes through here (the
 * app's one-click section and Apply to volume through compute/reconstructSection.ts, the CLI's denoise and interpolate
 * through applyToSegy.ts), so export and every view downstream see confined results.
 *
 * - Denoising changes live traces only; interpolation changes dead traces only (live traces keep their samples exactly).
 * - Each trace has a live window: from its first to its last non-zero sample. Outside it (top mutes, zero padding at
 *   the end) the output is exactly zero. Inside a live trace's window, runs of MUTE_RUN or more exact zeros (surgical
 *   mutes) stay exactly zero too; a shorter run is a sample value that happens to be zero (integer formats) and is
 *   reconstructed like any other sample.
 * - A dead trace being filled has no window of its own: it takes one interpolated, by position, between its nearest
 *   live neighbours' windows (the one neighbour's at the end of a line). Mutes follow offset and water depth, which
 *   change smoothly along a line, so the gap's mute lies between its neighbours'; their union would paint the shallower
 *   neighbour's data into the part of the gap the deeper one mutes, their intersection would cut real data.
 * - Below LOW_BAND_TOP_HZ, in three octave bands and in overlapping windows of WINDOW_S along time, a trace's output
 *   holds no more energy than its input (for a filled trace: the mean of its live neighbours'). Where it holds more, the
 *   output's part in that band is scaled down to the input's energy. Models are trained on synthetic data whose band
 *   rarely matches a survey's; below the band a survey holds, whatever they add (per-trace stripes, energy in mutes) is
 *   invented. The strength check (ml/sure.ts) leaves changes below its 12 Hz low cut unchecked, so this is the check.
 */
import { STRENGTH_CHECK_LOW_CUT_HZ } from '../../preload/contract';
import type { TraceMask } from '../ml/corruption';
import type { SectionShape } from '../ml/metrics';
import { bandpass } from './bandpass';

/** This many exact zeros in a row inside a live window are a mute, not a zero crossing. */
export const MUTE_RUN = 3;

/** Top of the low band whose energy is capped by the input's. */
export const LOW_BAND_TOP_HZ = STRENGTH_CHECK_LOW_CUT_HZ;

/** Length of the windows along time in which energies are compared: long enough to hold a cycle at 3 Hz. */
export const WINDOW_S = 0.5;

/** Passes of the band cap and the mutes (see confineToInput). */
const CAP_PASSES = 6;

export interface ConfineOptions {
  task: 'denoise' | 'interpolate';
  sampleIntervalS: number;
}

/** [start, end): the samples of a trace between its first and last non-zero sample. */
export interface TraceWindow {
  start: number;
  end: number;
}

type Corners = readonly [number, number, number, number];

/**
 * Octave bands below `top` (top/4, top/2, top) whose trapezoid gains sum to one up to 3/4 of `top`, ramping to zero at
 * 5/4 of it: each edge e is crossed by a ramp from 3e/4 to 5e/4.
 */
export function lowBands(top: number): Corners[] {
  const edges = [0, top / 4, top / 2, top];
  const ramp = (edge: number): [number, number] => [(3 * edge) / 4, (5 * edge) / 4];
  return edges.slice(0, -1).map((low, k) => [...ramp(low), ...ramp(edges[k + 1]!)] as const);
}

/** The output of a reconstruction confined to what the input holds (see the header). */
export function confineToInput(
  section: Float32Array,
  output: Float32Array,
  shape: SectionShape,
  live: TraceMask,
  options: ConfineOptions,
): Float32Array {
  const windows = liveWindows(section, shape, live);
  if (windows === null) return Float32Array.from(section);
  const changes = (t: number): boolean => (options.task === 'denoise' ? live[t] === 1 : live[t] === 0);
  const result = Float32Array.from(output);
  const zeroMutes = (): void => {
    for (let t = 0; t < shape.traces; t++) {
      if (!changes(t)) continue;
      const trace = result.subarray(t * shape.samples, (t + 1) * shape.samples);
      const { start, end } = windows[t]!;
      trace.fill(0, 0, start);
      trace.fill(0, end);
      if (live[t]) zeroMutedRuns(section.subarray(t * shape.samples, (t + 1) * shape.samples), trace, start, end);
    }
  };
  const capLowBands = lowBandCap(section, shape, live, options.sampleIntervalS);
  // The cap spreads a little energy back into the mutes, and cutting a mute back out adds a little below the band:
  // alternating converges (measured: within 1.3x of the input's own noise in 6 passes), and the last step leaves the mutes exact.
  for (let pass = 0; pass < CAP_PASSES; pass++) {
    keepUnchangedTraces(result, section, shape, (t) => !changes(t));
    zeroMutes();
    if (!capLowBands(result)) break;
  }
  zeroMutes();
  keepUnchangedTraces(result, section, shape, (t) => !changes(t));
  return result;
}

/**
 * Each trace's live window; dead traces take the window interpolated between their nearest live neighbours' (see
 * the header). Null when no trace is live.
 */
export function liveWindows(section: Float32Array, shape: SectionShape, live: TraceMask): TraceWindow[] | null {
  const own = Array.from({ length: shape.traces }, (_, t) =>
    live[t] ? nonZeroSpan(section.subarray(t * shape.samples, (t + 1) * shape.samples)) : null,
  );
  const liveTraces = own.flatMap((window, t) => (window ? [t] : []));
  if (liveTraces.length === 0) return null;
  return own.map((window, t) => {
    if (window) return window;
    const [before, after] = neighbours(liveTraces, t);
    if (before === null) return own[after!]!;
    if (after === null) return own[before]!;
    const weight = (t - before) / (after - before);
    const between = (a: number, b: number): number => Math.round(a + weight * (b - a));
    const [a, b] = [own[before]!, own[after]!];
    return { start: between(a.start, b.start), end: between(a.end, b.end) };
  });
}

function nonZeroSpan(trace: Float32Array): TraceWindow {
  let start = 0;
  while (start < trace.length && trace[start] === 0) start++;
  let end = trace.length;
  while (end > start && trace[end - 1] === 0) end--;
  return { start, end };
}

/** The nearest live traces before and after trace t (null where there is none); `liveTraces` is sorted. */
function neighbours(liveTraces: readonly number[], t: number): [number | null, number | null] {
  let before: number | null = null;
  for (const candidate of liveTraces) {
    if (candidate > t) return [before, candidate];
    before = candidate;
  }
  return [before, null];
}

function keepUnchangedTraces(
  result: Float32Array,
  section: Float32Array,
  shape: SectionShape,
  unchanged: (t: number) => boolean,
): void {
  for (let t = 0; t < shape.traces; t++) {
    if (unchanged(t)) result.set(section.subarray(t * shape.samples, (t + 1) * shape.samples), t * shape.samples);
  }
}

/** Runs of MUTE_RUN or more exact zeros of the input inside [start, end) stay zero in the output. */
function zeroMutedRuns(input: Float32Array, output: Float32Array, start: number, end: number): void {
  let run = start;
  for (let s = start; s <= end; s++) {
    if (s < end && input[s] === 0) continue;
    if (s - run >= MUTE_RUN) output.fill(0, run, s);
    run = s + 1;
  }
}

/** Hann windows of `length` samples, half overlapping, covering [0, samples): weight of window k at sample s. */
class TimeWindows {
  readonly count: number;
  readonly hop: number;

  constructor(
    readonly length: number,
    readonly samples: number,
  ) {
    this.hop = Math.max(1, length >> 1);
    // The first window starts one hop before the trace, so every sample is under two windows.
    this.count = Math.ceil(samples / this.hop) + 1;
  }

  first(k: number): number {
    return (k - 1) * this.hop;
  }

  weight(k: number, s: number): number {
    const offset = s - this.first(k);
    if (offset < 0 || offset >= this.length) return 0;
    return Math.sin((Math.PI * (offset + 0.5)) / this.length) ** 2;
  }

  /** Window-weighted energy of each window of a trace. */
  energies(trace: Float32Array): Float64Array {
    const energies = new Float64Array(this.count);
    for (let k = 0; k < this.count; k++) {
      const from = Math.max(0, this.first(k));
      const to = Math.min(this.samples, this.first(k) + this.length);
      for (let s = from; s < to; s++) energies[k]! += this.weight(k, s) * trace[s]! ** 2;
    }
    return energies;
  }

  /**
   * A gain per sample from one per window: the smallest of the windows that cover the sample, so that no window keeps
   * more than its own gain allows.
   */
  sampleGains(windowGains: Float64Array): Float64Array {
    const gains = new Float64Array(this.samples).fill(1);
    for (let k = 0; k < this.count; k++) {
      const from = Math.max(0, this.first(k));
      const to = Math.min(this.samples, this.first(k) + this.length);
      for (let s = from; s < to; s++) gains[s] = Math.min(gains[s]!, windowGains[k]!);
    }
    return gains;
  }
}

/**
 * The cap of the low bands: in each band, each window of each trace, where the output holds more energy than the
 * reference (the trace's input, or for a dead trace its live neighbours' mean), the output's part in the band is scaled
 * down to match. It answers whether it changed anything.
 */
function lowBandCap(
  section: Float32Array,
  shape: SectionShape,
  live: TraceMask,
  dt: number,
): (result: Float32Array) => boolean {
  const windows = new TimeWindows(Math.min(shape.samples, Math.max(8, Math.round(WINDOW_S / dt))), shape.samples);
  const liveTraces = [...live.keys()].filter((t) => live[t]);
  const trace = (values: Float32Array, t: number): Float32Array =>
    values.subarray(t * shape.samples, (t + 1) * shape.samples);
  const bands = lowBands(LOW_BAND_TOP_HZ)
    .filter((corners) => corners[0] < 0.5 / dt)
    .map((corners) => {
      const bandIn = bandpass(section, shape, { corners, dt });
      const energyOfLive = new Map(liveTraces.map((t) => [t, windows.energies(trace(bandIn, t))]));
      const references = Array.from(
        { length: shape.traces },
        (_, t) => energyOfLive.get(t) ?? neighbourMean(energyOfLive, liveTraces, t),
      );
      return { corners, references };
    });
  return (result) => {
    let capped = false;
    for (const { corners, references } of bands) {
      const bandOut = bandpass(result, shape, { corners, dt });
      for (let t = 0; t < shape.traces; t++) {
        const reference = references[t]!;
        const windowGains = windows
          .energies(trace(bandOut, t))
          .map((energy, k) => (energy > reference[k]! ? Math.sqrt(reference[k]! / energy) : 1));
        if (windowGains.every((g) => g === 1)) continue;
        capped = true;
        const gains = windows.sampleGains(windowGains);
        const band = trace(bandOut, t);
        const out = trace(result, t);
        for (let s = 0; s < shape.samples; s++) out[s]! -= (1 - gains[s]!) * band[s]!;
      }
    }
    return capped;
  };
}

/** The mean window energies of the nearest live traces on either side of dead trace t. */
function neighbourMean(
  energyOfLive: Map<number, Float64Array>,
  liveTraces: readonly number[],
  t: number,
): Float64Array {
  const sides = neighbours(liveTraces, t).flatMap((n) => (n === null ? [] : [energyOfLive.get(n)!]));
  const mean = new Float64Array(sides[0]!.length);
  for (const side of sides) side.forEach((energy, k) => (mean[k]! += energy / sides.length));
  return mean;
}
