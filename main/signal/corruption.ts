/**
 * Task corruption, for training pairs and for the quality benchmark; everything is reproducible from its seed.
 *
 * Denoising: noise generators return a noise section (trace-major, arbitrary scale) and `addNoiseAtSnr` scales it so
 * that the noisy section has exactly the requested SNR (metrics.ts definition). Models: white Gaussian, band-limited
 * Gaussian (filtered in the frequency domain), swell noise (low-frequency, strong, in bursts over a few adjacent
 * traces, as in marine data) and spikes / short bursts.
 *
 * Interpolation: a trace mask is a Uint8Array with one entry per trace, 1 = live, 0 = missing. Masks: random missing
 * traces, regular decimation, gaps (contiguous blocks of traces), and the dead traces found in real data.
 * `applyTraceMask` zeroes the missing traces; `maskChannel` is the model's second input channel.
 */
import FFT from 'fft.js';
import { gaussian, seededRandom } from './random';
import type { SectionShape } from './metrics';

/** One entry per trace: 1 = live, 0 = missing. */
export type TraceMask = Uint8Array;

/** A frequency band in cycles per sample, 0 <= low < high <= 0.5 (0.5 = Nyquist). At 4 ms, 0.02 is 5 Hz. */
export interface FrequencyBand {
  low: number;
  high: number;
}

function sectionLength(shape: SectionShape): number {
  return shape.traces * shape.samples;
}

/** White Gaussian noise, unit variance. */
export function gaussianNoise(shape: SectionShape, seed: number): Float32Array {
  const normal = gaussian(seededRandom(seed));
  return Float32Array.from({ length: sectionLength(shape) }, normal);
}

/**
 * Writes band-limited Gaussian noise traces: white noise over a power-of-two length (at least the trace length)
 * transformed with fft.js, bins outside the band set to zero (both signs of frequency, so the result stays real),
 * transformed back and cut to the trace length. The buffers are reused from trace to trace.
 */
class BandLimitedTraces {
  private readonly fft: FFT;
  private readonly white: Float64Array;
  private readonly spectrum: number[];
  private readonly filtered: number[];

  constructor(
    private readonly samples: number,
    private readonly band: FrequencyBand,
    private readonly normal: () => number,
  ) {
    if (!(band.low >= 0 && band.low < band.high && band.high <= 0.5)) {
      throw new Error(
        `frequency band must satisfy 0 <= low < high <= 0.5 cycles/sample, got ${band.low}..${band.high}`,
      );
    }
    const size = 2 ** Math.max(1, Math.ceil(Math.log2(samples)));
    this.fft = new FFT(size);
    this.white = new Float64Array(size);
    this.spectrum = this.fft.createComplexArray();
    this.filtered = this.fft.createComplexArray();
  }

  writeTrace(into: Float32Array, amplitude: number): void {
    const size = this.white.length;
    for (let i = 0; i < size; i++) this.white[i] = this.normal();
    this.fft.realTransform(this.spectrum, this.white);
    this.fft.completeSpectrum(this.spectrum);
    for (let k = 0; k < size; k++) {
      const frequency = Math.min(k, size - k) / size;
      if (frequency < this.band.low || frequency > this.band.high) {
        this.spectrum[2 * k] = 0;
        this.spectrum[2 * k + 1] = 0;
      }
    }
    this.fft.inverseTransform(this.filtered, this.spectrum);
    for (let i = 0; i < Math.min(this.samples, into.length); i++) into[i]! += amplitude * this.filtered[2 * i]!;
  }
}

/** Gaussian noise filtered to a frequency band (cycles per sample), independent from trace to trace. */
export function bandLimitedNoise(shape: SectionShape, seed: number, band: FrequencyBand): Float32Array {
  const noise = new Float32Array(sectionLength(shape));
  const traces = new BandLimitedTraces(shape.samples, band, gaussian(seededRandom(seed)));
  for (let t = 0; t < shape.traces; t++) {
    traces.writeTrace(noise.subarray(t * shape.samples, (t + 1) * shape.samples), 1);
  }
  return noise;
}

