/**
 * POCS interpolation of missing traces (Abma & Kabir 2006): projection onto convex sets with iterative thresholding
 * in the f-k domain. Seismic events are sparse in f-k (a linear event is a line), missing traces smear them across
 * wavenumbers; keeping only the strong coefficients and putting the recorded traces back, over and over with a
 * decreasing threshold, rebuilds the events in the gaps:
 *   x_0 = d,   x_i = a d + (I - a S) F^-1 T_i F x_{i-1}
 * with d the recorded data (zero on missing traces), S the sampling (1 on live traces), F the 2D Fourier transform,
 * T_i hard thresholding at tau_i and a the re-insertion weight (1 = recorded traces exactly; below 1 for noisy data,
 * Gao et al. 2013). tau_i falls from the largest f-k amplitude of d to `finalThreshold` times it, exponentially or
 * linearly, over `iterations` steps.
 *
 * Speed: the mask removes whole traces, so re-insertion commutes with the time FFT and the method splits exactly
 * into independent frequency slices: each slice iterates with 1D FFTs across traces, and the time FFT is done once.
 * The threshold stays global (the max over all frequencies), so this is the same algorithm as with 2D FFTs. A slice
 * stays at a d while the threshold exceeds its largest coefficient (everything is thresholded away), so those
 * iterations are skipped exactly.
 * Traces padded on to reach a power of two are treated as missing, so that the section edges do not smear the events.
 * Long sections are processed in overlapping tapered time windows (events are more nearly linear, hence sparser,
 * over a short time).
 */
import type { TraceMask } from '../signal/corruption';
import type { SectionShape } from '../signal/metrics';
import { FxTransform, WavenumberTransform } from '../signal/fft2d';
import { checkChoice, checkInRange, checkInteger, checkMask, checkPositive, checkSection } from './validation';
import { taperedWindows } from '../signal/windows';

export interface PocsOptions {
  /** Thresholding iterations. Default 100. */
  iterations?: number;
  /** How the threshold falls from the largest amplitude: 'exponential' (default) or 'linear'. */
  schedule?: 'exponential' | 'linear';
  /** Last threshold as a fraction of the largest f-k amplitude. Default 0.01. */
  finalThreshold?: number;
  /** Weight a of the recorded traces at re-insertion, in (0, 1]; below 1 lets noisy traces be smoothed. Default 1. */
  reinsertionWeight?: number;
  /** Return the live traces exactly as recorded (default) or as reconstructed (useful with reinsertionWeight < 1). */
  keepLiveTraces?: boolean;
  /** Sample interval in seconds. Default 0.004. */
  dt?: number;
  /** Time window length, seconds; sections no longer than this are processed whole. Default 1. */
  windowSeconds?: number;
  /** Time shared by neighbouring windows, seconds. Default 0.25. */
  overlapSeconds?: number;
}

export const POCS_DEFAULTS = {
  iterations: 100,
  schedule: 'exponential',
  finalThreshold: 0.01,
  reinsertionWeight: 1,
  keepLiveTraces: true,
  dt: 0.004,
  windowSeconds: 1,
  overlapSeconds: 0.25,
} as const;

interface PocsSettings {
  iterations: number;
  schedule: 'exponential' | 'linear';
  finalThreshold: number;
  reinsertionWeight: number;
  keepLiveTraces: boolean;
  windowSamples: number;
  overlapSamples: number;
}

function resolveSettings(options: PocsOptions): PocsSettings {
  const d = POCS_DEFAULTS;
  const dt = checkPositive('dt', options.dt ?? d.dt);
  const windowSeconds = checkPositive('windowSeconds', options.windowSeconds ?? d.windowSeconds);
  const overlapSeconds = checkInRange('overlapSeconds', options.overlapSeconds ?? d.overlapSeconds, 0, windowSeconds);
  const windowSamples = Math.max(1, Math.round(windowSeconds / dt));
  return {
    iterations: checkInteger('iterations', options.iterations ?? d.iterations, 1),
    schedule: checkChoice('schedule', options.schedule ?? d.schedule, ['exponential', 'linear']),
    finalThreshold: checkInRange('finalThreshold', options.finalThreshold ?? d.finalThreshold, 1e-6, 1),
    reinsertionWeight: checkInRange('reinsertionWeight', options.reinsertionWeight ?? d.reinsertionWeight, 1e-6, 1),
    keepLiveTraces: options.keepLiveTraces ?? d.keepLiveTraces,
    windowSamples,
    overlapSamples: Math.min(windowSamples - 1, Math.round(overlapSeconds / dt)),
  };
}

/** Thresholds tau_0..tau_{n-1}, from `largest` down to finalThreshold x largest. */
function thresholdSchedule(largest: number, settings: PocsSettings): Float64Array {
  const { iterations, finalThreshold, schedule } = settings;
  return Float64Array.from({ length: iterations }, (_, i) => {
    const progress = iterations === 1 ? 1 : i / (iterations - 1);
    return schedule === 'linear'
      ? largest * (1 - (1 - finalThreshold) * progress)
      : largest * finalThreshold ** progress;
  });
}

