/** Seeded PRNG (mulberry32) so that every synthetic volume, fixture and corruption is reproducible from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal deviates (Box-Muller) from a uniform source. */
export function gaussian(random: () => number): () => number {
  return () => {
    const u = Math.max(random(), Number.EPSILON);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
}

/**
 * A seed for one part of a generator (an inline, a gather, a noise model) from the run's seed and the part's keys, so
 * that every part can be generated on its own, in any order, and still come out the same (FNV-1a over the keys).
 */
export function deriveSeed(seed: number, ...keys: ReadonlyArray<number | string>): number {
  let hash = 0x811c9dc5 ^ (seed >>> 0);
  for (const key of keys) {
    const text = typeof key === 'number' ? `#${key}` : key;
    for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
    hash = Math.imul(hash ^ 0xff, 0x01000193);
  }
  return hash >>> 0;
}

/** A Laplace (double-exponential) deviate with scale b: the heavy-tailed law of well-log reflection coefficients. */
export function laplace(random: () => number, scale: number): number {
  const u = random() - 0.5;
  return -scale * Math.sign(u) * Math.log(Math.max(1 - 2 * Math.abs(u), Number.EPSILON));
}
