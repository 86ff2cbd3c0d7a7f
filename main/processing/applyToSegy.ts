/**
 * Applies a reconstruction (a classical method or a model) to a SEG-Y file panel by panel and writes the result next
 * to it: every header byte kept, samples replaced; for interpolation, dead traces filled (their trace id set to 1) and
 * grid positions the file lacks added with headers derived from a neighbour. Every panel's result is confined to what
 * the input holds (confineToInput.ts: mutes stay zero, nothing below the input's band). Memory holds a few panels.
 */
import type { SegyFile } from '../segy/reader';
import { openSegy } from '../segy/reader';
import { deriveTraceHeader, TRACE_ID_BYTE } from '../segy/traceHeaderEdit';
import { writeSegyLike, type InsertedTrace } from '../segy/writer';
import { analyseSurvey } from '../survey/analyse';
import type { Geometry } from '../survey/geometry';
import { applyScalar } from '../survey/scalars';
import type { TraceMask } from '../signal/corruption';
import type { SectionShape } from '../signal/metrics';
import type { ConfineOptions } from './confineToInput';
import { panelsOf, type Panel } from './panels';

/** What a processor knows besides the panel: the sample interval (for methods that work in Hz). */
export interface PanelContext {
  sampleIntervalS: number;
}

export type PanelProcessor = (
  section: Float32Array,
  shape: SectionShape,
  live: TraceMask,
  context: PanelContext,
) => Promise<Float32Array> | Float32Array;

/**
 * confineToInput.ts's confinementTo, wherever it runs: the CLI hands compute/threads' confinementOnThreads, which
 * confines on worker threads beside a GPU and in this thread elsewhere.
 */
export type PanelConfinement = (
  section: Float32Array,
  shape: SectionShape,
  live: TraceMask,
  options: ConfineOptions,
) => (output: Float32Array) => Promise<Float32Array> | Float32Array;

export interface ApplyOptions {
  task: 'denoise' | 'interpolate';
  process: PanelProcessor;
  confinement: PanelConfinement;
  /** Only inlines in [first, last] are processed (3D); the others are copied unchanged. */
  lines?: [number, number];
  format?: 'source' | 'ieee';
  history: string;
  signal?: AbortSignal;
  onProgress?: (fraction: number, message: string) => void;
}

export interface ApplySummary {
  panels: number;
  processedPanels: number;
  traces: number;
  deadTracesFilled: number;
  addedTraces: number;
  seconds: number;
}

interface PanelResult {
  output: Float32Array;
  samples: number;
  live: TraceMask;
}

function isDead(trace: Float32Array): boolean {
  return trace.every((v) => v === 0);
}

async function readPanel(file: SegyFile, panel: Panel): Promise<{ section: Float32Array; live: TraceMask }> {
  const samples = file.samplesPerTrace;
  const section = new Float32Array(panel.traces.length * samples);
  const live = new Uint8Array(panel.traces.length);
  for (let column = 0; column < panel.traces.length; column++) {
    const trace = panel.traces[column]!;
    if (trace < 0) continue;
    const values = await file.readTrace(trace);
    section.set(values, column * samples);
    live[column] = isDead(values) ? 0 : 1;
  }
  return { section, live };
}

/** Panels whose inline `lines` selects (all without `lines`, and every panel that is not an inline). */
function selectedPanels(panels: readonly Panel[], lines: [number, number] | undefined): boolean[] {
  return panels.map((p) => !lines || p.inline === null || (p.inline >= lines[0] && p.inline <= lines[1]));
}

/**
 * Up to `count` of the panels `lines` selects, evenly spread through the file, read as applyToSegy reads them: what a
 * method that learns from the file before processing it (test-time adaptation) sees of it.
 */
