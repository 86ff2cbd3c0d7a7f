/**
 * A SEG-Y import split into parts that separate processes run (a cluster import's array tasks), with the same code
 * and the same result as a local import (importSurvey.ts), byte for byte:
 *
 *   plan     the file's layout is checked and the header map proposed once; the traces are cut into pieces of whole
 *            traces (byte ranges: fixed-length traces start at dataOffset + i x traceBytes) and the pieces into parts
 *   scan     each part scans its pieces' trace headers (scanSegy on a trace range) and saves each piece's keys
 *   layout   one process merges the pieces into the whole file's scan, builds the geometry as a local import does,
 *            sets the survey cache up (every chunk file at full size) and cuts the inlines into blocks and parts
 *   fill     each part reads the traces of its blocks of whole inlines and writes them to every chunking of the cache
 *            (InlineBlockWriter), with the block's rows of the live mask and of the 3D view's downsampled copy
 *   finish   one process assembles the live mask and the downsampled copy from the blocks and publishes the cache
 *
 * Every piece and block records itself by a file written whole (files/atomicFile.ts) once its work is on disk, so a
 * part that is killed and run again skips what it finished and redoes at most one piece or block, whose writes are
 * positional and land on the same bytes. Blocks start at multiples of the downsampling factor, so each block's rows
 * of the downsampled copy are summed in the same order as in a local import's one pass.
 *
 * Refused: variable-length traces (rev 1+ with the fixed-length flag 0). Where each trace starts is then known only by
 * reading every trace header from the first, one after another: the file cannot be cut into byte ranges of whole
 * traces without that serial walk, which costs as much as the scan it would split.
 */
import { mkdir, readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomically } from '../files/atomicFile';
import { openSegy, type SegyFile } from '../segy/reader';
import { scanSegy, type ScanResult } from '../segy/scan';
import { analysisOfScan, proposeHeaderMap } from './analyse';
import { InlineBlockWriter } from './cacheBlocks';
import { SurveyCacheError } from './cacheErrors';
import { FileHandlePool, bytesOf, isMissingFile } from './cacheFiles';
import { LodAccumulator } from './cacheLod';
import { fileExists } from './cacheMetadata';
import { SurveyCacheWriter, planSurveyCache, type SurveyCacheWriterOptions } from './cacheWriter';
import type { HeaderMap } from './headerMap';
import { cubeCacheOptions, gridCellOfTraces, indexSurveyWithoutCube } from './importSurvey';
import { describeSurvey, type SurveyDescription } from './surveyDescription';

export interface SplitImportRequest {
  /** The SEG-Y file (absolute: every part opens it). */
  path: string;
  /** The survey's cache folder, as for a local import. */
  cacheDir: string;
  /** Where the parts record what they finished and the layout step leaves the geometry for the fill. */
  workDir: string;
  parts: number;
  headerMap?: Partial<HeaderMap>;
  /** Memory for the block of inlines a part holds; also the size of a scan piece (default 64 MB). */
  blockBytes?: number;
}

/** What every part reads: fixed at planning, kept as JSON. */
export interface SplitImportPlan extends Required<Omit<SplitImportRequest, 'headerMap'>> {
  headerMap?: Partial<HeaderMap>;
  /** The trace header positions the scan collects (for the header map proposed at planning). */
  headerFields: number[];
  /** The file as planned: a part refuses a file that changed since. */
  file: FileFingerprint;
  /** Part k scans the pieces scanPieces[k], each [first trace, end trace). */
  scanPieces: [number, number][][];
}

interface FileFingerprint {
  size: number;
  modifiedMs: number;
  traceCount: number;
  dataOffset: number;
  traceBytes: number;
}

/** What the layout step leaves for the fill and the finish. */
export interface SplitImportLayout {
  description: SurveyDescription;
  /** null for surveys without a cube (pre-stack, unstructured): their gather index is written, nothing to fill. */
  cube: {
    cache: SurveyCacheWriterOptions & { inlines: number[]; crosslines: number[] };
    /** Part k fills the blocks fillBlocks[k], each [first inline index, inline count]. */
    fillBlocks: [number, number][][];
  } | null;
}

