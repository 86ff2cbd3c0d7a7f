/**
 * `npm run bench -- segy`: the SEG-Y engine against segyio in the same run, on cubes written by segyio (IBM floats,
 * inline-sorted): full scan+decode, import (scan + survey cache) with its peak RSS at 0.5 and 5 GB, and inline /
 * crossline / time-slice reads (medians at random positions, page cache warm for both peers).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSegy } from '../../main/segy/reader';
import { SurveyCache } from '../../main/survey/cache';
import { importSurvey } from '../../main/survey/importSurvey';
import { median, seededIndex } from './stats';

const PYTHON = '/usr/bin/python3';
const SEGYIO_SCRIPT = path.resolve('test/bench/segyio_bench.py');

interface SegyioTimings {
  openMs: number;
  inlineMs: number;
  crosslineMs: number;
  timeSliceMs: number;
  decodeAllMs: number;
}

export interface CubeResult {
  label: string;
  shape: [number, number, number];
  fileMB: number;
  writeByPythonS: number;
  segyio: SegyioTimings | null;
  decodeAllMs: number | null;
  importS: number;
  importPeakRssMB: number;
  cacheMB: number;
  reads: { inlineMs: number; crosslineMs: number; timeSliceMs: number } | null;
}

function writeCube(file: string, [il, xl, ns]: [number, number, number]): number {
  const started = performance.now();
  execFileSync(PYTHON, [SEGYIO_SCRIPT, 'write', file, String(il), String(xl), String(ns)]);
  return (performance.now() - started) / 1000;
}

/** Reads and decodes every trace in large sequential blocks: what a full pass over the file costs. */
async function decodeAll(file: string): Promise<number> {
  const segy = await openSegy(file);
  const started = performance.now();
  const perRead = Math.max(1, Math.floor((16 << 20) / (segy.samplesPerTrace * 4)));
  const buffer = new Float32Array(perRead * segy.samplesPerTrace);
  for (let start = 0; start < segy.traceCount; start += perRead) {
    const count = Math.min(perRead, segy.traceCount - start);
    await segy.readTraces(start, count, buffer.subarray(0, count * segy.samplesPerTrace));
  }
  const ms = performance.now() - started;
  await segy.close();
  return ms;
}

/** The import runs in its own process so that its peak RSS (getrusage maxrss) is the import's alone. */
function importInChild(file: string, cacheDir: string): { seconds: number; maxRssMB: number } {
  const child = spawnSync(process.execPath, [process.argv[1]!, 'import-worker', file, cacheDir], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`import worker failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { seconds: number; maxRssMB: number };
}

export async function importWorker(file: string, cacheDir: string): Promise<void> {
  const started = performance.now();
  await importSurvey({ path: file, cacheDir }, { signal: new AbortController().signal, progress: () => undefined });
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ seconds, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
}

async function timeCacheReads(cacheDir: string, repeats: number): Promise<CubeResult['reads']> {
  const cache = await SurveyCache.open(cacheDir);
  const [il, xl, ns] = cache.attributes.shape;
  const pick = seededIndex(11);
  const timeReads = async (count: number, extent: number, read: (i: number) => Promise<unknown>): Promise<number> => {
    await read(0);
    const times: number[] = [];
    for (let k = 0; k < count; k++) {
      const index = pick(extent);
      const started = performance.now();
      await read(index);
      times.push(performance.now() - started);
    }
    return median(times);
  };
  const reads = {
    inlineMs: await timeReads(repeats, il, (i) => cache.inline(i)),
    crosslineMs: await timeReads(repeats, xl, (i) => cache.crossline(i)),
    timeSliceMs: await timeReads(repeats, ns, (i) => cache.timeSlice(i)),
  };
  await cache.close();
  return reads;
}

function duMB(dir: string): number {
  return Number(execFileSync('du', ['-sm', dir], { encoding: 'utf8' }).split('\t')[0]);
}

export async function benchCube(label: string, shape: [number, number, number], full: boolean): Promise<CubeResult> {
  const dir = mkdtempSync(path.join(process.env.PROMETHIUM_BENCH_DIR ?? os.tmpdir(), 'promethium-bench-'));
  try {
    const file = path.join(dir, 'cube.sgy');
    console.error(`[segy] ${label}: writing ${shape.join(' x ')} with segyio…`);
    const writeByPythonS = writeCube(file, shape);
    const fileMB = statSync(file).size / 1e6;
    const segyio = full
      ? (JSON.parse(execFileSync(PYTHON, [SEGYIO_SCRIPT, 'time', file, '30'], { encoding: 'utf8' })) as SegyioTimings)
      : null;
    const decodeMs = full ? median([await decodeAll(file), await decodeAll(file), await decodeAll(file)]) : null;
    console.error(`[segy] ${label}: importing…`);
    const cacheDir = path.join(dir, 'cache.zarr');
    const imported = importInChild(file, cacheDir);
    const reads = full ? await timeCacheReads(cacheDir, 30) : null;
    return {
      label,
      shape,
      fileMB,
      writeByPythonS,
      segyio,
      decodeAllMs: decodeMs,
      importS: imported.seconds,
      importPeakRssMB: imported.maxRssMB,
      cacheMB: duMB(cacheDir),
      reads,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function segyReport(results: CubeResult[]): string {
  const small = results.find((r) => r.segyio && r.reads);
  const lines: string[] = [];
  if (small?.segyio && small.reads && small.decodeAllMs !== null) {
    const s = small.segyio;
    const r = small.reads;
    const row = (what: string, ours: number, theirs: number, target: string): string =>
      `| ${what} | ${ours.toFixed(2)} | ${theirs.toFixed(2)} | ${(theirs / ours).toFixed(2)}x | ${target} |`;
    lines.push(
      `Cube ${small.shape.join(' x ')} (${small.fileMB.toFixed(0)} MB, IBM, written by segyio), page cache warm, medians:`,
      '',
      '| operation | Promethium (ms) | segyio (ms) | speed-up | target |',
      '| --- | ---: | ---: | ---: | --- |',
      row('read + decode every trace', small.decodeAllMs, s.decodeAllMs, '>= 1x'),
      row('inline (from the cache)', r.inlineMs, s.inlineMs, '>= 1x'),
      row('crossline (from the cache)', r.crosslineMs, s.crosslineMs, '>= 1x'),
      row('time slice (from the cache)', r.timeSliceMs, s.timeSliceMs, '>= 10x'),
      '',
    );
  }
  lines.push(
    '| cube | SEG-Y size | import (scan + cache) | import peak RSS | cache on disk |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...results.map(
      (r) =>
        `| ${r.label} ${r.shape.join(' x ')} | ${r.fileMB.toFixed(0)} MB | ${r.importS.toFixed(1)} s ` +
        `(${(r.fileMB / r.importS).toFixed(0)} MB/s) | ${r.importPeakRssMB.toFixed(0)} MB | ${r.cacheMB} MB |`,
    ),
  );
  return lines.join('\n');
}