export async function readSpreadPanels(
  inPath: string,
  count: number,
  lines?: [number, number],
): Promise<{ section: Float32Array; shape: SectionShape; live: TraceMask }[]> {
  const file = await openSegy(inPath);
  try {
    if (file.layout.variable) throw new Error('variable-trace-length files cannot be reconstructed yet');
    const panels = panelsOf((await analyseSurvey(file)).geometry);
    const isSelected = selectedPanels(panels, lines);
    const selected = panels.filter((_, p) => isSelected[p]);
    const picked = Math.min(count, selected.length);
    const spread = [
      ...new Set(Array.from({ length: picked }, (_, k) => Math.floor(((k + 0.5) * selected.length) / picked))),
    ];
    const read = [];
    for (const p of spread) {
      const panel = selected[p]!;
      const { section, live } = await readPanel(file, panel);
      read.push({ section, shape: { traces: panel.traces.length, samples: file.samplesPerTrace }, live });
    }
    return read;
  } finally {
    await file.close();
  }
}

export async function applyToSegy(inPath: string, outPath: string, options: ApplyOptions): Promise<ApplySummary> {
  const started = performance.now();
  const file = await openSegy(inPath);
  try {
    if (file.layout.variable) throw new Error('variable-trace-length files cannot be reconstructed yet');
    const { geometry } = await analyseSurvey(file, { signal: options.signal });
    const panels = panelsOf(geometry);
    const selected = selectedPanels(panels, options.lines);
    const panelOfTrace = new Int32Array(file.traceCount).fill(-1);
    panels.forEach((panel, p) => panel.traces.forEach((trace) => trace >= 0 && (panelOfTrace[trace] = p)));
    const results = new Map<number, PanelResult>();
    const summary: ApplySummary = {
      panels: panels.length,
      processedPanels: 0,
      traces: file.traceCount,
      deadTracesFilled: 0,
      addedTraces: 0,
      seconds: 0,
    };

    const processPanel = async (p: number): Promise<PanelResult> => {
      const cached = results.get(p);
      if (cached) return cached;
      options.signal?.throwIfAborted();
      const panel = panels[p]!;
      const { section, live } = await readPanel(file, panel);
      const shape = { traces: panel.traces.length, samples: file.samplesPerTrace };
      const sampleIntervalS = file.sampleIntervalUs / 1e6;
      const processed = await options.process(section, shape, live, { sampleIntervalS });
      const confine = options.confinement(section, shape, live, { task: options.task, sampleIntervalS });
      const output = await confine(processed);
      const result = { output, samples: shape.samples, live };
      results.set(p, result);
      if (results.size > 4) results.delete(results.keys().next().value!);
      summary.processedPanels++;
      options.onProgress?.(
        summary.processedPanels / selected.filter(Boolean).length,
        `${panel.label} (${summary.processedPanels} of ${selected.filter(Boolean).length})`,
      );
      return result;
    };

    // Interpolation keeps live traces and fills the rest: one pass collects the filled samples (dead traces in place,
    // missing grid positions as added traces), then the writer copies everything else unchanged.
    const filled = new Map<number, Float32Array>();
    const inserted: InsertedTrace[] = [];
    if (options.task === 'interpolate') {
      for (let p = 0; p < panels.length; p++) {
        if (selected[p]) await collectFilledTraces(file, geometry, panels[p]!, await processPanel(p), inserted, filled);
      }
      inserted.sort((a, b) => a.after - b.after);
      summary.addedTraces = inserted.length;
      summary.deadTracesFilled = filled.size;
    }

    await writeSegyLike(file, outPath, {
      format: options.format,
      history: options.history,
      signal: options.signal,
      inserted,
      headerEdits: (i) => (filled.has(i) ? new Map([[TRACE_ID_BYTE, 1]]) : undefined),
      samples: async (i) => {
        const p = panelOfTrace[i]!;
        if (options.task === 'interpolate' || p < 0 || !selected[p]) return filled.get(i) ?? file.readTrace(i);
        const { output, samples, live } = await processPanel(p);
        const column = panels[p]!.traces.indexOf(i);
        // A dead trace stays dead when denoising: nothing is invented where nothing was recorded.
        return live[column] ? output.subarray(column * samples, (column + 1) * samples) : file.readTrace(i);
      },
    });
    summary.seconds = (performance.now() - started) / 1000;
    return summary;
  } finally {
    await file.close();
  }
}