const DEFAULT_BLOCK_BYTES = 64 * 1024 * 1024;
const LAYOUT_FILE = 'layout.json';
/**
 * Per fill part: the live traces of its inlines (file order) and their cells in the grid (inline index x crosslines
 * + crossline index), as two int32 arrays one after the other; a part reads its own traces only.
 */
const PART_TRACES_DIR = 'fill-traces';
const SCAN_DIR = 'scan';
const FILL_DIR = 'fill';
/** Traces decoded per read while filling a block. */
const TRACES_PER_READ = 2048;

/** Contiguous slices [first, last] of 0..count-1, as even as possible, at most `parts` of them (at least one). */
export function contiguousSlices(count: number, parts: number): [number, number][] {
  const slices = Math.max(1, Math.min(parts, count));
  return Array.from({ length: slices }, (_, k) => {
    const first = Math.floor((k * count) / slices);
    const last = Math.floor(((k + 1) * count) / slices) - 1;
    return [first, last] as [number, number];
  });
}

export async function planSplitImport(request: SplitImportRequest): Promise<SplitImportPlan> {
  const file = await openSegy(request.path);
  try {
    const fixedTraceBytes = file.layout.fixedTraceBytes;
    if (fixedTraceBytes === null) {
      throw new SurveyCacheError(
        'invalid-argument',
        `${request.path} has traces of varying length: where each one starts is known only by reading every trace ` +
          'header in turn, so the file cannot be split into byte ranges for the cluster; import it on this workstation',
      );
    }
    const blockBytes = request.blockBytes ?? DEFAULT_BLOCK_BYTES;
    const { headerFields } = await proposeHeaderMap(file, request.headerMap);
    const tracesPerPiece = Math.max(1, Math.floor(blockBytes / fixedTraceBytes));
    const pieces = Math.ceil(file.traceCount / tracesPerPiece);
    const scanPieces = contiguousSlices(pieces, request.parts).map(([first, last]) =>
      Array.from({ length: last - first + 1 }, (_, i): [number, number] => {
        const start = (first + i) * tracesPerPiece;
        return [start, Math.min(file.traceCount, start + tracesPerPiece)];
      }),
    );
    return {
      ...request,
      blockBytes,
      headerFields,
      file: await fingerprint(file),
      scanPieces,
    };
  } finally {
    await file.close();
  }
}

/** Scans the pieces of `part` not scanned yet; `onPiece` hears of each one finished. */
export async function scanPart(plan: SplitImportPlan, part: number, onPiece: PieceListener): Promise<void> {
  const pieces = plan.scanPieces[part] ?? [];
  const file = await openPlannedFile(plan);
  try {
    await mkdir(path.join(plan.workDir, SCAN_DIR), { recursive: true });
    for (const [index, [start, end]] of pieces.entries()) {
      const record = scanRecordPath(plan, start);
      if (!(await fileExists(record))) {
        const scan = await scanSegy(file, { headerFields: plan.headerFields, range: { start, count: end - start } });
        await writeFileAtomically(record, encodeScanPiece(plan, scan));
      }
      onPiece(index + 1, pieces.length, `traces ${start + 1}-${end}`);
    }
  } finally {
    await file.close();
  }
}

/**
 * After every scan part: the geometry from the whole file's scan, the survey's gather index or its cache set up, the
 * fill cut into blocks. Does nothing when an earlier run finished it (the fill may already have started).
 */
export async function layoutSplitImport(plan: SplitImportPlan): Promise<SplitImportLayout> {
  const done = await readLayout(plan).catch((error: unknown) => {
    if (isMissingFile(error)) return null;
    throw error;
  });
  if (done) return done;
  const file = await openPlannedFile(plan);
  try {
    const { proposal, headerFields } = await proposeHeaderMap(file, plan.headerMap);
    if (headerFields.join() !== plan.headerFields.join()) {
      throw new SurveyCacheError('io', `${plan.path}: the header map proposed now differs from the one planned`);
    }
    const analysis = await analysisOfScan(file, proposal, await mergeScanPieces(plan));
    const layout: SplitImportLayout = { description: describeSurvey(file, analysis), cube: null };
    if (!(await indexSurveyWithoutCube(plan.cacheDir, analysis.geometry))) {
      const grid = gridCellOfTraces(analysis.geometry)!;
      const cache = cubeCacheOptions(file, analysis.geometry, grid);
      await SurveyCacheWriter.prepare(plan.cacheDir, cache);
      const cells = grid.cells.map((cell, trace) => (analysis.scan.deadTraces[trace] ? -1 : cell));
      const fillBlocks = fillBlocksOf(plan, cache);
      await writePartTraces(plan, cells, grid.crosslines.length, fillBlocks);
      layout.cube = { cache: { ...cache, inlines: grid.inlines, crosslines: grid.crosslines }, fillBlocks };
    }
    // Written last: its presence says the layout step is complete.
    await writeFileAtomically(path.join(plan.workDir, LAYOUT_FILE), JSON.stringify(layout));
    return layout;
  } finally {
    await file.close();
  }
}

