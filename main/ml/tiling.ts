/**
 * Tiled inference: cut a section into overlapping patches, run the model on batches of them, and blend the predicted
 * patches back into a section with Hann weights normalised to sum to one at every output sample. Also test-time flip
 * augmentation and the running mean / standard deviation of Monte Carlo dropout passes.
 *
 * Layouts. A section is trace-major (trace t occupies [t*samples, (t+1)*samples)). The models are NHWC
 * [batch, samples (time), traces, channels], so a patch is `patch.samples` rows (time) x `patch.traces` columns, and a
 * batch of n patches with C channels is a Float32Array [n, patch.samples, patch.traces, C]; model outputs have one
 * channel: [n, patch.samples, patch.traces].
 */
import type { SectionShape } from '../signal/metrics';

/** Patch size: rows (samples, time) x columns (traces), the model's H x W. */
export interface PatchSize {
  samples: number;
  traces: number;
}

/** Top-left corner of a patch in the section: first trace and first sample it covers. */
export interface PatchOrigin {
  trace: number;
  sample: number;
}

/** Runs the model on `count` patches ([count, H, W, C]) and returns its predictions ([count, H, W]). */
export type PatchPredictor = (batch: Float32Array, count: number) => Float32Array | Promise<Float32Array>;

export interface TilingOptions {
  patch: PatchSize;
  /** Fraction of a patch shared with its neighbour, in [0, 1); 0.5 by default. */
  overlap?: number;
}

/** Distance between neighbouring patch starts for an overlap fraction (at least one sample or trace). */
export function patchStep(patch: number, overlap: number): number {
  if (!(overlap >= 0 && overlap < 1)) throw new Error(`patch overlap must be in [0, 1), got ${overlap}`);
  return Math.max(1, Math.round(patch * (1 - overlap)));
}

/**
 * Patch starts along one axis of `extent` samples or traces: 0, step, 2 step, ... and a last patch aligned to the end,
 * so that the whole axis is covered. An axis shorter than the patch gets a single patch at 0 (it is reflect-padded).
 */
export function axisOrigins(extent: number, patch: number, step: number): number[] {
  const last = Math.max(0, extent - patch);
  const origins: number[] = [];
  for (let origin = 0; origin < last; origin += step) origins.push(origin);
  origins.push(last);
  return origins;
}

/**
 * Index of padded position `i` in an axis of `extent` values, reflecting about the end without repeating the edge value
 * (numpy's 'reflect': ..., n-2, n-1, n-2, ...), repeatedly when the padding is longer than the axis.
 */
export function reflectIndex(i: number, extent: number): number {
  if (i < extent) return i;
  if (extent === 1) return 0;
  const period = 2 * (extent - 1);
  const folded = i % period;
  return folded < extent ? folded : period - folded;
}

function assertPatchSize(patch: PatchSize): void {
  if (!(Number.isInteger(patch.samples) && Number.isInteger(patch.traces) && patch.samples > 0 && patch.traces > 0)) {
    throw new Error(`a patch is a positive whole number of samples x traces, got ${patch.samples} x ${patch.traces}`);
  }
}

/** Where the patches of one section go: origins covering every trace and sample, in trace-then-sample order. */
export class TilePlan {
  readonly traceOrigins: number[];
  readonly sampleOrigins: number[];
  readonly origins: PatchOrigin[];

  constructor(
    readonly shape: SectionShape,
    readonly patch: PatchSize,
    readonly overlap = 0.5,
  ) {
    assertPatchSize(patch);
    if (shape.traces < 1 || shape.samples < 1) throw new Error(`empty section: ${shape.traces} x ${shape.samples}`);
    this.traceOrigins = axisOrigins(shape.traces, patch.traces, patchStep(patch.traces, overlap));
    this.sampleOrigins = axisOrigins(shape.samples, patch.samples, patchStep(patch.samples, overlap));
    this.origins = this.traceOrigins.flatMap((trace) => this.sampleOrigins.map((sample) => ({ trace, sample })));
  }

