/**
 * Where training patches come from: a set of lines (inlines of a survey cache, or sections held in memory), each cut
 * into patches on demand through the patch index (line, trace start, sample start), so a survey is never held whole.
 *
 * Patches are trace-major like sections (trace t of the patch occupies [t*samples, (t+1)*samples)), in the source's own
 * amplitudes; `PatchSourceSet` numbers the lines of several sources as one set and applies each source's normalisation.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { SectionShape } from '../../signal/metrics';
import { normalizeSection, robustAmplitudeScale, type AmplitudeScale } from '../normalization';
import type { LineExtent, PatchIndexEntry } from '../patchIndex';
import { reflectIndex, type PatchSize } from '../tiling';
import { sampleIntervalSeconds } from '../../survey/scalars';
import { openSegy, type SegyFile } from '../../segy/reader';
import { SurveyCache } from '../../survey/cache';
import { GATHER_INDEX_FILE, readGatherIndex, type GatherIndex } from '../../survey/importSurvey';

export interface PatchSource {
  /** Shown in messages and recorded in the model card (a survey folder name, 'synthetic'...). */
  readonly name: string;
  /** The lines patches can be cut from, with their number of traces and samples. Line ids are unique in a source. */
  readonly lines: readonly LineExtent[];
  /**
   * The patch of `patch.traces` x `patch.samples` at `entry`, trace-major, in the source's amplitudes. Positions beyond
   * the line's last trace or sample (lines smaller than a patch) are reflect-padded, as tiled inference pads them.
   */
  readPatch(entry: PatchIndexEntry, patch: PatchSize): Promise<Float32Array>;
}

export class PatchSourceError extends Error {
  readonly apiCode = 'invalid-argument';
}

/**
 * The patch at (firstTrace, firstSample) of a trace-major window `window` of shape `shape`, reflect-padded where the
 * patch runs past the window's end.
 */
export function cutPatch(
  window: Float32Array,
  shape: SectionShape,
  firstTrace: number,
  firstSample: number,
  patch: PatchSize,
): Float32Array {
  const result = new Float32Array(patch.traces * patch.samples);
  for (let column = 0; column < patch.traces; column++) {
    const trace = reflectIndex(firstTrace + column, shape.traces);
    for (let row = 0; row < patch.samples; row++) {
      result[column * patch.samples + row] =
        window[trace * shape.samples + reflectIndex(firstSample + row, shape.samples)]!;
    }
  }
  return result;
}

function lineExtent(lines: readonly LineExtent[], line: number, source: string): LineExtent {
  const extent = lines.find((candidate) => candidate.line === line);
  if (extent === undefined) throw new PatchSourceError(`${source} has no line ${line}`);
  return extent;
}

/** Sections held in memory (synthetic data, tests, a single 2D line); line i is sections[i]. */
export class InMemoryPatchSource implements PatchSource {
  readonly lines: LineExtent[];

  constructor(
    readonly name: string,
    private readonly sections: readonly { data: Float32Array; shape: SectionShape }[],
  ) {
    this.lines = sections.map(({ data, shape }, line) => {
      if (data.length !== shape.traces * shape.samples) {
        throw new PatchSourceError(
          `${name}: section ${line} holds ${data.length} values, not ${shape.traces} x ${shape.samples}`,
        );
      }
      return { line, ...shape };
    });
  }

  async readPatch(entry: PatchIndexEntry, patch: PatchSize): Promise<Float32Array> {
    const section = this.sections[entry.line];
    if (section === undefined) throw new PatchSourceError(`${this.name} has no line ${entry.line}`);
    return cutPatch(section.data, section.shape, entry.traceStart, entry.sampleStart, patch);
  }
}

/**
 * The inlines of a survey cache. Line ids are inline indices (0-based positions in the grid, not inline numbers).
 * Inlines without a single live trace are left out of `lines` (they hold only the cache's fill zeros) and listed in
 * `emptyLines`. Each patch is one sub-volume read of the patch's window.
 */
export class SurveyCachePatchSource implements PatchSource {
  readonly lines: LineExtent[];
  readonly emptyLines: number[];

  constructor(
    private readonly cache: SurveyCache,
    readonly name = path.basename(cache.dir),
  ) {
    const [inlines, crosslines, samples] = cache.attributes.shape;
    const live = cache.liveMask().data;
    const hasLiveTrace = (inline: number) => live.subarray(inline * crosslines, (inline + 1) * crosslines).includes(1);
    const indices = Array.from({ length: inlines }, (_, inline) => inline);
    this.lines = indices.filter(hasLiveTrace).map((line) => ({ line, traces: crosslines, samples }));
    this.emptyLines = indices.filter((inline) => !hasLiveTrace(inline));
  }

