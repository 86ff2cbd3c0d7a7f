/**
 * Zero-phase Ormsby (trapezoid) bandpass filter, applied per trace in the frequency domain.
 *
 * The gain is a trapezoid over frequency: 0 below f1, a linear ramp from f1 to f2, 1 from f2 to f3, a linear ramp down
 * to f4 and 0 above. The gain is real and even in frequency, so the filter has zero phase: events keep their timing and
 * polarity. Each trace is zero-padded to at least twice its length so that the filter's impulse response (which decays
 * slowly, as 1/t^2) does not wrap the end of the trace onto its beginning.
 */
import type { SectionShape } from '../signal/metrics';
import { fftSize, FxTransform } from '../signal/fft2d';
import { checkInRange, checkPositive, checkSection, ProcessingInputError } from './validation';

export interface BandpassOptions {
  /** Ormsby corner frequencies in Hz, 0 <= f1 <= f2 <= f3 <= f4, f1 below Nyquist; no default (a band is a choice). */
  corners: readonly [number, number, number, number];
  /** Sample interval in seconds. Default 0.004. */
  dt?: number;
}

export const BANDPASS_DEFAULT_DT = 0.004;

/** Trapezoid gain at frequency f (Hz) for corners f1..f4; vertical edges (f1 = f2 or f3 = f4) are sharp cuts. */
export function ormsbyGain(frequency: number, corners: readonly [number, number, number, number]): number {
  const [f1, f2, f3, f4] = corners;
  if (frequency < f1 || frequency > f4) return 0;
  if (frequency < f2) return (frequency - f1) / (f2 - f1);
  if (frequency > f3) return (f4 - frequency) / (f4 - f3);
  return 1;
}

function checkCorners(corners: readonly number[]): void {
  const [f1, f2, f3, f4] = corners;
  const ordered = corners.length === 4 && corners.every(Number.isFinite) && f1! >= 0 && f1! <= f2! && f2! <= f3!;
  if (!ordered || !(f3! <= f4!) || !(f4! > 0)) {
    throw new ProcessingInputError(
      `bandpass corners must be four frequencies in Hz with 0 <= f1 <= f2 <= f3 <= f4 and f4 > 0, got ${corners.join(', ')}`,
    );
  }
}

/** Bandpass-filtered copy of the section (trace-major, traces x samples). */
export function bandpass(section: Float32Array, shape: SectionShape, options: BandpassOptions): Float32Array {
  checkSection(section, shape);
  checkCorners(options.corners);
  const dt = checkPositive('dt', options.dt ?? BANDPASS_DEFAULT_DT);
  checkInRange('f1', options.corners[0], 0, 0.5 / dt);
  const result = new Float32Array(section.length);
  if (section.length === 0) return result;
  // One trace at a time through a transform over twice the trace length (see the header on wrap-around).
  const transform = new FxTransform(1, fftSize(2 * shape.samples));
  const gains = Float64Array.from({ length: transform.frequencies }, (_, f) =>
    ormsbyGain(f / (transform.size * dt), options.corners),
  );
  const fx = transform.createFx();
  const filtered = new Float64Array(transform.windowSamples);
  for (let t = 0; t < shape.traces; t++) {
    const trace = section.subarray(t * shape.samples, (t + 1) * shape.samples);
    transform.forward(trace, shape.samples, 0, fx);
    for (let f = 0; f < transform.frequencies; f++) {
      fx[2 * f]! *= gains[f]!;
      fx[2 * f + 1]! *= gains[f]!;
    }
    transform.inverse(fx, filtered);
    for (let s = 0; s < shape.samples; s++) result[t * shape.samples + s] = filtered[s]!;
  }
  return result;
}
