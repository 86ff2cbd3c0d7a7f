/**
 * Random earth models from a seed: the structures of a typical extensional basin (gentle dips, a few folds, normal
 * faults of tens of ms throw, an angular unconformity), scaled to the survey's size.
 */
import type { EarthModelSpec } from './earthModel';
import { deriveSeed, seededRandom } from '../signal/random';
import type { Fold, NormalFault, Unconformity } from './structure';

export interface ModelExtent {
  readonly inlines: number;
  readonly crosslines: number;
  readonly durationMs: number;
}

export interface RandomModelOptions {
  readonly faults?: number;
  readonly folds?: number;
  readonly unconformity?: boolean;
  readonly meanBedMs?: number;
  readonly lateralAmplitude?: number;
}

function between(random: () => number, low: number, high: number): number {
  return low + (high - low) * random();
}

function randomFold(random: () => number, extent: ModelExtent, index: number): Fold {
  const size = Math.max(extent.inlines, extent.crosslines);
  if (index % 2 === 1) {
    return {
      kind: 'wave',
      wavelengthTraces: size * between(random, 0.5, 1.5),
      azimuthDeg: between(random, 0, 180),
      phaseDeg: between(random, 0, 360),
      amplitudeMs: between(random, 10, 35),
    };
  }
  return {
    kind: 'bump',
    inline: between(random, 0.2, 0.8) * extent.inlines,
    crossline: between(random, 0.2, 0.8) * extent.crosslines,
    radiusTraces: size * between(random, 0.15, 0.35),
    amplitudeMs: (random() < 0.5 ? -1 : 1) * between(random, 25, 80),
  };
}

/**
 * Fault planes a few tens of ms per trace steep (about 50-70 degrees at 25 m bins and 2.5 km/s), anchored in the middle
 * of the survey, throws of 15-60 ms fading to zero at tips beyond the survey's edges.
 */
function randomFault(random: () => number, extent: ModelExtent): NormalFault {
  const size = Math.max(extent.inlines, extent.crosslines);
  return {
    inline: between(random, 0.25, 0.75) * extent.inlines,
    crossline: between(random, 0.25, 0.75) * extent.crosslines,
    timeMs: between(random, 0.3, 0.7) * extent.durationMs,
    strikeDeg: between(random, 0, 180),
    dipMsPerTrace: (random() < 0.5 ? -1 : 1) * between(random, 15, 35),
    throwMs: between(random, 15, 60),
    lengthTraces: size * between(random, 1.5, 3),
  };
}

function randomUnconformity(random: () => number, extent: ModelExtent): Unconformity {
  return {
    timeMs: between(random, 0.25, 0.4) * extent.durationMs,
    reliefMs: between(random, 8, 25),
    wavelengthTraces: Math.max(extent.inlines, extent.crosslines) * between(random, 0.4, 1),
    azimuthDeg: between(random, 0, 180),
  };
}

export function randomEarthModelSpec(
  seed: number,
  extent: ModelExtent,
  options: RandomModelOptions = {},
): EarthModelSpec {
  const random = seededRandom(deriveSeed(seed, 'structure'));
  // Regional tilt of 0.3-0.8 ms per trace (about 12-32 ms/km at 25 m bins) in any direction: enough for the older
  // layers to be visibly truncated at the unconformity.
  const tilt = between(random, 0.3, 0.8);
  const tiltAzimuth = between(random, 0, 2 * Math.PI);
  const dip = { msPerInline: tilt * Math.cos(tiltAzimuth), msPerCrossline: tilt * Math.sin(tiltAzimuth) };
  const folds = Array.from({ length: options.folds ?? 3 }, (_, i) => randomFold(random, extent, i));
  const faults = Array.from({ length: options.faults ?? 2 }, () => randomFault(random, extent));
  const unconformity = options.unconformity === false ? undefined : randomUnconformity(random, extent);
  return {
    ...extent,
    seed,
    meanBedMs: options.meanBedMs ?? 10,
    dip,
    folds,
    faults,
    ...(unconformity ? { unconformity } : {}),
    lateralAmplitude: options.lateralAmplitude ?? 0.1,
  };
}

export function describeEarthModel(spec: EarthModelSpec): string {
  const parts = [
    spec.layers ? `${spec.layers.length} GIVEN LAYERS` : `RANDOM LAYERS MEAN BED ${spec.meanBedMs} MS`,
    `${spec.folds.length} FOLDS`,
    `${spec.faults.length} NORMAL FAULTS`,
  ];
  if (spec.unconformity) parts.push(`UNCONFORMITY ~${Math.round(spec.unconformity.timeMs)} MS`);
  return parts.join(', ');
}
