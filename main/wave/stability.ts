/**
 * The finite-difference stencils of the acoustic modeller and the two limits every run is checked against before it
 * starts: stability (CFL) and numerical dispersion. A run outside them does not crash or blow up: it is refused with
 * the numbers that break the limit and what to change.
 */

/** Orders in space the modeller implements (second order in time always). */
export type SpatialOrder = 4 | 8;

/**
 * Central-difference coefficients of d2/dx2 (times dx^2): [centre, +-1, +-2, ...] (Fornberg 1988). The 8th-order
 * stencil costs four extra loads per point and allows about 3 points per wavelength instead of 5.
 */
export const SECOND_DERIVATIVE_COEFFICIENTS: Record<SpatialOrder, readonly number[]> = {
  4: [-5 / 2, 4 / 3, -1 / 12],
  8: [-205 / 72, 8 / 5, -1 / 5, 8 / 315, -1 / 560],
};

/**
 * Grid points per shortest wavelength below which the stencil's phase error grows past about 1% over a few tens of
 * wavelengths (Alford, Kelly & Boore 1974 for the 4th order; the 8th-order figure follows Fornberg's dispersion curves).
 */
export const MIN_POINTS_PER_WAVELENGTH: Record<SpatialOrder, number> = { 4: 5, 8: 3 };

/** Why a run was refused. */
export class ModellingLimitError extends Error {
  override name = 'ModellingLimitError';
}

/**
 * Largest Courant number c_max dt / dx for which the leapfrog scheme is stable in 2D. The discrete Laplacian's largest
 * eigenvalue magnitude is 2 x sum|a| / dx^2 (two dimensions, sum over the whole stencil, centre included) and leapfrog
 * needs c^2 dt^2 lambda_max <= 4, hence c dt / dx <= 2 / sqrt(2 sum|a|): 0.612 for the 4th order, 0.555 for the 8th.
 */
export function maxCourantNumber(order: SpatialOrder): number {
  const coefficients = SECOND_DERIVATIVE_COEFFICIENTS[order];
  const sumAbs = coefficients.reduce((sum, a, k) => sum + (k === 0 ? Math.abs(a) : 2 * Math.abs(a)), 0);
  return 2 / Math.sqrt(2 * sumAbs);
}

export interface LimitInputs {
  readonly order: SpatialOrder;
  readonly spacingM: number;
  readonly stepS: number;
  readonly minVelocity: number;
  readonly maxVelocity: number;
  /** Highest frequency the source carries, Hz (for a Ricker wavelet about 2.5 x its peak frequency). */
  readonly maxFrequencyHz: number;
}

/** Throws a ModellingLimitError naming the numbers when the run would be unstable or too dispersive. */
export function checkModellingLimits(inputs: LimitInputs): void {
  const { order, spacingM, stepS, minVelocity, maxVelocity, maxFrequencyHz } = inputs;
  if (!(spacingM > 0 && stepS > 0 && minVelocity > 0 && maxFrequencyHz > 0)) {
    throw new ModellingLimitError(
      `grid spacing (${spacingM} m), time step (${stepS} s), velocities (min ${minVelocity} m/s) and source frequency (${maxFrequencyHz} Hz) must all be > 0`,
    );
  }
  const courant = (maxVelocity * stepS) / spacingM;
  const courantLimit = maxCourantNumber(order);
  if (courant > courantLimit) {
    const maxStepMs = ((courantLimit * spacingM) / maxVelocity) * 1e3;
    throw new ModellingLimitError(
      `unstable: Courant number ${courant.toFixed(3)} (v_max ${maxVelocity} m/s x dt ${stepS * 1e3} ms / dx ${spacingM} m) exceeds ${courantLimit.toFixed(3)} for the order-${order} stencil; use a time step below ${maxStepMs.toFixed(3)} ms`,
    );
  }
  const pointsPerWavelength = minVelocity / maxFrequencyHz / spacingM;
  const needed = MIN_POINTS_PER_WAVELENGTH[order];
  if (pointsPerWavelength < needed) {
    const maxSpacing = minVelocity / maxFrequencyHz / needed;
    throw new ModellingLimitError(
      `too dispersive: ${pointsPerWavelength.toFixed(2)} grid points per shortest wavelength (v_min ${minVelocity} m/s / f_max ${maxFrequencyHz} Hz / dx ${spacingM} m), the order-${order} stencil needs ${needed}; use a spacing below ${maxSpacing.toFixed(2)} m or a lower source frequency`,
    );
  }
}
