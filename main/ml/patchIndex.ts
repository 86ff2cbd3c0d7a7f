/**
 * The lazy patch dataset's index map, after the seeds' `create_index_mapping`: one entry (line, trace start, sample
 * start) per training patch, so that patches are cut from the survey cache on demand instead of being stored. The
 * train/validation split is by line, so no line (and no overlapping patch of it) is in both sets.
 */
import { seededRandom } from '../signal/random';
import type { SectionShape } from '../signal/metrics';
import { axisOrigins, type PatchSize } from './tiling';

/** A line of the survey (inline number, or index in a set of 2D lines) and its size. */
export interface LineExtent extends SectionShape {
  line: number;
}

/** One patch: its line and its top-left corner (first trace, first sample), as `tiling.extractPatches` reads it. */
export interface PatchIndexEntry {
  line: number;
  traceStart: number;
  sampleStart: number;
}

/** Distance between neighbouring patch starts, in traces and samples. */
export interface PatchStride {
  traces: number;
  samples: number;
}

export interface PatchIndexSplit {
  train: PatchIndexEntry[];
  validation: PatchIndexEntry[];
  trainLines: number[];
  validationLines: number[];
}

/**
 * Every patch of every line, at starts 0, stride, 2 stride, ... plus a last patch aligned to the line's end so that all
 * of it is used. A line shorter than the patch along an axis gets one start at 0; `extractPatches` reflect-pads it.
 */
export function buildPatchIndex(
  lines: readonly LineExtent[],
  patch: PatchSize,
  stride: PatchStride,
): PatchIndexEntry[] {
  if (!(stride.traces >= 1 && stride.samples >= 1)) throw new Error('patch stride must be at least 1 trace/sample');
  return lines.flatMap(({ line, traces, samples }) => {
    const sampleStarts = axisOrigins(samples, patch.samples, stride.samples);
    return axisOrigins(traces, patch.traces, stride.traces).flatMap((traceStart) =>
      sampleStarts.map((sampleStart) => ({ line, traceStart, sampleStart })),
    );
  });
}

/** A copy of `items` in a random order fixed by `seed` (Fisher-Yates). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  const result = items.slice();
  for (let i = result.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = result[i]!;
    result[i] = result[j]!;
    result[j] = swap;
  }
  return result;
}

/** Number of validation lines: the rounded fraction, but at least one of each set when there are two lines or more. */
function validationLineCount(lineCount: number, fraction: number): number {
  const count = Math.round(fraction * lineCount);
  if (lineCount < 2) return count;
  if (fraction > 0 && count === 0) return 1;
  if (fraction < 1 && count === lineCount) return lineCount - 1;
  return count;
}

/**
 * The patch index split by line: the lines are shuffled with `seed`, the first `validationFraction` of them (at least
 * one, leaving at least one for training) hold the validation patches, the rest the training patches. Both patch lists
 * are shuffled too (with seeds derived from `seed`); reshuffle the training list each epoch with `shuffled`.
 */
export function splitPatchIndexByLine(
  lines: readonly LineExtent[],
  patch: PatchSize,
  stride: PatchStride,
  validationFraction: number,
  seed: number,
): PatchIndexSplit {
  if (!(validationFraction >= 0 && validationFraction <= 1)) {
    throw new Error(`validation fraction must be in [0, 1], got ${validationFraction}`);
  }
  const ids = lines.map((extent) => extent.line);
  if (new Set(ids).size !== ids.length) throw new Error('a line appears twice in the training set');
  if (lines.length === 1 && lines[0]!.traces > 1 && validationFraction > 0 && validationFraction < 1) {
    return splitSingleLineByTraces(lines[0]!, patch, stride, validationFraction, seed);
  }
  const order = shuffled(lines, seed);
  const validationCount = validationLineCount(lines.length, validationFraction);
  const validationExtents = order.slice(0, validationCount);
  const trainExtents = order.slice(validationCount);
  return {
    train: shuffled(buildPatchIndex(trainExtents, patch, stride), seed + 1),
    validation: shuffled(buildPatchIndex(validationExtents, patch, stride), seed + 2),
    trainLines: trainExtents.map((extent) => extent.line).sort((a, b) => a - b),
    validationLines: validationExtents.map((extent) => extent.line).sort((a, b) => a - b),
  };
}

/**
 * One line (a 2D line, a single gather) has no other line to validate on: its last `validationFraction` of traces
 * (at least one) hold the validation patches and the traces before them the training patches, so that (where the
 * training traces are at least a patch wide) no training patch covers a validation trace.
 */
function splitSingleLineByTraces(
  line: LineExtent,
  patch: PatchSize,
  stride: PatchStride,
  validationFraction: number,
  seed: number,
): PatchIndexSplit {
  const validationTraces = Math.min(line.traces - 1, Math.max(1, Math.round(validationFraction * line.traces)));
  const first = line.traces - validationTraces;
  const validation = buildPatchIndex([{ ...line, traces: validationTraces }], patch, stride).map((entry) => ({
    ...entry,
    traceStart: entry.traceStart + first,
  }));
  return {
    train: shuffled(buildPatchIndex([{ ...line, traces: first }], patch, stride), seed + 1),
    validation: shuffled(validation, seed + 2),
    trainLines: [line.line],
    validationLines: [line.line],
  };
}
