/**
 * Interpolation with the model fine-tuned on the data itself (test-time adaptation), kept only where it pays.
 *
 * On post-stack field data, fine-tuning the bundled interpolator on the survey's own live traces (hidden from it in
 * the shape of the survey's own gaps, maskStatistics.ts) gains over the base model and the classical methods; on
 * pre-stack gathers it can lose (BENCHMARKS.md, quality bench). So the adapted model only competes: some live traces
 * (the first fold of the blend check's blocks, shaped like the gaps) are kept out of the fine-tuning, and the blend
 * check then scores the base model, the adapted model, POCS, linear and slope-steered interpolation and their blends
 * on exactly those traces. Whichever model's best blend restores them better fills the real gaps, with that blend.
 * The classical methods alone are among the blends, so the choice is never below the best of POCS and linear on these
 * traces, nor more than the blend check's SLOPE_MARGIN_DB below slope-steered interpolation: the blend check's
 * guarantee, on traces the adapted model never learnt from.
 */
import { applyTraceMask, intersectTraceMasks, type TraceMask } from '../../signal/corruption';
import type { SectionShape } from '../../signal/metrics';
import {
  bestBlend,
  classicalInterpolators,
  fillWithBlend,
  heldOutFolds,
  scoreBlends,
  type BlendCandidates,
  type BlendCheck,
  type BlendScores,
  type BlendWeights,
  type Interpolator,
} from '../blendCheck';
import { reconstructSection } from '../inference';
import type { InferenceModel } from '../modelForInference';
import type { AmplitudeScale } from '../normalization';
import { fineTuneOnSections, FINE_TUNE_DEFAULTS, type FineTunedModel } from './fineTune';
import { hiddenTraceCorruption } from './maskStatistics';

/**
 * Seconds of fine-tuning by default (`promethium interpolate`). The 40 s adaptations of earlier quality benchmarks
 * (90-115 steps on the idle 2-core CPU) gained 1.2-1.5 dB on the F3 crop; 30 s keeps most of those steps inside the
 * issue's budget of 60 s for a 1000 x 1500 line on that CPU, adaptation included. The ninth session's run
 * (BENCHMARKS.md, interpolation quality) could not tell 10 s from 30 s: the machine's load left 1-12 steps.
 */
export const DEFAULT_ADAPT_SECONDS = 30;

/** Panels the fine-tuning learns from: spread through the file, enough for a cube, all of a 2D line or a few gathers. */
export const ADAPT_PANELS = 8;

/** A panel as it is read: amplitudes, shape, and which traces are live. */
export interface InterpolationPanel {
  section: Float32Array;
  shape: SectionShape;
  live: TraceMask;
}

/** Seed of the held-out blocks: the same traces are kept from the fine-tuning and scored by the choice. */
const CHOICE_SEED = 1;

/** The live traces kept from the fine-tuning and scored by the choice (1 = held out). */
export function choiceTraces(live: TraceMask): Uint8Array {
  return heldOutFolds(live, CHOICE_SEED)[0] ?? new Uint8Array(live.length);
}

/** The panel as the fine-tuning sees it: the choice's traces zeroed (dead, so they carry no loss). */
export function trainingSection({ section, shape, live }: InterpolationPanel): Float32Array {
  const notHeld = choiceTraces(live).map((held) => 1 - held);
  return applyTraceMask(section, shape, intersectTraceMasks(live, notHeld));
}

/**
 * The base interpolator fine-tuned for `seconds` on the panels, live traces hidden in the shape of their own missing
 * ones; null when no trace is missing (nothing to practise).
 */
export async function adaptInterpolator(
  base: { dir: string; model: InferenceModel },
  panels: readonly InterpolationPanel[],
  seconds: number,
): Promise<FineTunedModel | null> {
  const corruption = hiddenTraceCorruption(panels.map((panel) => panel.live));
  if (!corruption) return null;
  const sections = panels.map((panel) => ({ data: trainingSection(panel), shape: panel.shape }));
  return fineTuneOnSections(
    base,
    'interpolate',
    sections,
    { ...FINE_TUNE_DEFAULTS, seconds },
    { kind: 'synthetic', ...corruption },
  );
}

export interface AdaptedChoice {
  output: Float32Array;
  /** The chosen blend, with the chosen model in the model's share. */
  check: BlendCheck;
  /** Whether the adapted model (rather than the base) is the model of the chosen blend. */
  adapted: boolean;
  /** SNR (dB) on the held-out traces of the best classical method alone (POCS or linear); null without a check. */
  classicalSnrDb: number | null;
}

/** A classical method computed once per set of live traces: both models' checks hide the same traces. */
function computedOnce(interpolate: Interpolator): Interpolator {
  const results = new Map<string, Promise<Float32Array>>();
  return (section, live) => {
    const key = live.join('');
    const result = results.get(key) ?? interpolate(section, live);
    results.set(key, result);
    return result;
  };
}

function bestClassical(scores: BlendScores): number | null {
  if (!scores.snrDb) return null;
  const { blends, snrDb } = scores;
  return Math.max(...blends.flatMap((w, b) => (w.model === 0 && w.pocs + w.linear === 1 ? [snrDb[b]!] : [])));
}

export async function interpolateWithAdaptedChoice(
  models: { base: InferenceModel; adapted: InferenceModel },
  { section, shape, live }: InterpolationPanel,
  options: { scale: AmplitudeScale; sampleIntervalS: number; tta?: boolean; rankedBlends?: readonly BlendWeights[] },
): Promise<AdaptedChoice> {
  const { pocs, linear, slope } = classicalInterpolators(shape, options.sampleIntervalS);
  const classical = { pocs: computedOnce(pocs), linear: computedOnce(linear), slope: computedOnce(slope) };
  const candidatesOf = (loaded: InferenceModel): BlendCandidates => ({
    ...classical,
    model: async (input, inputLive) =>
      (
        await reconstructSection(loaded.model, input, shape, inputLive, {
          task: 'interpolate',
          scale: options.scale,
          patch: loaded.patch,
          patchScaling: loaded.patchScaling,
          tta: options.tta ?? false,
        })
      ).output,
  });
  const base = candidatesOf(models.base);
  const adapted = candidatesOf(models.adapted);
  const heldOut = { heldOut: [choiceTraces(live)], rankedBlends: options.rankedBlends };
  const baseScores = await scoreBlends(base, section, shape, live, heldOut);
  const baseCheck = bestBlend(baseScores);
  const adaptedCheck = bestBlend(await scoreBlends(adapted, section, shape, live, heldOut));
  const useAdapted = (adaptedCheck.heldOutSnrDb ?? -Infinity) > (baseCheck.heldOutSnrDb ?? -Infinity);
  const check = useAdapted ? adaptedCheck : baseCheck;
  return {
    output: await fillWithBlend(useAdapted ? adapted : base, check.weights, section, shape, live),
    check,
    adapted: useAdapted,
    classicalSnrDb: bestClassical(baseScores),
  };
}