  static async open(dir: string, name?: string): Promise<SurveyCachePatchSource> {
    return new SurveyCachePatchSource(await SurveyCache.open(dir), name);
  }

  async readPatch(entry: PatchIndexEntry, patch: PatchSize): Promise<Float32Array> {
    const { traces, samples } = lineExtent(this.lines, entry.line, this.name);
    const traceEnd = Math.min(traces, entry.traceStart + patch.traces);
    const sampleEnd = Math.min(samples, entry.sampleStart + patch.samples);
    const { data } = await this.cache.subVolume(
      entry.line,
      entry.line + 1,
      entry.traceStart,
      traceEnd,
      entry.sampleStart,
      sampleEnd,
    );
    const window = { traces: traceEnd - entry.traceStart, samples: sampleEnd - entry.sampleStart };
    return cutPatch(data, window, 0, 0, patch);
  }

  /** Seconds between samples, for the methods that work in Hz (survey/scalars.ts). */
  get sampleIntervalS(): number {
    return sampleIntervalSeconds(this.cache.attributes.sampleAxis);
  }

  async close(): Promise<void> {
    await this.cache.close();
  }
}

/**
 * The gathers of a pre-stack survey (shots, CDPs, receiver gathers) as lines, read from its SEG-Y file through the
 * gather index written at import, the way the gather viewer reads them: a gather plays the part an inline plays in a
 * cube. Line ids are gather indices; gathers of one trace are left out (no patch can be cut across traces).
 */
export class SurveyGathersPatchSource implements PatchSource {
  readonly lines: LineExtent[];

  private constructor(
    private readonly file: SegyFile,
    private readonly index: GatherIndex,
    readonly name: string,
  ) {
    const samples = file.samplesPerTrace;
    this.lines = index.gatherKeys
      .map((_, line) => ({ line, traces: index.gatherStart[line + 1]! - index.gatherStart[line]!, samples }))
      .filter((extent) => extent.traces > 1);
  }

  static async open(
    cacheDir: string,
    segyPath: string,
    name = path.basename(cacheDir),
  ): Promise<SurveyGathersPatchSource> {
    const index = await readGatherIndex(cacheDir);
    return new SurveyGathersPatchSource(await openSegy(segyPath), index, name);
  }

  async readPatch(entry: PatchIndexEntry, patch: PatchSize): Promise<Float32Array> {
    const { traces, samples } = lineExtent(this.lines, entry.line, this.name);
    const first = this.index.gatherStart[entry.line]! + entry.traceStart;
    const count = Math.min(traces - entry.traceStart, patch.traces);
    const window = new Float32Array(count * samples);
    for (let k = 0; k < count; k++)
      window.set(await this.file.readTrace(this.index.traceIndex[first + k]!), k * samples);
    return cutPatch(window, { traces: count, samples }, 0, entry.sampleStart, patch);
  }

