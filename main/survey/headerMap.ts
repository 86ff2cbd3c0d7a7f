/**
 * Finds where a file keeps its inline, crossline, offset and CDP X/Y numbers by scoring candidate trace-header byte
 * positions on a sample of traces. Users' files often hold them away from the standard 189/193/37/181/185.
 *
 * An inline/crossline pair scores well when both are small regular integer sequences, their value ranges span
 * a grid whose size fits the trace count, one does not simply repeat the other, and the head of the file walks
 * the grid in blocks (sorted by one key). A prior favours the usual positions when several pairs are equally good.
 */
import type { TraceHeaderSample } from '../segy/scan';

export interface HeaderMap {
  /** 1-based trace-header byte positions (4-byte integers unless the standard says otherwise). */
  readonly inline: number;
  readonly crossline: number;
  readonly offset: number;
  readonly cdpX: number;
  readonly cdpY: number;
  /** Coordinate scalar position (bytes 71-72 in the standard). */
  readonly coordinateScalar: number;
}

export const STANDARD_HEADER_MAP: HeaderMap = {
  inline: 189,
  crossline: 193,
  offset: 37,
  cdpX: 181,
  cdpY: 185,
  coordinateScalar: 71,
};

export interface KeyPairScore {
  readonly inline: number;
  readonly crossline: number;
  /** In [0, 1]. */
  readonly score: number;
  /**
   * How the pair groups the sampled traces compared with the best pair: 'same' (e.g. 9/21 copying or renumbering
   * 189/193), 'transposed' (inline and crossline swapped) or 'different' (a rival reading of the headers).
   */
  readonly relationToBest: 'same' | 'transposed' | 'different';
}

export interface HeaderMapProposal {
  readonly map: HeaderMap;
  /** In [0, 1]: the best pair's score, lowered when a different reading of the headers scores nearly as well. */
  readonly confidence: number;
  /** Pairs ranked best first (score > 0 only). */
  readonly alternatives: readonly KeyPairScore[];
  /** Fields the user fixed. */
  readonly overridden: readonly (keyof HeaderMap)[];
}

/** Candidate positions with a prior: how often real files keep the key there. */
const INLINE_PRIOR: ReadonlyMap<number, number> = new Map([
  [189, 1],
  [9, 0.9],
  [5, 0.8],
  [17, 0.75],
  [197, 0.7],
  [1, 0.6],
  [21, 0.6],
  [13, 0.5],
]);
const CROSSLINE_PRIOR: ReadonlyMap<number, number> = new Map([
  [193, 1],
  [21, 0.9],
  [17, 0.8],
  [13, 0.8],
  [25, 0.6],
  [197, 0.6],
  [9, 0.5],
  [5, 0.5],
]);
const COORDINATE_CANDIDATES: readonly (readonly [number, number])[] = [
  [181, 185],
  [73, 77],
  [81, 85],
];

/** Every header position the scorer reads: pass these to sampleTraceHeaders. */
export const HEADER_MAP_FIELDS: readonly number[] = [
  ...new Set([...INLINE_PRIOR.keys(), ...CROSSLINE_PRIOR.keys(), 37, ...COORDINATE_CANDIDATES.flat(), 71]),
];

const MIN_USEFUL_SCORE = 0.1;

/** Key values above this are not line numbers (coordinates, timestamps or garbage). */
const MAX_KEY_MAGNITUDE = 1 << 24;

export function detectHeaderMap(
  sample: TraceHeaderSample,
  traceCount: number,
  overrides: Partial<HeaderMap> = {},
): HeaderMapProposal {
  const scored = scoreAllPairs(sample, traceCount);
  // A pair scoring this low is no grid at all: the standard positions are a better default to show the user.
  const best = (scored[0]?.score ?? 0) >= MIN_USEFUL_SCORE ? scored[0] : undefined;
  const [cdpX, cdpY] = chooseCoordinates(sample);
  const detected: HeaderMap = {
    inline: best?.inline ?? STANDARD_HEADER_MAP.inline,
    crossline: best?.crossline ?? STANDARD_HEADER_MAP.crossline,
    offset: STANDARD_HEADER_MAP.offset,
    cdpX,
    cdpY,
    coordinateScalar: STANDARD_HEADER_MAP.coordinateScalar,
  };
  const overridden = (Object.keys(overrides) as (keyof HeaderMap)[]).filter((key) => overrides[key] !== undefined);
  const map: HeaderMap = { ...detected, ...Object.fromEntries(overridden.map((key) => [key, overrides[key]])) };
  return { map, confidence: best ? confidenceOf(scored) : 0, alternatives: scored, overridden };
}

function scoreAllPairs(sample: TraceHeaderSample, traceCount: number): KeyPairScore[] {
  const stats = new Map<number, KeyStats>();
  const statsOf = (byte: number): KeyStats | null => {
    const values = sample.fields.get(byte);
    if (!values) return null;
    if (!stats.has(byte)) stats.set(byte, keyStats(values, sample.headCount));
    return stats.get(byte)!;
  };
  const pairs: { inline: number; crossline: number; score: number }[] = [];
  for (const [inline, inlinePrior] of INLINE_PRIOR) {
    for (const [crossline, crosslinePrior] of CROSSLINE_PRIOR) {
      const a = statsOf(inline);
      const b = statsOf(crossline);
      if (inline === crossline || !a || !b) continue;
      const structure = scorePair(a, b, sample, traceCount);
      if (structure > 0) pairs.push({ inline, crossline, score: structure * inlinePrior * crosslinePrior });
    }
  }
  pairs.sort((p, q) => q.score - p.score);
  const best = pairs[0];
  return pairs.map((pair) => ({ ...pair, relationToBest: best ? relationTo(sample, pair, best) : 'different' }));
}

