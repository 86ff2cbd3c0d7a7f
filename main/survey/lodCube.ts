/**
 * The downsampled cube for the 3D view's volume rendering: the survey's LOD volume (already a box mean of live traces)
 * box-meaned once more by the smallest integer stride that brings it to at most `maxValues` values. The LOD itself is
 * sized for memory (up to 64 MB) and is far more than one 3D texture needs; a box mean again, not every stride-th
 * cell, so that noise and steep dips do not alias into the picture.
 */
import { lodShape, volumeOf, type VolumeShape } from './cacheLayout';

/** About 128^3 values: a 3D texture of a few megabytes that ray-marches at interactive rates. */
export const LOD_CUBE_MAX_VALUES = 128 ** 3;

export interface LodCube {
  data: Float32Array;
  /** [inlines][crosslines][samples], samples fastest. */
  shape: [number, number, number];
  /** Survey traces and samples per cell along each axis (the LOD factor times the stride). */
  factor: number;
}

/** Reduces a LOD volume (`factor` survey cells per LOD cell) to at most `maxValues` values by a further box mean. */
export function reduceLodCube(
  lod: { data: Float32Array; shape: [number, number, number]; factor: number },
  maxValues: number = LOD_CUBE_MAX_VALUES,
): LodCube {
  if (!(maxValues >= 1)) throw new Error(`The cube's value cap must be at least 1 (got ${maxValues})`);
  if (lod.data.length !== volumeOf(lod.shape)) {
    throw new Error(`The LOD volume holds ${lod.data.length} values, not the ${volumeOf(lod.shape)} of its shape`);
  }
  let stride = 1;
  while (volumeOf(lodShape(lod.shape, stride)) > maxValues) stride++;
  if (stride === 1) return { data: lod.data, shape: [...lod.shape], factor: lod.factor };
  const shape = lodShape(lod.shape, stride);
  return { data: boxMean(lod.data, lod.shape, shape, stride), shape, factor: lod.factor * stride };
}

/** The mean of each stride^3 box (partial at the far edges) of `data` shaped `from`. */
function boxMean(data: Float32Array, from: VolumeShape, to: [number, number, number], stride: number): Float32Array {
  const sums = new Float64Array(volumeOf(to));
  const counts = new Uint32Array(sums.length);
  const [n0, n1, n2] = from;
  for (let i = 0; i < n0; i++) {
    for (let j = 0; j < n1; j++) {
      const row = (Math.floor(i / stride) * to[1] + Math.floor(j / stride)) * to[2];
      const at = (i * n1 + j) * n2;
      for (let k = 0; k < n2; k++) {
        const cell = row + Math.floor(k / stride);
        sums[cell]! += data[at + k]!;
        counts[cell]!++;
      }
    }
  }
  return Float32Array.from(sums, (sum, cell) => sum / counts[cell]!);
}