/** Fills the blocks of `part` not filled yet; `onPiece` hears of each one finished. */
export async function fillPart(plan: SplitImportPlan, part: number, onPiece: PieceListener): Promise<void> {
  const { cube } = await readLayout(plan);
  const blocks = cube?.fillBlocks[part] ?? [];
  if (!cube || blocks.length === 0) return;
  const cachePlan = planSurveyCache(cube.cache);
  const tracesByBlock = tracesOfBlocks(await readPartTraces(plan, part), cachePlan.shape[1], blocks);
  const file = await openPlannedFile(plan);
  const pool = new FileHandlePool('r+', 512);
  const writer = new InlineBlockWriter(`${plan.cacheDir}.partial`, cachePlan.shape, cachePlan.specs, pool);
  try {
    await mkdir(path.join(plan.workDir, FILL_DIR), { recursive: true });
    for (const [index, [firstInline, inlineCount]] of blocks.entries()) {
      const record = fillRecordPath(plan, firstInline);
      if (!(await fileExists(record))) {
        const traces = tracesByBlock[index]!;
        const block = await readBlock(file, traces, cachePlan.shape, firstInline, inlineCount);
        if (traces.trace.length > 0) await writer.write(block.values, firstInline, inlineCount, true);
        // Closing hands the block's bytes to the file system (on NFS: to the server) before the block counts as done.
        await pool.closeAll();
        const blockShape = [inlineCount, cachePlan.shape[1], cachePlan.shape[2]] as const;
        const lod = new LodAccumulator(blockShape, 0, cachePlan.lod.factor); // the whole volume's factor
        lod.addInlines(block.values, 0, inlineCount, block.liveMask);
        await writeFileAtomically(record, Buffer.concat([bytesOf(lod.means()), block.liveMask]));
      }
      onPiece(index + 1, blocks.length, `inline indices ${firstInline}-${firstInline + inlineCount - 1}`);
    }
  } finally {
    await pool.closeAll();
    await file.close();
  }
}

/**
 * After every fill part: the live mask and downsampled copy from the blocks, the cache published. Does nothing when
 * an earlier run published it (a final job run again after it died before it could say so).
 */
export async function finishSplitImport(plan: SplitImportPlan): Promise<SurveyDescription> {
  const { description, cube } = await readLayout(plan);
  const published = !(await fileExists(`${plan.cacheDir}.partial`)) && (await fileExists(plan.cacheDir));
  if (!cube || published) return description;
  const { shape, lod } = planSurveyCache(cube.cache);
  const [, crosslines] = shape;
  const lodRowValues = lod.shape[1] * lod.shape[2];
  const liveMask = new Uint8Array(shape[0] * crosslines);
  const means = new Float32Array(lod.shape[0] * lodRowValues);
  for (const [firstInline, inlineCount] of cube.fillBlocks.flat()) {
    const record = await readFile(fillRecordPath(plan, firstInline));
    const lodValues = Math.ceil(inlineCount / lod.factor) * lodRowValues;
    if (record.byteLength !== lodValues * 4 + inlineCount * crosslines) {
      throw new SurveyCacheError('io', `${fillRecordPath(plan, firstInline)} is damaged; run the import again`);
    }
    means.set(
      new Float32Array(record.buffer.slice(record.byteOffset, record.byteOffset + lodValues * 4)),
      (firstInline / lod.factor) * lodRowValues,
    );
    liveMask.set(record.subarray(lodValues * 4), firstInline * crosslines);
  }
  await SurveyCacheWriter.publishParts(plan.cacheDir, cube.cache, liveMask, means);
  return description;
}

