/**
 * Importing a SEG-Y file into a project: analyse it (header map, one streaming scan, geometry), then stream its traces
 * into the survey cache so that sections in every direction read fast. Runs in the compute process.
 *
 * Two sequential passes over the file: the scan must see every trace's keys before the grid (and so the cache's
 * shape) is known. Both are large sequential reads; the second decodes samples.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import type { SegyFile } from '../segy/reader';
import type { SegyOpenOptions } from '../segy/layout';
import { openSegy } from '../segy/reader';
import { analyseSurvey } from './analyse';
import { SurveyCacheWriter, type SurveyCacheWriterOptions } from './cacheWriter';
import type { Geometry, GatherGeometry, Grid3d } from './geometry';
import type { HeaderMap } from './headerMap';
import { describeSurvey, type SurveyDescription } from './surveyDescription';

export interface ImportSurveyRequest {
  path: string;
  /** The survey's cache folder (a Zarr group); its parent must exist. */
  cacheDir: string;
  headerMap?: Partial<HeaderMap>;
  open?: SegyOpenOptions;
}

export interface ImportProgress {
  signal: AbortSignal;
  progress(fraction: number, message: string): void;
}

/** Traces decoded per read while filling the cache (about 16 MB of samples at 1500 samples). */
const TRACES_PER_READ = 2048;

export async function importSurvey(request: ImportSurveyRequest, job: ImportProgress): Promise<SurveyDescription> {
  const file = await openSegy(request.path, request.open);
  try {
    const analysis = await analyseSurvey(file, {
      headerMap: request.headerMap,
      signal: job.signal,
      onProgress: (p) => job.progress((0.4 * p.bytesDone) / p.bytesTotal, `scanning headers: trace ${p.tracesDone}`),
    });
    const description = describeSurvey(file, analysis);
    if (!(await indexSurveyWithoutCube(request.cacheDir, analysis.geometry))) {
      await fillCache(file, analysis.geometry, analysis.scan.deadTraces, request.cacheDir, job);
    }
    job.progress(1, 'imported');
    return description;
  } finally {
    await file.close();
  }
}

/**
 * Surveys without a cube (pre-stack, unstructured) are read from the SEG-Y through a gather index, written here;
 * returns false for cube-like surveys (post-stack 3D, 2D line), whose traces go to a survey cache.
 */
export async function indexSurveyWithoutCube(cacheDir: string, geometry: Geometry): Promise<boolean> {
  if (geometry.kind === 'pre-stack-3d' && geometry.grid) {
    await writeGatherIndex(cacheDir, ...cmpGathersOf(geometry.grid));
  } else if (geometry.gathers) {
    await writeGatherIndex(cacheDir, geometry.gathers);
  } else if (!gridCellOfTraces(geometry)) {
    await writeGatherIndex(cacheDir, singleGather(geometry));
  } else {
    return false;
  }
  return true;
}

/** The survey cache of a cube-like survey: its grid and sample axis, and what it keeps of the source. */
export function cubeCacheOptions(
  file: SegyFile,
  geometry: Geometry,
  layout: { inlines: number[]; crosslines: number[] },
): SurveyCacheWriterOptions {
  return {
    inlines: layout.inlines,
    crosslines: layout.crosslines,
    samples: { ...geometry.sampleAxis, count: file.samplesPerTrace },
    attributes: { kind: geometry.kind, source: file.name },
  };
}

/** For cube-like surveys (post-stack 3D, 2D line), the (inline index, crossline index) of every trace. */
export function gridCellOfTraces(
  geometry: Geometry,
): { cells: Int32Array; inlines: number[]; crosslines: number[] } | null {
  const cells = new Int32Array(geometry.traceCount).fill(-1);
  if (geometry.kind === 'post-stack-3d' && geometry.grid) {
    const { grid } = geometry;
    const slots = grid.offsets.length;
    for (let cell = 0; cell < grid.inlines.count * grid.crosslines.count; cell++) {
      const trace = grid.traceIndex[cell * slots]!;
      if (trace >= 0) cells[trace] = cell;
    }
    const numbers = (axis: { first: number; step: number; count: number }): number[] =>
      Array.from({ length: axis.count }, (_, i) => axis.first + i * axis.step);
    return { cells, inlines: numbers(grid.inlines), crosslines: numbers(grid.crosslines) };
  }
  if (geometry.kind === 'post-stack-2d' && geometry.line) {
    geometry.line.traceIndex.forEach((trace, position) => (cells[trace] = position));
    return { cells, inlines: [1], crosslines: Array.from(geometry.line.keys) };
  }
  return null;
}

