/**
 * Linear interpolation of missing traces between their live neighbours: the classical baseline that QC and the
 * interpolation registry compare the models with.
 */
import type { TraceMask } from './corruption';
import type { SectionShape } from './metrics';

/**
 * The classical interpolation baseline: each missing trace (mask 0) becomes the distance-weighted mix of the nearest
 * live traces on either side, sample by sample ((1 - w) left + w right, w = (t - left) / (right - left)). Missing
 * traces before the first or after the last live trace copy the nearest live trace; with no live trace at all the
 * result is zero. Live traces are returned unchanged; whatever the missing traces held is ignored.
 */
export function interpolateTracesLinear(section: Float32Array, shape: SectionShape, mask: TraceMask): Float32Array {
  const { traces, samples } = shape;
  if (mask.length !== traces) throw new Error(`trace mask of ${mask.length} traces for ${traces} traces`);
  const previousLive = new Int32Array(traces);
  const nextLive = new Int32Array(traces);
  for (let t = 0, last = -1; t < traces; t++) previousLive[t] = last = mask[t] ? t : last;
  for (let t = traces - 1, next = -1; t >= 0; t--) nextLive[t] = next = mask[t] ? t : next;
  const result = new Float32Array(section.length);
  for (let t = 0; t < traces; t++) {
    const left = previousLive[t]!;
    const right = nextLive[t]!;
    if (left < 0 && right < 0) continue;
    const weight = left < 0 ? 1 : right < 0 || right === left ? 0 : (t - left) / (right - left);
    const leftBase = (left < 0 ? right : left) * samples;
    const rightBase = (right < 0 ? left : right) * samples;
    for (let s = 0; s < samples; s++) {
      result[t * samples + s] = (1 - weight) * section[leftBase + s]! + weight * section[rightBase + s]!;
    }
  }
  return result;
}
