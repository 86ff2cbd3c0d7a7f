/**
 * f-k dip filter: the section is transformed to frequency-wavenumber (2D FFT, zero-padded to powers of two), every
 * (f, k) coefficient is scaled by a smooth fan weight of its apparent dip, and the result is transformed back.
 *
 * A linear event of dip p samples per trace concentrates on the line k = -p f in normalised units (f in cycles per
 * sample, k in cycles per trace), so its dip is |k| / |f| there. Coefficients are judged by that ratio: a fan of dips
 * [minDip, maxDip] is rejected (or passed alone), with a raised-cosine taper of relative width `taper` around each edge
 * so that the filter does not ring. Apparent velocities convert to dips as dip = traceSpacing / (velocity dt). Dips past
 * the spatial Nyquist (|k| > 0.5) alias onto smaller ones, as in any f-k filter.
 */
import type { SectionShape } from '../signal/metrics';
import { FxTransform, WavenumberTransform } from '../signal/fft2d';
import {
  checkChoice,
  checkInRange,
  checkNonNegative,
  checkPositive,
  checkSection,
  ProcessingInputError,
} from './validation';

/** A fan of apparent velocities (m/s), |v| from `min` to `max`, with the sampling that turns them into dips. */
export interface VelocityFan {
  min: number;
  max: number;
  /** Sample interval, seconds. */
  dt: number;
  /** Distance between traces, metres. */
  traceSpacing: number;
}

export interface FkFilterOptions {
  /** 'reject' removes the fan, 'pass' keeps only the fan. Default 'reject'. */
  action?: 'reject' | 'pass';
  /**
   * Fan edges as |dip| in samples per trace. Defaults minDip 2, maxDip Infinity: the simple mode, which removes all
   * energy steeper than 2 samples per trace (pass only `minDip` to set that limit).
   */
  minDip?: number;
  maxDip?: number;
  /** The fan as apparent velocities instead of dips; when given, minDip and maxDip are ignored. */
  velocities?: VelocityFan;
  /** Width of the cosine taper around each edge as a fraction of the edge's dip. Default 0.2. */
  taper?: number;
}

export const FK_DEFAULTS = { action: 'reject', minDip: 2, maxDip: Infinity, taper: 0.2 } as const;

export interface DipFan {
  action: 'reject' | 'pass';
  minDip: number;
  maxDip: number;
  taper: number;
}

/** Dip in samples per trace from an apparent velocity: a wavefront moving traceSpacing metres takes traceSpacing / v s. */
export function dipFromVelocity(velocity: number, dt: number, traceSpacing: number): number {
  return traceSpacing / (Math.abs(velocity) * dt);
}

function resolveFan(options: FkFilterOptions): DipFan {
  const action = checkChoice('action', options.action ?? FK_DEFAULTS.action, ['reject', 'pass']);
  const taper = checkInRange('taper', options.taper ?? FK_DEFAULTS.taper, 0, 1);
  const velocities = options.velocities;
  if (velocities) {
    checkPositive('velocities.min', velocities.min);
    const max = velocities.max === Infinity ? Infinity : checkPositive('velocities.max', velocities.max);
    checkPositive('velocities.dt', velocities.dt);
    checkPositive('velocities.traceSpacing', velocities.traceSpacing);
    if (velocities.min > max) throw new ProcessingInputError(`velocity fan ${velocities.min}..${max} m/s is empty`);
    const minDip = dipFromVelocity(max, velocities.dt, velocities.traceSpacing);
    return { action, taper, minDip, maxDip: dipFromVelocity(velocities.min, velocities.dt, velocities.traceSpacing) };
  }
  const minDip = checkNonNegative('minDip', options.minDip ?? FK_DEFAULTS.minDip);
  const maxDip = options.maxDip ?? FK_DEFAULTS.maxDip;
  if (!(maxDip >= minDip)) throw new ProcessingInputError(`maxDip (${maxDip}) must be at least minDip (${minDip})`);
  return { action, taper, minDip, maxDip };
}

/** 0 below the edge, 1 above, a raised cosine over [edge (1 - taper/2), edge (1 + taper/2)]. */
function above(dip: number, edge: number, taper: number): number {
  if (edge === Infinity) return 0;
  const low = edge * (1 - taper / 2);
  const high = edge * (1 + taper / 2);
  if (dip >= high) return 1;
  if (dip < low) return 0;
  return Math.sin((Math.PI / 2) * ((dip - low) / (high - low))) ** 2;
}

/** Weight of a coefficient of apparent dip `dip`: how much of it the filter keeps. */
export function fanWeight(dip: number, fan: DipFan): number {
  const inside = above(dip, fan.minDip, fan.taper) * (1 - above(dip, fan.maxDip, fan.taper));
  return fan.action === 'reject' ? 1 - inside : inside;
}

/** Dip-filtered copy of the section (trace-major, traces x samples). */
export function fkFilter(section: Float32Array, shape: SectionShape, options: FkFilterOptions = {}): Float32Array {
  checkSection(section, shape);
  const fan = resolveFan(options);
  // A single trace has no dip to judge (zero-padding would make it look infinitely steep): nothing to filter.
  if (shape.traces < 2) return section.slice();
  const time = new FxTransform(shape.traces, shape.samples);
  const space = new WavenumberTransform(shape.traces);
  const fx = time.createFx();
  time.forward(section, shape.samples, 0, fx);
  for (let f = 0; f < time.frequencies; f++) {
    const frequency = f / time.size;
    space.loadSlice(fx, f);
    space.forward();
    for (let k = 0; k < space.size; k++) {
      const wavenumber = Math.abs(space.wavenumber(k));
      const dip = frequency > 0 ? wavenumber / frequency : wavenumber > 0 ? Infinity : 0;
      const weight = fanWeight(dip, fan);
      space.spectrum[2 * k]! *= weight;
      space.spectrum[2 * k + 1]! *= weight;
    }
    space.inverse();
    space.storeSlice(fx, f);
  }
  const filtered = new Float64Array(section.length);
  time.inverse(fx, filtered);
  return Float32Array.from(filtered);
}