async function fillCache(
  file: SegyFile,
  geometry: Geometry,
  dead: Uint8Array,
  cacheDir: string,
  job: ImportProgress,
): Promise<void> {
  const layout = gridCellOfTraces(geometry)!;
  const samples = file.samplesPerTrace;
  const writer = await SurveyCacheWriter.create(cacheDir, cubeCacheOptions(file, geometry, layout));
  try {
    const crosslineCount = layout.crosslines.length;
    for (let start = 0; start < file.traceCount; start += TRACES_PER_READ) {
      job.signal.throwIfAborted();
      const count = Math.min(TRACES_PER_READ, file.traceCount - start);
      const block = await file.readTraces(start, count);
      for (let i = 0; i < count; i++) {
        const cell = layout.cells[start + i]!;
        // A duplicate or unplaced trace, or a dead one: dead traces stay out of the live mask, like missing ones,
        // so that interpolation fills them and the viewers show them as dead.
        if (cell < 0 || dead[start + i]) continue;
        const trace = block.subarray(i * samples, (i + 1) * samples);
        await writer.writeTrace(Math.floor(cell / crosslineCount), cell % crosslineCount, trace);
      }
      const done = start + count;
      job.progress(0.4 + (0.6 * done) / file.traceCount, `building the cache: trace ${done} of ${file.traceCount}`);
    }
    await writer.finish();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/** A file with no gathers or grid (a single record, unstructured traces) is browsed as one gather in file order. */
function singleGather(geometry: Geometry): GatherGeometry {
  const traceIndex = Int32Array.from({ length: geometry.traceCount }, (_, i) => i);
  return {
    gatherByte: null,
    channelByte: null,
    gatherKeys: Int32Array.of(1),
    gatherStart: Int32Array.of(0, geometry.traceCount),
    traceIndex,
    offsets: new Int32Array(geometry.traceCount),
    maxFold: geometry.traceCount,
  };
}

export const GATHER_INDEX_FILE = 'gathers.json';

/**
 * The gathers of a survey without a cube cache (pre-stack, unstructured), as written at import: gather g is the file's
 * traces traceIndex[gatherStart[g] .. gatherStart[g + 1]).
 */
export interface GatherIndex {
  labels: string[];
  gatherKeys: number[];
  gatherStart: number[];
  traceIndex: number[];
  offsets: number[];
}

export async function readGatherIndex(cacheDir: string): Promise<GatherIndex> {
  return JSON.parse(await readFile(`${cacheDir}/${GATHER_INDEX_FILE}`, 'utf8')) as GatherIndex;
}

/** Pre-stack 3D: one CMP gather per live (inline, crossline) cell, its traces in offset order. */
function cmpGathersOf(grid: Grid3d): [GatherGeometry, string[]] {
  const slots = grid.offsets.length;
  const gatherStart = [0];
  const traceIndex: number[] = [];
  const offsets: number[] = [];
  const labels: string[] = [];
  for (let cell = 0; cell < grid.inlines.count * grid.crosslines.count; cell++) {
    const before = traceIndex.length;
    for (let slot = 0; slot < slots; slot++) {
      const trace = grid.traceIndex[cell * slots + slot]!;
      if (trace < 0) continue;
      traceIndex.push(trace);
      offsets.push(grid.offsets[slot]!);
    }
    if (traceIndex.length === before) continue;
    gatherStart.push(traceIndex.length);
    const il = grid.inlines.first + Math.floor(cell / grid.crosslines.count) * grid.inlines.step;
    const xl = grid.crosslines.first + (cell % grid.crosslines.count) * grid.crosslines.step;
    labels.push(`CMP inline ${il} crossline ${xl}`);
  }
  const gathers: GatherGeometry = {
    gatherByte: null,
    channelByte: null,
    gatherKeys: Int32Array.from(labels.keys()),
    gatherStart: Int32Array.from(gatherStart),
    traceIndex: Int32Array.from(traceIndex),
    offsets: Int32Array.from(offsets),
    maxFold: slots,
  };
  return [gathers, labels];
}

/** Pre-stack surveys are read from the SEG-Y itself, gather by gather, through this index. */
async function writeGatherIndex(cacheDir: string, gathers: GatherGeometry, labels?: string[]): Promise<void> {
  await rm(cacheDir, { recursive: true, force: true });
  await mkdir(cacheDir, { recursive: true });
  const index = {
    gatherByte: gathers.gatherByte,
    channelByte: gathers.channelByte,
    gatherKeys: Array.from(gathers.gatherKeys),
    gatherStart: Array.from(gathers.gatherStart),
    traceIndex: Array.from(gathers.traceIndex),
    offsets: Array.from(gathers.offsets),
    labels: labels ?? Array.from(gathers.gatherKeys, (key) => `Gather ${key}`),
  };
  await writeFile(`${cacheDir}/${GATHER_INDEX_FILE}`, JSON.stringify(index));
}