interface KeyStats {
  readonly values: Int32Array;
  readonly distinct: number;
  readonly min: number;
  readonly max: number;
  /** Greatest common divisor of the gaps between distinct values. */
  readonly step: number;
  /** Fraction of gaps between consecutive distinct values equal to the step. */
  readonly regularity: number;
  /** In the contiguous head: 1 when the key only changes in one direction (a sort key), lower when it zigzags. */
  readonly monotony: number;
  /** In the contiguous head: changes between consecutive traces. */
  readonly changes: number;
}

function keyStats(values: Int32Array, headCount: number): KeyStats {
  const sorted = Int32Array.from(new Set(values)).sort();
  const distinct = sorted.length;
  let step = 0;
  for (let i = 1; i < distinct; i++) step = gcd(step, sorted[i]! - sorted[i - 1]!);
  let regular = 0;
  for (let i = 1; i < distinct; i++) if (sorted[i]! - sorted[i - 1]! === step) regular++;
  let up = 0;
  let down = 0;
  for (let i = 1; i < headCount; i++) {
    if (values[i]! > values[i - 1]!) up++;
    else if (values[i]! < values[i - 1]!) down++;
  }
  const changes = up + down;
  return {
    values,
    distinct,
    min: sorted[0] ?? 0,
    max: sorted[distinct - 1] ?? 0,
    step,
    regularity: distinct > 1 ? regular / (distinct - 1) : 0,
    monotony: changes === 0 ? 1 : Math.max(up, down) / changes,
    changes,
  };
}

function gcd(a: number, b: number): number {
  let x = Math.abs(a);
  let y = Math.abs(b);
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/** Structural score of (a as inline, b as crossline), in [0, 1]; 0 when they cannot be a 3D grid. */
function scorePair(a: KeyStats, b: KeyStats, sample: TraceHeaderSample, traceCount: number): number {
  if (a.distinct < 2 || b.distinct < 2) return 0;
  if (Math.max(-a.min, a.max, -b.min, b.max) > MAX_KEY_MAGNITUDE) return 0;
  const cells = ((a.max - a.min) / a.step + 1) * ((b.max - b.min) / b.step + 1);
  const fill = traceCount / cells;
  if (fill < 0.01) return 0;
  const fold = Math.max(1, Math.round(fill));
  // Pre-stack files hold several traces per cell: a fill near a whole number is as good as a fill of 1.
  const fillScore = fill <= 1 ? fill : Math.abs(fill - fold) / fill < 0.15 ? 1 : 0.7;
  const pairs = distinctPairs(a.values, b.values);
  // One key repeating the other (inline at 189 and again at 9) is not a grid.
  const independence = pairs > Math.max(a.distinct, b.distinct) ? 1 : 0.05;
  const uniqueness = Math.min(1, (pairs * fold) / a.values.length);
  const regularity = 0.5 + 0.25 * (a.regularity + b.regularity);
  const slowKey = a.changes <= b.changes ? a : b;
  const sortedness = 0.6 + 0.4 * slowKey.monotony;
  return fillScore * independence * uniqueness * regularity * sortedness;
}

function distinctPairs(a: Int32Array, b: Int32Array): number {
  const seen = new Set<string>();
  for (let i = 0; i < a.length; i++) seen.add(`${a[i]},${b[i]}`);
  return seen.size;
}

function relationTo(
  sample: TraceHeaderSample,
  pair: { inline: number; crossline: number },
  best: { inline: number; crossline: number },
): KeyPairScore['relationToBest'] {
  const groups = (p: number, q: number): boolean => sameGrouping(sample.fields.get(p)!, sample.fields.get(q)!);
  if (groups(pair.inline, best.inline) && groups(pair.crossline, best.crossline)) return 'same';
  if (groups(pair.inline, best.crossline) && groups(pair.crossline, best.inline)) return 'transposed';
  return 'different';
}

/** True when each value of `x` always comes with one value of `y` and vice versa (a renumbering, e.g. 111 <-> 1). */
function sameGrouping(x: Int32Array, y: Int32Array): boolean {
  const forward = new Map<number, number>();
  const backward = new Map<number, number>();
  for (let i = 0; i < x.length; i++) {
    if ((forward.get(x[i]!) ?? y[i]) !== y[i] || (backward.get(y[i]!) ?? x[i]) !== x[i]) return false;
    forward.set(x[i]!, y[i]!);
    backward.set(y[i]!, x[i]!);
  }
  return true;
}

/** The best score, lowered by how close the best pair that reads the headers differently comes. */
function confidenceOf(scored: readonly KeyPairScore[]): number {
  const best = scored[0];
  if (!best) return 0;
  const rival = scored.find((pair) => pair.relationToBest === 'different');
  const margin = rival ? 1 - 0.5 * (rival.score / best.score) : 1;
  return Math.max(0, Math.min(1, best.score * margin));
}

/** The first candidate pair where the coordinates vary; the standard 181/185 when none does. */
function chooseCoordinates(sample: TraceHeaderSample): readonly [number, number] {
  const varies = (byte: number): boolean => {
    const values = sample.fields.get(byte);
    return values !== undefined && values.some((value) => value !== values[0]);
  };
  return COORDINATE_CANDIDATES.find(([x, y]) => varies(x) || varies(y)) ?? [181, 185];
}