export interface SwellNoiseOptions {
  /** Number of bursts. */
  bursts: number;
  /** Most adjacent traces one burst covers (each burst covers 1..maxTraces). */
  maxTraces: number;
  /** Longest burst in samples (each lasts maxSamples/2..maxSamples, cut at the trace end). */
  maxSamples: number;
  /** Frequency band of the swell, cycles per sample; default 0..0.02 (0..5 Hz at 4 ms). */
  band?: FrequencyBand;
}

/**
 * Swell noise: bursts of strong low-frequency noise over a few adjacent traces, each with a random amplitude
 * (0.5..1, before `addNoiseAtSnr` sets the overall level) and a Hann taper in time so that bursts fade in and out.
 */
export function swellNoise(shape: SectionShape, seed: number, options: SwellNoiseOptions): Float32Array {
  const random = seededRandom(seed);
  const noise = new Float32Array(sectionLength(shape));
  const traces = new BandLimitedTraces(shape.samples, options.band ?? { low: 0, high: 0.02 }, gaussian(random));
  const burst = new Float32Array(shape.samples);
  for (let b = 0; b < options.bursts; b++) {
    const width = Math.min(shape.traces, 1 + Math.floor(random() * options.maxTraces));
    const firstTrace = Math.floor(random() * (shape.traces - width + 1));
    const length = Math.max(1, Math.round(options.maxSamples * (0.5 + 0.5 * random())));
    const start = Math.floor(random() * shape.samples);
    const amplitude = 0.5 + 0.5 * random();
    for (let t = firstTrace; t < firstTrace + width; t++) {
      burst.fill(0);
      traces.writeTrace(burst, amplitude);
      for (let s = start; s < Math.min(shape.samples, start + length); s++) {
        const taper = Math.sin((Math.PI * (s - start + 0.5)) / length) ** 2;
        noise[t * shape.samples + s]! += taper * burst[s]!;
      }
    }
  }
  return noise;
}

export interface SpikeNoiseOptions {
  /** Fraction of samples where a spike or burst starts. */
  density: number;
  /** Longest burst in samples; 1 gives isolated single-sample spikes. */
  maxBurstSamples: number;
}

/**
 * Spikes and short bursts: at round(density x samples) random positions, a run of 1..maxBurstSamples samples (on one
 * trace) of Gaussian noise with a random amplitude 0.5..1.
 */
export function spikeNoise(shape: SectionShape, seed: number, options: SpikeNoiseOptions): Float32Array {
  const random = seededRandom(seed);
  const normal = gaussian(random);
  const noise = new Float32Array(sectionLength(shape));
  const count = Math.round(options.density * noise.length);
  for (let k = 0; k < count; k++) {
    const position = Math.floor(random() * noise.length);
    const trace = Math.floor(position / shape.samples);
    const traceEnd = (trace + 1) * shape.samples;
    const length = 1 + Math.floor(random() * options.maxBurstSamples);
    const amplitude = 0.5 + 0.5 * random();
    for (let i = position; i < Math.min(traceEnd, position + length); i++) noise[i]! += amplitude * normal();
  }
  return noise;
}

/**
 * clean + a * noise, with a chosen so that signalToNoiseDb(clean, result) equals `targetSnrDb`:
 *   a = sqrt( sum(clean^2) / (sum(noise^2) 10^(target / 10)) ).
 * The only departure from the target is the float32 rounding of the sum (around 1e-6 dB).
 */
export function addNoiseAtSnr(clean: Float32Array, noise: Float32Array, targetSnrDb: number): Float32Array {
  if (clean.length !== noise.length) throw new Error(`noise of ${noise.length} samples for ${clean.length}`);
  let signalEnergy = 0;
  let noiseEnergy = 0;
  for (let i = 0; i < clean.length; i++) {
    signalEnergy += clean[i]! * clean[i]!;
    noiseEnergy += noise[i]! * noise[i]!;
  }
  if (signalEnergy === 0) throw new Error('cannot set an SNR: the clean section has no energy');
  if (noiseEnergy === 0) throw new Error('cannot set an SNR: the noise section has no energy');
  const scale = Math.sqrt(signalEnergy / (noiseEnergy * 10 ** (targetSnrDb / 10)));
  const noisy = new Float32Array(clean.length);
  for (let i = 0; i < clean.length; i++) noisy[i] = clean[i]! + scale * noise[i]!;
  return noisy;
}

