/**
 * Local slopes (dips) of a section's events, measured on its live traces: how many samples an event moves down from
 * one trace to the next, at every trace step and sample. This is what slope-steered interpolation follows across the
 * gaps (slopeInterpolation.ts), where linear interpolation between neighbours would smear a dipping event.
 *
 * The slopes come from a local dip scan (a windowed cross-correlation; like Fomel 2002's plane-wave destruction, the
 * slope is the shift that best predicts one trace from its neighbour): for every pair of neighbouring live traces
 * and every trial slope (half a sample per trace apart), the product of the two traces (amplitudes balanced, so that
 * strong events do not decide for weak ones nearby) shifted by the slope times their distance is summed over a time
 * window and over the neighbouring trace steps; the slope of the largest sum, refined by a parabola, is the slope.
 * Only live traces at most a few traces apart are compared: there an event of a few samples' dip is not aliased,
 * whereas across a gap of 8 traces it would be. Trace steps with no pair within reach (inside a wide gap) take the
 * slopes of the nearest measured steps on either side, interpolated linearly along the section: the multi-scale part,
 * that carries dips measured beside a gap across it. A slope is kept only where it predicts a trace from its neighbour
 * clearly better than no slope (followable); elsewhere it is 0, and slope-steered interpolation is linear there. One
 * slope per point: where events cross, the stronger one wins.
 */
import type { TraceMask } from '../signal/corruption';
import type { SectionShape } from '../signal/metrics';
import { checkInteger, checkMask, checkPositive, checkSection } from './validation';

export interface LocalSlopeOptions {
  /** Largest slope scanned, samples per trace (either way). Default 4. */
  maxSlope?: number;
  /** Half-length of the time window the correlation is summed over, samples. Default 24. */
  timeRadius?: number;
  /** Trace steps on either side summed with each step. Default 4. */
  traceRadius?: number;
  /** Live traces at most this far apart are compared (1: adjacent ones only). Default 3. */
  maxPairDistance?: number;
}

export const LOCAL_SLOPE_DEFAULTS = { maxSlope: 4, timeRadius: 24, traceRadius: 4, maxPairDistance: 3 } as const;

/**
 * Slopes at every trace step: entry k * samples + s is the shift, in samples, of the event at sample s of trace k
 * when it reaches trace k + 1 (positive: later in time). traces - 1 steps.
 */
export interface SlopeField {
  steps: number;
  samples: number;
  slopes: Float32Array;
}

/** Each live trace divided by its local RMS amplitude (over 2 * radius + 1 samples); dead traces zero. */
function balancedTraces(section: Float32Array, shape: SectionShape, live: TraceMask, radius: number): Float32Array {
  const { traces, samples } = shape;
  const balanced = new Float32Array(section.length);
  const squares = new Float64Array(samples);
  const power = new Float64Array(samples);
  for (let t = 0; t < traces; t++) {
    if (!live[t]) continue;
    const base = t * samples;
    for (let s = 0; s < samples; s++) squares[s] = section[base + s]! ** 2;
    boxSum(squares, power, radius);
    let total = 0;
    for (let s = 0; s < samples; s++) total += squares[s]!;
    // A millionth of the trace's mean power keeps silent stretches (mutes, before the first break) from blowing up.
    const floor = (1e-6 * total) / Math.max(1, samples);
    for (let s = 0; s < samples; s++) {
      const rms = Math.sqrt(power[s]! / (2 * radius + 1) + floor);
      balanced[base + s] = rms > 0 ? section[base + s]! / rms : 0;
    }
  }
  return balanced;
}

/** output[i] = sum of input[i - radius .. i + radius] (inside the array). */
function boxSum(input: ArrayLike<number>, output: Float64Array | Float32Array, radius: number): void {
  const n = input.length;
  let sum = 0;
  for (let i = 0; i < Math.min(n, radius); i++) sum += input[i]!;
  for (let i = 0; i < n; i++) {
    if (i + radius < n) sum += input[i + radius]!;
    if (i - radius - 1 >= 0) sum -= input[i - radius - 1]!;
    output[i] = sum;
  }
}

/** Neighbouring live traces close enough to compare: [first, second) with second - first <= maxDistance. */
interface LivePair {
  first: number;
  second: number;
}

function livePairs(live: TraceMask, maxDistance: number): LivePair[] {
  const pairs: LivePair[] = [];
  let previous = -1;
  for (let t = 0; t < live.length; t++) {
    if (!live[t]) continue;
    if (previous >= 0 && t - previous <= maxDistance) pairs.push({ first: previous, second: t });
    previous = t;
  }
  return pairs;
}

