/**
 * The classical baseline of velocity model building on OpenFWI-layout shots (5 shots x 70 receivers): semblance
 * velocity analysis on CMP supergathers, automatic picking, Dix conversion to interval velocity, time to depth, and a
 * 70 x 70 map by interpolation between the analysis locations.
 *
 * What the layout allows: with 5 sources, a single CMP holds at most 5 traces (one per shot), too few for semblance,
 * so each analysis location gathers every trace whose midpoint lies within SUPERGATHER_HALF_WIDTH cells (about 80
 * traces, offsets 0-690 m in the middle of the line). Near the ends of the line the CMPs see only short offsets (at
 * column 5 the farthest is 200 m, against depths of 700 m), where semblance cannot tell velocities apart; the analysis
 * therefore runs at columns EDGE_COLUMNS..69-EDGE_COLUMNS and the columns outside take the nearest analysis. The
 * near-surface velocity comes from the direct wave (its moveout between two receivers), where no reflection exists.
 *
 * Two measures keep a flat-layered earth laterally constant, as it must be (without them the map of a flat model showed
 * vertical bands of 150-400 m/s, the largest near the middle of the line):
 *  - every analysis location uses the same offset range, the one the outermost location has (MAX_OFFSET_M). The middle
 *    CMPs also reach 500-690 m, where post-critical reflections and head waves from the first strong contrast pull the
 *    semblance maximum to other velocities than at the ends, and Dix amplifies that difference in the layer below;
 *  - the picked stacking velocities are smoothed across neighbouring locations (LATERAL_SMOOTHING_COLUMNS) before Dix:
 *    each location keeps its own reflection times, but a lone location's pick one trial velocity (50 m/s) off no
 *    longer becomes a 200-400 m/s jump of interval velocity in a thin layer.
 * Like every stacking-velocity method it assumes flat layers; dips, faults and lateral changes are smeared.
 */
import { dixIntervals, velocityAtDepths } from './dix';
import { OPENFWI, OPENFWI_SOURCE_DELAY_S } from './openfwiLayout';
import { semblancePanel, type CmpGather } from './semblance';
import { eventPicks, pickVelocities, smoothLaterally } from './velocityPicking';

const EDGE_COLUMNS = 15;
const ANALYSIS_STEP_COLUMNS = 5;
const SUPERGATHER_HALF_WIDTH = 8;
/** The farthest offset of the outermost analysis location: source 0, midpoint at the far edge of its supergather. */
const MAX_OFFSET_M = 2 * (EDGE_COLUMNS + SUPERGATHER_HALF_WIDTH) * OPENFWI.spacingM;
/** Width (standard deviation of a Gaussian, in columns) over which picked stacking velocities are averaged. */
const LATERAL_SMOOTHING_COLUMNS = 5;
const TRIAL_VELOCITIES = Float32Array.from({ length: 65 }, (_, i) => 1400 + 50 * i);
const SEMBLANCE_WINDOW_S = 0.02;
/**
 * Offsets up to about the reflector's depth: the strong contrasts of these models make reflections post-critical and
 * bring head waves beyond that, both of which pull semblance towards wrong velocities.
 */
const STRETCH_MUTE = 0.3;
const NOISE_FLOOR = 1e-3;
const EVENT_SEPARATION_S = 0.04;
const EVENT_MIN_SEMBLANCE = 0.2;
const EVENT_EARLIEST_S = 0.05;
/** Receivers (cells from the source) between which the direct wave's moveout is measured. */
const DIRECT_WAVE_OFFSETS = [2, 12] as const;

const { cells, samples, sampleIntervalS, spacingM, sourceColumns } = OPENFWI;
const SHOT_SIZE = samples * cells;

/** The 70 x 70 velocity map (m/s, row-major, z down) that semblance + Dix make of one sample's shots [5, 1000, 70]. */
export function semblanceVelocityMap(shots: Float32Array): Float32Array {
  if (shots.length !== sourceColumns.length * SHOT_SIZE) {
    throw new RangeError(`OpenFWI shots hold 5 x 1000 x 70 values, these ${shots.length}`);
  }
  const analysisColumns: number[] = [];
  for (let c = EDGE_COLUMNS; c < cells - EDGE_COLUMNS; c += ANALYSIS_STEP_COLUMNS) analysisColumns.push(c);
  analysisColumns.push(cells - 1 - EDGE_COLUMNS);
  const directVelocities = sourceColumns.map((_, shot) => directWaveVelocity(shots, shot));
  const analyses = analysisColumns.map((column) =>
    analyseLocation(supergather(shots, column), directVelocities[nearestIndex(sourceColumns, column)]!),
  );
  const smoothedVelocities = smoothLaterally(
    analysisColumns,
    analyses.map((analysis) => analysis.stackingVelocities),
    LATERAL_SMOOTHING_COLUMNS,
  );
  const profiles = analyses.map((analysis, i) => depthProfile(analysis, smoothedVelocities[i]!));
  return interpolateColumns(analysisColumns, profiles);
}

/** What the semblance panel of one analysis location gives: its picked path and the reflections along it. */
interface LocationAnalysis {
  /** Picked stacking (RMS) velocity at every t0, m/s. */
  readonly stackingVelocities: Float32Array;
  readonly reflectionTimesS: readonly number[];
  readonly nearSurfaceVelocity: number;
}

