/**
 * Field shot gathers brought into the velocity networks' domain. The networks were trained in OpenFWI's layout
 * (openfwiLayout.ts): a 2D section 700 m wide and 700 m deep at 10 m, five sources at 0, 170, 340, 520 and 690 m along
 * the line, 70 receivers every 10 m from 0 to 690 m, 1000 samples at 1 ms from the source's start. They know nothing
 * else: a survey is mapped onto that layout exactly, or refused with the reason, never stretched (a spread squeezed to
 * 700 m would show the network moveouts of other velocities).
 *
 * The mapping:
 * - the line: the straight line through every source and receiver position (their principal axis); positions are
 *   distances along it from the first receiver, measured towards the end where the file's last shot lies further;
 *   every point must lie within one cell (10 m) of it;
 * - shots: traces with the same source position form one shot; each of the five network sources takes the nearest
 *   shot, which must lie within one cell of it;
 * - receivers: each shot's traces interpolated linearly along the line to the 70 positions 0, 10, ..., 690 m
 *   (receivers further along are left out); a shot must record over the whole 0-690 m with no gap over 30 m;
 * - time: a zero-phase low-pass (anti-alias) below the 1 ms Nyquist when the survey is sampled finer, then windowed
 *   sinc interpolation at 0, 1, ..., 999 ms from the trace's delay; what the record does not cover is zero.
 */
import { PromethiumError } from '../../preload/contract';
import { butterworthSections, filterZeroPhase } from '../signal/butterworth';
import { OPENFWI, OPENFWI_DATA_SIZE } from './openfwiLayout';

/** Source and receiver positions of one trace, metres in the survey's projected coordinates. */
export interface ShotTraceGeometry {
  readonly sourceX: number;
  readonly sourceY: number;
  readonly receiverX: number;
  readonly receiverY: number;
}

/** The vertical axis of the survey's traces. */
export interface ShotTimeAxis {
  readonly sampleIntervalS: number;
  /** Time of the first sample (the trace's delay), s. */
  readonly firstSampleS: number;
  readonly samples: number;
}

/** The straight line the survey was shot along: distance 0 at `origin`, increasing along `direction` (a unit vector). */
export interface SurveyLine {
  readonly originX: number;
  readonly originY: number;
  readonly directionX: number;
  readonly directionY: number;
}

/** The survey's shot that stands for one network source, and its traces in receiver order. */
export interface PlannedShot {
  /** Its source's distance along the line, m. */
  readonly sourceAlongM: number;
  /** File positions of its traces, in the order of receiverAlongM. */
  readonly traces: Int32Array;
  readonly receiverAlongM: Float64Array;
}

export interface ShotInputPlan {
  readonly line: SurveyLine;
  /** One shot per network source (five). */
  readonly shots: readonly PlannedShot[];
  /** How many shots (source positions) the survey has. */
  readonly surveyShots: number;
  /** What the mapping left out or filled in, for the interpreter. */
  readonly notes: readonly string[];
}

/** Furthest a source or receiver may lie off the line, and a shot from its network source: one cell. */
const POSITION_TOLERANCE_M = OPENFWI.spacingM;
/** Widest gap between receivers that linear interpolation may bridge. */
const MAX_RECEIVER_GAP_M = 3 * OPENFWI.spacingM;
/** The anti-alias corner below the output's 500 Hz Nyquist, and the filter's order. */
const ANTI_ALIAS_HZ = 400;
const ANTI_ALIAS_ORDER = 8;
/** Lobes of the Lanczos (windowed sinc) interpolation kernel. */
const LANCZOS_LOBES = 4;

const NETWORK_SOURCES_M = OPENFWI.sourceColumns.map((column) => column * OPENFWI.spacingM);
const NETWORK_SPREAD_M = (OPENFWI.cells - 1) * OPENFWI.spacingM;
export const NETWORK_DOMAIN_TEXT =
  'the network knows one layout: a 2D line 700 m long and 700 m deep at 10 m, shots at 0, 170, 340, 520 and 690 m, ' +
  "receivers every 10 m from 0 to 690 m, 1 s of record at 1 ms from the source's start";

function refuse(reason: string): never {
  throw new PromethiumError('invalid-argument', `${reason}; ${NETWORK_DOMAIN_TEXT}`);
}

const metres = (value: number) => `${Math.round(value)} m`;

