/**
 * Survey geometry from the per-trace key arrays of a scan: what kind of survey the file holds and, for each kind,
 * the index from survey positions to trace numbers. The file order does not matter (unsorted files work).
 *
 * - post-stack-3d: an inline x crossline grid, a live-trace mask and the trace index per cell (-1 = missing);
 * - pre-stack-3d: the same grid with several traces per cell, indexed by offset class (or rank in the cell);
 * - pre-stack-2d: gathers (shots by field record, or CMPs), traces ordered by channel or offset;
 * - post-stack-2d: one line of traces (by CDP when it numbers the traces, else file order);
 * - unstructured: keys that make no usable grid; traces in file order.
 */
import type { HeaderMap } from './headerMap';
import type { SampleAxis } from './scalars';
import { scalarFactor } from './scalars';

export type SurveyKind = 'post-stack-3d' | 'post-stack-2d' | 'pre-stack-3d' | 'pre-stack-2d' | 'unstructured';

export interface AxisRange {
  readonly first: number;
  readonly last: number;
  readonly step: number;
  readonly count: number;
}

export interface GridCoordinates {
  /** Scaled CDP X/Y of the first inline and first crossline (the grid origin, possibly extrapolated). */
  readonly originX: number;
  readonly originY: number;
  /** X/Y change from one inline to the next (one inline step). */
  readonly inlineVectorX: number;
  readonly inlineVectorY: number;
  /** X/Y change from one crossline to the next along an inline. */
  readonly crosslineVectorX: number;
  readonly crosslineVectorY: number;
  /** Distance between adjacent inlines and between adjacent crosslines (bin size). */
  readonly inlineSpacing: number;
  readonly crosslineSpacing: number;
  /** Direction of increasing crossline along an inline, degrees counterclockwise from the +X (easting) axis. */
  readonly rotationDeg: number;
  /** RMS distance between the traces' coordinates and the fitted grid. */
  readonly rmsResidual: number;
}

export interface Grid3d {
  readonly inlines: AxisRange;
  readonly crosslines: AxisRange;
  /** Offset of each slot along the third axis: 1 slot (post-stack) or the offset classes (pre-stack). */
  readonly offsets: Int32Array;
  /** True when pre-stack slots are ranks within a cell (offsets too scattered to be classes). */
  readonly slotsAreRanks: boolean;
  /** Trace number per (inline, crossline, slot), inline-major; -1 where no trace is. */
  readonly traceIndex: Int32Array;
  /** 1 per (inline, crossline) cell holding at least one trace. */
  readonly liveMask: Uint8Array;
  readonly liveCells: number;
  /** Traces not placed because their cell/slot was already taken. */
  readonly duplicates: number;
  readonly coordinates: GridCoordinates | null;
}

export interface LineGeometry {
  /** Header position numbering the traces (CDP), or null for file order. */
  readonly keyByte: number | null;
  /** Key of each position along the line (trace number + 1 when keyByte is null). */
  readonly keys: Int32Array;
  /** Trace number at each position. */
  readonly traceIndex: Int32Array;
}

export interface GatherGeometry {
  /** Header position that tells gathers apart (9 field record, 21 CDP...), or null when the file is one gather. */
  readonly gatherByte: number | null;
  /** Header position ordering traces within a gather (13 channel), or null when ordered by offset. */
  readonly channelByte: number | null;
  readonly gatherKeys: Int32Array;
  /** Gather g holds traceIndex[gatherStart[g] .. gatherStart[g + 1] - 1]. */
  readonly gatherStart: Int32Array;
  readonly traceIndex: Int32Array;
  /** Offset of each entry of traceIndex. */
  readonly offsets: Int32Array;
  readonly maxFold: number;
}

export interface Geometry {
  readonly kind: SurveyKind;
  readonly traceCount: number;
  readonly sampleAxis: SampleAxis;
  readonly headerMap: HeaderMap;
  readonly grid: Grid3d | null;
  readonly line: LineGeometry | null;
  readonly gathers: GatherGeometry | null;
  readonly warnings: readonly string[];
}

export interface GeometryInput {
  readonly traceCount: number;
  /** Scan results keyed by trace header byte: the map's positions, and 9, 13, 21, 71 when available. */
  readonly fields: ReadonlyMap<number, Int32Array>;
  readonly headerMap: HeaderMap;
  readonly sampleAxis: SampleAxis;
}

