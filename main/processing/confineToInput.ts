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
import type { TraceMask } from '../signal/corruption';
import type { SectionShape } from '../signal/metrics';
import { ormsbyGain } from './bandpass';
import { fftSize, FxTransform, RealInverse } from '../signal/fft2d';

/** This many exact zeros in a row inside a live window are a mute, not a zero crossing. */
export const MUTE_RUN = 3;

/** Top of the low band whose energy is capped by the input's. */
export const LOW_BAND_TOP_HZ = STRENGTH_CHECK_LOW_CUT_HZ;

/** The top corner of the highest capped band: its ramp ends at 5/4 of LOW_BAND_TOP_HZ (lowBands). */
const MAX_BAND_HZ = (5 * LOW_BAND_TOP_HZ) / 4;

/** Length of the windows along time in which energies are compared: long enough to hold a cycle at 3 Hz. */
export const WINDOW_S = 0.5;

/** A trace whose every window needs a gain of this or more is left as it is: within 7 % of the input's energy. */
const SETTLED_GAIN = 0.97;

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
  return confinementTo(section, shape, live, options)(output);
}

/** [from, to): traces of a section. */
export interface TraceRange {
  from: number;
  to: number;
}

/**
 * confineToInput for several outputs of one input (a result and the model's full-strength result): what depends on
 * the input alone (its live windows, its band energies) is worked out once. With `traces`, the outputs hold only
 * those traces of the section and so does the result: each trace is confined on its own (its window and its band
 * reference come from the whole input, a dead trace's from its live neighbours wherever they are), so ranges
 * confined apart (compute/threads) join into exactly the whole section's result.
 */
