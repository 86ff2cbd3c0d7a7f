/**
 * Which interpolation to trust on this section, decided from the section's own live traces (cross-validation): some of
 * them are hidden, every candidate fills them back in, and the candidate closest to what was hidden fills the
 * section's real gaps. The candidates are the model, POCS, linear interpolation between neighbouring traces,
 * slope-steered interpolation along the section's local dips, and blends of the model with each: their errors are
 * partly independent, so a mix can beat each alone (on the quality benchmark's F3 and Viking panels the model
 * half-and-half with POCS gains 0.5-1.7 dB over the better of the two), and where the model is worse than a classical
 * method (the Mobil gathers, linear; the Viking shots, slope-steered) the check finds that too. The choice is never
 * below the best of POCS and linear on the hidden traces, nor more than SLOPE_MARGIN_DB below slope-steered.
 *
 * The hidden traces copy the structure of what is missing: each run of missing traces, shifted along the section by
 * one more than the longest run, marks a block of live traces to hide. Gaps are then checked with gaps and scattered
 * missing traces with scattered traces; the ranking of methods differs between the two (POCS does well on scattered
 * traces and badly across wide gaps). The blocks are tried in two folds, so each is tried once and no trial hides more
 * than half of them.
 */
import { type BlendCheck, type BlendWeights, describeBlend } from '../../preload/contract';
import { interpolationMethods } from '../processing';
import { seededRandom } from '../signal/random';
import type { TraceMask } from '../signal/corruption';
import type { SectionShape } from '../signal/metrics';

/** An interpolator: the section and its live traces in, the section with every dead trace filled out. */
export type Interpolator = (section: Float32Array, live: TraceMask) => Promise<Float32Array>;

export type BlendCandidates = Record<keyof BlendWeights, Interpolator>;

export { type BlendCheck, type BlendWeights, describeBlend };

/** The candidates in the order of BlendWeights' keys. */
const CANDIDATES: readonly (keyof BlendWeights)[] = ['model', 'pocs', 'linear', 'slope'];

const blendOf = (shares: Partial<BlendWeights>): BlendWeights => ({
  model: 0,
  pocs: 0,
  linear: 0,
  slope: 0,
  ...shares,
});

/**
 * The model, each classical method, the model mixed with each in quarters, the model, POCS and linear in thirds, POCS
 * and slope-steered half and half, and the model, POCS and slope-steered in thirds.
 */
export const BLENDS: readonly BlendWeights[] = [
  blendOf({ model: 1 }),
  blendOf({ pocs: 1 }),
  blendOf({ linear: 1 }),
  blendOf({ slope: 1 }),
  ...[0.75, 0.5, 0.25].flatMap((m) => [
    blendOf({ model: m, pocs: 1 - m }),
    blendOf({ model: m, linear: 1 - m }),
    blendOf({ model: m, slope: 1 - m }),
  ]),
  blendOf({ model: 1 / 3, pocs: 1 / 3, linear: 1 / 3 }),
  blendOf({ pocs: 0.5, slope: 0.5 }),
  blendOf({ model: 1 / 3, pocs: 1 / 3, slope: 1 / 3 }),
];

/** The classical candidates of a section of `shape`: POCS, linear and slope-steered interpolation. */
export function classicalInterpolators(shape: SectionShape, sampleIntervalS: number): Omit<BlendCandidates, 'model'> {
  return {
    pocs: async (input, live) => interpolationMethods.pocs(input, shape, live, { dt: sampleIntervalS }),
    linear: async (input, live) => interpolationMethods.linear(input, shape, live),
    slope: async (input, live) => interpolationMethods.slope(input, shape, live),
  };
}

const MODEL_ONLY = BLENDS[0]!;
/** Fewer held-out traces than this give no ranking worth trusting: the model is used as it is. */
export const MIN_HELD_OUT = 2;

export interface BlendOptions {
  /** Seed of the choice of hidden blocks. */
  seed?: number;
  /** The sets of live traces to hide, one at a time, instead of heldOutFolds(live, seed). */
  heldOut?: readonly Uint8Array[];
  /** The blends ranked; default BLENDS (the quality benchmark also ranks a subset, to measure what a candidate adds). */
  rankedBlends?: readonly BlendWeights[];
}