/** Beyond this many cells per trace, the keys describe no real grid (garbage or sparse numbering). */
const MAX_CELLS_PER_TRACE = 16;
/** More offset classes than this times the fold (or fewer than the fold) means slots become ranks in the cell. */
const MAX_OFFSET_CLASSES_PER_FOLD = 4;

export function buildGeometry(input: GeometryInput): Geometry {
  const warnings: string[] = [];
  const base = { traceCount: input.traceCount, sampleAxis: input.sampleAxis, headerMap: input.headerMap, warnings };
  const none = { grid: null, line: null, gathers: null };
  const inline = input.fields.get(input.headerMap.inline);
  const crossline = input.fields.get(input.headerMap.crossline);
  const offsets = input.fields.get(input.headerMap.offset) ?? new Int32Array(input.traceCount);
  const offsetsVary = distinctCount(offsets) > 1;
  let keysMakeNoGrid = false;
  if (inline && crossline && distinctCount(inline) > 1 && distinctCount(crossline) > 1) {
    const grid = buildGrid(input, inline, crossline, offsets, warnings);
    if (grid === 'not-a-grid') keysMakeNoGrid = true;
    else if (grid.prestack) return { ...base, ...none, kind: 'pre-stack-3d', grid: grid.grid };
    else if (!offsetsVary) return { ...base, ...none, kind: 'post-stack-3d', grid: grid.grid };
  }
  // One trace per (key1, key2) but offsets changing from trace to trace: shot or CMP gathers, not a cube.
  if (offsetsVary) return { ...base, ...none, kind: 'pre-stack-2d', gathers: buildGathers(input, offsets) };
  const line = buildLine(input);
  if (line) return { ...base, ...none, kind: 'post-stack-2d', line };
  if (keysMakeNoGrid) warnings.push('inline/crossline values do not form a grid; traces kept in file order');
  return { ...base, ...none, kind: 'unstructured', line: fileOrderLine(input.traceCount) };
}

function distinctCount(values: Int32Array, limit = Infinity): number {
  const seen = new Set<number>();
  for (const value of values) {
    seen.add(value);
    if (seen.size >= limit) break;
  }
  return seen.size;
}

function axisRange(values: Int32Array): AxisRange {
  let min = Infinity;
  let max = -Infinity;
  for (const value of values) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  const sorted = Int32Array.from(new Set(values)).sort();
  let step = 0;
  for (let i = 1; i < sorted.length; i++) step = gcdOf(step, sorted[i]! - sorted[i - 1]!);
  step = Math.max(step, 1);
  return { first: min, last: max, step, count: (max - min) / step + 1 };
}

