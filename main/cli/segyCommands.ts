/** `promethium info`, `dump`, `import` and `export`: the SEG-Y engine on the command line. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { JobInfo, SurveyDescription } from '../../preload/contract';
import { computeBundlePath, forkComputeLauncher } from '../jobs/forkCompute';
import { encodeNpy } from '../files/npy';
import { openSegy, type SegyFile } from '../segy/reader';
import { analyseSurvey } from '../survey/analyse';
import { SurveyCache } from '../survey/cache';
import { describeSurvey } from '../survey/surveyDescription';
import { gridCellOfTraces } from '../survey/importSurvey';
import { AppServices } from '../workflows/services';
import { defaultUserDataDir } from '../project/paths';
import { writeSegyLike } from '../segy/writer';
import { ProgressBar } from './progressBar';
import { BUNDLED_MODELS_DIR, DIST_DIR } from './serve';
import { EXIT } from './exitCodes';
import { UsageError } from './usageError';
import { localPromethiumCommand } from '../cluster/clusterApply';

export async function printInfo(file: string, json: boolean): Promise<void> {
  const segy = await openSegy(file);
  let description: SurveyDescription;
  try {
    const bar = new ProgressBar('scanning');
    const analysis = await analyseSurvey(segy, { onProgress: (p) => bar.update(p.bytesDone / p.bytesTotal) });
    bar.done();
    description = describeSurvey(segy, analysis);
  } finally {
    await segy.close();
  }
  if (json) {
    console.log(JSON.stringify(description, null, 2));
    return;
  }
  printDescription(description);
}

function printDescription(d: SurveyDescription): void {
  const f = d.file;
  const lines = [
    `file:        ${f.path} (${(f.fileSize / 1e6).toFixed(1)} MB)`,
    `format:      ${f.format} (${f.formatName}), revision ${f.revision}, ${f.byteOrder}-endian, ${f.textEncoding} text`,
    `traces:      ${f.traceCount} x ${f.samplesPerTrace} samples at ${f.sampleIntervalUs / 1000} ms`,
    `axis:        ${d.sampleAxis.domain} from ${d.sampleAxis.start} ${d.sampleAxis.unit}, step ${d.sampleAxis.interval}`,
    `kind:        ${d.kind}`,
    `header map:  inline ${d.headerMap.map.inline}, crossline ${d.headerMap.map.crossline}, offset ${d.headerMap.map.offset}, ` +
      `cdp x/y ${d.headerMap.map.cdpX}/${d.headerMap.map.cdpY} (confidence ${d.headerMap.confidence.toFixed(2)})`,
  ];
  if (d.grid) {
    const { inlines, crosslines } = d.grid;
    lines.push(
      `grid:        inlines ${inlines.first}-${inlines.last} step ${inlines.step} (${inlines.count}), ` +
        `crosslines ${crosslines.first}-${crosslines.last} step ${crosslines.step} (${crosslines.count})`,
      `live traces: ${d.grid.liveCells} of ${inlines.count * crosslines.count}`,
    );
    if (d.grid.inlineSpacing !== null) {
      lines.push(
        `bins:        ${d.grid.inlineSpacing.toFixed(2)} x ${d.grid.crosslineSpacing?.toFixed(2)}, rotation ${d.grid.rotationDeg?.toFixed(2)} deg`,
      );
    }
  }
  if (d.gathers) lines.push(`gathers:     ${d.gathers.count}, up to ${d.gathers.maxFold} traces each`);
  if (d.deadTraces) lines.push(`dead traces: ${d.deadTraces}`);
  for (const alternative of d.headerMap.alternatives.slice(0, 3)) {
    lines.push(
      `alternative: inline ${alternative.inline} / crossline ${alternative.crossline} (score ${alternative.score.toFixed(2)})`,
    );
  }
  for (const warning of d.warnings) lines.push(`warning:     ${warning}`);
  lines.push('', 'text header:', ...f.textHeader.filter((line) => line.trim() !== ''));
  console.log(lines.join('\n'));
}

function parseTraceRange(spec: string | undefined, traceCount: number): [number, number] {
  if (spec === undefined) return [0, traceCount];
  const match = /^(\d*):(\d*)$/.exec(spec);
  if (!match) throw new UsageError(`--traces takes A:B (0-based, B excluded), not "${spec}"`);
  const start = match[1] ? Number(match[1]) : 0;
  const end = match[2] ? Math.min(Number(match[2]), traceCount) : traceCount;
  if (start >= end) throw new UsageError(`--traces ${spec} selects no trace of the ${traceCount} in the file`);
  return [start, end];
}

export async function dump(file: string, options: { traces?: string; npy: string; headers?: string }): Promise<void> {
  const segy = await openSegy(file);
  try {
    const [start, end] = parseTraceRange(options.traces, segy.traceCount);
    const samples = await segy.readTraces(start, end - start);
    await writeFile(options.npy, encodeNpy(samples, [end - start, segy.samplesPerTrace]));
    if (options.headers) {
      const headers = [];
      for (let i = start; i < end; i++) headers.push(await segy.readTraceHeader(i));
      await writeFile(options.headers, JSON.stringify(headers));
    }
    console.error(`wrote ${end - start} traces x ${segy.samplesPerTrace} samples to ${options.npy}`);
  } finally {
    await segy.close();
  }
}

export function cliServices(projectDir: string): AppServices {
  const services = new AppServices({
    userDataDir: defaultUserDataDir(),
    projectDir,
    bundledModelsDir: BUNDLED_MODELS_DIR,
    cliCommand: localPromethiumCommand(DIST_DIR),
    host: {
      kind: 'browser',
      versions: {},
      launchCompute: forkComputeLauncher(computeBundlePath(DIST_DIR)),
      showOpenDialog: async () => ({ canceled: true, paths: [] }),
    },
  });
  if (services.project.readOnly) console.error(`note: ${services.project.readOnly}`);
  return services;
}

export function waitForJob(services: AppServices, job: JobInfo, bar: ProgressBar): Promise<JobInfo> {
  return new Promise((resolve) => {
    const stop = services.bus.on('jobs.changed', (update) => {
      if (update.id !== job.id) return;
      bar.update(update.progress, update.message);
      if (!['queued', 'running'].includes(update.state)) {
        stop();
        bar.done();
        resolve(update);
      }
    });
  });
}

export async function importIntoProject(file: string, options: { project: string; json?: boolean }): Promise<void> {
  const services = cliServices(options.project);
  try {
    const { survey, job } = services.surveys.startImport({ path: file });
    const finished = await waitForJob(services, job, new ProgressBar(`importing ${path.basename(file)}`));
    if (finished.state !== 'done') {
      throw Object.assign(new Error(`import failed: ${finished.error?.message ?? finished.state}`), {
        exitCode: EXIT.badInput,
      });
    }
    const summary = services.surveys.get(survey.id);
    if (options.json) console.log(JSON.stringify(summary, null, 2));
    else console.log(`imported ${summary.name} as survey ${summary.id} into ${services.project.dir}`);
  } finally {
    services.close();
  }
}

/** Writes a survey of a project back to SEG-Y from its cache: every header byte kept, samples from the cache. */
export async function exportSurvey(
  surveyId: string,
  out: string,
  options: { project: string; format: 'source' | 'ieee' },
): Promise<void> {
  const services = cliServices(options.project);
  try {
    const summary = services.surveys.get(surveyId);
    const stored = services.project.surveys.get(surveyId)!;
    const grid = summary.description?.grid;
    if (!grid) throw new UsageError(`export of ${summary.description?.kind ?? 'unready'} surveys is not supported yet`);
    if (summary.sourceStatus !== 'ok') {
      throw new UsageError(`the source ${summary.sourcePath} is ${summary.sourceStatus}: export needs its headers`);
    }
    const cache = await SurveyCache.open(stored.cacheDir);
    const source = await openSegy(summary.sourcePath);
    try {
      const cellOf = await traceCells(source, summary.description!);
      const bar = new ProgressBar(`exporting ${path.basename(out)}`);
      await writeSegyLike(source, out, {
        format: options.format,
        history: `Promethium ${new Date().toISOString().slice(0, 10)}: exported survey ${summary.name}`,
        samples: async (i) => {
          const cell = cellOf[i]!;
          return (await cache.trace(Math.floor(cell / grid.crosslines.count), cell % grid.crosslines.count)).data;
        },
        onProgress: (p) => bar.update(p.tracesDone / p.traceCount),
      });
      bar.done();
      console.error(`wrote ${out}`);
    } finally {
      await source.close();
      await cache.close();
    }
  } finally {
    services.close();
  }
}

/** Each trace's grid cell, from one scan of the source's keys with the survey's saved header map. */
async function traceCells(source: SegyFile, description: SurveyDescription): Promise<Int32Array> {
  const analysis = await analyseSurvey(source, { headerMap: description.headerMap.map });
  const layout = gridCellOfTraces(analysis.geometry);
  if (!layout) throw new UsageError('the source no longer has the grid it was imported with');
  return layout.cells;
}