export interface SplitImportProgress {
  scanPieces: { done: number; total: number };
  /** null until the layout step has cut the fill into blocks. */
  fillBlocks: { done: number; total: number } | null;
}

/** What the parts have recorded as finished. */
export async function splitImportProgress(plan: SplitImportPlan): Promise<SplitImportProgress> {
  const recorded = async (dir: string) =>
    (await readdir(path.join(plan.workDir, dir)).catch(() => [])).filter((name) => /^\d+$/.test(name)).length;
  const layout = await readLayout(plan).catch(() => null);
  return {
    scanPieces: { done: await recorded(SCAN_DIR), total: plan.scanPieces.flat().length },
    fillBlocks: layout && {
      done: await recorded(FILL_DIR),
      total: layout.cube?.fillBlocks.flat().length ?? 0,
    },
  };
}

export type PieceListener = (done: number, total: number, what: string) => void;

export async function readLayout(plan: SplitImportPlan): Promise<SplitImportLayout> {
  return JSON.parse(await readFile(path.join(plan.workDir, LAYOUT_FILE), 'utf8')) as SplitImportLayout;
}

/**
 * Blocks of whole inlines for the fill: the inlines are cut into parts at multiples of the downsampling factor, and
 * each part's inlines into blocks that fit the memory budget (also multiples of the factor).
 */
function fillBlocksOf(plan: SplitImportPlan, cache: SurveyCacheWriterOptions): [number, number][][] {
  const { shape, lod } = planSurveyCache(cache);
  const [inlines, crosslines, samples] = shape;
  const lodRows = Math.ceil(inlines / lod.factor);
  const rowsPerBlock = Math.max(1, Math.floor(plan.blockBytes / (lod.factor * crosslines * samples * 4)));
  return contiguousSlices(lodRows, plan.parts).map(([firstRow, lastRow]) => {
    const blocks: [number, number][] = [];
    for (let row = firstRow; row <= lastRow; row += rowsPerBlock) {
      const first = row * lod.factor;
      const end = Math.min(inlines, Math.min(lastRow + 1, row + rowsPerBlock) * lod.factor);
      blocks.push([first, end - first]);
    }
    return blocks;
  });
}

interface TracesAndCells {
  /** Trace indices in file order. */
  trace: number[];
  /** The grid cell of each. */
  cell: number[];
}

/** Each fill part's traces and cells (see PART_TRACES_DIR), from one pass over every trace's cell. */
async function writePartTraces(
  plan: SplitImportPlan,
  cells: Int32Array,
  crosslines: number,
  fillBlocks: [number, number][][],
): Promise<void> {
  const parts = fillBlocks.map((): TracesAndCells => ({ trace: [], cell: [] }));
  const inlineCount = fillBlocks.flat().reduce((end, [first, count]) => Math.max(end, first + count), 0);
  const partOf = new Int32Array(inlineCount); // the blocks cover every inline
  fillBlocks.forEach((blocks, part) => {
    for (const [first, count] of blocks) partOf.fill(part, first, first + count);
  });
  cells.forEach((cell, trace) => {
    if (cell < 0) return;
    const part = parts[partOf[Math.floor(cell / crosslines)]!]!;
    part.trace.push(trace);
    part.cell.push(cell);
  });
  await mkdir(path.join(plan.workDir, PART_TRACES_DIR), { recursive: true });
  for (const [part, { trace, cell }] of parts.entries()) {
    await writeFileAtomically(partTracesPath(plan, part), bytesOf(Int32Array.from([...trace, ...cell])));
  }
}

async function readPartTraces(plan: SplitImportPlan, part: number): Promise<TracesAndCells> {
  const bytes = await readFile(partTracesPath(plan, part));
  const values = Array.from(new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4));
  return { trace: values.slice(0, values.length / 2), cell: values.slice(values.length / 2) };
}