  get sampleIntervalS(): number {
    return this.file.sampleIntervalUs / 1e6;
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}

/** A survey's patches for training and adapting: inlines of its cube (3D, a 2D line's one line) or its gathers. */
export type SurveyPatchSource = SurveyCachePatchSource | SurveyGathersPatchSource;

/**
 * The patch source of an imported survey: its gathers where the import wrote a gather index (pre-stack and
 * unstructured files keep their samples in the SEG-Y file), else the lines of its cube cache.
 */
export async function openSurveyPatchSource(survey: {
  cacheDir: string;
  sourcePath?: string;
}): Promise<SurveyPatchSource> {
  if (!existsSync(path.join(survey.cacheDir, GATHER_INDEX_FILE))) return SurveyCachePatchSource.open(survey.cacheDir);
  if (survey.sourcePath === undefined) {
    throw new PatchSourceError(`${survey.cacheDir} holds gathers: training on them needs the survey's SEG-Y file`);
  }
  return SurveyGathersPatchSource.open(survey.cacheDir, survey.sourcePath);
}

/** Most samples read to estimate a source's scale: 4 Mi samples (16 MB) whatever the survey's size. */
export const SCALE_SAMPLE_BUDGET = 4 * 1024 * 1024;
/** Most lines read to estimate a source's scale, spread evenly over the source. */
export const SCALE_SAMPLE_LINES = 16;

/** Up to `count` lines spread evenly from first to last. */
export function evenlySpacedLines(lines: readonly LineExtent[], count: number): LineExtent[] {
  if (lines.length <= count) return [...lines];
  return Array.from({ length: count }, (_, k) => lines[Math.round((k * (lines.length - 1)) / (count - 1))]!);
}

function isLiveTrace(trace: Float32Array): boolean {
  return trace.some((value) => value !== 0 && Number.isFinite(value));
}

/** Every `step`-th trace of a trace-major line that is live (dead traces would drag the percentile down). */
function liveTraceSample(data: Float32Array, shape: SectionShape, step: number): Float32Array[] {
  const traces: Float32Array[] = [];
  for (let t = 0; t < shape.traces; t += step) {
    const trace = data.subarray(t * shape.samples, (t + 1) * shape.samples);
    if (isLiveTrace(trace)) traces.push(trace);
  }
  return traces;
}

/**
 * The robust amplitude scale of a whole source (normalization.ts: the 99.5th percentile of |a| over live samples, to
 * the nearest power of two), estimated from up to SCALE_SAMPLE_LINES lines spread over the source, each thinned to
 * every n-th trace so that at most SCALE_SAMPLE_BUDGET samples are read. Inference estimates the scale of the survey it
 * processes with this same function, so a model sees amplitudes scaled the same way in training and in use.
 */
export async function estimateSourceScale(source: PatchSource): Promise<AmplitudeScale> {
  const sampled = evenlySpacedLines(source.lines, SCALE_SAMPLE_LINES);
  if (sampled.length === 0) throw new PatchSourceError(`${source.name} has no line with live traces`);
  const budgetPerLine = SCALE_SAMPLE_BUDGET / sampled.length;
  const parts: Float32Array[] = [];
  for (const extent of sampled) {
    const line = await source.readPatch({ line: extent.line, traceStart: 0, sampleStart: 0 }, extent);
    const step = Math.max(1, Math.ceil((extent.traces * extent.samples) / budgetPerLine));
    parts.push(...liveTraceSample(line, extent, step));
  }
  // Dead traces are already dropped, so the sample can be handed over as one long trace (lines may differ in length).
  return robustAmplitudeScale(concatenate(parts), { traces: 1, samples: totalLength(parts) });
}

function totalLength(parts: readonly Float32Array[]): number {
  return parts.reduce((sum, part) => sum + part.length, 0);
}

function concatenate(parts: readonly Float32Array[]): Float32Array {
  const result = new Float32Array(totalLength(parts));
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}

/** A source's amplitude scale as recorded in the training state and the model card. */
export interface SourceNormalization {
  source: string;
  scale: AmplitudeScale;
}

/**
 * Several sources trained on together (several surveys, or surveys plus synthetics). Their lines are numbered 0..n-1
 * across the set, so the patch index and the by-line split treat them as one collection, and every patch comes back
 * divided by its own source's scale: each survey reaches the model at the same amplitude convention.
 */
export class PatchSourceSet {
  readonly lines: LineExtent[] = [];
  private readonly owners: { source: PatchSource; scale: AmplitudeScale; line: number }[] = [];

  constructor(
    readonly sources: readonly PatchSource[],
    readonly scales: readonly AmplitudeScale[],
  ) {
    if (sources.length === 0) throw new PatchSourceError('training needs at least one source of patches');
    if (scales.length !== sources.length) {
      throw new PatchSourceError(`${scales.length} amplitude scales for ${sources.length} sources of patches`);
    }
    sources.forEach((source, index) => {
      for (const extent of source.lines) {
        this.owners.push({ source, scale: scales[index]!, line: extent.line });
        this.lines.push({ ...extent, line: this.lines.length });
      }
    });
  }

  /** The set with each source's scale estimated by `estimateSourceScale`. */
  static async withEstimatedScales(sources: readonly PatchSource[]): Promise<PatchSourceSet> {
    const scales: AmplitudeScale[] = [];
    for (const source of sources) scales.push(await estimateSourceScale(source));
    return new PatchSourceSet(sources, scales);
  }

  get normalization(): SourceNormalization[] {
    return this.sources.map((source, index) => ({ source: source.name, scale: this.scales[index]! }));
  }

  /** The patch at `entry` (a line of the set), divided by its source's scale; NaN and infinite samples become 0. */
  async readNormalizedPatch(entry: PatchIndexEntry, patch: PatchSize): Promise<Float32Array> {
    const owner = this.owners[entry.line];
    if (owner === undefined) throw new PatchSourceError(`the training set has no line ${entry.line}`);
    const raw = await owner.source.readPatch({ ...entry, line: owner.line }, patch);
    return normalizeSection(raw, owner.scale);
  }
}
