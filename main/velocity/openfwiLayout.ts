/**
 * The acquisition layout of OpenFWI's 2D datasets (Deng et al. 2022), so that the project's generated data and public
 * OpenFWI files are interchangeable: velocity maps of 70 x 70 cells at 10 m, 5 sources at columns 0, 17, 34, 52 and 69
 * and 70 receivers (one per column), all one cell below the surface, a 120-cell absorbing border, 1000 samples at 1 ms
 * from a 15 Hz Ricker source. One sample is data [5, 1000, 70] (shot, time, receiver) and model [1, 70, 70] (z, x).
 */
import { rickerSourceWavelet } from '../wave/rickerSource';
import { AcousticModeller, type GridPoint, type ModellingOptions } from '../wave/acousticModeller';

export const OPENFWI = {
  cells: 70,
  spacingM: 10,
  sourceColumns: [0, 17, 34, 52, 69],
  surfaceRow: 1,
  borderCells: 120,
  samples: 1000,
  sampleIntervalS: 1e-3,
  peakHz: 15,
} as const;

export const OPENFWI_SHOTS = OPENFWI.sourceColumns.length;
/** Values of one sample's shot data: 5 x 1000 x 70. */
export const OPENFWI_DATA_SIZE = OPENFWI_SHOTS * OPENFWI.samples * OPENFWI.cells;
/** Values of one velocity map: 70 x 70. */
export const OPENFWI_MODEL_SIZE = OPENFWI.cells * OPENFWI.cells;

/** Source delay: the Ricker wavelet peaks 1 / 15 Hz after time zero (rickerSourceWavelet's default). */
export const OPENFWI_SOURCE_DELAY_S = 1 / OPENFWI.peakHz;

/** One receiver per column, one cell below the surface. */
export const OPENFWI_RECEIVERS: readonly GridPoint[] = Array.from({ length: OPENFWI.cells }, (_, x) => ({
  x,
  z: OPENFWI.surfaceRow,
}));
export const OPENFWI_WAVELET = rickerSourceWavelet(OPENFWI.peakHz, OPENFWI.samples, OPENFWI.sampleIntervalS);

/** Time axis and border of the layout, for a modeller of either kind. */
export function openFwiModellingOptions(): ModellingOptions {
  return { stepS: OPENFWI.sampleIntervalS, steps: OPENFWI.samples, borderCells: OPENFWI.borderCells };
}

/** The modeller of one OpenFWI sample: the velocity map (70 x 70, m/s, row-major, z down) in its absorbing border. */
export function openFwiModeller(velocity: Float32Array): AcousticModeller {
  if (velocity.length !== OPENFWI_MODEL_SIZE) {
    throw new RangeError(`an OpenFWI velocity map has 70 x 70 = 4900 values, this one ${velocity.length}`);
  }
  const grid = { velocity, nx: OPENFWI.cells, nz: OPENFWI.cells, spacingM: OPENFWI.spacingM };
  return new AcousticModeller(grid, OPENFWI_WAVELET, openFwiModellingOptions());
}

/**
 * Models the five shots of one OpenFWI sample, written into `out` (5 x 1000 x 70: shot, time, receiver) or a new array.
 */
export function modelOpenFwiShots(velocity: Float32Array, out = new Float32Array(OPENFWI_DATA_SIZE)): Float32Array {
  const modeller = openFwiModeller(velocity);
  const shotSize = OPENFWI.samples * OPENFWI.cells;
  OPENFWI.sourceColumns.forEach((x, shot) => {
    modeller.shoot(
      { x, z: OPENFWI.surfaceRow },
      OPENFWI_RECEIVERS,
      out.subarray(shot * shotSize, (shot + 1) * shotSize),
    );
  });
  return out;
}
