/**
 * The classical baselines, as the UI and the CLI offer them (`promethium denoise --method fx|median|fk`,
 * `promethium interpolate --method pocs|linear|slope`). Every method of a kind has the same signature, and its options
 * are all optional: the defaults suit typical post-stack data sampled at 4 ms (see each method's DEFAULTS).
 * Sections are trace-major Float32Arrays; masks have one entry per trace, 1 = live. Bad options or inputs throw a
 * `ProcessingInputError` (apiCode 'invalid-argument').
 */
import type { TraceMask } from '../signal/corruption';
import type { SectionShape } from '../signal/metrics';
import { interpolateTracesLinear } from '../signal/traceInterpolation';
import { fkFilter, type FkFilterOptions } from './fkFilter';
import { fxDecon, type FxDeconOptions } from './fxDecon';
import { medianFilter, type MedianFilterOptions } from './medianFilter';
import { pocsInterpolate, type PocsOptions } from './pocs';
import { slopeInterpolate, type SlopeInterpolationOptions } from './slopeInterpolation';
import { checkMask, checkSection } from './validation';

export { bandpass, ormsbyGain, type BandpassOptions } from './bandpass';
export { dipFromVelocity, fkFilter, FK_DEFAULTS, type FkFilterOptions, type VelocityFan } from './fkFilter';
export { fxDecon, FX_DECON_DEFAULTS, type FxDeconOptions } from './fxDecon';
export { medianFilter, MEDIAN_DEFAULTS, type MedianFilterOptions } from './medianFilter';
export { pocsInterpolate, POCS_DEFAULTS, type PocsOptions } from './pocs';
export { slopeInterpolate, type SlopeInterpolationOptions } from './slopeInterpolation';
export { ProcessingInputError } from './validation';

export type DenoiseFunction<Options> = (section: Float32Array, shape: SectionShape, options?: Options) => Float32Array;
export type InterpolateFunction<Options> = (
  section: Float32Array,
  shape: SectionShape,
  mask: TraceMask,
  options?: Options,
) => Float32Array;

/** Options of each denoising method, by its name. */
export interface DenoiseOptionsByMethod {
  fx: FxDeconOptions;
  median: MedianFilterOptions;
  fk: FkFilterOptions;
}

/** Options of each interpolation method; linear interpolation has none. */
export interface InterpolationOptionsByMethod {
  pocs: PocsOptions;
  linear: Record<string, never>;
  slope: SlopeInterpolationOptions;
}

export type DenoiseMethodName = keyof DenoiseOptionsByMethod;
export type InterpolationMethodName = keyof InterpolationOptionsByMethod;

/** Linear interpolation between the nearest live traces (main/signal/traceInterpolation.ts), with the registry's input checks. */
function linearInterpolation(section: Float32Array, shape: SectionShape, mask: TraceMask): Float32Array {
  checkSection(section, shape);
  checkMask(mask, shape);
  return interpolateTracesLinear(section, shape, mask);
}

export const denoiseMethods: { [Name in DenoiseMethodName]: DenoiseFunction<DenoiseOptionsByMethod[Name]> } = {
  fx: fxDecon,
  median: medianFilter,
  fk: fkFilter,
};

export const interpolationMethods: {
  [Name in InterpolationMethodName]: InterpolateFunction<InterpolationOptionsByMethod[Name]>;
} = {
  pocs: pocsInterpolate,
  linear: linearInterpolation,
  slope: slopeInterpolate,
};