  /** Consecutive groups of at most `batchSize` origins, so that inference holds one batch of patches at a time. */
  *batches(batchSize: number): Generator<PatchOrigin[]> {
    if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new Error(`batch size must be >= 1, got ${batchSize}`);
    for (let start = 0; start < this.origins.length; start += batchSize) {
      yield this.origins.slice(start, start + batchSize);
    }
  }
}

/**
 * Copies the patches at `origins` into an NHWC batch [origins.length, patch.samples, patch.traces, channels], one
 * channel per source section (for example the data and its mask channel). Positions beyond the section's last trace or
 * sample (sections smaller than a patch) are reflect-padded. Writes into `into` when given (a reused batch buffer).
 */
export function extractPatches(
  sources: readonly Float32Array[],
  shape: SectionShape,
  patch: PatchSize,
  origins: readonly PatchOrigin[],
  into?: Float32Array,
): Float32Array {
  const channels = sources.length;
  const patchLength = patch.samples * patch.traces * channels;
  const batch = into ?? new Float32Array(origins.length * patchLength);
  if (batch.length < origins.length * patchLength) throw new Error('batch buffer too small for the patches');
  for (const source of sources) {
    if (source.length !== shape.traces * shape.samples) throw new Error('channel section does not match the shape');
  }
  const rowStride = patch.traces * channels;
  origins.forEach((origin, n) => {
    // Only a section shorter than the patch reaches past its last sample.
    const inside = origin.sample + patch.samples <= shape.samples;
    for (let column = 0; column < patch.traces; column++) {
      const traceStart = reflectIndex(origin.trace + column, shape.traces) * shape.samples;
      sources.forEach((source, c) => {
        let to = n * patchLength + column * channels + c;
        for (let row = 0; row < patch.samples; row++, to += rowStride) {
          const sample = inside ? origin.sample + row : reflectIndex(origin.sample + row, shape.samples);
          batch[to] = source[traceStart + sample]!;
        }
      });
    }
  });
  return batch;
}

/**
 * Blending weight along one axis for the patch starting at `origin`: a Hann window sin^2(pi (k + 0.5) / patch), which
 * is never zero (the half-sample offset), made flat (1) over its first half when the patch starts at the section's
 * start and over its second half when it ends at the section's end. Border samples covered by one patch therefore keep
 * full weight, and interior samples fade smoothly between neighbours.
 */
function axisWeights(origin: number, patch: number, covered: number): Float32Array {
  const weights = new Float32Array(patch);
  for (let k = 0; k < patch; k++) {
    const atStart = origin === 0 && k < patch / 2;
    const atEnd = origin + patch === covered && k >= patch / 2;
    weights[k] = atStart || atEnd ? 1 : Math.sin((Math.PI * (k + 0.5)) / patch) ** 2;
  }
  return weights;
}

/** Weights of every patch start along one axis, and their sum at every position of the axis. */
function axisBlend(origins: readonly number[], patch: number, extent: number) {
  const covered = Math.max(extent, patch);
  const weights = new Map(origins.map((origin) => [origin, axisWeights(origin, patch, covered)]));
  const sums = new Float64Array(extent);
  for (const [origin, w] of weights) {
    for (let k = 0; k < patch && origin + k < extent; k++) sums[origin + k]! += w[k]!;
  }
  return { weights, sums };
}

/**
 * Accumulates predicted patches into a section. Weights are separable, w(trace) x w(sample), and the patch grid is a
 * product of trace and sample origins, so the sum of weights at (t, s) is the product of the per-axis sums: dividing by
 * it makes the weights sum to exactly one everywhere, and an identity model returns its input.
 */
export class TileBlender {
  private readonly sum: Float32Array;
  private readonly traceBlend: ReturnType<typeof axisBlend>;
  private readonly sampleBlend: ReturnType<typeof axisBlend>;

