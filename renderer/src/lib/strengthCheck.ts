/** The denoising strength check (SURE, main/ml/sure.ts) in words, for the compare view and the jobs panel. */
import { STRENGTH_CHECK_LOW_CUT_HZ, type StrengthCheck } from '../../../preload/contract';
import { formatAmplitude } from './format';

/** What the compare view's tooltip says about the check. */
export const STRENGTH_EXPLAINED =
  "Stein's unbiased risk estimate (SURE) of the result's error against the unknown clean section, from the noisy " +
  `section alone: the share of the model's change above ${STRENGTH_CHECK_LOW_CUT_HZ} Hz that minimises it is applied, so a ` +
  `model that would remove signal is turned down. Below ${STRENGTH_CHECK_LOW_CUT_HZ} Hz (swell) each trace keeps the removal ` +
  'as far as it matches the trace.';

/** "46 %": the share of the model's change above the low cut that was applied. */
export function strengthPercent(strength: number): string {
  return `${Math.round(strength * 100)} %`;
}

/**
 * How much lower the estimated error is than at full strength, in dB, or null when an estimate is not positive (SURE
 * is unbiased but a single estimate can come out zero or negative, where a ratio means nothing).
 */
export function strengthGainDb(check: StrengthCheck): number | null {
  if (!(check.estimatedMse > 0) || !(check.fullStrengthMse > 0)) return null;
  const db = 10 * Math.log10(check.fullStrengthMse / check.estimatedMse);
  return Number.isFinite(db) ? db : null;
}

/** "white noise RMS 1200 · estimated 3.1 dB better than full strength" (the gain left out when it is not known). */
export function strengthDetails(check: StrengthCheck): string {
  const gain = strengthGainDb(check);
  // Two significant digits: an estimate, in the panels' amplitude format.
  const noise = `white noise RMS ${formatAmplitude(Number(check.noiseRms.toPrecision(2)))}`;
  if (gain === null) return noise;
  // The strength minimises the estimate over 0..1, full strength included, so the gain is never negative; at 0.0 dB
  // (the check kept full strength) "as good as" says it plainly.
  if (gain < 0.05) return `${noise} · estimated as good as full strength`;
  return `${noise} · estimated ${gain.toFixed(1)} dB better than full strength`;
}