/** Trace `trace` of a trace-major section at fractional sample `time`: cubic convolution (Keys, a = -0.5), 0 outside. */
export function sampleTraceAt(section: Float32Array, samples: number, trace: number, time: number): number {
  const whole = Math.floor(time);
  const x = time - whole;
  const base = trace * samples + whole;
  const at = (offset: number) => {
    const s = whole + offset;
    return s >= 0 && s < samples ? section[base + offset]! : 0;
  };
  return (
    ((-0.5 * x + 1) * x - 0.5) * x * at(-1) +
    ((1.5 * x - 2.5) * x * x + 1) * at(0) +
    ((-1.5 * x + 2) * x + 0.5) * x * at(1) +
    (0.5 * x - 0.5) * x * x * at(2)
  );
}

/** The section delayed by half a sample (entry s holds the value at s + 0.5), for shifts of odd half samples. */
function halfSampleLater(section: Float32Array, shape: SectionShape): Float32Array {
  const { samples } = shape;
  return section.map((_, i) => sampleTraceAt(section, samples, Math.floor(i / samples), (i % samples) + 0.5));
}

/**
 * A product of each live pair's traces, sample by sample (`pairProduct` fills `products`), summed over the time window,
 * added to each trace step the pair spans and summed over neighbouring steps: entry k * samples + s of `output` for
 * the step from trace k to k + 1.
 */
function windowedPairSums(
  shape: SectionShape,
  pairs: readonly LivePair[],
  radii: { time: number; traces: number },
  pairProduct: (pair: LivePair, products: Float64Array) => void,
  output: Float32Array,
): void {
  const { samples } = shape;
  const steps = output.length / samples;
  const products = new Float64Array(samples);
  const row = new Float64Array(samples);
  const byStep = new Float32Array(steps * samples);
  for (const pair of pairs) {
    pairProduct(pair, products);
    boxSum(products, row, radii.time);
    for (let k = pair.first; k < pair.second; k++)
      for (let s = 0; s < samples; s++) byStep[k * samples + s]! += row[s]!;
  }
  // Running sum over the steps k - radius .. k + radius.
  const sum = new Float64Array(samples);
  const addStep = (j: number, sign: number) => {
    for (let s = 0; s < samples; s++) sum[s]! += sign * byStep[j * samples + s]!;
  };
  for (let j = 0; j < Math.min(steps, radii.traces); j++) addStep(j, 1);
  for (let k = 0; k < steps; k++) {
    if (k + radii.traces < steps) addStep(k + radii.traces, 1);
    if (k - radii.traces - 1 >= 0) addStep(k - radii.traces - 1, -1);
    for (let s = 0; s < samples; s++) output[k * samples + s] = sum[s]!;
  }
}

/** The windowed correlation of the live pairs at one trial slope, in half samples per trace (windowedPairSums). */
function correlationAtSlope(
  balanced: { whole: Float32Array; half: Float32Array },
  shape: SectionShape,
  pairs: readonly LivePair[],
  halfSamplesPerTrace: number,
  radii: { time: number; traces: number },
  output: Float32Array,
): void {
  const { samples } = shape;
  const correlate = ({ first, second }: LivePair, products: Float64Array) => {
    const halfSamples = halfSamplesPerTrace * (second - first);
    const shift = Math.floor(halfSamples / 2);
    const later = halfSamples % 2 === 0 ? balanced.whole : balanced.half;
    for (let s = 0; s < samples; s++) {
      const at = s + shift;
      products[s] = at >= 0 && at < samples ? balanced.whole[first * samples + s]! * later[second * samples + at]! : 0;
    }
  };
  windowedPairSums(shape, pairs, radii, correlate, output);
}

/** The windowed mean power of the live pairs' two traces (windowedPairSums), to turn correlations into errors. */
function pairPower(
  balanced: Float32Array,
  shape: SectionShape,
  pairs: readonly LivePair[],
  radii: { time: number; traces: number },
): Float32Array {
  const { samples } = shape;
  const output = new Float32Array(Math.max(0, shape.traces - 1) * samples);
  const power = ({ first, second }: LivePair, products: Float64Array) => {
    for (let s = 0; s < samples; s++) {
      products[s] = (balanced[first * samples + s]! ** 2 + balanced[second * samples + s]! ** 2) / 2;
    }
  };
  windowedPairSums(shape, pairs, radii, power, output);
  return output;
}

/**
 * Whether the best slope is worth following: it correlates positively (a coherent event), and predicts one trace of
 * a pair from the other with clearly less error than no slope does (the error of a slope is power - correlation, up
 * to a factor 2). On the quality bench's F3 and Mobil panels a slope that barely beats flat is noise, and following
 * it loses up to 1.4 dB against linear interpolation.
 */
function followable(best: number, flat: number, power: number): boolean {
  return best > 0 && power - best <= 0.8 * (power - flat);
}

