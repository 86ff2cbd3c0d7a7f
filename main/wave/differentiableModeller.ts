/**
 * The acoustic modeller written in tfjs ops, so that shots modelled from a velocity tensor can be differentiated with
 * respect to it: the physics (data-consistency) term of velocity training backpropagates through the wave equation.
 *
 * Same scheme as the CPU modeller (acousticModeller.ts): leapfrog in time, 8th order in space (OpenFWI's 10 m grid
 * and 15 Hz source are too coarse for the 4th-order stencil's dispersion limit), the damping folded into per-point
 * coefficients a, b and v = (c dt/dx)^2 / (1 + g), a quadratic damping border (absorbingBorder.ts), border cells
 * taking the nearest model cell's velocity, the source term f dt^2/dx^2 added at one grid point after each step and
 * the pressure read before it. Only v depends on the velocity, so a and b are constants of the run.
 *
 * What makes it affordable inside a training step is what it leaves out, chosen per run: a thin border (the reflections it lets through are measured in differentiableModeller.test.ts)
 * and only the first `steps` time steps of the shots asked for. tfjs keeps every step's fields for the backward pass,
 * so memory grows as steps x grid x batch; the caller picks a subsample of shots, steps and samples to fit.
 */
import * as tf from '@tensorflow/tfjs-core';
import { dampingRates } from './absorbingBorder';
import type { GridPoint, SourceWavelet } from './acousticModeller';
import { checkModellingLimits, SECOND_DERIVATIVE_COEFFICIENTS } from './stability';

const ORDER = 8;
const HALO = ORDER / 2;

export interface DifferentiableModellingOptions {
  readonly nx: number;
  readonly nz: number;
  readonly spacingM: number;
  readonly stepS: number;
  readonly steps: number;
  readonly borderCells: number;
  readonly wavelet: SourceWavelet;
  /** The velocity range the tensors will hold: the stability and dispersion limits are checked against it once. */
  readonly minVelocity: number;
  readonly maxVelocity: number;
  /** One row of receivers (every column at this row), as OpenFWI records them. */
  readonly receiverRow: number;
}

/**
 * The 8th-order second derivative (times dx^2) as two 9-tap conv2d kernels, one along z and one along x: the Laplacian
 * is their sum, 18 taps per point instead of the 81 of a 9 x 9 kernel holding the cross.
 */
function secondDerivativeKernels(): [tf.Tensor4D, tf.Tensor4D] {
  const coefficients = SECOND_DERIVATIVE_COEFFICIENTS[ORDER];
  const taps = Float32Array.from({ length: 2 * HALO + 1 }, (_, i) => coefficients[Math.abs(i - HALO)]!);
  return [tf.tensor4d(taps, [2 * HALO + 1, 1, 1, 1]), tf.tensor4d(taps, [1, 2 * HALO + 1, 1, 1])];
}

/**
 * [batch, nz, nx] padded by `offset` cells on each side of `axis` (1: z, 2: x), each new cell repeating the nearest
 * edge cell. Built from slices, tiles and a concat, whose gradients every backend has (gather's needs
 * UnsortedSegmentSum, which the wasm backend lacks).
 */
function padWithEdges(x: tf.Tensor3D, offset: number, axis: 1 | 2): tf.Tensor3D {
  const size = x.shape[axis];
  const edge = (start: number) => {
    const begin: [number, number, number] = [0, 0, 0];
    const extent: [number, number, number] = [-1, -1, -1];
    begin[axis] = start;
    extent[axis] = 1;
    const reps: [number, number, number] = [1, 1, 1];
    reps[axis] = offset;
    return tf.tile(tf.slice(x, begin, extent), reps);
  };
  return tf.concat([edge(0), x, edge(size - 1)], axis);
}

export class DifferentiableModeller {
  private readonly offset: number;
  private readonly paddedNx: number;
  private readonly paddedNz: number;
  /** Constants of the run, kept until dispose(). */
  private readonly a: tf.Tensor;
  private readonly b: tf.Tensor;
  private readonly inverseOnePlusG: tf.Tensor;
  private readonly kernels: [tf.Tensor4D, tf.Tensor4D];
  private readonly sourceTerm: Float32Array;

