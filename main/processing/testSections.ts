/** Analytic test sections for the classical methods: linear events made of a Ricker wavelet, reproducible exactly. */
import type { SectionShape } from '../signal/metrics';
import { rickerWavelet } from '../synth/layeredVolume';

export interface LinearEvent {
  /** Sample of the wavelet's peak on trace 0. */
  firstSample: number;
  /** Whole samples per trace, so that every trace holds exactly the same sampled wavelet. */
  dip: number;
  amplitude: number;
}

/** Sum of linear events, each a Ricker wavelet of `peakFrequency` cycles per sample (0.05 = 12.5 Hz at 4 ms). */
export function linearEventsSection(
  shape: SectionShape,
  events: readonly LinearEvent[],
  peakFrequency = 0.05,
): Float32Array {
  const half = Math.ceil(1.5 / peakFrequency);
  const wavelet = rickerWavelet(peakFrequency, half);
  const section = new Float32Array(shape.traces * shape.samples);
  for (const event of events) {
    for (let t = 0; t < shape.traces; t++) {
      const peak = event.firstSample + event.dip * t;
      for (let lag = -half; lag <= half; lag++) {
        const s = peak + lag;
        if (s >= 0 && s < shape.samples) section[t * shape.samples + s]! += event.amplitude * wavelet[lag + half]!;
      }
    }
  }
  return section;
}

/** Sum of squares, in float64. */
export function energy(values: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]! * values[i]!;
  return sum;
}

/** The traces of a section where `keep(t)` holds, concatenated (to score only the missing traces, for example). */
export function selectTraces(
  section: Float32Array,
  shape: SectionShape,
  keep: (trace: number) => boolean,
): Float32Array {
  const chosen: number[] = [];
  for (let t = 0; t < shape.traces; t++) if (keep(t)) chosen.push(t);
  const result = new Float32Array(chosen.length * shape.samples);
  chosen.forEach((t, i) => result.set(section.subarray(t * shape.samples, (t + 1) * shape.samples), i * shape.samples));
  return result;
}
