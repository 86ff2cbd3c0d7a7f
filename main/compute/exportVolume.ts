/**
 * The 'export-volume' job: a derived volume written as SEG-Y with the survey's source file as the template. Every
 * header byte of the source is kept (text header but for the history card, binary header, trace headers); only the
 * trace identification code of dead traces that were filled changes. Samples come from the volume, grid positions
 * the source lacks but the volume filled are added with headers derived from a neighbour (as applyToSegy does).
 * The writer writes a temporary file and renames it when complete, so a full disk leaves nothing behind.
 */
import { join } from 'node:path';
import type { JobRequest } from '../../preload/contract';
import { removeStaleTemporariesOf } from '../files/atomicFile';
import { traceForMissingCell } from '../processing/applyToSegy';
import { panelsOf } from '../processing/panels';
import { openSegy, type SegyFile } from '../segy/reader';
import { TRACE_ID_BYTE } from '../segy/traceHeaderEdit';
import { writeSegyLike, type InsertedTrace } from '../segy/writer';
import { analyseSurvey } from '../survey/analyse';
import { SurveyCache } from '../survey/cache';
import { readFilledMask, UNCERTAINTY_GROUP } from '../survey/derivedVolume';
import type { Geometry } from '../survey/geometry';
import { gridCellOfTraces } from '../survey/importSurvey';
import type { JobContext } from './protocol';

type ExportRequest = Extract<JobRequest, { kind: 'export-volume' }>;

export interface ExportVolumeResult {
  path: string;
  traces: number;
  addedTraces: number;
  filledDeadTraces: number;
  seconds: number;
}

/** Inlines kept decoded while writing: file order is usually inline order, so a few suffice. */
const KEPT_INLINES = 8;

/** Reads the volume's traces through a small cache of whole inlines (one read per inline, not per trace). */
class InlineCache {
  private readonly inlines = new Map<number, Float32Array>();

  constructor(private readonly volume: SurveyCache) {}

  async trace(il: number, xl: number): Promise<Float32Array> {
    let line = this.inlines.get(il);
    if (!line) {
      line = (await this.volume.inline(il)).data;
      this.inlines.set(il, line);
      if (this.inlines.size > KEPT_INLINES) this.inlines.delete(this.inlines.keys().next().value!);
    }
    const samples = this.volume.shape[2];
    return line.subarray(xl * samples, (xl + 1) * samples);
  }
}

function invalid(message: string): Error {
  return Object.assign(new Error(message), { apiCode: 'invalid-argument' });
}

export async function exportVolume(request: ExportRequest, context: JobContext): Promise<ExportVolumeResult> {
  const started = performance.now();
  // What an earlier run of this export left when it was killed: the target was never replaced, the temporary stayed.
  removeStaleTemporariesOf(request.path);
  const source = await openSegy(request.sourcePath);
  const volume = await SurveyCache.open(request.volumeDir);
  const samplesFrom = request.uncertainty ? await SurveyCache.open(join(request.volumeDir, UNCERTAINTY_GROUP)) : volume;
  try {
    context.progress(0, 'reading the source headers');
    const { geometry } = await analyseSurvey(source, { headerMap: request.headerMap, signal: context.signal });
    const layout = gridCellOfTraces(geometry);
    const [inlines, crosslines, samples] = volume.shape;
    if (!layout || layout.inlines.length !== inlines || layout.crosslines.length !== crosslines) {
      throw invalid(`${source.name} no longer has the ${inlines} x ${crosslines} grid the volume was made from`);
    }
    if (source.samplesPerTrace !== samples) {
      throw invalid(`${source.name} has ${source.samplesPerTrace} samples per trace, the volume ${samples}`);
    }
    const filled = (await readFilledMask(request.volumeDir, inlines * crosslines)) ?? new Uint8Array(0);
    const reader = new InlineCache(samplesFrom);
    const traceOfCell = async (cell: number): Promise<Float32Array> =>
      Float32Array.from(await reader.trace(Math.floor(cell / crosslines), cell % crosslines));
    context.progress(0.05, 'collecting filled grid positions');
    const inserted = await addedTraces(source, geometry, volume.liveMask().data, traceOfCell);
    let filledDeadTraces = 0;
    await writeSegyLike(source, request.path, {
      format: request.format,
      history: request.history,
      signal: context.signal,
      inserted,
      samples: async (i) => {
        const cell = layout.cells[i]!;
        // A duplicate trace has no cell of its own: it keeps its samples (and has no uncertainty).
        if (cell < 0) return request.uncertainty ? new Float32Array(samples) : source.readTrace(i);
        return traceOfCell(cell);
      },
      headerEdits: (i) => {
        const cell = layout.cells[i]!;
        if (cell < 0 || filled[cell] !== 1) return undefined;
        filledDeadTraces++;
        return new Map([[TRACE_ID_BYTE, 1]]);
      },
      onProgress: (p) =>
        context.progress(0.1 + (0.9 * p.tracesDone) / p.traceCount, `trace ${p.tracesDone} of ${p.traceCount}`),
    });
    return {
      path: request.path,
      traces: source.traceCount + inserted.length,
      addedTraces: inserted.length,
      filledDeadTraces,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    if (samplesFrom !== volume) await samplesFrom.close();
    await volume.close();
    await source.close();
  }
}

/** Grid positions the source has no trace for but the volume holds one (filled by interpolation), in file order. */
async function addedTraces(
  source: SegyFile,
  geometry: Geometry,
  liveMask: Uint8Array,
  traceOfCell: (cell: number) => Promise<Float32Array>,
): Promise<InsertedTrace[]> {
  if (geometry.kind !== 'post-stack-3d') return [];
  const inserted: InsertedTrace[] = [];
  for (const panel of panelsOf(geometry)) {
    for (let column = 0; column < panel.traces.length; column++) {
      const cell = panel.cells?.[column] ?? -1;
      if (panel.traces[column]! >= 0 || cell < 0 || liveMask[cell] !== 1) continue;
      const trace = await traceForMissingCell(source, geometry, panel, column, await traceOfCell(cell));
      if (trace) inserted.push(trace);
    }
  }
  return inserted.sort((a, b) => a.after - b.after);
}