/** Offset of a parabola's peak through (-1, before), (0, at), (1, after); 0 where there is no proper peak. */
function parabolicPeak(before: number, at: number, after: number): number {
  if (!Number.isFinite(before) || !Number.isFinite(after)) return 0;
  const curvature = before - 2 * at + after;
  return curvature < 0 ? Math.max(-0.5, Math.min(0.5, (before - after) / (2 * curvature))) : 0;
}

/** Steps with an adjacent live pair within traceRadius: the ones whose slopes are measured. */
function stepsWithinReach(measured: Uint8Array, radius: number): Uint8Array {
  return measured.map((_, k) => {
    for (let j = Math.max(0, k - radius); j <= Math.min(measured.length - 1, k + radius); j++)
      if (measured[j]) return 1;
    return 0;
  });
}

/** Slopes of unmeasured steps, linearly interpolated (per sample) between the nearest measured steps on either side. */
function fillUnmeasuredSteps(slopes: Float32Array, known: Uint8Array, samples: number): void {
  const steps = known.length;
  let previous = -1;
  for (let k = 0; k <= steps; k++) {
    if (k < steps && !known[k]) continue;
    const next = k < steps ? k : -1;
    for (let j = previous + 1; j < (next < 0 ? steps : next); j++) {
      const weight = previous < 0 || next < 0 ? (previous < 0 ? 1 : 0) : (j - previous) / (next - previous);
      for (let s = 0; s < samples; s++) {
        const before = previous < 0 ? 0 : slopes[previous * samples + s]!;
        const after = next < 0 ? 0 : slopes[next * samples + s]!;
        slopes[j * samples + s] =
          previous < 0 && next < 0
            ? 0
            : previous < 0
              ? after
              : next < 0
                ? before
                : (1 - weight) * before + weight * after;
      }
    }
    previous = next;
  }
}

/** The section's local slopes from its live traces (see the header); slopes are 0 where no live pair is adjacent. */
export function estimateLocalSlopes(
  section: Float32Array,
  shape: SectionShape,
  live: TraceMask,
  options: LocalSlopeOptions = {},
): SlopeField {
  checkSection(section, shape);
  checkMask(live, shape);
  const maxSlope = checkPositive('maxSlope', options.maxSlope ?? LOCAL_SLOPE_DEFAULTS.maxSlope);
  const radii = {
    time: checkInteger('timeRadius', options.timeRadius ?? LOCAL_SLOPE_DEFAULTS.timeRadius, 1),
    traces: checkInteger('traceRadius', options.traceRadius ?? LOCAL_SLOPE_DEFAULTS.traceRadius, 0),
  };
  const maxPairDistance = checkInteger(
    'maxPairDistance',
    options.maxPairDistance ?? LOCAL_SLOPE_DEFAULTS.maxPairDistance,
    1,
  );
  const { traces, samples } = shape;
  const steps = Math.max(0, traces - 1);
  const pairs = livePairs(live, maxPairDistance);
  const measured = new Uint8Array(steps);
  for (const { first, second } of pairs) measured.fill(1, first, second);
  const whole = balancedTraces(section, shape, live, 2 * radii.time);
  const balanced = { whole, half: halfSampleLater(whole, shape) };
  // Trial slopes every half sample per trace.
  const reach = Math.ceil(2 * maxSlope);
  const best = new Float32Array(steps * samples).fill(Number.NEGATIVE_INFINITY);
  const slopes = new Float32Array(steps * samples);
  const flat = new Float32Array(steps * samples);
  let [previous, current, next] = [0, 1, 2].map(() => new Float32Array(steps * samples)) as [
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  correlationAtSlope(balanced, shape, pairs, -reach, radii, current);
  previous.fill(Number.NEGATIVE_INFINITY);
  for (let trial = -reach; trial <= reach; trial++) {
    if (trial < reach) correlationAtSlope(balanced, shape, pairs, trial + 1, radii, next);
    else next.fill(Number.NEGATIVE_INFINITY);
    if (trial === 0) flat.set(current);
    for (let i = 0; i < current.length; i++) {
      if (current[i]! <= best[i]!) continue;
      best[i] = current[i]!;
      const refined = (trial + parabolicPeak(previous[i]!, current[i]!, next[i]!)) / 2;
      slopes[i] = Math.max(-maxSlope, Math.min(maxSlope, refined));
    }
    [previous, current, next] = [current, next, previous];
  }
  const power = pairPower(whole, shape, pairs, radii);
  for (let i = 0; i < slopes.length; i++) if (!followable(best[i]!, flat[i]!, power[i]!)) slopes[i] = 0;
  fillUnmeasuredSteps(slopes, stepsWithinReach(measured, radii.traces), samples);
  return { steps, samples, slopes };
}
