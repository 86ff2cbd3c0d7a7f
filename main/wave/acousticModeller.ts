/**
 * 2D acoustic finite-difference modelling: p_tt + gamma p_t = c^2 lap(p) + f(t) delta(x - x_s), constant density,
 * second order in time (leapfrog), 4th or 8th order in space, an absorbing border on all four sides (absorbingBorder.ts)
 * and a point source with any wavelet. Pressure is recorded at any set of grid points (a line of receivers at any depth,
 * a vertical array, scattered points).
 *
 * Built for speed on the CPU: every array is allocated once per modeller and reused for every shot, the time loop
 * allocates nothing, and each stencil order has its own straight-line update loop over flat Float32Arrays (the shape
 * V8 compiles to tight machine code). The update folds the damping into three per-point coefficients:
 *   p[n+1] = a p[n] - b p[n-1] + v lap(p[n]),  a = 2/(1+g), b = (1-g)/(1+g), v = (c dt/dx)^2/(1+g), g = gamma dt/2.
 */
import { dampingRates, padVelocity, type PaddedGrid } from './absorbingBorder';
import {
  checkModellingLimits,
  ModellingLimitError,
  SECOND_DERIVATIVE_COEFFICIENTS,
  type SpatialOrder,
} from './stability';

/** A velocity model on a regular grid; value (z, x) at velocity[z * nx + x], z counted down from the surface. */
export interface VelocityGrid {
  readonly velocity: Float32Array;
  readonly nx: number;
  readonly nz: number;
  readonly spacingM: number;
}

/** A grid point of the model (border excluded): column x, row z (0 = top row). */
export interface GridPoint {
  readonly x: number;
  readonly z: number;
}

/** Source time function, one value per time step starting at t = 0, and the highest frequency it carries. */
export interface SourceWavelet {
  readonly samples: Float32Array;
  readonly maxFrequencyHz: number;
}

export interface ModellingOptions {
  readonly stepS: number;
  readonly steps: number;
  /** Absorbing cells added on each side of the model. */
  readonly borderCells: number;
  /** Order of the spatial stencil; default 8. */
  readonly order?: SpatialOrder;
}

/**
 * Everything a run needs besides the wavefields, checked and computed once per model: the padded grid, the per-point
 * leapfrog coefficients a, b, v (see the top of this file) and the source term per step. The CPU modeller below and
 * the WebGPU one (webgpuModeller.ts) both start from it.
 */
export class PreparedModel {
  readonly order: SpatialOrder;
  readonly steps: number;
  readonly padded: PaddedGrid;
  readonly a: Float32Array;
  readonly b: Float32Array;
  readonly v: Float32Array;
  /** Source term per step: f(n dt) dt^2 / dx^2 (the point source spread over one cell). */
  readonly sourceTerm: Float32Array;

  constructor(
    readonly grid: VelocityGrid,
    wavelet: SourceWavelet,
    options: ModellingOptions,
  ) {
    this.order = options.order ?? 8;
    this.steps = options.steps;
    checkGrid(grid, options);
    if (wavelet.samples.length < options.steps) {
      throw new ModellingLimitError(
        `the source wavelet has ${wavelet.samples.length} samples, ${options.steps} steps need as many`,
      );
    }
    let minVelocity = Infinity;
    let maxVelocity = 0;
    for (const c of grid.velocity) {
      minVelocity = Math.min(minVelocity, c);
      maxVelocity = Math.max(maxVelocity, c);
    }
    const { spacingM } = grid;
    const { stepS, borderCells } = options;
    checkModellingLimits({
      order: this.order,
      spacingM,
      stepS,
      minVelocity,
      maxVelocity,
      maxFrequencyHz: wavelet.maxFrequencyHz,
    });

    const offset = borderCells + this.order / 2;
    this.padded = { nx: grid.nx + 2 * offset, nz: grid.nz + 2 * offset, offset };
    const size = this.padded.nx * this.padded.nz;
    const velocity = padVelocity(grid.velocity, grid.nx, grid.nz, this.padded);
    const rates = dampingRates(this.padded, grid.nx, grid.nz, borderCells, spacingM, maxVelocity);
    this.a = new Float32Array(size);
    this.b = new Float32Array(size);
    this.v = new Float32Array(size);
    for (let k = 0; k < size; k++) {
      const g = (rates[k]! * stepS) / 2;
      const courant = (velocity[k]! * stepS) / spacingM;
      this.a[k] = 2 / (1 + g);
      this.b[k] = (1 - g) / (1 + g);
      this.v[k] = (courant * courant) / (1 + g);
    }
    const scale = (stepS * stepS) / (spacingM * spacingM);
    this.sourceTerm = Float32Array.from(wavelet.samples.subarray(0, options.steps), (f) => f * scale);
  }

  /** Grid points updated per shot (border included): the work measure behind the updates-per-second figures. */
  get updatesPerShot(): number {
    const inner = (this.padded.nx - this.order) * (this.padded.nz - this.order);
    return inner * this.steps;
  }

  /** Index in the padded grid of a model grid point; a point outside the model is refused, naming `what` it is. */
  paddedIndex(point: GridPoint, what: string): number {
    const { nx, nz } = this.grid;
    const inside =
      Number.isInteger(point.x) &&
      Number.isInteger(point.z) &&
      point.x >= 0 &&
      point.x < nx &&
      point.z >= 0 &&
      point.z < nz;
    if (!inside)
      throw new RangeError(`${what} at column ${point.x}, row ${point.z} is outside the ${nx} x ${nz} model`);
    const { offset } = this.padded;
    return (point.z + offset) * this.padded.nx + point.x + offset;
  }
}