  constructor(private readonly plan: TilePlan) {
    const { shape, patch } = plan;
    this.sum = new Float32Array(shape.traces * shape.samples);
    this.traceBlend = axisBlend(plan.traceOrigins, patch.traces, shape.traces);
    this.sampleBlend = axisBlend(plan.sampleOrigins, patch.samples, shape.samples);
  }

  /** Adds predictions [origins.length, patch.samples, patch.traces] for the patches at `origins`. */
  add(origins: readonly PatchOrigin[], predictions: Float32Array): void {
    const { shape, patch } = this.plan;
    const patchLength = patch.samples * patch.traces;
    if (predictions.length < origins.length * patchLength) throw new Error('fewer predictions than patches');
    origins.forEach((origin, n) => {
      const traceWeights = this.traceBlend.weights.get(origin.trace);
      const sampleWeights = this.sampleBlend.weights.get(origin.sample);
      if (!traceWeights || !sampleWeights)
        throw new Error(`patch at ${origin.trace}/${origin.sample} is not in the plan`);
      const columns = Math.min(patch.traces, shape.traces - origin.trace);
      const rows = Math.min(patch.samples, shape.samples - origin.sample);
      for (let column = 0; column < columns; column++) {
        const traceWeight = traceWeights[column]!;
        const base = (origin.trace + column) * shape.samples + origin.sample;
        for (let row = 0; row < rows; row++) {
          const value = predictions[n * patchLength + row * patch.traces + column]!;
          this.sum[base + row]! += traceWeight * sampleWeights[row]! * value;
        }
      }
    });
  }

  /** The blended section, trace-major. */
  result(): Float32Array {
    const { traces, samples } = this.plan.shape;
    const section = new Float32Array(traces * samples);
    for (let t = 0; t < traces; t++) {
      const traceSum = this.traceBlend.sums[t]!;
      for (let s = 0; s < samples; s++) {
        section[t * samples + s] = this.sum[t * samples + s]! / (traceSum * this.sampleBlend.sums[s]!);
      }
    }
    return section;
  }
}

/**
 * Runs `predict` over a whole section patch by patch, `batchSize` patches at a time, and returns the blended prediction
 * (trace-major, the section's shape). `sources` are the input channels (the data, then for interpolation models the
 * mask channel), each a trace-major section of `shape`. With `inFlight` > 1, that many batches are handed to `predict`
 * before the first answer is awaited (for predictors that run batches in parallel, on several threads); answers are
 * blended in plan order whatever order they come in, so the result does not depend on it. `onPatches` hears of every
 * batch blended (the work done, for progress).
 */
export async function predictTiled(
  sources: readonly Float32Array[],
  shape: SectionShape,
  options: TilingOptions & { batchSize: number; inFlight?: number; onPatches?: (count: number) => void },
  predict: PatchPredictor,
): Promise<Float32Array> {
  const inFlight = options.inFlight ?? 1;
  if (!(Number.isInteger(inFlight) && inFlight > 0)) throw new Error(`batches in flight must be >= 1, got ${inFlight}`);
  const plan = new TilePlan(shape, options.patch, options.overlap);
  const blender = new TileBlender(plan);
  const waiting: { origins: PatchOrigin[]; prediction: Promise<Float32Array> }[] = [];
  const blendOldest = async () => {
    const oldest = waiting.shift()!;
    blender.add(oldest.origins, await oldest.prediction);
    options.onPatches?.(oldest.origins.length);
  };
  for (const origins of plan.batches(options.batchSize)) {
    // A fresh buffer per batch (about 1 MB): a predictor may still hold the previous ones.
    const batch = extractPatches(sources, shape, options.patch, origins);
    const prediction = Promise.resolve(predict(batch, origins.length));
    prediction.catch(() => undefined); // observed here; the error is thrown where it is awaited, in order
    waiting.push({ origins, prediction });
    if (waiting.length >= inFlight) await blendOldest();
  }
  while (waiting.length > 0) await blendOldest();
  return blender.result();
}