/** Runs of missing traces, [start, end). */
export function missingRuns(live: TraceMask): [number, number][] {
  const runs: [number, number][] = [];
  for (let t = 0; t < live.length;) {
    if (live[t]) {
      t++;
      continue;
    }
    const start = t;
    while (t < live.length && !live[t]) t++;
    runs.push([start, t]);
  }
  return runs;
}

/**
 * The live traces to hide, as two folds (each tried on its own, so every block is tried once): each missing run shifted
 * by one more than the longest run, forwards or backwards at random (the way that stays on the section where only one
 * does), its live traces a block; the blocks dealt alternately to the folds in a random order. Empty folds are left out.
 */
export function heldOutFolds(live: TraceMask, seed = 1): Uint8Array[] {
  const traces = live.length;
  const runs = missingRuns(live);
  const shift = 1 + Math.max(0, ...runs.map(([start, end]) => end - start));
  const random = seededRandom(seed);
  const taken = new Uint8Array(traces);
  const blocks: number[][] = [];
  for (const [start, end] of runs) {
    const forwards = end + shift <= traces;
    const backwards = start - shift >= 0;
    const offset = forwards && backwards ? (random() < 0.5 ? shift : -shift) : forwards ? shift : -shift;
    const block: number[] = [];
    for (let t = Math.max(0, start + offset); t < Math.min(traces, end + offset); t++) {
      if (live[t] && !taken[t]) block.push(t);
    }
    for (const t of block) taken[t] = 1;
    if (block.length) blocks.push(block);
  }
  for (let i = blocks.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [blocks[i], blocks[j]] = [blocks[j]!, blocks[i]!];
  }
  const folds = [new Uint8Array(traces), new Uint8Array(traces)];
  blocks.forEach((block, i) => block.forEach((t) => (folds[i % 2]![t] = 1)));
  return folds.filter((fold) => fold.some((h) => h));
}

function mix(w: BlendWeights, outputs: Record<keyof BlendWeights, Float32Array | null>, i: number): number {
  let value = 0;
  for (const key of CANDIDATES) if (w[key]) value += w[key] * outputs[key]![i]!;
  return value;
}

/** Every candidate's result on the section, or null for those the blend `weights` leaves out. */
async function candidateOutputs(
  candidates: BlendCandidates,
  section: Float32Array,
  live: TraceMask,
  weights: BlendWeights | null,
): Promise<Record<keyof BlendWeights, Float32Array | null>> {
  const outputs = { model: null, pocs: null, linear: null, slope: null } as Record<
    keyof BlendWeights,
    Float32Array | null
  >;
  for (const key of CANDIDATES) if (!weights || weights[key]) outputs[key] = await candidates[key](section, live);
  return outputs;
}

/** Adds each blend's squared error on the hidden traces, and what they held, to the running sums. */
function addHeldOutErrors(
  blends: readonly BlendWeights[],
  section: Float32Array,
  outputs: Record<keyof BlendWeights, Float32Array | null>,
  hidden: Uint8Array,
  samples: number,
  sums: { signal: number; errors: number[] },
): void {
  for (let t = 0; t < hidden.length; t++) {
    if (!hidden[t]) continue;
    for (let i = t * samples; i < (t + 1) * samples; i++) {
      sums.signal += section[i]! ** 2;
      blends.forEach((w, b) => (sums.errors[b]! += (mix(w, outputs, i) - section[i]!) ** 2));
    }
  }
}

/** Each blend's score on the hidden live traces: SNR (dB) per entry of `blends`, against what those traces held. */
export interface BlendScores {
  blends: readonly BlendWeights[];
  heldOutTraces: number;
  /** Null when fewer than MIN_HELD_OUT traces could be hidden: no ranking worth trusting. */
  snrDb: number[] | null;
}

/**
 * Hides each set of `heldOut` traces in turn (by default the two folds of heldOutFolds), lets every candidate fill
 * them back in, and scores every blend on what they held.
 */