/** The modeller on the CPU: one thread, two wavefields reused for every shot. */
export class AcousticModeller {
  private readonly model: PreparedModel;
  private current: Float32Array;
  private previous: Float32Array;

  constructor(grid: VelocityGrid, wavelet: SourceWavelet, options: ModellingOptions) {
    this.model = new PreparedModel(grid, wavelet, options);
    const size = this.model.padded.nx * this.model.padded.nz;
    this.current = new Float32Array(size);
    this.previous = new Float32Array(size);
  }

  get steps(): number {
    return this.model.steps;
  }

  /** Grid points updated per shot (border included): the work measure behind the updates-per-second figures. */
  get updatesPerShot(): number {
    return this.model.updatesPerShot;
  }

  /**
   * Models one shot and returns the pressure at the receivers, time-major: sample n of receiver r (time n dt) at
   * out[n * receivers.length + r]. Pass `out` to fill an existing array (no allocation).
   */
  shoot(
    source: GridPoint,
    receivers: readonly GridPoint[],
    out = new Float32Array(this.steps * receivers.length),
  ): Float32Array {
    if (out.length !== this.steps * receivers.length) {
      throw new RangeError(
        `output holds ${out.length} values, ${this.steps} steps x ${receivers.length} receivers need ${this.steps * receivers.length}`,
      );
    }
    const sourceIndex = this.model.paddedIndex(source, 'source');
    const receiverIndex = Int32Array.from(receivers, (r, i) => this.model.paddedIndex(r, `receiver ${i}`));
    this.current.fill(0);
    this.previous.fill(0);
    const { order, steps, a, b, v, sourceTerm } = this.model;
    const { nx, nz } = this.model.padded;
    const count = receiverIndex.length;
    for (let n = 0; n < steps; n++) {
      const p = this.current;
      for (let r = 0; r < count; r++) out[n * count + r] = p[receiverIndex[r]!]!;
      // The new field overwrites the oldest one in place, then the two swap roles.
      if (order === 8) step8(p, this.previous, a, b, v, nx, nz);
      else step4(p, this.previous, a, b, v, nx, nz);
      this.previous[sourceIndex] = this.previous[sourceIndex]! + sourceTerm[n]!;
      this.current = this.previous;
      this.previous = p;
    }
    return out;
  }
}

function checkGrid(grid: VelocityGrid, options: ModellingOptions): void {
  const { nx, nz, velocity } = grid;
  if (!(Number.isInteger(nx) && Number.isInteger(nz) && nx > 0 && nz > 0) || velocity.length !== nx * nz) {
    throw new ModellingLimitError(`velocity model of ${velocity.length} values does not match its ${nx} x ${nz} grid`);
  }
  if (!(
    Number.isInteger(options.steps) &&
    options.steps > 0 &&
    Number.isInteger(options.borderCells) &&
    options.borderCells >= 0
  )) {
    throw new ModellingLimitError(
      `time steps (${options.steps}) must be > 0 and border cells (${options.borderCells}) >= 0, both whole numbers`,
    );
  }
  for (let k = 0; k < velocity.length; k++) {
    if (!(velocity[k]! > 0)) {
      throw new ModellingLimitError(
        `velocity ${velocity[k]} m/s at column ${k % nx}, row ${Math.floor(k / nx)}: velocities must be > 0`,
      );
    }
  }
}

const [C4_0, C4_1, C4_2] = SECOND_DERIVATIVE_COEFFICIENTS[4] as [number, number, number];
const [C8_0, C8_1, C8_2, C8_3, C8_4] = SECOND_DERIVATIVE_COEFFICIENTS[8] as [number, number, number, number, number];

/**
 * One leapfrog step with the 4th-order Laplacian: next (in the `previous` array) from p and previous. One function per
 * order with its taps written out (step8 is its twin): the modeller's hot loop, kept free of an inner loop over taps.
 */
function step4(
  p: Float32Array,
  next: Float32Array,
  a: Float32Array,
  b: Float32Array,
  v: Float32Array,
  nx: number,
  nz: number,
): void {
  const centre = 2 * C4_0;
  const nx2 = 2 * nx;
  for (let z = 2; z < nz - 2; z++) {
    const end = z * nx + nx - 2;
    for (let k = z * nx + 2; k < end; k++) {
      const lap =
        centre * p[k]! +
        C4_1 * (p[k - 1]! + p[k + 1]! + p[k - nx]! + p[k + nx]!) +
        C4_2 * (p[k - 2]! + p[k + 2]! + p[k - nx2]! + p[k + nx2]!);
      next[k] = a[k]! * p[k]! - b[k]! * next[k]! + v[k]! * lap;
    }
  }
}

/** One leapfrog step with the 8th-order Laplacian. */
function step8(
  p: Float32Array,
  next: Float32Array,
  a: Float32Array,
  b: Float32Array,
  v: Float32Array,
  nx: number,
  nz: number,
): void {
  const centre = 2 * C8_0;
  const nx2 = 2 * nx;
  const nx3 = 3 * nx;
  const nx4 = 4 * nx;
  for (let z = 4; z < nz - 4; z++) {
    const end = z * nx + nx - 4;
    for (let k = z * nx + 4; k < end; k++) {
      const lap =
        centre * p[k]! +
        C8_1 * (p[k - 1]! + p[k + 1]! + p[k - nx]! + p[k + nx]!) +
        C8_2 * (p[k - 2]! + p[k + 2]! + p[k - nx2]! + p[k + nx2]!) +
        C8_3 * (p[k - 3]! + p[k + 3]! + p[k - nx3]! + p[k + nx3]!) +
        C8_4 * (p[k - 4]! + p[k + 4]! + p[k - nx4]! + p[k + nx4]!);
      next[k] = a[k]! * p[k]! - b[k]! * next[k]! + v[k]! * lap;
    }
  }
}