export function confinementTo(
  section: Float32Array,
  shape: SectionShape,
  live: TraceMask,
  options: ConfineOptions,
  traces: TraceRange = { from: 0, to: shape.traces },
): (output: Float32Array) => Float32Array {
  const { from, to } = traces;
  const windows = liveWindows(section, shape, live);
  if (windows === null) return () => section.slice(from * shape.samples, to * shape.samples);
  const changes = (t: number): boolean => (options.task === 'denoise' ? live[t] === 1 : live[t] === 0);
  const inputTrace = (t: number): Float32Array => section.subarray(t * shape.samples, (t + 1) * shape.samples);
  const capLowBands = lowBandCap(section, shape, live, options.sampleIntervalS);
  const inRange = Array.from({ length: to - from }, (_, k) => from + k);
  return (output) => {
    const result = Float32Array.from(output);
    const resultTrace = (t: number): Float32Array =>
      result.subarray((t - from) * shape.samples, (t - from + 1) * shape.samples);
    for (const t of inRange) if (!changes(t)) resultTrace(t).set(inputTrace(t));
    const zeroMutes = (changed: readonly number[]): void => {
      for (const t of changed) {
        const trace = resultTrace(t);
        const { start, end } = windows[t]!;
        trace.fill(0, 0, start);
        trace.fill(0, end);
        if (live[t]) zeroMutedRuns(inputTrace(t), trace, start, end);
      }
    };
    // The cap spreads a little energy back into the mutes, and cutting a mute back out adds a little below the band:
    // alternating converges (measured: within 1.3x of the input's own noise in 6 passes), and the last step leaves
    // the mutes exact. Each pass works only on the traces the previous one changed.
    let pending = inRange.filter(changes);
    for (let pass = 0; pass < CAP_PASSES && pending.length > 0; pass++) {
      zeroMutes(pending);
      pending = capLowBands(resultTrace, pending);
    }
    zeroMutes(pending);
    return result;
  };
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
  /** The weight of every window at each of its samples: sin^2(pi (offset + 0.5) / length). */
  private readonly weights: Float64Array;
  private readonly gains: Float64Array;

  constructor(
    readonly length: number,
    readonly samples: number,
  ) {
    this.hop = Math.max(1, length >> 1);
    // The first window starts one hop before the trace, so every sample is under two windows.
    this.count = Math.ceil(samples / this.hop) + 1;
    this.weights = Float64Array.from({ length }, (_, offset) => Math.sin((Math.PI * (offset + 0.5)) / length) ** 2);
    this.gains = new Float64Array(samples);
  }

  first(k: number): number {
    return (k - 1) * this.hop;
  }

  /** Window-weighted energy of each window of a trace whose value j lies at sample j * step (a decimated trace). */
  energies(trace: Float32Array, step = 1): Float64Array {
    const energies = new Float64Array(this.count);
    for (let k = 0; k < this.count; k++) {
      const first = this.first(k);
      const from = Math.ceil(Math.max(0, first) / step);
      const to = Math.min(trace.length, Math.ceil(Math.min(this.samples, first + this.length) / step));
      let energy = 0;
      for (let j = from; j < to; j++) energy += this.weights[j * step - first]! * trace[j]! ** 2;
      energies[k] = energy;
    }
    return energies;
  }

  /**
   * A gain per sample from one per window: the smallest of the windows that cover the sample, so that no window keeps
   * more than its own gain allows. The array is reused by the next call.
   */
  sampleGains(windowGains: Float64Array): Float64Array {
    const gains = this.gains.fill(1);
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
 * down to match. It works on the traces given (`outputTrace`: trace t of the output) and answers those it changed.
 */
function lowBandCap(
  section: Float32Array,
  shape: SectionShape,
  live: TraceMask,
  dt: number,
): (outputTrace: (t: number) => Float32Array, traces: readonly number[]) => number[] {
  const windows = new TimeWindows(Math.min(shape.samples, Math.max(8, Math.round(WINDOW_S / dt))), shape.samples);
  const bands = new BandSplitter(
    lowBands(LOW_BAND_TOP_HZ).filter((corners) => corners[0] < 0.5 / dt),
    shape.samples,
    dt,
  );
  /** Window energies of each band of a trace: [band][window]. */
  const energiesOf = (values: Float32Array): Float64Array[] => {
    bands.split(values);
    return bands.gains.map((_, b) => windows.energies(bands.decimated(b), bands.step));
  };
  const liveTraces = [...live.keys()].filter((t) => live[t]);
  // Window energies of the input's bands per live trace, [band][window], worked out when a trace first needs them:
  // a range of traces (confinementTo) needs only its own and its dead traces' neighbours'.
  const inputEnergies = new Map<number, Float64Array[]>();
  const energyOfLive = (t: number): Float64Array[] => {
    let energies = inputEnergies.get(t);
    if (energies === undefined) {
      energies = energiesOf(section.subarray(t * shape.samples, (t + 1) * shape.samples));
      inputEnergies.set(t, energies);
    }
    return energies;
  };
  const referenceOf = (t: number): Float64Array[] => {
    if (live[t]) return energyOfLive(t);
    const sides = neighbours(liveTraces, t).flatMap((n) => (n === null ? [] : [energyOfLive(n)]));
    return sides[0]!.map((_, band) => neighbourMean(sides.map((side) => side[band]!)));
  };
  return (outputTrace, traces) =>
    traces.filter((t) => {
      const out = outputTrace(t);
      // Before the output's split: the reference may split the input, and bands.full reads the last split.
      const reference = referenceOf(t);
      const gains = energiesOf(out).map((energies, b) =>
        energies.map((energy, k) => (energy > reference[b]![k]! ? Math.sqrt(reference[b]![k]! / energy) : 1)),
      );
      if (gains.every((windowGains) => windowGains.every((g) => g >= SETTLED_GAIN))) return false;
      gains.forEach((windowGains, b) => {
        // A band every window keeps whole changes nothing: its part is not needed.
        if (windowGains.every((g) => g === 1)) return;
        const band = bands.full(b);
        const sampleGains = windows.sampleGains(windowGains);
        for (let s = 0; s < shape.samples; s++) out[s]! -= (1 - sampleGains[s]!) * band[s]!;
      });
      return true;
    });
}

/**
 * The parts of a trace in each of `bands` (Ormsby corners, all below MAX_BAND_HZ), zero-phase, the trace padded to
 * twice its length so that the filters do not wrap its end onto its start (as bandpass.ts does). They come every
 * `step` samples from a shorter inverse transform (the bands hold nothing near its Nyquist), so that the energies the
 * cap compares cost a fraction of the full-rate parts, which only the traces being capped need. Every buffer is
 * allocated once: a part read is valid until the next one of its kind, the spectrum until the next split.
 */
class BandSplitter {
  readonly step: number;
  /** Each band's gain per frequency bin of the full transform, up to its last non-zero bin. */
  readonly gains: Float64Array[];
  private readonly transform: FxTransform;
  private readonly fullInverse: RealInverse;
  private readonly shortInverse: RealInverse;
  private readonly spectrum: Float64Array;
  private readonly filtered: Float64Array;
  /** Bins below the last non-zero gain of any band: the only ones a part is made of. */
  private readonly bandBins: number;
  private readonly fullPart: Float32Array;
  private readonly decimatedParts: Float32Array[];

  constructor(
    bands: readonly Corners[],
    private readonly samples: number,
    dt: number,
  ) {
    this.transform = new FxTransform(1, fftSize(2 * samples));
    const size = this.transform.size;
    this.gains = bands.map((corners) => {
      const gain = Float64Array.from({ length: this.transform.frequencies }, (_, f) =>
        ormsbyGain(f / (size * dt), corners),
      );
      return gain.subarray(0, gain.findLastIndex((g) => g !== 0) + 1);
    });
    // The largest power of two keeping the decimated Nyquist at twice the bands' top or more.
    const step = 2 ** Math.floor(Math.log2(Math.max(1, 1 / (2 * dt * 2 * MAX_BAND_HZ))));
    this.step = Math.min(step, size / 2);
    this.fullInverse = new RealInverse(size);
    this.shortInverse = new RealInverse(size / this.step);
    this.spectrum = this.transform.createFx();
    this.bandBins = Math.max(...this.gains.map((gain) => gain.length));
    // Bins from bandBins on are never written: they stay zero.
    this.filtered = this.transform.createFx();
    this.fullPart = new Float32Array(samples);
    this.decimatedParts = bands.map(() => new Float32Array(Math.ceil(samples / this.step)));
  }

  /** Transforms a trace: its parts are then read with `decimated` and `full`. */
  split(trace: Float32Array): void {
    this.transform.forward(trace, this.samples, 0, this.spectrum);
    this.decimatedParts.forEach((part, b) => this.inverse(b, this.shortInverse, part));
  }

  /** Band b of the last trace split, every `step` samples. */
  decimated(b: number): Float32Array {
    return this.decimatedParts[b]!;
  }

  /** Band b of the last trace split, at the full rate. */
  full(b: number): Float32Array {
    return this.inverse(b, this.fullInverse, this.fullPart);
  }

  /**
   * Band b's part of the spectrum through `inverse` (the full one or the shorter one, which reads only the bins below
   * its Nyquist): the first `part.length` values.
   */
  private inverse(b: number, inverse: RealInverse, part: Float32Array): Float32Array {
    const gain = this.gains[b]!;
    const { spectrum, filtered } = this;
    for (let f = 0; f < gain.length; f++) {
      filtered[2 * f] = spectrum[2 * f]! * gain[f]!;
      filtered[2 * f + 1] = spectrum[2 * f + 1]! * gain[f]!;
    }
    filtered.fill(0, 2 * gain.length, 2 * this.bandBins);
    inverse.transform(filtered, part, 0, part.length);
    return part;
  }
}

/** The mean of the window energies of the live neighbours of a dead trace. */
function neighbourMean(sides: readonly Float64Array[]): Float64Array {
  const mean = new Float64Array(sides[0]!.length);
  for (const side of sides) side.forEach((energy, k) => (mean[k]! += energy / sides.length));
  return mean;
}