export async function scoreBlends(
  candidates: BlendCandidates,
  section: Float32Array,
  shape: SectionShape,
  live: TraceMask,
  options: BlendOptions = {},
): Promise<BlendScores> {
  const folds = options.heldOut ?? heldOutFolds(live, options.seed);
  const heldOutTraces = folds.reduce((n, fold) => n + fold.reduce((k, h) => k + h, 0), 0);
  const blends = options.rankedBlends ?? BLENDS;
  if (heldOutTraces < MIN_HELD_OUT) return { blends, heldOutTraces, snrDb: null };
  const sums = { signal: 0, errors: blends.map(() => 0) };
  for (const hidden of folds) {
    const checkLive = Uint8Array.from(live, (l, t) => (l && !hidden[t] ? 1 : 0));
    const checkSection = Float32Array.from(section, (v, i) => (checkLive[Math.floor(i / shape.samples)] ? v : 0));
    addHeldOutErrors(
      blends,
      section,
      await candidateOutputs(candidates, checkSection, checkLive, null),
      hidden,
      shape.samples,
      sums,
    );
  }
  const snrDb = sums.errors.map((e) => (e > 0 ? 10 * Math.log10(sums.signal / e) : Number.POSITIVE_INFINITY));
  return { blends, heldOutTraces, snrDb };
}

/**
 * How much better (dB, on the held-out traces) a blend with slope-steered interpolation must be than the best blend
 * without it to be chosen. Where dips are followed, the gain is large (the Viking shots: 5-10 dB on the quality
 * bench); elsewhere slope-steered is within a fraction of a dB of linear, and with the few held-out traces of a
 * small panel (F3's 18 traces: 1-4 of them) the ranking of that many near-equal blends is noise: the first run with
 * the new candidate lost 0.3 dB on F3's true gaps (50 % random) and 0.2 dB on the Mobil gaps that way.
 */
export const SLOPE_MARGIN_DB = 0.5;

/** The index of the best blend (see SLOPE_MARGIN_DB), by its held-out SNR. */
function bestIndex(blends: readonly BlendWeights[], snrDb: readonly number[]): number {
  const best = (keep: (w: BlendWeights) => boolean) =>
    snrDb.reduce((top, snr, b) => (keep(blends[b]!) && (top < 0 || snr > snrDb[top]!) ? b : top), -1);
  const withSlope = best(() => true);
  const withoutSlope = best((w) => w.slope === 0);
  if (withoutSlope < 0 || blends[withSlope]!.slope === 0) return withSlope;
  return snrDb[withSlope]! >= snrDb[withoutSlope]! + SLOPE_MARGIN_DB ? withSlope : withoutSlope;
}

/** The blend check's verdict from the scores: the best blend, or the model alone where nothing could be checked. */
export function bestBlend(scores: BlendScores): BlendCheck {
  const { blends, heldOutTraces, snrDb } = scores;
  if (!snrDb) return { weights: MODEL_ONLY, heldOutTraces, heldOutSnrDb: null, modelSnrDb: null };
  const best = bestIndex(blends, snrDb);
  const modelOnly = blends.findIndex((w) => w.model === 1);
  return {
    weights: blends[best]!,
    heldOutTraces,
    heldOutSnrDb: snrDb[best]!,
    modelSnrDb: modelOnly < 0 ? null : snrDb[modelOnly]!,
  };
}

/** The section with its dead traces filled by the blend `weights` of the candidates; live traces kept as they are. */
export async function fillWithBlend(
  candidates: BlendCandidates,
  weights: BlendWeights,
  section: Float32Array,
  shape: SectionShape,
  live: TraceMask,
): Promise<Float32Array> {
  const outputs = await candidateOutputs(candidates, section, live, weights);
  const output = new Float32Array(section.length);
  for (let t = 0; t < shape.traces; t++) {
    for (let i = t * shape.samples; i < (t + 1) * shape.samples; i++) {
      output[i] = live[t] ? section[i]! : mix(weights, outputs, i);
    }
  }
  return output;
}

/** The section interpolated by the candidate blend that best restores held-out live traces (see the header). */
export async function interpolateAtCheckedBlend(
  candidates: BlendCandidates,
  section: Float32Array,
  shape: SectionShape,
  live: TraceMask,
  options: BlendOptions = {},
): Promise<{ output: Float32Array; check: BlendCheck }> {
  const check = bestBlend(await scoreBlends(candidates, section, shape, live, options));
  return { output: await fillWithBlend(candidates, check.weights, section, shape, live), check };
}

/** The mean blend over several sections (a file's panels, a volume's lines) and how many were checked; null for none. */
export function blendSummary(checks: readonly BlendCheck[]): { weights: BlendWeights; panels: number } | null {
  if (checks.length === 0) return null;
  const mean = (key: keyof BlendWeights): number => checks.reduce((sum, c) => sum + c.weights[key], 0) / checks.length;
  return { weights: blendOf(Object.fromEntries(CANDIDATES.map((key) => [key, mean(key)]))), panels: checks.length };
}
