/**
 * Dix conversion (Dix 1955) of stacking (RMS) velocities picked at reflection times to interval velocities, and the
 * layers it gives from two-way time to depth. For flat layers the RMS velocity at t0 is sqrt(sum v_k^2 dt_k / t0), so
 * between two picks
 *   v_int^2 = (V2^2 t2 - V1^2 t1) / (t2 - t1).
 */

/** A stacking velocity picked at a two-way zero-offset time. */
export interface VelocityPick {
  readonly timeS: number;
  readonly velocity: number;
}

/** A layer between two two-way times and its interval velocity. */
export interface TimeInterval {
  readonly topS: number;
  readonly bottomS: number;
  readonly velocity: number;
}

export interface DixOptions {
  /**
   * Interval velocities are clipped to this range: where the RMS velocity falls faster than any real layer allows,
   * Dix has no solution.
   */
  readonly minVelocity: number;
  readonly maxVelocity: number;
  /**
   * Velocity of the layer above the first pick when it is known better than from that pick (the direct wave's); by
   * default the first pick's own velocity.
   */
  readonly topVelocity?: number;
}

/**
 * The layers between consecutive picks (sorted by time), the first from time zero, the last continuing to infinity.
 */
export function dixIntervals(picks: readonly VelocityPick[], options: DixOptions): TimeInterval[] {
  const clip = (v: number) => Math.min(options.maxVelocity, Math.max(options.minVelocity, v));
  const intervals: TimeInterval[] = [];
  const [first, ...deeper] = picks;
  if (!first) return [{ topS: 0, bottomS: Infinity, velocity: clip(options.topVelocity ?? options.minVelocity) }];
  intervals.push({ topS: 0, bottomS: first.timeS, velocity: clip(options.topVelocity ?? first.velocity) });
  let top = first;
  for (const pick of deeper) {
    if (pick.timeS <= top.timeS) continue;
    const squared = (pick.velocity ** 2 * pick.timeS - top.velocity ** 2 * top.timeS) / (pick.timeS - top.timeS);
    intervals.push({ topS: top.timeS, bottomS: pick.timeS, velocity: clip(Math.sqrt(Math.max(0, squared))) });
    top = pick;
  }
  const last = intervals[intervals.length - 1];
  intervals.push({ topS: top.timeS, bottomS: Infinity, velocity: last?.velocity ?? clip(top.velocity) });
  return intervals;
}

/** Interval velocity at depths 0, spacingM, 2 spacingM, ... (cells of them): each layer is v (bottom - top) / 2 thick. */
export function velocityAtDepths(intervals: readonly TimeInterval[], spacingM: number, cells: number): Float32Array {
  const profile = new Float32Array(cells);
  let layer = 0;
  let layerTopM = 0;
  for (let cell = 0; cell < cells; cell++) {
    const depth = cell * spacingM;
    for (;;) {
      const { topS, bottomS, velocity } = intervals[layer]!;
      const thickness = (velocity * (bottomS - topS)) / 2;
      if (depth < layerTopM + thickness || layer === intervals.length - 1) break;
      layerTopM += thickness;
      layer++;
    }
    profile[cell] = intervals[layer]!.velocity;
  }
  return profile;
}
