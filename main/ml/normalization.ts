/**
 * The one amplitude normalisation shared by training and inference.
 *
 * Choice: divide by a robust amplitude scale of the survey, the 99.5th percentile of |a| over its live samples, rounded
 * to the nearest power of two.
 * - A percentile rather than the maximum or the RMS: a few huge spikes (bad shots, swell bursts, clipped samples) move
 *   the maximum and the RMS but not the 99.5th percentile, so one bad trace does not dim the whole survey.
 * - Live samples only: NaN/infinite samples and dead (all-zero) traces are ignored; otherwise a survey with many dead
 *   traces would look quieter than it is.
 * - One scale per survey, not per patch: every patch of a line is scaled alike, so blended patches agree at their seams
 *   and the model sees true relative amplitudes. For a survey, pass a sample of its traces (for example every tenth
 *   line) as one section: traces of a survey all have the same number of samples.
 * - A power of two: dividing and multiplying by 2^k is exact in floating point, so de-normalising returns the original
 *   samples bit for bit (away from float32 underflow/overflow); normalised data have their 99.5th percentile of |a| in
 *   [0.71, 1.41], which suits the models just as well as exactly 1.
 * The scale is kept (stored with the model and the job) so outputs are de-normalised with the same divisor.
 */
import type { SectionShape } from '../signal/metrics';
import { selectKth, selectKthNearTop } from '../common/selectKth';

export const SCALE_PERCENTILE = 99.5;

export interface AmplitudeScale {
  /** Normalised = raw / divisor; a power of two. */
  divisor: number;
  /** Percentile of |a| the divisor was derived from, and its exact value (for reports). */
  percentile: number;
  percentileValue: number;
}

function isDeadTrace(section: Float32Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const v = section[i]!;
    if (v !== 0 && Number.isFinite(v)) return false;
  }
  return true;
}

/** |a| of every finite sample on live traces. */
function liveAbsoluteValues(section: Float32Array, shape: SectionShape): Float32Array {
  const values = new Float32Array(section.length);
  let count = 0;
  for (let t = 0; t < shape.traces; t++) {
    const start = t * shape.samples;
    const end = start + shape.samples;
    if (isDeadTrace(section, start, end)) continue;
    for (let i = start; i < end; i++) {
      const v = section[i]!;
      if (Number.isFinite(v)) values[count++] = Math.abs(v);
    }
  }
  return values.subarray(0, count);
}

/**
 * The robust amplitude scale of a section (or of a sample of a survey's traces): the `percentile` (nearest rank) of |a|
 * over finite samples of live traces, rounded to the nearest power of two. A section with no live amplitude gets
 * divisor 1.
 */
export function robustAmplitudeScale(
  section: Float32Array,
  shape: SectionShape,
  percentile = SCALE_PERCENTILE,
): AmplitudeScale {
  if (section.length !== shape.traces * shape.samples) {
    throw new Error(`section of ${section.length} samples does not match ${shape.traces} x ${shape.samples}`);
  }
  if (!(percentile > 0 && percentile <= 100)) throw new Error(`percentile must be in (0, 100], got ${percentile}`);
  const values = liveAbsoluteValues(section, shape);
  if (values.length === 0) return { divisor: 1, percentile, percentileValue: 0 };
  const rank = Math.min(values.length, Math.ceil((percentile / 100) * values.length)) - 1;
  const percentileValue = selectKth(values, Math.max(0, rank));
  const divisor = percentileValue > 0 ? 2 ** Math.round(Math.log2(percentileValue)) : 1;
  return { divisor, percentile, percentileValue };
}

/** The section divided by the scale, ready for a model; NaN and infinite samples become 0 (models cannot take them). */
export function normalizeSection(section: Float32Array, scale: AmplitudeScale): Float32Array {
  const normalized = new Float32Array(section.length);
  for (let i = 0; i < section.length; i++) {
    const v = section[i]!;
    normalized[i] = Number.isFinite(v) ? v / scale.divisor : 0;
  }
  return normalized;
}

/** A model output brought back to the survey's amplitudes: the exact inverse of `normalizeSection` for finite samples. */
export function denormalizeSection(section: Float32Array, scale: AmplitudeScale): Float32Array {
  const denormalized = new Float32Array(section.length);
  for (let i = 0; i < section.length; i++) denormalized[i] = section[i]! * scale.divisor;
  return denormalized;
}

/**
 * The robust scale of one patch of an NHWC batch ([count, samples, traces, channels]), from channel 0: the percentile
 * of |a| over its non-zero finite samples (zeros are dead or missing traces, or silence), to the nearest power of two;
 * 1 for a patch with no such sample. `scratch` (patchValues long) holds the values; scalePatches passes one for all.
 */
export function patchScale(
  batch: Float32Array,
  index: number,
  patchValues: number,
  channels: number,
  scratch = new Float32Array(patchValues),
): number {
  let count = 0;
  const start = index * patchValues * channels;
  for (let i = 0; i < patchValues; i++) {
    const v = batch[start + i * channels]!;
    if (v !== 0 && Number.isFinite(v)) scratch[count++] = Math.abs(v);
  }
  if (count === 0) return 1;
  const rank = Math.min(count, Math.ceil((SCALE_PERCENTILE / 100) * count)) - 1;
  const value = selectKthNearTop(scratch, Math.max(0, rank), count);
  return value > 0 ? 2 ** Math.round(Math.log2(value)) : 1;
}

/**
 * Per-patch scaling on top of the survey scale, for models trained with it (`normalization.patchScaling` in their card):
 * each patch's amplitude channel is divided by its own robust scale, and the prediction multiplied back. Pre-stack
 * gathers span 40 dB and more between first breaks and late reflections; under one survey scale a model sees their
 * loud parts far above anything it was trained on and their quiet parts near zero. Per patch, every part of a gather
 * reaches the model at the level it was trained at; overlapping Hann-blended patches smooth the steps between scales.
 * Returns each patch's divisor (training pairs divide their targets by it too, predictions are multiplied by it).
 */
export function scalePatches(batch: Float32Array, count: number, patchValues: number, channels: number): Float32Array {
  const scratch = new Float32Array(patchValues);
  const scales = Float32Array.from({ length: count }, (_, n) => patchScale(batch, n, patchValues, channels, scratch));
  applyPatchScales(batch, scales, patchValues, channels, 'divide');
  return scales;
}

/** Divides or multiplies channel 0 of patch n of an NHWC batch by scales[n]; exact, the scales being powers of two. */
export function applyPatchScales(
  batch: Float32Array,
  scales: Float32Array,
  patchValues: number,
  channels: number,
  operation: 'divide' | 'multiply',
): void {
  for (let n = 0; n < scales.length; n++) {
    const factor = operation === 'divide' ? 1 / scales[n]! : scales[n]!;
    const start = n * patchValues * channels;
    for (let i = 0; i < patchValues; i++) batch[start + i * channels]! *= factor;
  }
}
