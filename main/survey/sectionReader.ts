/**
 * Reads displayable sections of an imported survey: inlines, crosslines and time slices from its cache, gathers from
 * the SEG-Y file through the gather index. Open caches and files are kept in a small LRU.
 */
import path from 'node:path';
import {
  PromethiumError,
  type ArbitraryLineData,
  type SectionAxis,
  type SectionData,
  type SurveyDescription,
  type TraceHeaderData,
} from '../../preload/contract';
import { openSegy, type SegyFile } from '../segy/reader';
import { readArbitraryLine } from './arbitraryLine';
import { SurveyCache } from './cache';
import { readGatherIndex, type GatherIndex } from './importSurvey';
import { sectionTraceAxisName } from './surveyDescription';
import { findTraceByKey, findTraceByKeys, traceHeaderOf } from './traceHeaderLookup';

export interface SurveyLocation {
  id: string;
  cacheDir: string;
  sourcePath: string;
  description: SurveyDescription;
}

const OPEN_LIMIT = 4;

/** A tiny LRU of async-opened resources, closed when evicted. */
class OpenResources<T extends { close(): Promise<void> }> {
  private readonly open = new Map<string, Promise<T>>();

  async get(key: string, opener: () => Promise<T>): Promise<T> {
    let entry = this.open.get(key);
    if (entry) this.open.delete(key);
    else entry = opener();
    this.open.set(key, entry);
    entry.catch(() => this.open.delete(key));
    while (this.open.size > OPEN_LIMIT) {
      const [oldest, resource] = this.open.entries().next().value as [string, Promise<T>];
      this.open.delete(oldest);
      void resource.then((r) => r.close()).catch(() => undefined);
    }
    return entry;
  }

  async closeAll(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.allSettled(all.map(async (r) => (await r).close()));
  }
}

function outOfRange(axis: SectionAxis, index: number, count: number): PromethiumError {
  return new PromethiumError('invalid-argument', `${axis} index ${index} is outside 0..${count - 1} of this survey`);
}

export class SectionReader {
  private readonly caches = new OpenResources<SurveyCache>();
  private readonly files = new OpenResources<SegyFile>();
  private readonly gatherIndexes = new Map<string, Promise<GatherIndex>>();

  async section(survey: SurveyLocation, axis: 'inline' | 'crossline' | 'time', index: number): Promise<SectionData> {
    const cache = await this.openCache(survey);
    const panel =
      axis === 'inline'
        ? await inlinePanel(cache, survey, index)
        : axis === 'crossline'
          ? await crosslinePanel(cache, survey, index)
          : await timeSlicePanel(cache, survey, index);
    return { surveyId: survey.id, axis, index, ...panel };
  }

  /** The section along a polyline of (inline index, crossline index) points (see arbitraryLine.ts). */
  async arbitrary(survey: SurveyLocation, points: readonly (readonly [number, number])[]): Promise<ArbitraryLineData> {
    return readArbitraryLine(await this.openCache(survey), survey.id, survey.description, points);
  }

  /** The source file's header of the trace in grid cell (inline index, crossline index). */
  async cellTraceHeader(survey: SurveyLocation, inlineIndex: number, crosslineIndex: number): Promise<TraceHeaderData> {
    const cache = await this.openCache(survey);
    const [inlines, crosslines] = cache.shape;
    if (inlineIndex >= inlines) throw outOfRange('inline', inlineIndex, inlines);
    if (crosslineIndex >= crosslines) throw outOfRange('crossline', crosslineIndex, crosslines);
    const inline = cache.inlineNumbers[inlineIndex]!;
    const crossline = cache.crosslineNumbers[crosslineIndex]!;
    const file = await this.files.get(survey.id, () => openSegy(survey.sourcePath));
    const { grid, line, headerMap } = survey.description;
    let traceIndex: number | null;
    let label: string;
    if (grid) {
      traceIndex = await findTraceByKeys(file, headerMap.map.inline, headerMap.map.crossline, inline, crossline);
      label = `IL ${inline} · XL ${crossline}`;
    } else {
      // A 2D line: its traces in key order (or in file order when it has no key byte).
      traceIndex = line?.keyByte ? await findTraceByKey(file, line.keyByte, crossline) : crossline - 1;
      label = `trace ${crossline}`;
    }
    if (traceIndex === null) {
      throw new PromethiumError('not-found', `${path.basename(survey.sourcePath)} has no trace at ${label}`);
    }
    return traceHeaderOf(file, survey.id, traceIndex, label);
  }

  /** The source file's header of trace `trace` (0-based, as shown) of gather `gather`. */
  async gatherTraceHeader(survey: SurveyLocation, gather: number, trace: number): Promise<TraceHeaderData> {
    const gathers = await this.gatherIndex(survey);
    const count = gathers.gatherKeys.length;
    if (gather >= count) throw outOfRange('gather', gather, count);
    const from = gathers.gatherStart[gather]!;
    const fold = gathers.gatherStart[gather + 1]! - from;
    if (trace >= fold) {
      throw new PromethiumError('invalid-argument', `trace ${trace + 1} is outside the gather's ${fold} traces`);
    }
    const file = await this.files.get(survey.id, () => openSegy(survey.sourcePath));
    const label = `${gathers.labels[gather] ?? `gather ${gather + 1}`}, trace ${trace + 1}`;
    return traceHeaderOf(file, survey.id, gathers.traceIndex[from + trace]!, label);
  }

  async liveMask(survey: SurveyLocation): Promise<{ inlines: number; crosslines: number; mask: Uint8Array }> {
    const cache = await this.openCache(survey);
    const { data, shape } = cache.liveMask();
    return { inlines: shape[0], crosslines: shape[1], mask: data };
  }

