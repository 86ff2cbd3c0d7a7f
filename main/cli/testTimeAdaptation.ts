/**
 * `promethium interpolate`'s test-time adaptation (on by default): the interpolator is fine-tuned on the file itself
 * for a time box, then every panel is filled by whichever of the base and the adapted model, blended with POCS or
 * linear interpolation as the blend check finds best, restores live traces held out of the fine-tuning better
 * (ml/adaptation/adaptedInterpolation.ts). Never below the best classical method on those traces.
 */
import type { BlendCheck } from '../../preload/contract';
import {
  ADAPT_PANELS,
  adaptInterpolator,
  DEFAULT_ADAPT_SECONDS,
  interpolateWithAdaptedChoice,
} from '../ml/adaptation/adaptedInterpolation';
import type { InferenceModel } from '../ml/modelForInference';
import type { AmplitudeScale } from '../ml/normalization';
import type { PanelProcessor } from '../processing/applyToSegy';
import { readSpreadPanels } from '../processing/applyToSegy';
import { UsageError } from './usageError';

export interface AdaptFlags {
  /** --adapt-seconds, as commander passes it. */
  adaptSeconds?: string;
  /** false for --no-adapt. */
  adapt?: boolean;
  fullStrength?: boolean;
  ensemble?: number;
}

/**
 * The seconds of fine-tuning the flags ask for; 0 for none: --no-adapt, --adapt-seconds 0, or the default where the
 * blend check is off (--full-strength, an ensemble), since only the check makes adapting safe.
 */
export function adaptSecondsOf(flags: AdaptFlags): number {
  const given = flags.adaptSeconds;
  if (given !== undefined && flags.adapt === false)
    throw new UsageError('give --adapt-seconds or --no-adapt, not both');
  if (flags.adapt === false) return 0;
  const unchecked = flags.fullStrength || (flags.ensemble ?? 1) > 1;
  if (given === undefined) return unchecked ? 0 : DEFAULT_ADAPT_SECONDS;
  if (!/^\d+(\.\d+)?$/.test(given.trim())) {
    throw new UsageError(`--adapt-seconds takes a number of seconds (0 or more), not "${given}"`);
  }
  const seconds = Number(given);
  if (seconds > 0 && unchecked) {
    throw new UsageError(
      '--adapt-seconds needs the blend check, which --full-strength and --ensemble turn off; give --no-adapt',
    );
  }
  return seconds;
}

export interface AdaptSummary {
  seconds: number;
  /** Training batches run within the time box. */
  steps: number;
  trainedPanels: number;
  /** Panels where the adapted model (not the base) was chosen. */
  adaptedPanels: number;
  checkedPanels: number;
}

export interface AdaptedProcessing {
  process: PanelProcessor;
  summary: AdaptSummary;
  dispose(): Promise<void>;
}

/** The adapted processor for the file; null when the panels read have no missing trace (nothing to learn). */
export async function adaptedProcessing(
  input: string,
  base: { dir: string; model: InferenceModel },
  seconds: number,
  options: { scale: AmplitudeScale; tta: boolean; lines?: [number, number]; blends: BlendCheck[] },
): Promise<AdaptedProcessing | null> {
  const panels = await readSpreadPanels(input, ADAPT_PANELS, options.lines);
  const adapted = await adaptInterpolator(base, panels, seconds);
  if (!adapted) return null;
  const summary = { seconds, steps: adapted.steps, trainedPanels: panels.length, adaptedPanels: 0, checkedPanels: 0 };
  const models = { base: base.model, adapted: adapted.model };
  return {
    summary,
    process: async (section, shape, live, { sampleIntervalS }) => {
      const choice = await interpolateWithAdaptedChoice(
        models,
        { section, shape, live },
        { ...options, sampleIntervalS },
      );
      options.blends.push(choice.check);
      summary.checkedPanels++;
      if (choice.adapted) summary.adaptedPanels++;
      return choice.output;
    },
    dispose: adapted.dispose,
  };
}
