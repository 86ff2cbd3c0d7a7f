/**
 * Arbitrary lines through a 3D survey: the interpreter draws a polyline on the base map (vertices in grid indices,
 * fractional where the click fell inside a cell); the line is sampled at the bin spacing and each sample point takes
 * the trace of the nearest cell, so a line along an inline gives exactly that inline's traces and a diagonal one about
 * one trace per bin. Traces are read one by one from the survey cache (one positional read each).
 */
import { PromethiumError, type ArbitraryLineData, type SurveyDescription } from '../../preload/contract';
import type { SurveyCache } from './cache';

/** More traces than this along one line is a drawing mistake, not a section to read. */
export const MAX_ARBITRARY_TRACES = 20_000;
/** Trace reads in flight at once. */
const READS_IN_FLIGHT = 32;

/** The cells along a polyline: inline index and crossline index of each trace, and the trace at each vertex. */
export interface ArbitraryLinePath {
  inlineIndex: Int32Array;
  crosslineIndex: Int32Array;
  vertexTraces: number[];
}

/**
 * Samples the polyline `points` ([inline index, crossline index]) every `min(spacing)` metres (or every index step when
 * the bin size is unknown) and keeps the nearest cell of each point, dropping repeats of the same cell in a row.
 */
export function arbitraryLinePath(
  points: readonly (readonly [number, number])[],
  shape: { inlines: number; crosslines: number },
  spacing: { inline: number; crossline: number } | null,
): ArbitraryLinePath {
  if (points.length < 2) throw new PromethiumError('invalid-argument', 'an arbitrary line needs at least two points');
  points.forEach(([il, xl], k) => {
    if (!(il >= 0 && il <= shape.inlines - 1 && xl >= 0 && xl <= shape.crosslines - 1)) {
      throw new PromethiumError(
        'invalid-argument',
        `point ${k + 1} of the line (inline index ${il}, crossline index ${xl}) is outside the survey's ` +
          `0..${shape.inlines - 1} x 0..${shape.crosslines - 1}`,
      );
    }
  });
  const si = spacing && spacing.inline > 0 ? spacing.inline : 1;
  const sx = spacing && spacing.crossline > 0 ? spacing.crossline : 1;
  const step = Math.min(si, sx);
  const inlines: number[] = [];
  const crosslines: number[] = [];
  const vertexTraces: number[] = [];
  const add = (il: number, xl: number): void => {
    const [ci, cx] = [Math.round(il), Math.round(xl)];
    const last = inlines.length - 1;
    if (last >= 0 && inlines[last] === ci && crosslines[last] === cx) return;
    if (inlines.length >= MAX_ARBITRARY_TRACES) {
      throw new PromethiumError(
        'invalid-argument',
        `the line is longer than ${MAX_ARBITRARY_TRACES} traces; draw a shorter one`,
      );
    }
    inlines.push(ci);
    crosslines.push(cx);
  };
  for (let k = 0; k + 1 < points.length; k++) {
    const [il0, xl0] = points[k]!;
    const [il1, xl1] = points[k + 1]!;
    const length = Math.hypot((il1 - il0) * si, (xl1 - xl0) * sx);
    const n = Math.max(1, Math.ceil(length / step));
    for (let j = 0; j < n; j++) {
      add(il0 + ((il1 - il0) * j) / n, xl0 + ((xl1 - xl0) * j) / n);
      if (j === 0) vertexTraces.push(inlines.length - 1);
    }
  }
  const [ilEnd, xlEnd] = points[points.length - 1]!;
  add(ilEnd, xlEnd);
  vertexTraces.push(inlines.length - 1);
  return { inlineIndex: Int32Array.from(inlines), crosslineIndex: Int32Array.from(crosslines), vertexTraces };
}

/** Reads the section along a polyline from the survey cache. */
export async function readArbitraryLine(
  cache: SurveyCache,
  surveyId: string,
  description: SurveyDescription,
  points: readonly (readonly [number, number])[],
): Promise<ArbitraryLineData> {
  const grid = description.grid;
  if (!grid || description.kind !== 'post-stack-3d') {
    throw new PromethiumError('invalid-argument', 'arbitrary lines need a 3D survey (an inline/crossline grid)');
  }
  const [inlineCount, crosslineCount, samples] = cache.shape;
  const spacing =
    grid.inlineSpacing !== null && grid.crosslineSpacing !== null
      ? { inline: grid.inlineSpacing, crossline: grid.crosslineSpacing }
      : null;
  const path = arbitraryLinePath(points, { inlines: inlineCount, crosslines: crosslineCount }, spacing);
  const traces = path.inlineIndex.length;
  const data = new Float32Array(traces * samples);
  const live = new Uint8Array(traces);
  const mask = cache.liveMask().data;
  for (let t = 0; t < traces; t++) live[t] = mask[path.inlineIndex[t]! * crosslineCount + path.crosslineIndex[t]!]!;
  let nextTrace = 0;
  const worker = async (): Promise<void> => {
    for (let t = nextTrace++; t < traces; t = nextTrace++) {
      if (!live[t]) continue; // missing cells hold fill zeros: nothing to read
      const { data: trace } = await cache.trace(path.inlineIndex[t]!, path.crosslineIndex[t]!);
      data.set(trace, t * samples);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READS_IN_FLIGHT, traces) }, worker));

  const inlines = Int32Array.from(path.inlineIndex, (i) => cache.inlineNumbers[i]!);
  const crosslines = Int32Array.from(path.crosslineIndex, (i) => cache.crosslineNumbers[i]!);
  const vertices = path.vertexTraces.map((trace) => ({
    trace,
    inline: inlines[trace]!,
    crossline: crosslines[trace]!,
  }));
  const ends = [vertices[0]!, vertices[vertices.length - 1]!].map((v) => `IL ${v.inline}/XL ${v.crossline}`);
  const { domain, unit, start, interval } = description.sampleAxis;
  return {
    surveyId,
    axis: 'arbitrary',
    index: 0,
    count: 1,
    label: `Arbitrary line ${ends[0]} – ${ends[1]}`,
    traces,
    samples,
    data,
    live,
    traceAxis: { name: 'trace', values: Int32Array.from({ length: traces }, (_, t) => t + 1) },
    sampleAxis: { name: domain, unit, start, interval },
    cells: { inlines, crosslines },
    cellIndices: { inlines: path.inlineIndex, crosslines: path.crosslineIndex },
    vertices,
  };
}