  async lod(survey: SurveyLocation): Promise<{ data: Float32Array; shape: [number, number, number]; factor: number }> {
    const cache = await this.openCache(survey);
    const { data, shape } = await cache.lod();
    return { data, shape, factor: cache.attributes.lod.factor };
  }

  private async openCache(survey: SurveyLocation): Promise<SurveyCache> {
    if (!survey.description.grid && !survey.description.line) {
      const name = path.basename(survey.sourcePath);
      throw new PromethiumError('invalid-argument', `${name} has no inline/crossline grid: browse its gathers`);
    }
    return this.caches.get(survey.id, () => SurveyCache.open(survey.cacheDir));
  }

  async gather(survey: SurveyLocation, index: number): Promise<SectionData> {
    const gathers = await this.gatherIndex(survey);
    const count = gathers.gatherKeys.length;
    if (index >= count) throw outOfRange('gather', index, count);
    const file = await this.files.get(survey.id, () => openSegy(survey.sourcePath));
    const from = gathers.gatherStart[index]!;
    const to = gathers.gatherStart[index + 1]!;
    const samples = file.samplesPerTrace;
    const data = new Float32Array((to - from) * samples);
    for (let k = from; k < to; k++) {
      data.set(await file.readTrace(gathers.traceIndex[k]!), (k - from) * samples);
    }
    const axisInfo = survey.description.sampleAxis;
    return {
      surveyId: survey.id,
      axis: 'gather',
      index,
      count,
      label: gathers.labels[index] ?? `Gather ${gathers.gatherKeys[index]}`,
      traces: to - from,
      samples,
      data,
      live: new Uint8Array(to - from).fill(1),
      traceAxis: { name: 'offset', values: Int32Array.from(gathers.offsets.slice(from, to)) },
      sampleAxis: { name: axisInfo.domain, unit: axisInfo.unit, start: axisInfo.start, interval: axisInfo.interval },
    };
  }

  async forget(surveyId: string): Promise<void> {
    this.gatherIndexes.delete(surveyId);
    await Promise.all([this.caches.closeAll(), this.files.closeAll()]);
  }

  async close(): Promise<void> {
    await Promise.all([this.caches.closeAll(), this.files.closeAll()]);
  }

  private gatherIndex(survey: SurveyLocation): Promise<GatherIndex> {
    let index = this.gatherIndexes.get(survey.id);
    if (!index) {
      index = readGatherIndex(survey.cacheDir);
      index.catch(() => this.gatherIndexes.delete(survey.id));
      this.gatherIndexes.set(survey.id, index);
    }
    return index;
  }
}

type Panel = Omit<SectionData, 'surveyId' | 'axis' | 'index'>;

function verticalAxis(description: SurveyDescription): SectionData['sampleAxis'] {
  const { domain, unit, start, interval } = description.sampleAxis;
  return { name: domain, unit, start, interval };
}

async function inlinePanel(cache: SurveyCache, survey: SurveyLocation, index: number): Promise<Panel> {
  const [inlines, crosslines, samples] = cache.attributes.shape;
  if (index >= inlines) throw outOfRange('inline', index, inlines);
  const is3d = survey.description.grid !== null;
  return {
    count: inlines,
    label: is3d ? `Inline ${cache.inlineNumbers[index]}` : path.basename(survey.sourcePath),
    data: (await cache.inline(index)).data,
    traces: crosslines,
    samples,
    live: cache.liveMask().data.slice(index * crosslines, (index + 1) * crosslines),
    traceAxis: { name: sectionTraceAxisName(survey.description, 'inline'), values: cache.crosslineNumbers },
    sampleAxis: verticalAxis(survey.description),
  };
}

async function crosslinePanel(cache: SurveyCache, survey: SurveyLocation, index: number): Promise<Panel> {
  const [inlines, crosslines, samples] = cache.attributes.shape;
  if (index >= crosslines) throw outOfRange('crossline', index, crosslines);
  const mask = cache.liveMask().data;
  return {
    count: crosslines,
    label: `Crossline ${cache.crosslineNumbers[index]}`,
    data: (await cache.crossline(index)).data,
    traces: inlines,
    samples,
    live: Uint8Array.from({ length: inlines }, (_, il) => mask[il * crosslines + index]!),
    traceAxis: { name: sectionTraceAxisName(survey.description, 'crossline'), values: cache.inlineNumbers },
    sampleAxis: verticalAxis(survey.description),
  };
}

/** A time (or depth) slice as a panel: one "trace" per inline, crosslines down the vertical axis. */
async function timeSlicePanel(cache: SurveyCache, survey: SurveyLocation, index: number): Promise<Panel> {
  const [inlines, crosslines, samples] = cache.attributes.shape;
  if (index >= samples) throw outOfRange('time', index, samples);
  const { domain, unit, start, interval } = survey.description.sampleAxis;
  const crosslineNumbers = cache.crosslineNumbers;
  const step = crosslineNumbers.length > 1 ? crosslineNumbers[1]! - crosslineNumbers[0]! : 1;
  return {
    count: samples,
    label: `${domain === 'time' ? 'Time' : 'Depth'} ${start + index * interval} ${unit}`,
    data: (await cache.timeSlice(index)).data,
    traces: inlines,
    samples: crosslines,
    live: new Uint8Array(inlines).fill(1),
    traceAxis: { name: 'inline', values: cache.inlineNumbers },
    sampleAxis: { name: 'crossline', unit: '', start: crosslineNumbers[0] ?? 0, interval: step },
  };
}