/** Largest f-k amplitude of one frequency slice of the recorded data (loaded into `space.space`). */
function largestAmplitude(space: WavenumberTransform): number {
  space.forward();
  let largest = 0;
  for (let k = 0; k < space.size; k++) {
    largest = Math.max(largest, space.spectrum[2 * k]! ** 2 + space.spectrum[2 * k + 1]! ** 2);
  }
  return Math.sqrt(largest);
}

/** Zeroes the wavenumbers of `space.spectrum` whose amplitude is below tau (hard thresholding). */
function hardThreshold(space: WavenumberTransform, tau: number): void {
  const tauSquared = tau * tau;
  const spectrum = space.spectrum;
  for (let k = 0; k < space.size; k++) {
    if (spectrum[2 * k]! ** 2 + spectrum[2 * k + 1]! ** 2 < tauSquared) {
      spectrum[2 * k] = 0;
      spectrum[2 * k + 1] = 0;
    }
  }
}

/**
 * Runs the POCS iterations on one frequency slice, in place in `space.space` (loaded with the recorded slice, which
 * `recorded` also holds). Iterations whose threshold is above the slice's largest amplitude would zero its whole
 * spectrum and leave a d: they are replaced by that result.
 */
function iterateSlice(
  space: WavenumberTransform,
  recorded: Float64Array,
  live: TraceMask,
  thresholds: Float64Array,
  sliceLargest: number,
  weight: number,
): void {
  const active = thresholds.findIndex((tau) => tau <= sliceLargest);
  const first = active < 0 ? thresholds.length : active;
  // The slice holds d, zero off the live traces, so a d is the whole slice scaled by a.
  if (first > 0 && weight < 1) for (let i = 0; i < space.space.length; i++) space.space[i]! *= weight;
  for (let i = first; i < thresholds.length; i++) {
    space.forward();
    hardThreshold(space, thresholds[i]!);
    space.inverse();
    for (let t = 0; t < live.length; t++) {
      if (!live[t]) continue;
      space.space[2 * t] = weight * recorded[2 * t]! + (1 - weight) * space.space[2 * t]!;
      space.space[2 * t + 1] = weight * recorded[2 * t + 1]! + (1 - weight) * space.space[2 * t + 1]!;
    }
  }
}

/** Reconstructs one time window's f-x data in place; `space` and `recorded` are reused buffers. */
function reconstructWindow(
  fx: Float64Array,
  frequencies: number,
  live: TraceMask,
  settings: PocsSettings,
  space: WavenumberTransform,
  recorded: Float64Array,
): void {
  const sliceLargest = new Float64Array(frequencies);
  for (let f = 0; f < frequencies; f++) {
    space.loadSlice(fx, f);
    sliceLargest[f] = largestAmplitude(space);
  }
  const largest = sliceLargest.reduce((a, b) => Math.max(a, b), 0);
  if (largest === 0) return; // nothing recorded in this window: the missing traces stay zero
  const thresholds = thresholdSchedule(largest, settings);
  for (let f = 0; f < frequencies; f++) {
    space.loadSlice(fx, f);
    recorded.set(space.space.subarray(0, recorded.length));
    iterateSlice(space, recorded, live, thresholds, sliceLargest[f]!, settings.reinsertionWeight);
    space.storeSlice(fx, f);
  }
}

/**
 * Section with the missing traces (mask 0) filled by POCS. Whatever the missing traces hold on input is ignored.
 * Live traces are returned exactly as recorded unless `keepLiveTraces` is false.
 */
export function pocsInterpolate(
  section: Float32Array,
  shape: SectionShape,
  mask: TraceMask,
  options: PocsOptions = {},
): Float32Array {
  checkSection(section, shape);
  checkMask(mask, shape);
  const settings = resolveSettings(options);
  const { traces, samples } = shape;
  const recorded = new Float32Array(section.length);
  for (let t = 0; t < traces; t++) {
    if (mask[t]) recorded.set(section.subarray(t * samples, (t + 1) * samples), t * samples);
  }
  if (section.length === 0) return recorded;
  const timeWindows = taperedWindows(samples, settings.windowSamples, settings.overlapSamples);
  const transform = new FxTransform(traces, timeWindows[0]!.length);
  const fx = transform.createFx();
  const reconstructed = new Float64Array(traces * transform.windowSamples);
  const space = new WavenumberTransform(traces);
  const recordedSlice = new Float64Array(2 * traces);
  const result = new Float32Array(section.length);
  for (const window of timeWindows) {
    transform.forward(recorded, samples, window.start, fx, window.weights);
    reconstructWindow(fx, transform.frequencies, mask, settings, space, recordedSlice);
    transform.inverse(fx, reconstructed);
    for (let t = 0; t < traces; t++) {
      for (let j = 0; j < window.length; j++) {
        result[t * samples + window.start + j]! += reconstructed[t * window.length + j]!;
      }
    }
  }
  if (settings.keepLiveTraces) {
    for (let t = 0; t < traces; t++)
      if (mask[t]) result.set(recorded.subarray(t * samples, (t + 1) * samples), t * samples);
  }
  return result;
}
