/**
 * Automatic picking of a stacking-velocity function on a semblance panel: the path through the panel, one velocity per
 * t0, that maximises the summed semblance minus a penalty for every change of velocity between neighbouring t0s
 * (dynamic programming, Viterbi). Decreases cost more than increases, because velocity usually grows with depth; a
 * path cannot move more than `maxStep` trial velocities per sample. Where the panel has no event the penalty keeps the
 * path constant, so the path starts at a given velocity (the near-surface velocity from the direct wave) and holds it
 * down to the first reflection.
 */
import type { VelocityPick } from './dix';
import type { SemblancePanel } from './semblance';

export interface PickingOptions {
  /** Index of the trial velocity the path starts from at t0 = 0. */
  readonly startIndex: number;
  /** Penalty per trial-velocity step up, and down, in units of semblance. */
  readonly increasePenalty: number;
  readonly decreasePenalty: number;
  /** Largest change of trial-velocity index between neighbouring t0s. */
  readonly maxStep: number;
}

/** The picked stacking velocity (m/s) at every t0 of the panel. */
export function pickVelocities(panel: SemblancePanel, options: PickingOptions): Float32Array {
  const { values, times, velocities } = panel;
  const nv = velocities.length;
  if (times === 0) return new Float32Array(0);
  const score = new Float64Array(nv).fill(-Infinity);
  score[options.startIndex] = values[options.startIndex]!;
  const nextScore = new Float64Array(nv);
  const from = new Int16Array(times * nv);
  for (let k = 1; k < times; k++) {
    for (let v = 0; v < nv; v++) {
      let best = -Infinity;
      let bestFrom = v;
      for (let u = Math.max(0, v - options.maxStep); u <= Math.min(nv - 1, v + options.maxStep); u++) {
        const penalty = v >= u ? (v - u) * options.increasePenalty : (u - v) * options.decreasePenalty;
        const candidate = score[u]! - penalty;
        if (candidate > best) [best, bestFrom] = [candidate, u];
      }
      nextScore[v] = best + values[k * nv + v]!;
      from[k * nv + v] = bestFrom;
    }
    score.set(nextScore);
  }
  let index = 0;
  for (let v = 1; v < nv; v++) if (score[v]! > score[index]!) index = v;
  const picked = new Float32Array(times);
  for (let k = times - 1; k >= 0; k--) {
    picked[k] = velocities[index]!;
    index = from[k * nv + index]!;
  }
  return picked;
}

export interface EventOptions {
  /** Picks are at least this far apart in t0, s (about a wavelet length: one reflection, one pick). */
  readonly minSeparationS: number;
  /** Smallest semblance, relative to the strongest event along the path, that counts as an event. */
  readonly minRelativeSemblance: number;
  /** Picks before this t0 are left out (the direct wave and the stretch-muted zone), s. */
  readonly earliestS: number;
}

/**
 * The reflections along a picked path: the t0s where the stack's energy along the path peaks (the largest within
 * minSeparationS either side) and the semblance is strong enough, with the path's velocity there. These are the picks
 * an interpreter would make; Dix is taken between them rather than between every sample, which would amplify every
 * wiggle of the path.
 */
export function eventPicks(panel: SemblancePanel, path: Float32Array, options: EventOptions): VelocityPick[] {
  const { values, stackEnergy, times, velocities, sampleIntervalS } = panel;
  const at = (k: number) => k * velocities.length + velocities.indexOf(path[k]!);
  const first = Math.ceil(options.earliestS / sampleIntervalS);
  let strongest = 0;
  for (let k = first; k < times; k++) strongest = Math.max(strongest, values[at(k)]!);
  const reach = Math.max(1, Math.round(options.minSeparationS / sampleIntervalS));
  const picks: VelocityPick[] = [];
  for (let k = first; k < times; k++) {
    if (values[at(k)]! < options.minRelativeSemblance * strongest) continue;
    const energy = stackEnergy[at(k)]!;
    let isPeak = true;
    for (let j = Math.max(first, k - reach); j <= Math.min(times - 1, k + reach) && isPeak; j++) {
      isPeak = stackEnergy[at(j)]! < energy || (stackEnergy[at(j)]! === energy && j >= k);
    }
    if (isPeak) picks.push({ timeS: k * sampleIntervalS, velocity: path[k]! });
  }
  return picks;
}

/**
 * Picked stacking-velocity functions of analysis locations along a line (`positions`, in any unit), each averaged with
 * its neighbours under a Gaussian of standard deviation `width` (same unit), t0 by t0. The squares are averaged, as Dix
 * combines them (v^2 t0 is what grows with each layer). In a laterally constant earth every location sees the same
 * function, so the average only removes each location's own picking error; where the earth changes it smears over
 * about `width`, as the supergathers themselves already do.
 */
export function smoothLaterally(
  positions: readonly number[],
  velocities: readonly Float32Array[],
  width: number,
): Float32Array[] {
  return positions.map((position) => {
    const weights = positions.map((other) => Math.exp(-0.5 * ((other - position) / width) ** 2));
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    const smoothed = new Float32Array(velocities[0]?.length ?? 0);
    for (let k = 0; k < smoothed.length; k++) {
      let sumSquares = 0;
      velocities.forEach((path, j) => (sumSquares += weights[j]! * path[k]! ** 2));
      smoothed[k] = Math.sqrt(sumSquares / total);
    }
    return smoothed;
  });
}