  constructor(private readonly options: DifferentiableModellingOptions) {
    const { nx, nz, spacingM, stepS, borderCells, wavelet, steps } = options;
    checkModellingLimits({
      order: ORDER,
      spacingM,
      stepS,
      minVelocity: options.minVelocity,
      maxVelocity: options.maxVelocity,
      maxFrequencyHz: wavelet.maxFrequencyHz,
    });
    this.offset = borderCells + HALO;
    this.paddedNx = nx + 2 * this.offset;
    this.paddedNz = nz + 2 * this.offset;
    const padded = { nx: this.paddedNx, nz: this.paddedNz, offset: this.offset };
    const rates = dampingRates(padded, nx, nz, borderCells, spacingM, options.maxVelocity);
    const g = rates.map((rate) => (rate * stepS) / 2);
    // The stencil's halo at the grid's edge stays at zero, as in the CPU modeller: its coefficients are zero there.
    const inside = (k: number) => {
      const z = Math.floor(k / this.paddedNx);
      const x = k % this.paddedNx;
      return z >= HALO && z < this.paddedNz - HALO && x >= HALO && x < this.paddedNx - HALO ? 1 : 0;
    };
    const coefficient = (f: (g: number) => number) =>
      tf.tensor4d(
        g.map((x, k) => inside(k) * f(x)),
        [1, this.paddedNz, this.paddedNx, 1],
      );
    this.a = coefficient((x) => 2 / (1 + x));
    this.b = coefficient((x) => (1 - x) / (1 + x));
    this.inverseOnePlusG = coefficient((x) => 1 / (1 + x));
    this.kernels = secondDerivativeKernels();
    const scale = (stepS * stepS) / (spacingM * spacingM);
    this.sourceTerm = Float32Array.from(wavelet.samples.subarray(0, steps), (f) => f * scale);
  }

  /**
   * The shots of a batch of velocity maps [batch, nz, nx] (m/s) from one source: pressure at every column of the
   * receiver row, [batch, steps, nx]. Differentiable with respect to `velocity`.
   */
  shoot(velocity: tf.Tensor3D, source: GridPoint): tf.Tensor3D {
    const { nx, nz, stepS, spacingM, steps, receiverRow } = this.options;
    if (velocity.shape[1] !== nz || velocity.shape[2] !== nx) {
      throw new RangeError(
        `velocity maps of ${velocity.shape[1]} x ${velocity.shape[2]}, the modeller takes ${nz} x ${nx}`,
      );
    }
    if (!(source.x >= 0 && source.x < nx && source.z >= 0 && source.z < nz)) {
      throw new RangeError(`source at column ${source.x}, row ${source.z} is outside the ${nx} x ${nz} model`);
    }
    return tf.tidy(() => {
      const batch = velocity.shape[0];
      const paddedVelocity = padWithEdges(padWithEdges(velocity, this.offset, 1), this.offset, 2);
      const courant = tf.mul(paddedVelocity, stepS / spacingM);
      const v = tf.mul(tf.expandDims(tf.square(courant), 3), this.inverseOnePlusG);
      const sourceIndex = (source.z + this.offset) * this.paddedNx + source.x + this.offset;
      const sourceMask = tf.reshape(tf.oneHot([sourceIndex], this.paddedNz * this.paddedNx), [
        1,
        this.paddedNz,
        this.paddedNx,
        1,
      ]);
      let previous: tf.Tensor = tf.zeros([batch, this.paddedNz, this.paddedNx, 1]);
      let current: tf.Tensor = previous;
      const records: tf.Tensor[] = [];
      const row = receiverRow + this.offset;
      for (let n = 0; n < steps; n++) {
        records.push(tf.reshape(tf.slice(current, [0, row, this.offset, 0], [batch, 1, nx, 1]), [batch, nx]));
        const field = current as tf.Tensor4D;
        const laplacian = tf.add(
          tf.conv2d(field, this.kernels[0], 1, 'same'),
          tf.conv2d(field, this.kernels[1], 1, 'same'),
        );
        const next = tf.add(
          tf.sub(tf.mul(this.a, current), tf.mul(this.b, previous)),
          tf.add(tf.mul(v, laplacian), tf.mul(sourceMask, this.sourceTerm[n]!)),
        );
        previous = current;
        current = next;
      }
      return tf.stack(records, 1) as tf.Tensor3D;
    });
  }

  dispose(): void {
    tf.dispose([this.a, this.b, this.inverseOnePlusG, ...this.kernels]);
  }
}
