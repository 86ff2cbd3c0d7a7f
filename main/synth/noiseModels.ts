/**
 * Noise models that main/signal/corruption.ts does not have: linear ground roll on gathers and the acquisition footprint
 * of 3D cubes. (White, band-limited, swell and spike/burst noise, and the trace masks, are in corruption.ts.)
 */
import type { SectionShape } from '../signal/metrics';
import { seededRandom } from '../signal/random';

export interface GroundRollOptions {
  /** Number of dispersive modes (default 3). */
  readonly modes?: number;
  /** Group velocities of the slowest and fastest mode, m/s (default 250..800). */
  readonly velocityRangeMps?: readonly [number, number];
  /** Dominant frequencies of the lowest and highest mode, Hz (default 4..14). */
  readonly frequencyRangeHz?: readonly [number, number];
}

interface GroundRollMode {
  frequencyHz: number;
  groupVelocity: number;
  phaseVelocity: number;
  phaseRad: number;
  amplitude: number;
}

/**
 * Rayleigh-wave modes: the lower the frequency, the deeper the wave samples and the faster it travels (normal
 * dispersion), and the phase velocity exceeds the group velocity, so wavelets slide through their envelope from trace to
 * trace: the "shingled" look of ground roll on shot and CMP gathers.
 */
function groundRollModes(seed: number, options: GroundRollOptions): GroundRollMode[] {
  const random = seededRandom(seed);
  const count = options.modes ?? 3;
  const [slowest, fastest] = options.velocityRangeMps ?? [250, 800];
  const [lowest, highest] = options.frequencyRangeHz ?? [4, 14];
  return Array.from({ length: count }, (_, m) => {
    const position = count === 1 ? 0.5 : m / (count - 1);
    const groupVelocity = fastest + (slowest - fastest) * position;
    return {
      frequencyHz: lowest + (highest - lowest) * position,
      groupVelocity,
      phaseVelocity: 1.3 * groupVelocity,
      phaseRad: 2 * Math.PI * random(),
      amplitude: 0.5 + 0.5 * random(),
    };
  });
}

/**
 * Ground roll for traces at the given offsets (m): for each mode a Gaussian envelope (about four periods long)
 * travelling at the group velocity, filled with a cosine travelling at the phase velocity, decaying as 1/sqrt(distance)
 * (cylindrical spreading of surface waves). Linear in offset, low velocity and low frequency. Traces x samples.
 */
export function groundRollNoise(
  offsetsM: readonly number[],
  samples: number,
  sampleIntervalMs: number,
  seed: number,
  options: GroundRollOptions = {},
): Float32Array {
  const noise = new Float32Array(offsetsM.length * samples);
  const dt = sampleIntervalMs * 1e-3;
  for (const mode of groundRollModes(seed, options)) {
    const sigma = 1 / mode.frequencyHz;
    offsetsM.forEach((offsetM, trace) => {
      const distance = Math.abs(offsetM);
      const arrival = distance / mode.groupVelocity;
      const spreading = mode.amplitude / Math.sqrt(1 + distance / 100);
      const first = Math.max(0, Math.floor((arrival - 4 * sigma) / dt));
      const last = Math.min(samples - 1, Math.ceil((arrival + 4 * sigma) / dt));
      for (let n = first; n <= last; n++) {
        const t = n * dt;
        const envelope = Math.exp(-0.5 * ((t - arrival) / sigma) ** 2);
        const carrier = Math.cos(2 * Math.PI * mode.frequencyHz * (t - distance / mode.phaseVelocity) + mode.phaseRad);
        noise[trace * samples + n]! += spreading * envelope * carrier;
      }
    });
  }
  return noise;
}

export interface FootprintOptions {
  /** Stripe period along the inline (in crosslines), e.g. the receiver-line spacing in bins (default 8). */
  readonly periodCrosslines?: number;
  /** Stripe period across inlines, e.g. the source-line spacing in bins (default 12); 0 = none (2D lines). */
  readonly periodInlines?: number;
  /** Relative amplitude modulation at time zero (0.2 = +-20%). */
  readonly strength: number;
  /** e-folding time of the footprint, ms (default 1500). */
  readonly decayMs?: number;
  readonly sampleIntervalMs: number;
}

/**
 * Acquisition footprint: an amplitude modulation that repeats with the source and receiver line spacings, because the
 * fold, offset and azimuth mix of a bin repeat with them; strongest in the shallow part where the mute leaves the
 * fewest offsets, fading with time (Marfurt et al. 1998; Chopra & Larsen 2000). Returns a modulated copy of the inline
 * `inline` (crosslines x samples).
 */
export function applyFootprint(
  section: Float32Array,
  shape: SectionShape,
  inline: number,
  options: FootprintOptions,
): Float32Array {
  const periodCrosslines = options.periodCrosslines ?? 8;
  const periodInlines = options.periodInlines ?? 12;
  const decayMs = options.decayMs ?? 1500;
  const acrossInlines = periodInlines > 0 ? Math.cos((2 * Math.PI * inline) / periodInlines) : 0;
  const out = new Float32Array(section.length);
  for (let xl = 0; xl < shape.traces; xl++) {
    const stripe = 0.5 * (Math.cos((2 * Math.PI * xl) / periodCrosslines) + acrossInlines);
    for (let n = 0; n < shape.samples; n++) {
      const fading = Math.exp((-n * options.sampleIntervalMs) / decayMs);
      const i = xl * shape.samples + n;
      out[i] = section[i]! * (1 + options.strength * fading * stripe);
    }
  }
  return out;
}
