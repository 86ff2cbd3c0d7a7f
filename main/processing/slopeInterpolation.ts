/**
 * Slope-steered interpolation of missing traces: each missing sample is predicted from the nearest live trace on
 * either side, not at the same time (as linear interpolation does, which smears a dipping event into two ghosts once
 * it moves more than half a wavelength across the gap) but where the event through that sample crosses them. The
 * event's path is followed step by step through the local slope field of the live traces (localSlopes.ts), so curved
 * events (shot-gather hyperbolas) are followed too; the two predictions are mixed by distance, as linear
 * interpolation mixes its neighbours. Where the slopes are zero this is exactly linear interpolation.
 */
import type { TraceMask } from '../signal/corruption';
import type { SectionShape } from '../signal/metrics';
import { estimateLocalSlopes, sampleTraceAt, type LocalSlopeOptions, type SlopeField } from './localSlopes';
import { checkMask, checkSection } from './validation';

export type SlopeInterpolationOptions = LocalSlopeOptions;

/** Linear interpolation of a slope field's step k at fractional sample `time` (clamped to the trace). */
function slopeAt(field: SlopeField, step: number, time: number): number {
  const clamped = Math.max(0, Math.min(field.samples - 1, time));
  const below = Math.floor(clamped);
  const above = Math.min(field.samples - 1, below + 1);
  const fraction = clamped - below;
  const base = step * field.samples;
  return (1 - fraction) * field.slopes[base + below]! + fraction * field.slopes[base + above]!;
}

/** Time on trace `to` of the event at `time` on trace `from`, followed through the slopes one trace at a time. */
function followEvent(field: SlopeField, from: number, to: number, time: number): number {
  let t = time;
  if (to > from) {
    for (let k = from; k < to; k++) t += slopeAt(field, k, t);
    return t;
  }
  for (let k = from - 1; k >= to; k--) {
    // The slope is indexed by the time on the earlier trace k: one fixed-point step finds it from trace k + 1's.
    const guess = t - slopeAt(field, k, t);
    t -= slopeAt(field, k, guess);
  }
  return t;
}

/**
 * The section with its missing traces (mask 0) filled along the local slopes of its live traces; live traces are
 * returned exactly as recorded and whatever the missing traces held is ignored. Missing traces beyond the first or
 * last live trace follow the slopes from the one live trace they have.
 */
export function slopeInterpolate(
  section: Float32Array,
  shape: SectionShape,
  mask: TraceMask,
  options: SlopeInterpolationOptions = {},
): Float32Array {
  checkSection(section, shape);
  checkMask(mask, shape);
  const recorded = Float32Array.from(section, (v, i) => (mask[Math.floor(i / shape.samples)] ? v : 0));
  return interpolateAlongSlopes(recorded, shape, mask, estimateLocalSlopes(recorded, shape, mask, options));
}

/** The missing traces of `recorded` (zero there) filled along the given slopes; see slopeInterpolate. */
export function interpolateAlongSlopes(
  recorded: Float32Array,
  shape: SectionShape,
  mask: TraceMask,
  field: SlopeField,
): Float32Array {
  const { traces, samples } = shape;
  const result = recorded.slice();
  let left = -1;
  for (let t = 0; t < traces; t++) {
    if (mask[t]) {
      left = t;
      continue;
    }
    let right = t + 1;
    while (right < traces && !mask[right]) right++;
    if (right === traces) right = -1;
    if (left < 0 && right < 0) continue;
    const weight = left < 0 ? 1 : right < 0 ? 0 : (t - left) / (right - left);
    for (let s = 0; s < samples; s++) {
      const fromLeft = left < 0 ? 0 : sampleTraceAt(recorded, samples, left, followEvent(field, t, left, s));
      const fromRight = right < 0 ? 0 : sampleTraceAt(recorded, samples, right, followEvent(field, t, right, s));
      result[t * samples + s] = (1 - weight) * fromLeft + weight * fromRight;
    }
  }
  return result;
}