/** Chooses the survey's line, its five shots and their traces; refuses a geometry that does not map to the network's. */
export function planShotInput(traces: readonly ShotTraceGeometry[]): ShotInputPlan {
  if (traces.length === 0) refuse('the survey has no live traces');
  const line = fitLine(traces);
  const along = (x: number, y: number) => (x - line.originX) * line.directionX + (y - line.originY) * line.directionY;
  const shots = groupShots(traces, along);
  if (shots.length < 2) {
    refuse(`the survey has ${shots.length} shot (one source position): the network needs five shots along a line`);
  }
  const receiverEnd = traces.reduce((end, t) => Math.max(end, along(t.receiverX, t.receiverY)), -Infinity);
  if (receiverEnd < NETWORK_SPREAD_M - OPENFWI.spacingM / 2) {
    refuse(`the receivers span ${metres(receiverEnd)} of line, less than the network's 690 m`);
  }
  const notes: string[] = [];
  if (receiverEnd > NETWORK_SPREAD_M + OPENFWI.spacingM / 2) {
    notes.push(`receivers beyond 690 m along the line (up to ${metres(receiverEnd)}) are left out`);
  }
  const planned = NETWORK_SOURCES_M.map((target, k) => {
    const shot = nearestShot(shots, target);
    if (Math.abs(shot.sourceAlongM - target) > POSITION_TOLERANCE_M) {
      refuse(
        `no shot within ${POSITION_TOLERANCE_M} m of ${target} m along the line (network source ${k + 1} of 5); ` +
          `the nearest of the survey's ${shots.length} shots is at ${metres(shot.sourceAlongM)}`,
      );
    }
    checkSpreadCovers(shot);
    return shot;
  });
  if (shots.length > NETWORK_SOURCES_M.length) {
    notes.push(`${shots.length - NETWORK_SOURCES_M.length} of the survey's ${shots.length} shots are not used`);
  }
  return { line, shots: planned, surveyShots: shots.length, notes };
}

/**
 * The principal axis of every source and receiver position, oriented so that the last shot of the file lies further
 * along than the first, with its origin at the first receiver.
 */
function fitLine(traces: readonly ShotTraceGeometry[]): SurveyLine {
  const pointsOf = (t: ShotTraceGeometry) =>
    [
      [t.sourceX, t.sourceY],
      [t.receiverX, t.receiverY],
    ] as const;
  let [sumX, sumY] = [0, 0];
  for (const t of traces) [sumX, sumY] = [sumX + t.sourceX + t.receiverX, sumY + t.sourceY + t.receiverY];
  const [meanX, meanY] = [sumX / (2 * traces.length), sumY / (2 * traces.length)];
  let [sxx, syy, sxy] = [0, 0, 0];
  for (const t of traces) {
    for (const [x, y] of pointsOf(t)) {
      sxx += (x - meanX) ** 2;
      syy += (y - meanY) ** 2;
      sxy += (x - meanX) * (y - meanY);
    }
  }
  if (sxx + syy < 1) {
    refuse('the trace headers give every source and receiver the same position (bytes 73-88): the line is unknown');
  }
  // Direction of the largest eigenvector of the 2 x 2 covariance.
  const angle = 0.5 * Math.atan2(2 * sxy, sxx - syy);
  let [dx, dy] = [Math.cos(angle), Math.sin(angle)];
  const first = traces[0]!;
  const last = traces[traces.length - 1]!;
  if ((last.sourceX - first.sourceX) * dx + (last.sourceY - first.sourceY) * dy < 0) [dx, dy] = [-dx, -dy];
  traces.forEach((t, index) => {
    for (const [[x, y], what] of pointsOf(t).map((point, k) => [point, k === 0 ? 'source' : 'receiver'] as const)) {
      const off = Math.abs(-(x - meanX) * dy + (y - meanY) * dx);
      if (off > POSITION_TOLERANCE_M) {
        refuse(
          `the shots and receivers are not along a straight line: trace ${index + 1}'s ${what} lies ${metres(off)} ` +
            `off the line through them (at most ${POSITION_TOLERANCE_M} m)`,
        );
      }
    }
  });
  // A reduce, not Math.min(...): surveys of more traces than a call takes arguments.
  const firstReceiver = traces.reduce(
    (first, t) => Math.min(first, (t.receiverX - meanX) * dx + (t.receiverY - meanY) * dy),
    Infinity,
  );
  return { originX: meanX + firstReceiver * dx, originY: meanY + firstReceiver * dy, directionX: dx, directionY: dy };
}

/** Traces grouped by source position (to the decimetre), in the order of the source along the line. */
function groupShots(traces: readonly ShotTraceGeometry[], along: (x: number, y: number) => number): PlannedShot[] {
  const bySource = new Map<string, number[]>();
  traces.forEach((t, index) => {
    const key = `${Math.round(t.sourceX * 10)},${Math.round(t.sourceY * 10)}`;
    const group = bySource.get(key);
    if (group === undefined) bySource.set(key, [index]);
    else group.push(index);
  });
  const shots = [...bySource.values()].map((indices) => {
    const first = traces[indices[0]!]!;
    const ordered = indices
      .map((index) => ({ index, at: along(traces[index]!.receiverX, traces[index]!.receiverY) }))
      .sort((a, b) => a.at - b.at);
    return {
      sourceAlongM: along(first.sourceX, first.sourceY),
      traces: Int32Array.from(ordered, (o) => o.index),
      receiverAlongM: Float64Array.from(ordered, (o) => o.at),
    };
  });
  return shots.sort((a, b) => a.sourceAlongM - b.sourceAlongM);
}

