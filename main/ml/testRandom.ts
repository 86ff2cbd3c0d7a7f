/** Seeded random numbers for ML tests and fixtures, so that a failure reproduces from its seed. */
export { seededRandom } from '../signal/random';

/** Uniform values in [-1, 1). */
export function randomValues(random: () => number, count: number): Float32Array {
  return Float32Array.from({ length: count }, () => random() * 2 - 1);
}

export function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}
