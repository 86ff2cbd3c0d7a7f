/**
 * The shape of what is missing in the user's data, as training corruption: fine-tuning on the data itself hides extra
 * live traces the way the data's own traces are missing, so the model practises the gaps it will fill. Three shapes
 * are told apart from the dead-trace runs of the panels: a regular pattern (every k-th trace dropped, or every k-th
 * kept), wide gaps (runs of several traces), or scattered traces.
 */
import type { TraceMask } from '../../signal/corruption';
import { missingRuns } from '../blendCheck';
import type { CorruptionOptions, TraceMaskKind } from '../training/taskBatches';

export type HiddenTraceCorruption = Pick<CorruptionOptions, 'maskKinds' | 'missingFractionRange'>;

/** Runs this long on average are gaps rather than scattered traces (random 50 % missing averages 2). */
const GAP_RUN_LENGTH = 4;
/** No more is hidden than the bundled interpolator was trained to fill (bundledModels.ts: up to 60 %). */
const MOST_HIDDEN = 0.6;
const LEAST_HIDDEN = 0.05;

/** Runs of dead traces that lie inside the panel (touching neither end), as [start, length]. */
function innerRuns(live: TraceMask): [number, number][] {
  return missingRuns(live).flatMap(([start, end]): [number, number][] =>
    start > 0 && end < live.length ? [[start, end - start]] : [],
  );
}

/** The period of runs of one length at one spacing, or null when the runs are not regular. */
function regularPeriod(runs: readonly [number, number][]): { period: number; length: number } | null {
  if (runs.length < 3) return null;
  const length = runs[0]![1];
  const period = runs[1]![0] - runs[0]![0];
  const regular = runs.every(([start, runLength], i) => runLength === length && start - runs[0]![0] === i * period);
  return regular ? { period, length } : null;
}

function maskKindOf(lives: readonly TraceMask[]): TraceMaskKind {
  const runsByPanel = lives.map(innerRuns);
  const patterns = runsByPanel.map(regularPeriod);
  const pattern = patterns[0];
  if (pattern && patterns.every((p) => p && p.period === pattern.period && p.length === pattern.length)) {
    if (pattern.length === 1) return 'decimation';
    if (pattern.length === pattern.period - 1) return 'regular';
  }
  const runs = runsByPanel.flat();
  const meanLength = runs.reduce((sum, [, length]) => sum + length, 0) / Math.max(1, runs.length);
  return meanLength >= GAP_RUN_LENGTH ? 'gaps' : 'random';
}

/**
 * The corruption that hides live traces in the shape of the panels' own missing ones; null when no trace is missing
 * (nothing to fill, nothing to practise). Scattered traces and gaps hide half to all of the missing fraction again
 * (more would leave too few traces to learn from); a decimation hides traces at the data's own spacing.
 */
export function hiddenTraceCorruption(lives: readonly TraceMask[]): HiddenTraceCorruption | null {
  const traces = lives.reduce((n, live) => n + live.length, 0);
  const missing = lives.reduce((n, live) => n + live.reduce((dead, l) => dead + (l ? 0 : 1), 0), 0);
  if (traces === 0 || missing === 0) return null;
  const kind = maskKindOf(lives);
  const fraction = Math.min(MOST_HIDDEN, Math.max(LEAST_HIDDEN, missing / traces));
  const range: [number, number] =
    kind === 'decimation' ? [fraction, fraction] : [Math.max(LEAST_HIDDEN, fraction / 2), fraction];
  return { maskKinds: [kind], missingFractionRange: range };
}