function nearestShot(shots: readonly PlannedShot[], targetM: number): PlannedShot {
  return shots.reduce((best, shot) =>
    Math.abs(shot.sourceAlongM - targetM) < Math.abs(best.sourceAlongM - targetM) ? shot : best,
  );
}

function checkSpreadCovers(shot: PlannedShot): void {
  const receivers = shot.receiverAlongM;
  const [first, last] = [receivers[0]!, receivers[receivers.length - 1]!];
  const where = `the shot at ${metres(shot.sourceAlongM)}`;
  if (first > OPENFWI.spacingM / 2 || last < NETWORK_SPREAD_M - OPENFWI.spacingM / 2) {
    refuse(`${where} records from ${metres(first)} to ${metres(last)} along the line, not the whole 0-690 m`);
  }
  for (let r = 1; r < receivers.length && receivers[r - 1]! < NETWORK_SPREAD_M; r++) {
    if (receivers[r]! - receivers[r - 1]! > MAX_RECEIVER_GAP_M) {
      refuse(
        `${where} has no receiver between ${metres(receivers[r - 1]!)} and ${metres(receivers[r]!)} ` +
          `(gaps of up to ${MAX_RECEIVER_GAP_M} m are interpolated)`,
      );
    }
  }
}

/**
 * The five planned shots as the network's input [shot, time, receiver] (5 x 1000 x 70), reading each trace's samples
 * through `readTrace` (its file position -> samples on `axis`).
 */
export async function resampleShots(
  plan: ShotInputPlan,
  axis: ShotTimeAxis,
  readTrace: (index: number) => Promise<Float32Array>,
): Promise<Float32Array> {
  const { samples, cells, spacingM } = OPENFWI;
  const out = new Float32Array(OPENFWI_DATA_SIZE);
  for (const [s, shot] of plan.shots.entries()) {
    const resampled = await Promise.all(
      Array.from(shot.traces, async (index) => resampleTrace(await readTrace(index), axis)),
    );
    for (let r = 0; r < cells; r++) {
      const [left, right, weight] = bracket(shot.receiverAlongM, r * spacingM);
      const [a, b] = [resampled[left]!, resampled[right]!];
      for (let n = 0; n < samples; n++) out[(s * samples + n) * cells + r] = (1 - weight) * a[n]! + weight * b[n]!;
    }
  }
  return out;
}

/** The receivers on either side of `at` (clamped at the ends) and the weight of the right one. */
function bracket(positions: Float64Array, at: number): [number, number, number] {
  let right = positions.findIndex((p) => p >= at);
  if (right < 0) right = positions.length - 1;
  const left = Math.max(0, right - 1);
  const span = positions[right]! - positions[left]!;
  const weight = span > 0 ? Math.min(1, Math.max(0, (at - positions[left]!) / span)) : 0;
  return [left, right, weight];
}

/** One trace on the network's time axis: 1000 samples at 1 ms from t = 0, anti-alias filtered when finer. */
export function resampleTrace(trace: Float32Array, axis: ShotTimeAxis): Float32Array {
  if (trace.length !== axis.samples) {
    throw new RangeError(`a trace of ${axis.samples} samples was expected, this one has ${trace.length}`);
  }
  const input = Float64Array.from(trace);
  if (axis.sampleIntervalS < OPENFWI.sampleIntervalS * (1 - 1e-6)) {
    filterZeroPhase(input, butterworthSections('lowpass', ANTI_ALIAS_HZ, 1 / axis.sampleIntervalS, ANTI_ALIAS_ORDER));
  }
  const out = new Float32Array(OPENFWI.samples);
  for (let n = 0; n < OPENFWI.samples; n++) {
    const position = (n * OPENFWI.sampleIntervalS - axis.firstSampleS) / axis.sampleIntervalS;
    if (position < -1 || position > axis.samples) continue;
    const centre = Math.floor(position);
    let sum = 0;
    let weights = 0;
    for (let k = centre - LANCZOS_LOBES + 1; k <= centre + LANCZOS_LOBES; k++) {
      if (k < 0 || k >= axis.samples) continue;
      const w = lanczos(position - k);
      sum += w * input[k]!;
      weights += w;
    }
    out[n] = weights > 0 ? sum / weights : 0;
  }
  return out;
}

function lanczos(x: number): number {
  if (x === 0) return 1;
  if (Math.abs(x) >= LANCZOS_LOBES) return 0;
  const px = Math.PI * x;
  return (LANCZOS_LOBES * Math.sin(px) * Math.sin(px / LANCZOS_LOBES)) / (px * px);
}