function gcdOf(a: number, b: number): number {
  let x = Math.abs(a);
  let y = Math.abs(b);
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

interface BuiltGrid {
  readonly grid: Grid3d;
  readonly prestack: boolean;
}

function buildGrid(
  input: GeometryInput,
  inline: Int32Array,
  crossline: Int32Array,
  offsets: Int32Array,
  warnings: string[],
): BuiltGrid | 'not-a-grid' {
  const inlines = axisRange(inline);
  const crosslines = axisRange(crossline);
  const cellCount = inlines.count * crosslines.count;
  if (cellCount > MAX_CELLS_PER_TRACE * input.traceCount + 1024) return 'not-a-grid';
  const cellOf = (trace: number): number =>
    ((inline[trace]! - inlines.first) / inlines.step) * crosslines.count +
    (crossline[trace]! - crosslines.first) / crosslines.step;
  const fold = new Int32Array(cellCount);
  for (let t = 0; t < input.traceCount; t++) fold[cellOf(t)]!++;
  let liveCells = 0;
  let multiCells = 0;
  let maxFold = 0;
  for (const n of fold) {
    if (n > 0) liveCells++;
    if (n > 1) multiCells++;
    maxFold = Math.max(maxFold, n);
  }
  // Pre-stack when most live cells hold several traces; a few doubled cells in a cube are duplicates.
  const prestack = multiCells * 2 > liveCells;
  const slots = prestack
    ? offsetSlots(offsets, maxFold)
    : { offsets: new Int32Array([offsets[0] ?? 0]), slotsAreRanks: false, slotOf: () => 0 };
  const slotCount = slots.offsets.length;
  const traceIndex = new Int32Array(cellCount * slotCount).fill(-1);
  const used = new Int32Array(cellCount);
  let duplicates = 0;
  for (let t = 0; t < input.traceCount; t++) {
    const cell = cellOf(t);
    const slot = slots.slotsAreRanks ? used[cell]! : slots.slotOf(offsets[t]!);
    used[cell]!++;
    const at = cell * slotCount + slot;
    if (slot >= slotCount || traceIndex[at] !== -1) duplicates++;
    else traceIndex[at] = t;
  }
  if (duplicates > 0)
    warnings.push(`${duplicates} traces share a grid position with an earlier trace and are not shown`);
  const liveMask = Uint8Array.from(fold, (n) => (n > 0 ? 1 : 0));
  const coordinates = fitGridCoordinates(input, inline, crossline, inlines, crosslines);
  return {
    grid: { inlines, crosslines, ...slots, traceIndex, liveMask, liveCells, duplicates, coordinates },
    prestack,
  };
}

interface OffsetSlots {
  readonly offsets: Int32Array;
  readonly slotsAreRanks: boolean;
  readonly slotOf: (offset: number) => number;
}

function offsetSlots(offsets: Int32Array, maxFold: number): OffsetSlots {
  const classes = Int32Array.from(new Set(offsets)).sort();
  if (classes.length >= maxFold && classes.length <= MAX_OFFSET_CLASSES_PER_FOLD * maxFold) {
    const slotByOffset = new Map<number, number>(Array.from(classes, (offset, slot) => [offset, slot]));
    return { offsets: classes, slotsAreRanks: false, slotOf: (offset) => slotByOffset.get(offset)! };
  }
  return { offsets: Int32Array.from({ length: maxFold }, (_, rank) => rank), slotsAreRanks: true, slotOf: () => 0 };
}

/** Least-squares fit of scaled CDP X/Y as affine functions of (inline, crossline); null without usable coordinates. */
function fitGridCoordinates(
  input: GeometryInput,
  inline: Int32Array,
  crossline: Int32Array,
  inlines: AxisRange,
  crosslines: AxisRange,
): GridCoordinates | null {
  const xs = input.fields.get(input.headerMap.cdpX);
  const ys = input.fields.get(input.headerMap.cdpY);
  if (!xs || !ys || (distinctCount(xs, 2) < 2 && distinctCount(ys, 2) < 2)) return null;
  const scalars = input.fields.get(input.headerMap.coordinateScalar);
  const stride = Math.max(1, Math.floor(input.traceCount / 20000));
  const rows: number[][] = [];
  for (let t = 0; t < input.traceCount; t += stride) {
    const factor = scalarFactor(scalars?.[t] ?? 0);
    rows.push([
      (inline[t]! - inlines.first) / inlines.step,
      (crossline[t]! - crosslines.first) / crosslines.step,
      xs[t]! * factor,
      ys[t]! * factor,
    ]);
  }
  const fitX = leastSquaresPlane(rows, 2);
  const fitY = leastSquaresPlane(rows, 3);
  if (!fitX || !fitY) return null;
  let squares = 0;
  for (const [i, j, x, y] of rows)
    squares += (fitX[0] + fitX[1] * i! + fitX[2] * j! - x!) ** 2 + (fitY[0] + fitY[1] * i! + fitY[2] * j! - y!) ** 2;
  return {
    originX: fitX[0],
    originY: fitY[0],
    inlineVectorX: fitX[1],
    inlineVectorY: fitY[1],
    crosslineVectorX: fitX[2],
    crosslineVectorY: fitY[2],
    inlineSpacing: Math.hypot(fitX[1], fitY[1]),
    crosslineSpacing: Math.hypot(fitX[2], fitY[2]),
    rotationDeg: (Math.atan2(fitY[2], fitX[2]) * 180) / Math.PI,
    rmsResidual: Math.sqrt(squares / rows.length),
  };
}

/** Fits rows[k][target] = c0 + c1 * rows[k][0] + c2 * rows[k][1]; null when the points are collinear. */
function leastSquaresPlane(rows: readonly number[][], target: number): [number, number, number] | null {
  // Normal equations on centred data keep large map coordinates (10^6 m) well conditioned.
  const n = rows.length;
  const mean = (col: number): number => rows.reduce((sum, row) => sum + row[col]!, 0) / n;
  const [mi, mj, mz] = [mean(0), mean(1), mean(target)];
  let sii = 0;
  let sjj = 0;
  let sij = 0;
  let siz = 0;
  let sjz = 0;
  for (const row of rows) {
    const [i, j, z] = [row[0]! - mi, row[1]! - mj, row[target]! - mz];
    sii += i * i;
    sjj += j * j;
    sij += i * j;
    siz += i * z;
    sjz += j * z;
  }
  const det = sii * sjj - sij * sij;
  if (Math.abs(det) < 1e-9 * Math.max(1, sii * sjj)) return null;
  const ci = (siz * sjj - sjz * sij) / det;
  const cj = (sjz * sii - siz * sij) / det;
  return [mz - ci * mi - cj * mj, ci, cj];
}

/** Candidate positions for the gather key (field record, CDP) and the channel (trace number within the record). */
const GATHER_KEYS = [9, 21, 17];
const CHANNEL_KEY = 13;

function buildGathers(input: GeometryInput, offsets: Int32Array): GatherGeometry {
  const n = input.traceCount;
  const gatherByte = [...GATHER_KEYS, input.headerMap.inline].find((byte) => {
    const values = input.fields.get(byte);
    const distinct = values ? distinctCount(values) : 0;
    return distinct > 1 && distinct < n;
  });
  const gatherValues = gatherByte === undefined ? new Int32Array(n) : input.fields.get(gatherByte)!;
  const channels = input.fields.get(CHANNEL_KEY);
  const channelByte = channels && distinctCount(channels) > 1 ? CHANNEL_KEY : null;
  const within = channelByte === null ? offsets : channels!;
  const order = Int32Array.from({ length: n }, (_, t) => t).sort(
    (p, q) => gatherValues[p]! - gatherValues[q]! || within[p]! - within[q]! || p - q,
  );
  const gatherKeys: number[] = [];
  const gatherStart: number[] = [];
  order.forEach((trace, position) => {
    if (position === 0 || gatherValues[trace] !== gatherValues[order[position - 1]!]) {
      gatherKeys.push(gatherValues[trace]!);
      gatherStart.push(position);
    }
  });
  gatherStart.push(n);
  let maxFold = 0;
  for (let g = 0; g + 1 < gatherStart.length; g++) maxFold = Math.max(maxFold, gatherStart[g + 1]! - gatherStart[g]!);
  return {
    gatherByte: gatherByte ?? null,
    channelByte,
    gatherKeys: Int32Array.from(gatherKeys),
    gatherStart: Int32Array.from(gatherStart),
    traceIndex: order,
    offsets: Int32Array.from(order, (trace) => offsets[trace]!),
    maxFold,
  };
}

/** A 2D line numbered by CDP (byte 21) or the crossline key when one of them numbers every trace once. */
function buildLine(input: GeometryInput): LineGeometry | null {
  if (input.traceCount <= 1) return fileOrderLine(input.traceCount);
  for (const byte of [21, input.headerMap.crossline, input.headerMap.inline]) {
    const keys = input.fields.get(byte);
    if (keys && distinctCount(keys) === input.traceCount) {
      const order = Int32Array.from({ length: input.traceCount }, (_, t) => t).sort((p, q) => keys[p]! - keys[q]!);
      return { keyByte: byte, keys: Int32Array.from(order, (trace) => keys[trace]!), traceIndex: order };
    }
  }
  const anyKeyVaries = [21, input.headerMap.crossline, input.headerMap.inline].some((byte) => {
    const keys = input.fields.get(byte);
    return keys !== undefined && distinctCount(keys, 2) > 1;
  });
  // Keys that vary but repeat are not a line numbering: leave the kind to the caller (unstructured).
  return anyKeyVaries ? null : fileOrderLine(input.traceCount);
}

function fileOrderLine(traceCount: number): LineGeometry {
  const traceIndex = Int32Array.from({ length: traceCount }, (_, t) => t);
  return { keyByte: null, keys: Int32Array.from(traceIndex, (t) => t + 1), traceIndex };
}