/** Random missing traces: exactly round(fraction x traces) of them, chosen uniformly. */
export function randomTraceMask(traces: number, missingFraction: number, seed: number): TraceMask {
  if (!(missingFraction >= 0 && missingFraction <= 1)) throw new Error(`missing fraction ${missingFraction}`);
  const random = seededRandom(seed);
  const order = Int32Array.from({ length: traces }, (_, i) => i);
  const missing = Math.round(missingFraction * traces);
  const mask = new Uint8Array(traces).fill(1);
  // Partial Fisher-Yates: the first `missing` entries of `order` become a uniform random subset.
  for (let i = 0; i < missing; i++) {
    const j = i + Math.floor(random() * (traces - i));
    const chosen = order[j]!;
    order[j] = order[i]!;
    order[i] = chosen;
    mask[chosen] = 0;
  }
  return mask;
}

/** Regular decimation: keeps traces offset, offset + keepEvery, offset + 2 keepEvery, ... */
export function regularTraceMask(traces: number, keepEvery: number, offset = 0): TraceMask {
  if (!(Number.isInteger(keepEvery) && keepEvery >= 1)) throw new Error(`keep every k-th trace needs k >= 1`);
  return Uint8Array.from({ length: traces }, (_, t) => (t >= offset && (t - offset) % keepEvery === 0 ? 1 : 0));
}

/**
 * Gaps: `gaps` blocks of `width` consecutive missing traces at random places, never touching each other (at least one
 * live trace between two gaps) so that exactly gaps x width traces are missing.
 */
export function gapTraceMask(traces: number, gaps: number, width: number, seed: number): TraceMask {
  const spare = traces - gaps * width - Math.max(0, gaps - 1);
  if (gaps < 0 || width < 1 || spare < 0) {
    throw new Error(`${gaps} gaps of ${width} traces (with live traces between them) do not fit in ${traces} traces`);
  }
  const random = seededRandom(seed);
  // Spread the spare live traces over the gaps + 1 intervals around the gaps: sorted random cut points in [0, spare].
  const cuts = Array.from({ length: gaps }, () => Math.floor(random() * (spare + 1))).sort((a, b) => a - b);
  const mask = new Uint8Array(traces).fill(1);
  cuts.forEach((cut, g) => {
    const start = cut + g * (width + 1);
    mask.fill(0, start, start + width);
  });
  return mask;
}

/** The dead traces of real data (every sample zero or not finite) as a mask: 0 = dead. */
export function liveTraceMask(section: Float32Array, shape: SectionShape): TraceMask {
  const mask = new Uint8Array(shape.traces);
  for (let t = 0; t < shape.traces; t++) {
    for (let i = t * shape.samples; i < (t + 1) * shape.samples; i++) {
      const v = section[i]!;
      if (v !== 0 && Number.isFinite(v)) {
        mask[t] = 1;
        break;
      }
    }
  }
  return mask;
}

/** Live only where live in both masks: for example synthetic gaps on top of a survey's own dead traces. */
export function intersectTraceMasks(a: TraceMask, b: TraceMask): TraceMask {
  if (a.length !== b.length) throw new Error(`trace masks of ${a.length} and ${b.length} traces`);
  return a.map((live, t) => live & b[t]!);
}

function assertMaskFits(mask: TraceMask, shape: SectionShape): void {
  if (mask.length !== shape.traces) throw new Error(`trace mask of ${mask.length} traces for ${shape.traces} traces`);
}

/** A copy of the section with the missing traces zeroed. */
export function applyTraceMask(section: Float32Array, shape: SectionShape, mask: TraceMask): Float32Array {
  assertMaskFits(mask, shape);
  const masked = section.slice();
  for (let t = 0; t < shape.traces; t++) {
    if (!mask[t]) masked.fill(0, t * shape.samples, (t + 1) * shape.samples);
  }
  return masked;
}

/** The model's mask input channel: a section (trace-major) of 1 on live traces and 0 on missing ones. */
export function maskChannel(mask: TraceMask, shape: SectionShape): Float32Array {
  assertMaskFits(mask, shape);
  const channel = new Float32Array(sectionLength(shape));
  for (let t = 0; t < shape.traces; t++) {
    if (mask[t]) channel.fill(1, t * shape.samples, (t + 1) * shape.samples);
  }
  return channel;
}