/** A part's traces split by the block of whole inlines their cell falls in. */
function tracesOfBlocks(part: TracesAndCells, crosslines: number, blocks: [number, number][]): TracesAndCells[] {
  const byBlock = blocks.map((): TracesAndCells => ({ trace: [], cell: [] }));
  const first = blocks[0]![0];
  const blockOfInline = new Int32Array(blocks.at(-1)![0] + blocks.at(-1)![1] - first);
  blocks.forEach(([firstInline, count], b) => blockOfInline.fill(b, firstInline - first, firstInline - first + count));
  part.trace.forEach((trace, i) => {
    const block = byBlock[blockOfInline[Math.floor(part.cell[i]! / crosslines) - first]!]!;
    block.trace.push(trace);
    block.cell.push(part.cell[i]!);
  });
  return byBlock;
}

/** A block's traces in grid order ([inline][crossline][sample], 0 where none), read in runs of file order. */
async function readBlock(
  file: SegyFile,
  { trace: traces, cell: cells }: TracesAndCells,
  shape: readonly [number, number, number],
  firstInline: number,
  inlineCount: number,
): Promise<{ values: Float32Array; liveMask: Uint8Array }> {
  const [, crosslines, samples] = shape;
  const firstCell = firstInline * crosslines;
  const values = new Float32Array(inlineCount * crosslines * samples);
  const liveMask = new Uint8Array(inlineCount * crosslines);
  for (let i = 0; i < traces.length;) {
    let run = 1;
    while (i + run < traces.length && run < TRACES_PER_READ && traces[i + run] === traces[i]! + run) run++;
    const read = await file.readTraces(traces[i]!, run);
    for (let k = 0; k < run; k++) {
      const slot = cells[i + k]! - firstCell;
      values.set(read.subarray(k * samples, (k + 1) * samples), slot * samples);
      liveMask[slot] = 1;
    }
    i += run;
  }
  return { values, liveMask };
}

async function mergeScanPieces(plan: SplitImportPlan): Promise<ScanResult> {
  const { traceCount } = plan.file;
  const fields = new Map(plan.headerFields.map((byte) => [byte, new Int32Array(traceCount)]));
  const deadTraces = new Uint8Array(traceCount);
  for (const [start, end] of plan.scanPieces.flat()) {
    const bytes = await readFile(scanRecordPath(plan, start));
    const count = end - start;
    if (bytes.byteLength !== count * (4 * plan.headerFields.length + 1)) {
      throw new SurveyCacheError('io', `${scanRecordPath(plan, start)} is damaged; run the import again`);
    }
    const values = new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + count * 4 * fields.size));
    plan.headerFields.forEach((byte, f) => fields.get(byte)!.set(values.subarray(f * count, (f + 1) * count), start));
    deadTraces.set(bytes.subarray(count * 4 * fields.size), start);
  }
  let deadTraceCount = 0;
  for (const dead of deadTraces) deadTraceCount += dead;
  return { traceCount, fields, deadTraces, deadTraceCount };
}

/** A piece's keys as stored: each header field's values (int32, in the plan's order), then the dead flags. */
function encodeScanPiece(plan: SplitImportPlan, scan: ScanResult): Buffer {
  return Buffer.concat([...plan.headerFields.map((byte) => bytesOf(scan.fields.get(byte)!)), scan.deadTraces]);
}

async function openPlannedFile(plan: SplitImportPlan): Promise<SegyFile> {
  const file = await openSegy(plan.path);
  const now = await fingerprint(file).catch(() => null);
  if (!now || JSON.stringify(now) !== JSON.stringify(plan.file)) {
    await file.close();
    throw new SurveyCacheError('io', `${plan.path} changed since the import was planned; start the import again`);
  }
  return file;
}

async function fingerprint(file: SegyFile): Promise<FileFingerprint> {
  const { size, mtimeMs } = await stat(file.name);
  return {
    size,
    modifiedMs: mtimeMs,
    traceCount: file.traceCount,
    dataOffset: file.layout.dataOffset,
    traceBytes: file.layout.fixedTraceBytes ?? -1,
  };
}

function scanRecordPath(plan: SplitImportPlan, firstTrace: number): string {
  return path.join(plan.workDir, SCAN_DIR, String(firstTrace));
}

function partTracesPath(plan: SplitImportPlan, part: number): string {
  return path.join(plan.workDir, PART_TRACES_DIR, String(part));
}

function fillRecordPath(plan: SplitImportPlan, firstInline: number): string {
  return path.join(plan.workDir, FILL_DIR, String(firstInline));
}
