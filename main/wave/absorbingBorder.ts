/**
 * The absorbing border around a model: the velocity grid padded on all four sides, and a damping rate gamma that grows
 * from zero at the model's edge to its maximum at the grid's edge, for the damped wave equation
 *   p_tt + gamma p_t = c^2 lap(p).
 * A quadratic profile over a wide border (OpenFWI uses 120 cells) absorbs waves gradually enough that the taper itself
 * hardly reflects: measured in acousticModeller.test.ts, below -40 dB. The maximum rate follows the PML rule
 * gamma_max = 3 c ln(1/R) / (2 L) for a border of thickness L and a nominal reflection R.
 */

/** Nominal reflection coefficient that sets the maximum damping (the measured one is what the tests check). */
const NOMINAL_REFLECTION = 1e-5;

export interface PaddedGrid {
  /** Grid points per row and rows, border and stencil halo included. */
  readonly nx: number;
  readonly nz: number;
  /** Cells between the padded grid's edge and the model: the absorbing border plus the stencil halo. */
  readonly offset: number;
}

/** The model's velocities copied into the padded grid, each border cell taking the nearest model cell's velocity. */
export function padVelocity(velocity: Float32Array, nx: number, nz: number, padded: PaddedGrid): Float32Array {
  const out = new Float32Array(padded.nx * padded.nz);
  for (let z = 0; z < padded.nz; z++) {
    const modelZ = Math.min(nz - 1, Math.max(0, z - padded.offset));
    for (let x = 0; x < padded.nx; x++) {
      const modelX = Math.min(nx - 1, Math.max(0, x - padded.offset));
      out[z * padded.nx + x] = velocity[modelZ * nx + modelX]!;
    }
  }
  return out;
}

/**
 * Damping rate (1/s) at every padded grid point: zero inside the model, growing with the square of the distance into
 * the border, the x and z contributions added in the corners.
 */
export function dampingRates(
  padded: PaddedGrid,
  nx: number,
  nz: number,
  borderCells: number,
  spacingM: number,
  maxVelocity: number,
): Float32Array {
  const rates = new Float32Array(padded.nx * padded.nz);
  if (borderCells === 0) return rates;
  const maxRate = (3 * maxVelocity * Math.log(1 / NOMINAL_REFLECTION)) / (2 * borderCells * spacingM);
  const depthInBorder = (index: number, size: number): number => {
    const inside = index - padded.offset;
    const beyond = inside < 0 ? -inside : inside >= size ? inside - size + 1 : 0;
    return Math.min(beyond, borderCells) / borderCells;
  };
  for (let z = 0; z < padded.nz; z++) {
    const dz = depthInBorder(z, nz);
    for (let x = 0; x < padded.nx; x++) {
      const dx = depthInBorder(x, nx);
      rates[z * padded.nx + x] = maxRate * (dx * dx + dz * dz);
    }
  }
  return rates;
}
