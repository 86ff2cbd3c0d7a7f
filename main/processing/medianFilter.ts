/**
 * Sliding median filters. A median ignores a minority of wild values in its window, so isolated spikes and short
 * bursts disappear while a smooth event, which varies little across the window, stays.
 *
 * Modes: '2d' takes the median over a window of traces x samples centred on each sample; 'spatial' takes it across
 * traces only (one sample from each neighbouring trace), which removes spikes and bursts confined to a few traces
 * however long they last. Either window can follow the structure: with `dip` (samples per trace) the window is
 * sheared so that trace t + j contributes samples around s + round(j dip), keeping a dipping event aligned in it.
 * At the section edges the window is cut short and the median is taken over the values that remain.
 */
import type { SectionShape } from '../signal/metrics';
import { selectKth } from '../common/selectKth';
import { checkChoice, checkFinite, checkOddWindow, checkSection } from './validation';

export interface MedianFilterOptions {
  /** '2d' (traces x samples window) or 'spatial' (across traces only). Default '2d'. */
  mode?: '2d' | 'spatial';
  /** Traces in the window, odd. Default 3. */
  windowTraces?: number;
  /** Samples in the window, odd; ignored in 'spatial' mode. Default 5. */
  windowSamples?: number;
  /** Dip the window follows, samples per trace (positive: later on higher traces). Default 0 (flat). */
  dip?: number;
}

export const MEDIAN_DEFAULTS = { mode: '2d', windowTraces: 3, windowSamples: 5, dip: 0 } as const;

/**
 * Median of values[0..count) (count >= 1), reordering them in place: Hoare's selection finds the middle element in
 * linear time on average; for an even count it is averaged with the largest value below it.
 */
export function medianInPlace(values: Float64Array, count: number): number {
  const middle = count >> 1;
  const upper = selectKth(values, middle, count);
  if (count % 2 === 1) return upper;
  let lower = values[0]!;
  for (let k = 1; k < middle; k++) if (values[k]! > lower) lower = values[k]!;
  return (lower + upper) / 2;
}

/** Median-filtered copy of the section (trace-major, traces x samples). */
export function medianFilter(
  section: Float32Array,
  shape: SectionShape,
  options: MedianFilterOptions = {},
): Float32Array {
  checkSection(section, shape);
  const mode = checkChoice('mode', options.mode ?? MEDIAN_DEFAULTS.mode, ['2d', 'spatial']);
  const windowTraces = checkOddWindow('windowTraces', options.windowTraces ?? MEDIAN_DEFAULTS.windowTraces);
  const windowSamples =
    mode === 'spatial' ? 1 : checkOddWindow('windowSamples', options.windowSamples ?? MEDIAN_DEFAULTS.windowSamples);
  const dip = checkFinite('dip', options.dip ?? MEDIAN_DEFAULTS.dip);
  const { traces, samples } = shape;
  const halfTraces = windowTraces >> 1;
  const halfSamples = windowSamples >> 1;
  const shifts = Int32Array.from({ length: windowTraces }, (_, j) => Math.round((j - halfTraces) * dip));
  const window = new Float64Array(windowTraces * windowSamples);
  const result = new Float32Array(section.length);
  for (let t = 0; t < traces; t++) {
    for (let s = 0; s < samples; s++) {
      let count = 0;
      for (let j = Math.max(0, halfTraces - t); j < Math.min(windowTraces, traces - t + halfTraces); j++) {
        const base = (t + j - halfTraces) * samples;
        const centre = s + shifts[j]!;
        for (let i = Math.max(0, centre - halfSamples); i <= Math.min(samples - 1, centre + halfSamples); i++) {
          window[count++] = section[base + i]!;
        }
      }
      // The centre trace always contributes at least its own sample, so the window is never empty.
      result[t * samples + s] = medianInPlace(window, count);
    }
  }
  return result;
}
