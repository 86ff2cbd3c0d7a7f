/**
 * tfjs's weight initialisers draw from Math.random. Building a model with Math.random drawn from a seed makes its
 * starting weights a function of that seed: a training repeated elsewhere (a cluster node, a resumed run, a test)
 * starts alike, and the members of an ensemble, given different seeds, start apart. Building is synchronous, so
 * nothing else draws from Math.random meanwhile.
 */
import { seededRandom } from '../signal/random';

export function buildWithSeededInitialisers<T>(seed: number, build: () => T): T {
  const unseeded = Math.random;
  Math.random = seededRandom(seed);
  try {
    return build();
  } finally {
    Math.random = unseeded;
  }
}
