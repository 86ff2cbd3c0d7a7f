/**
 * Post-stack synthetics: the convolutional model s(t) = sum_k r_k w_k(t - t_k) trace by trace, with r_k the
 * normal-incidence reflection coefficient (Z2 - Z1) / (Z2 + Z1) of each interface of the earth model and w_k the
 * wavelet for its two-way time (time-variant when Q is given). Traces are independent, so inlines, crosslines or single
 * traces of a cube of any size are generated on demand.
 */
import type { EarthModel, TraceLayering } from './earthModel';
import { WaveletBank, addWavelet } from './wavelets';
import type { WaveletSpec } from './wavelets';

export interface SeismicOptions {
  readonly samples: number;
  readonly sampleIntervalMs: number;
  readonly wavelet: WaveletSpec;
  /** Constant-Q factor of the attenuation (frequency loss with depth); undefined = none. */
  readonly q?: number;
}

export interface Reflectivity {
  readonly timesMs: Float64Array;
  readonly coefficients: Float64Array;
}

export function checkSeismicOptions(options: SeismicOptions): void {
  if (!(Number.isInteger(options.samples) && options.samples >= 1)) {
    throw new RangeError(`samples per trace must be a whole number >= 1, not ${options.samples}`);
  }
  if (!(options.sampleIntervalMs > 0)) throw new RangeError(`the sample interval must be > 0 ms`);
}

/** Normal-incidence reflection coefficient between layering entries i - 1 and i. */
function normalIncidence(model: EarthModel, layering: TraceLayering, i: number): number {
  const impedance = model.column.impedance;
  // Lateral changes scale vp and rho together, so the impedance by the square of the scale.
  const above = impedance[layering.layers[i - 1]!]! * layering.lateralScale[i - 1]! ** 2;
  const below = impedance[layering.layers[i]!]! * layering.lateralScale[i]! ** 2;
  return (below - above) / (below + above);
}

export class PostStackSynthesizer {
  private readonly bank: WaveletBank;
  private readonly durationMs: number;

  constructor(
    readonly model: EarthModel,
    readonly options: SeismicOptions,
  ) {
    checkSeismicOptions(options);
    this.durationMs = options.samples * options.sampleIntervalMs;
    this.bank = new WaveletBank(options.wavelet, options.sampleIntervalMs, this.durationMs, options.q);
  }

  /** The reflection coefficients of the trace at (inline, crossline) (grid indices from 0) inside the trace's time range. */
  reflectivityAt(inline: number, crossline: number): Reflectivity {
    const layering = this.model.layeringAt(inline, crossline);
    const times: number[] = [];
    const coefficients: number[] = [];
    for (let i = 1; i < layering.count; i++) {
      const timeMs = layering.timesMs[i]!;
      if (timeMs < 0 || timeMs >= this.durationMs) continue;
      times.push(timeMs);
      coefficients.push(normalIncidence(this.model, layering, i));
    }
    return { timesMs: Float64Array.from(times), coefficients: Float64Array.from(coefficients) };
  }

  trace(inline: number, crossline: number, into = new Float32Array(this.options.samples)): Float32Array {
    into.fill(0);
    const layering = this.model.layeringAt(inline, crossline);
    const { sampleIntervalMs } = this.options;
    const reachMs = this.bank.halfSamples * sampleIntervalMs;
    for (let i = 1; i < layering.count; i++) {
      const timeMs = layering.timesMs[i]!;
      if (timeMs < -reachMs || timeMs > this.durationMs + reachMs) continue;
      const coefficient = normalIncidence(this.model, layering, i);
      if (coefficient !== 0) addWavelet(into, timeMs / sampleIntervalMs, coefficient, this.bank.at(timeMs));
    }
    return into;
  }

  /** Inline `inline` as crosslines x samples, trace-major. */
  inline(inline: number): Float32Array {
    const { samples } = this.options;
    const section = new Float32Array(this.model.spec.crosslines * samples);
    for (let xl = 0; xl < this.model.spec.crosslines; xl++) {
      this.trace(inline, xl, section.subarray(xl * samples, (xl + 1) * samples));
    }
    return section;
  }

  /** Crossline `crossline` as inlines x samples, trace-major. */
  crossline(crossline: number): Float32Array {
    const { samples } = this.options;
    const section = new Float32Array(this.model.spec.inlines * samples);
    for (let il = 0; il < this.model.spec.inlines; il++) {
      this.trace(il, crossline, section.subarray(il * samples, (il + 1) * samples));
    }
    return section;
  }
}