/** Test-time augmentation flips: none, reversed trace order, reversed time, or both. */
export type PatchFlip = 'none' | 'traces' | 'time' | 'both';

export const TEST_TIME_FLIPS: readonly PatchFlip[] = ['none', 'traces', 'time', 'both'];

/**
 * A flipped copy of `count` NHWC patches [count, patch.samples, patch.traces, channels]. Every flip is its own inverse,
 * so the same call un-flips a prediction (with channels = 1).
 */
export function flipPatches(
  batch: Float32Array,
  count: number,
  patch: PatchSize,
  channels: number,
  flip: PatchFlip,
): Float32Array {
  const { samples: rows, traces: columns } = patch;
  const flipColumns = flip === 'traces' || flip === 'both';
  const flipRows = flip === 'time' || flip === 'both';
  const flipped = new Float32Array(count * rows * columns * channels);
  for (let n = 0; n < count; n++) {
    for (let row = 0; row < rows; row++) {
      const fromRow = flipRows ? rows - 1 - row : row;
      for (let column = 0; column < columns; column++) {
        const fromColumn = flipColumns ? columns - 1 - column : column;
        const to = ((n * rows + row) * columns + column) * channels;
        const from = ((n * rows + fromRow) * columns + fromColumn) * channels;
        for (let c = 0; c < channels; c++) flipped[to + c] = batch[from + c]!;
      }
    }
  }
  return flipped;
}

/**
 * Wraps a predictor with test-time augmentation: each batch is predicted once per flip, each prediction is un-flipped,
 * and the mean is returned. The result plugs into `predictTiled` like the plain predictor.
 */
export function withFlipAugmentation(
  predict: PatchPredictor,
  patch: PatchSize,
  channels: number,
  flips: readonly PatchFlip[] = TEST_TIME_FLIPS,
): PatchPredictor {
  return async (batch, count) => {
    const mean = new Float32Array(count * patch.samples * patch.traces);
    for (const flip of flips) {
      const prediction = await predict(flipPatches(batch, count, patch, channels, flip), count);
      const unflipped = flipPatches(prediction, count, patch, 1, flip);
      for (let i = 0; i < mean.length; i++) mean[i]! += unflipped[i]! / flips.length;
    }
    return mean;
  };
}

/**
 * Running mean and standard deviation of Monte Carlo dropout passes over a section (Welford's algorithm, float64, one
 * pass at a time so only the two running sections are kept). The standard deviation is the sample one (divided by
 * N - 1): an estimate of the spread of the model's predictions; it is zero until two passes have been added.
 */
export class EnsembleAccumulator {
  private passes = 0;
  private readonly runningMean: Float64Array;
  private readonly squaredDeviations: Float64Array;

  constructor(readonly length: number) {
    this.runningMean = new Float64Array(length);
    this.squaredDeviations = new Float64Array(length);
  }

  get count(): number {
    return this.passes;
  }

  add(pass: Float32Array): void {
    if (pass.length !== this.length)
      throw new Error(`ensemble pass of ${pass.length} samples, ${this.length} expected`);
    this.passes++;
    for (let i = 0; i < this.length; i++) {
      const value = pass[i]!;
      const delta = value - this.runningMean[i]!;
      this.runningMean[i]! += delta / this.passes;
      this.squaredDeviations[i]! += delta * (value - this.runningMean[i]!);
    }
  }

  mean(): Float32Array {
    return Float32Array.from(this.runningMean);
  }

  standardDeviation(): Float32Array {
    const divisor = this.passes - 1;
    return Float32Array.from(this.squaredDeviations, (m2) => (divisor > 0 ? Math.sqrt(m2 / divisor) : 0));
  }
}