/** Dead traces in the panel are filled in place; grid positions with no trace get new traces after their neighbour. */
async function collectFilledTraces(
  file: SegyFile,
  geometry: Geometry,
  panel: Panel,
  result: PanelResult,
  inserted: InsertedTrace[],
  filled: Map<number, Float32Array>,
): Promise<void> {
  const { output, samples, live } = result;
  for (let column = 0; column < panel.traces.length; column++) {
    const trace = panel.traces[column]!;
    const values = output.slice(column * samples, (column + 1) * samples);
    if (trace >= 0) {
      if (live[column] === 0) filled.set(trace, values);
      continue;
    }
    const added = await traceForMissingCell(file, geometry, panel, column, values);
    if (added) inserted.push(added);
  }
}

/**
 * The trace to add for grid position `column` of a 3D panel, which the file lacks: the header of the nearest trace of
 * the panel with the position's keys written in, placed after the panel's previous trace. Null for an empty line
 * (nothing to derive headers from).
 */
export async function traceForMissingCell(
  file: SegyFile,
  geometry: Geometry,
  panel: Panel,
  column: number,
  samples: Float32Array,
): Promise<InsertedTrace | null> {
  const neighbour = nearestTrace(panel.traces, column);
  if (neighbour < 0 || !panel.cells || !geometry.grid) return null;
  const header = await file.readTraceHeaderBytes(neighbour);
  const previous = previousTrace(panel.traces, column);
  const after = previous >= 0 ? previous : firstTraceOf(panel) - 1;
  const changes = await filledKeys(file, geometry, panel.cells[column]!, neighbour);
  return { after, header: deriveTraceHeader(header, changes, file.byteOrder), samples };
}

function previousTrace(traces: Int32Array, column: number): number {
  for (let c = column - 1; c >= 0; c--) if (traces[c]! >= 0) return traces[c]!;
  return -1;
}

function nearestTrace(traces: Int32Array, column: number): number {
  for (let d = 1; d < traces.length; d++) {
    if (column - d >= 0 && traces[column - d]! >= 0) return traces[column - d]!;
    if (column + d < traces.length && traces[column + d]! >= 0) return traces[column + d]!;
  }
  return -1;
}

function firstTraceOf(panel: Panel): number {
  return panel.traces.find((t) => t >= 0) ?? 0;
}

/** Inline, crossline, CDP X/Y (in the neighbour's coordinate scalar) and trace id of a filled grid cell. */
async function filledKeys(
  file: SegyFile,
  geometry: Geometry,
  cell: number,
  neighbour: number,
): Promise<Map<number, number>> {
  const grid = geometry.grid!;
  const map = geometry.headerMap;
  const il = Math.floor(cell / grid.crosslines.count);
  const xl = cell % grid.crosslines.count;
  const changes = new Map<number, number>([
    [map.inline, grid.inlines.first + il * grid.inlines.step],
    [map.crossline, grid.crosslines.first + xl * grid.crosslines.step],
    [TRACE_ID_BYTE, 1],
  ]);
  const c = grid.coordinates;
  if (c) {
    const header = await file.readTraceHeader(neighbour);
    const scalar = header.coordinateScalar;
    // Stored value = real / factor, where the scalar gives factor (e.g. -100 -> 0.01): invert applyScalar.
    const unit = applyScalar(1, scalar);
    changes.set(map.cdpX, (c.originX + il * c.inlineVectorX + xl * c.crosslineVectorX) / unit);
    changes.set(map.cdpY, (c.originY + il * c.inlineVectorY + xl * c.crosslineVectorY) / unit);
  }
  return changes;
}
