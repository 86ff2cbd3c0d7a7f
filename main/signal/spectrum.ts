import type { SectionShape } from './metrics';
import { FxTransform } from './fft2d';

export interface AmplitudeSpectrum {
  frequenciesHz: Float32Array;
  amplitude: Float32Array;
}

/**
 * The average amplitude spectrum of a section's live traces (each zero-padded to a power of two): what the compare view
 * plots for the input, the result and the removed noise. Dead traces (live = 0) are left out.
 */
export function averageAmplitudeSpectrum(
  section: Float32Array,
  shape: SectionShape,
  sampleIntervalS: number,
  live?: Uint8Array,
): AmplitudeSpectrum {
  const transform = new FxTransform(shape.traces, shape.samples);
  const fx = transform.createFx();
  transform.forward(section, shape.samples, 0, fx);
  const amplitude = new Float32Array(transform.frequencies);
  let counted = 0;
  for (let t = 0; t < shape.traces; t++) if (!live || live[t]) counted++;
  for (let f = 0; f < transform.frequencies; f++) {
    let sum = 0;
    for (let t = 0; t < shape.traces; t++) {
      if (live && !live[t]) continue;
      const at = 2 * (f * shape.traces + t);
      sum += Math.hypot(fx[at]!, fx[at + 1]!);
    }
    amplitude[f] = counted > 0 ? sum / counted : 0;
  }
  const frequenciesHz = Float32Array.from(amplitude, (_, f) => f / (transform.size * sampleIntervalS));
  return { frequenciesHz, amplitude };
}