function analyseLocation(gather: CmpGather, nearSurfaceVelocity: number): LocationAnalysis {
  const panel = semblancePanel(gather, {
    velocities: TRIAL_VELOCITIES,
    windowS: SEMBLANCE_WINDOW_S,
    stretchMute: STRETCH_MUTE,
    noiseFloor: NOISE_FLOOR,
  });
  const stackingVelocities = pickVelocities(panel, {
    startIndex: nearestIndex(TRIAL_VELOCITIES, nearSurfaceVelocity),
    increasePenalty: 0.02,
    decreasePenalty: 0.2,
    maxStep: 2,
  });
  const reflections = eventPicks(panel, stackingVelocities, {
    minSeparationS: EVENT_SEPARATION_S,
    minRelativeSemblance: EVENT_MIN_SEMBLANCE,
    earliestS: EVENT_EARLIEST_S,
  });
  return { stackingVelocities, reflectionTimesS: reflections.map((pick) => pick.timeS), nearSurfaceVelocity };
}

/**
 * Interval velocity against depth (70 cells) at one analysis location: Dix between its reflections, with the stacking
 * velocities given (the laterally smoothed ones) at their times.
 */
function depthProfile(analysis: LocationAnalysis, stackingVelocities: Float32Array): Float32Array {
  const picks = analysis.reflectionTimesS.map((timeS) => ({
    timeS,
    velocity: stackingVelocities[Math.round(timeS / sampleIntervalS)]!,
  }));
  const intervals = dixIntervals(picks, {
    minVelocity: TRIAL_VELOCITIES[0]!,
    maxVelocity: TRIAL_VELOCITIES[TRIAL_VELOCITIES.length - 1]!,
    topVelocity: analysis.nearSurfaceVelocity,
  });
  return velocityAtDepths(intervals, spacingM, cells);
}

/**
 * Every trace whose source-receiver midpoint lies within SUPERGATHER_HALF_WIDTH cells of `column` and whose offset is
 * at most MAX_OFFSET_M, differentiated in
 * time: in 2D a point source leaves a slow tail behind every arrival (the 1 / sqrt(t^2 - r^2/c^2) Green's function),
 * the same on every trace, which would look perfectly coherent at every velocity; the derivative removes it.
 */
function supergather(shots: Float32Array, column: number): CmpGather {
  const picked: Array<{ shot: number; receiver: number; offsetM: number }> = [];
  sourceColumns.forEach((source, shot) => {
    for (let receiver = 0; receiver < cells; receiver++) {
      const offsetM = Math.abs(receiver - source) * spacingM;
      if (Math.abs((source + receiver) / 2 - column) <= SUPERGATHER_HALF_WIDTH && offsetM <= MAX_OFFSET_M) {
        picked.push({ shot, receiver, offsetM });
      }
    }
  });
  const traces = new Float32Array(picked.length * samples);
  picked.forEach(({ shot, receiver }, i) => {
    const at = (n: number) => shots[shot * SHOT_SIZE + n * cells + receiver]!;
    for (let n = 1; n < samples; n++) traces[i * samples + n] = at(n) - at(n - 1);
  });
  return {
    traces,
    offsetsM: Float32Array.from(picked, (p) => p.offsetM),
    samples,
    sampleIntervalS,
    firstSampleS: -OPENFWI_SOURCE_DELAY_S,
  };
}

/**
 * Velocity of the direct wave of one shot: the distance between two receivers on the same side of the source over the
 * lag of their cross-correlation peak (refined by a parabola through the peak), averaged over both sides.
 */
function directWaveVelocity(shots: Float32Array, shot: number): number {
  const source = sourceColumns[shot]!;
  const [near, far] = DIRECT_WAVE_OFFSETS;
  const estimates: number[] = [];
  for (const side of [-1, 1]) {
    const nearReceiver = source + side * near;
    const farReceiver = source + side * far;
    if (farReceiver < 0 || farReceiver >= cells) continue;
    const lag = correlationLag(shots, shot, nearReceiver, farReceiver);
    if (lag > 0) estimates.push(((far - near) * spacingM) / (lag * sampleIntervalS));
  }
  return estimates.reduce((a, b) => a + b, 0) / estimates.length;
}

/** Lag (samples, fractional) of the peak of the cross-correlation of receiver b's trace against receiver a's. */
function correlationLag(shots: Float32Array, shot: number, a: number, b: number): number {
  const base = shot * SHOT_SIZE;
  const maxLag = 100;
  const correlation = new Float64Array(maxLag + 1);
  for (let lag = 0; lag <= maxLag; lag++) {
    let sum = 0;
    for (let n = 0; n + lag < samples; n++) sum += shots[base + n * cells + a]! * shots[base + (n + lag) * cells + b]!;
    correlation[lag] = sum;
  }
  let best = 1;
  for (let lag = 1; lag < maxLag; lag++) if (correlation[lag]! > correlation[best]!) best = lag;
  const [left, centre, right] = [correlation[best - 1]!, correlation[best]!, correlation[best + 1]!];
  const curvature = left - 2 * centre + right;
  return curvature < 0 ? best + (0.5 * (left - right)) / curvature : best;
}

function nearestIndex(values: ArrayLike<number>, target: number): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) {
    if (Math.abs(values[i]! - target) < Math.abs(values[best]! - target)) best = i;
  }
  return best;
}

/** The map: each column interpolated linearly between the analysis columns around it, the nearest one beyond them. */
function interpolateColumns(columns: readonly number[], profiles: readonly Float32Array[]): Float32Array {
  const map = new Float32Array(cells * cells);
  for (let x = 0; x < cells; x++) {
    let right = columns.findIndex((c) => c >= x);
    if (right < 0) right = columns.length - 1;
    const left = Math.max(0, columns[right]! > x ? right - 1 : right);
    const span = columns[right]! - columns[left]!;
    const weight = span > 0 ? Math.min(1, Math.max(0, (x - columns[left]!) / span)) : 0;
    for (let z = 0; z < cells; z++) {
      map[z * cells + x] = (1 - weight) * profiles[left]![z]! + weight * profiles[right]![z]!;
    }
  }
  return map;
}
