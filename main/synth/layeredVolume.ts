import { gaussian, seededRandom } from '../signal/random';

export interface LayeredVolumeSpec {
  inlines: number;
  crosslines: number;
  samples: number;
  seed: number;
  /** Ricker peak frequency in cycles per sample-interval fraction (0.05 = 20 samples a period). */
  peakFrequency?: number;
  /** Standard deviation of additive Gaussian noise relative to the largest reflection (0 = clean). */
  noise?: number;
}

/** Ricker wavelet sampled at integer lags -half..half for a peak frequency in cycles per sample. */
export function rickerWavelet(peakFrequency: number, half: number): Float32Array {
  const wavelet = new Float32Array(2 * half + 1);
  for (let lag = -half; lag <= half; lag++) {
    const a = (Math.PI * peakFrequency * lag) ** 2;
    wavelet[lag + half] = (1 - 2 * a) * Math.exp(-a);
  }
  return wavelet;
}

interface Layer {
  depth: number;
  dipInline: number;
  dipCrossline: number;
  reflectivity: number;
}

/**
 * A simple post-stack volume: dipping planar reflectors convolved with a Ricker wavelet plus optional noise, generated
 * one inline at a time so that any size streams in bounded memory.
 */
export class LayeredVolume {
  private readonly layers: Layer[];
  private readonly wavelet: Float32Array;
  private readonly half: number;

  constructor(readonly spec: LayeredVolumeSpec) {
    const random = seededRandom(spec.seed);
    const count = Math.max(3, Math.round(spec.samples / 25));
    this.layers = Array.from({ length: count }, () => ({
      depth: random() * spec.samples,
      dipInline: (random() - 0.5) * 0.6,
      dipCrossline: (random() - 0.5) * 0.6,
      reflectivity: (random() - 0.5) * 2,
    }));
    const frequency = spec.peakFrequency ?? 0.06;
    this.half = Math.ceil(1.5 / frequency);
    this.wavelet = rickerWavelet(frequency, this.half);
  }

  /** Inline `index` as crosslines x samples, trace-major (trace t occupies [t*samples, (t+1)*samples)). */
  inline(index: number): Float32Array {
    const { crosslines, samples, noise = 0, seed } = this.spec;
    const section = new Float32Array(crosslines * samples);
    for (let xl = 0; xl < crosslines; xl++) {
      const trace = section.subarray(xl * samples, (xl + 1) * samples);
      for (const layer of this.layers) this.addReflection(trace, layer, index, xl);
    }
    if (noise > 0) {
      const normal = gaussian(seededRandom(seed * 7919 + index + 1));
      for (let i = 0; i < section.length; i++) section[i]! += noise * normal();
    }
    return section;
  }

  private addReflection(trace: Float32Array, layer: Layer, il: number, xl: number): void {
    const centre = Math.round(layer.depth + layer.dipInline * il + layer.dipCrossline * xl);
    const from = Math.max(0, centre - this.half);
    const to = Math.min(trace.length - 1, centre + this.half);
    for (let t = from; t <= to; t++) trace[t]! += layer.reflectivity * this.wavelet[t - centre + this.half]!;
  }
}
