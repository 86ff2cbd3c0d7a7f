/**
 * Synthetic surveys written as SEG-Y: post-stack cubes, 2D lines and CMP gathers from a seeded earth model, with
 * optional noise and missing traces, and optionally the clean version alongside (same traces, no noise, nothing
 * missing) for quality control.
 *
 * Missing traces are either written as dead traces (all samples zero, trace identification code 2 at byte 29: the
 * grid stays complete, as after a survey's dead channels are kept) or omitted from the file (the grid has holes, as
 * in real surveys with obstacles; readers must use the inline/crossline headers). The clean file always holds every
 * trace, so with 'omit' it has more traces than the noisy file.
 *
 * Generation streams section by section (an inline, the line, a gather): memory is one section plus one integer per
 * trace for the headers.
 */
import { performance } from 'node:perf_hooks';
import type { TraceMask } from '../signal/corruption';
import { writeNewSegy } from '../segy';
import type { BinaryHeaderFieldName, TraceHeaderValues } from '../segy';
import { EarthModel } from './earthModel';
import { CmpGatherSynthesizer } from './gathers';
import { PostStackSynthesizer } from './postStack';
import { describeEarthModel, randomEarthModelSpec } from './randomModel';
import type { RandomModelOptions } from './randomModel';
import { checkNoiseApplies, corruptSection, missingTraceMask } from './sectionCorruption';
import type { SectionContext } from './sectionCorruption';
import { SynthSpecError, describeMissing, describeNoise } from './specs';
import type { MissingSpec, NoiseComponent } from './specs';
import { COORDINATE_SCALAR, DEFAULT_GRID, binCentre, scaledCoordinate, sourceAndReceiver } from './surveyGrid';
import type { SurveyGrid } from './surveyGrid';
import { checkWaveletSpec, describeWavelet } from './wavelets';
import type { WaveletSpec } from './wavelets';

export type SyntheticKind = 'cube' | 'line' | 'gathers';
export type MissingTraceHandling = 'dead' | 'omit';

export interface SyntheticSurveyOptions {
  readonly kind: SyntheticKind;
  readonly seed: number;
  /** Cube: inlines; gathers: inlines of CMP locations; line: ignored (one line). */
  readonly inlines: number;
  /** Cube: crosslines; line: traces; gathers: CMP locations per inline. */
  readonly crosslines: number;
  readonly samples: number;
  readonly sampleIntervalMs: number;
  readonly wavelet: WaveletSpec;
  /** Constant-Q attenuation (frequency loss with depth); undefined = none. */
  readonly q?: number;
  /** Gathers: the offsets of every gather, m. */
  readonly offsetsM?: readonly number[];
  readonly noise?: readonly NoiseComponent[];
  readonly missing?: MissingSpec;
  readonly missingAs?: MissingTraceHandling;
  /** 5 (IEEE float, default) or 1 (IBM float). */
  readonly format?: 1 | 5;
  readonly grid?: SurveyGrid;
  readonly model?: RandomModelOptions;
}

export interface SyntheticSurveySummary {
  readonly path: string;
  readonly cleanPath?: string;
  readonly traceCount: number;
  readonly deadTraces: number;
  readonly omittedTraces: number;
  readonly samplesPerTrace: number;
  readonly sampleIntervalMs: number;
  readonly seconds: number;
}

/** One section of the survey at a time: an inline of a cube, the line, or one CMP gather. */
interface SectionSource {
  readonly count: number;
  readonly traces: number;
  clean(section: number): Float32Array;
  /** Grid indices (from 0) of the section's bin(s) and, for gathers, the trace's offset. */
  position(section: number, trace: number): { inline: number; crossline: number; offsetM: number };
  context(section: number): Pick<SectionContext, 'inline' | 'offsetsM'>;
}

const KINDS: readonly SyntheticKind[] = ['cube', 'line', 'gathers'];

function checkOptions(options: SyntheticSurveyOptions): void {
  if (!KINDS.includes(options.kind)) throw new SynthSpecError(`kind '${options.kind}': expected cube, line or gathers`);
  const whole = (value: number, name: string, max: number): void => {
    if (!(Number.isInteger(value) && value >= 1 && value <= max)) {
      throw new SynthSpecError(`${name} must be a whole number from 1 to ${max}, not ${value}`);
    }
  };
  whole(options.inlines, 'inlines', 100_000);
  whole(options.crosslines, 'crosslines', 100_000);
  whole(options.samples, 'samples per trace', 65_535);
  const intervalUs = options.sampleIntervalMs * 1000;
  if (!(Math.abs(intervalUs - Math.round(intervalUs)) < 1e-6 && intervalUs >= 1 && intervalUs <= 65_535)) {
    throw new SynthSpecError(
      `the sample interval must be a whole number of µs from 0.001 to 65.535 ms, not ${options.sampleIntervalMs} ms`,
    );
  }
  if (options.format !== undefined && options.format !== 1 && options.format !== 5) {
    throw new SynthSpecError(
      `format ${String(options.format)}: synthetic files are written as 5 (IEEE) or 1 (IBM) floats`,
    );
  }
  if (options.kind === 'gathers' && !(options.offsetsM && options.offsetsM.length > 0)) {
    throw new SynthSpecError('gathers need at least one offset');
  }
  checkNoiseApplies(options.noise ?? [], options.kind === 'gathers');
  if (options.q !== undefined && !(options.q > 0))
    throw new SynthSpecError(`the quality factor Q must be > 0, not ${options.q}`);
  try {
    checkWaveletSpec(options.wavelet, options.sampleIntervalMs);
  } catch (error) {
    throw new SynthSpecError(`wavelet: ${(error as Error).message}`, { cause: error });
  }
}

function modelFor(options: SyntheticSurveyOptions): EarthModel {
  const inlines = options.kind === 'line' ? 1 : options.inlines;
  const durationMs = options.samples * options.sampleIntervalMs;
  const spec = randomEarthModelSpec(
    options.seed,
    { inlines, crosslines: options.crosslines, durationMs },
    options.model,
  );
  return new EarthModel(spec);
}

function sectionSource(options: SyntheticSurveyOptions, model: EarthModel): SectionSource {
  const seismic = {
    samples: options.samples,
    sampleIntervalMs: options.sampleIntervalMs,
    wavelet: options.wavelet,
    q: options.q,
  };
  if (options.kind === 'gathers') {
    const offsetsM = options.offsetsM ?? [];
    const gathers = new CmpGatherSynthesizer(model, { ...seismic, offsetsM });
    const locate = (section: number) => ({
      inline: Math.floor(section / options.crosslines),
      crossline: section % options.crosslines,
    });
    return {
      count: options.inlines * options.crosslines,
      traces: offsetsM.length,
      clean: (section) => {
        const { inline, crossline } = locate(section);
        return gathers.gather(inline, crossline);
      },
      position: (section, trace) => ({ ...locate(section), offsetM: offsetsM[trace]! }),
      context: () => ({ offsetsM }),
    };
  }
  const postStack = new PostStackSynthesizer(model, seismic);
  const cube = options.kind === 'cube';
  return {
    count: cube ? options.inlines : 1,
    traces: options.crosslines,
    clean: (section) => postStack.inline(section),
    position: (section, trace) => ({ inline: section, crossline: trace, offsetM: 0 }),
    context: (section) => (cube ? { inline: section } : {}),
  };
}

/** Which trace of which section each file trace is, and whether it is live (0 = dead, written as zeros). */
interface TraceTable {
  readonly count: number;
  readonly section: Int32Array;
  readonly trace: Int32Array;
  readonly live: Uint8Array;
  readonly dead: number;
  readonly omitted: number;
}

function traceTable(source: SectionSource, masks: readonly TraceMask[] | undefined, omit: boolean): TraceTable {
  const section: number[] = [];
  const trace: number[] = [];
  const live: number[] = [];
  let omitted = 0;
  for (let s = 0; s < source.count; s++) {
    for (let t = 0; t < source.traces; t++) {
      const isLive = masks ? masks[s]![t]! : 1;
      if (!isLive && omit) {
        omitted++;
        continue;
      }
      section.push(s);
      trace.push(t);
      live.push(isLive);
    }
  }
  return {
    count: section.length,
    section: Int32Array.from(section),
    trace: Int32Array.from(trace),
    live: Uint8Array.from(live),
    dead: live.length - live.reduce((sum, v) => sum + v, 0),
    omitted,
  };
}

function traceHeaders(
  source: SectionSource,
  table: TraceTable,
  options: SyntheticSurveyOptions,
  grid: SurveyGrid,
): TraceHeaderValues {
  const n = table.count;
  const columns = {
    traceSequenceLine: new Int32Array(n),
    cdp: new Int32Array(n),
    cdpTrace: new Int32Array(n),
    traceIdentificationCode: new Int32Array(n),
    offset: new Int32Array(n),
    cdpX: new Int32Array(n),
    cdpY: new Int32Array(n),
    inline: new Int32Array(n),
    crossline: new Int32Array(n),
    sourceX: new Int32Array(n),
    sourceY: new Int32Array(n),
    groupX: new Int32Array(n),
    groupY: new Int32Array(n),
  };
  let inSection = 0;
  for (let i = 0; i < n; i++) {
    inSection = i > 0 && table.section[i] === table.section[i - 1] ? inSection + 1 : 1;
    const { inline, crossline, offsetM } = source.position(table.section[i]!, table.trace[i]!);
    const centre = binCentre(grid, inline, crossline);
    const [sourcePoint, receiver] = sourceAndReceiver(grid, centre, offsetM);
    columns.traceSequenceLine[i] = inSection;
    columns.cdp[i] = inline * options.crosslines + crossline + 1;
    columns.cdpTrace[i] = options.kind === 'gathers' ? table.trace[i]! + 1 : 1;
    columns.traceIdentificationCode[i] = table.live[i] ? 1 : 2;
    columns.offset[i] = Math.round(offsetM);
    columns.cdpX[i] = scaledCoordinate(centre.x);
    columns.cdpY[i] = scaledCoordinate(centre.y);
    columns.inline[i] = grid.firstInline + inline;
    columns.crossline[i] = grid.firstCrossline + crossline;
    columns.sourceX[i] = scaledCoordinate(sourcePoint.x);
    columns.sourceY[i] = scaledCoordinate(sourcePoint.y);
    columns.groupX[i] = scaledCoordinate(receiver.x);
    columns.groupY[i] = scaledCoordinate(receiver.y);
  }
  return { ...columns, coordinateScalar: COORDINATE_SCALAR, coordinateUnits: 1, dataUse: 1 };
}

function binaryHeader(
  source: SectionSource,
  options: SyntheticSurveyOptions,
): Partial<Record<BinaryHeaderFieldName, number>> {
  const gathers = options.kind === 'gathers';
  return {
    lineNumber: options.kind === 'line' ? 1 : 0,
    tracesPerEnsemble: Math.min(source.traces, 32_767),
    ensembleFold: gathers ? Math.min(source.traces, 32_767) : 1,
    // Trace sorting code: 2 = CDP ensembles, 4 = horizontally stacked.
    sortingCode: gathers ? 2 : 4,
    measurementSystem: 1,
  };
}

const PRODUCT_NAMES: Record<SyntheticKind, string> = {
  cube: 'POST-STACK 3D CUBE',
  line: 'POST-STACK 2D LINE',
  gathers: 'PRE-STACK CMP GATHERS (NMO NOT APPLIED)',
};

function textLines(options: SyntheticSurveyOptions, model: EarthModel, grid: SurveyGrid, clean: boolean): string[] {
  const { kind, samples, sampleIntervalMs } = options;
  const lastInline = grid.firstInline + (kind === 'line' ? 0 : options.inlines - 1);
  const offsets = options.offsetsM ?? [];
  const missingAs = options.missingAs === 'omit' ? 'OMITTED FROM THE FILE' : 'WRITTEN AS DEAD TRACES (ID CODE 2)';
  const lines = [
    `PROMETHIUM SYNTHETIC SEISMIC: ${PRODUCT_NAMES[kind]} - MODELLED, NOT FIELD DATA`,
    `SEED ${options.seed}; CONVOLUTIONAL MODEL, STREAMED TRACE BY TRACE`,
    `GRID: INLINES ${grid.firstInline}-${lastInline}, CROSSLINES ${grid.firstCrossline}-${grid.firstCrossline + options.crosslines - 1}, BIN ${grid.binM} M`,
    `ORIGIN X ${grid.originX} Y ${grid.originY} M, AZIMUTH ${grid.azimuthDeg} DEG; XY IN CM (SCALAR ${COORDINATE_SCALAR})`,
    `SAMPLES ${samples} AT ${sampleIntervalMs} MS (0-${(samples - 1) * sampleIntervalMs} MS TWT), FORMAT ${options.format ?? 5}`,
    `MODEL: ${describeEarthModel(model.spec)}`,
    `WAVELET: ${describeWavelet(options.wavelet)}, Q ${options.q ?? 'NONE'}`,
    kind === 'gathers'
      ? `OFFSETS ${offsets.length}: ${offsets[0]}-${offsets.at(-1)} M; AVO SHUEY 2-TERM`
      : 'AMPLITUDES: REFLECTION COEFFICIENTS x WAVELET (PEAK 1)',
    clean ? 'NOISE: NONE (CLEAN REFERENCE)' : `NOISE: ${describeNoise(options.noise ?? [])}`,
    clean
      ? 'MISSING TRACES: NONE (CLEAN REFERENCE)'
      : `MISSING TRACES: ${describeMissing(options.missing ?? { kind: 'none' })}, ${missingAs}`,
    'HEADERS: INLINE 189, CROSSLINE 193, CDP X 181, CDP Y 185, SCALAR 71, CDP 21, OFFSET 37',
    'SOURCE X/Y 73/77, GROUP X/Y 81/85, TRACE ID CODE 29 (1 LIVE, 2 DEAD)',
  ];
  const cards = lines.map((line, i) => `C${String(i + 1).padStart(2)} ${line.toUpperCase()}`);
  while (cards.length < 38) cards.push(`C${String(cards.length + 1).padStart(2)}`);
  return [...cards, 'C39 SEG-Y REV 1.0', 'C40 END TEXTUAL HEADER'];
}

/** The samples callback of the writer: generates (and corrupts) each section once, when its first trace is asked. */
function sectionSamples(
  table: TraceTable,
  samples: number,
  makeSection: (section: number) => Float32Array,
): (index: number) => Float32Array {
  const zeros = new Float32Array(samples);
  let cachedSection = -1;
  let cached: Float32Array = zeros;
  return (index) => {
    if (!table.live[index]) return zeros;
    const section = table.section[index]!;
    if (section !== cachedSection) {
      cached = makeSection(section);
      cachedSection = section;
    }
    const trace = table.trace[index]!;
    return cached.subarray(trace * samples, (trace + 1) * samples);
  };
}

async function writeFile(
  path: string,
  options: SyntheticSurveyOptions,
  parts: { source: SectionSource; table: TraceTable; model: EarthModel; grid: SurveyGrid; clean: boolean },
  makeSection: (section: number) => Float32Array,
): Promise<void> {
  const { source, table, model, grid, clean } = parts;
  await writeNewSegy(path, {
    samples: sectionSamples(table, options.samples, makeSection),
    traceCount: table.count,
    samplesPerTrace: options.samples,
    sampleIntervalUs: Math.round(options.sampleIntervalMs * 1000),
    format: options.format ?? 5,
    traceHeaders: traceHeaders(source, table, options, grid),
    binaryHeader: binaryHeader(source, options),
    textLines: textLines(options, model, grid, clean),
  });
}

/** Writes the synthetic survey to `path` and, if `cleanPath` is given, its clean version there. */
export async function writeSyntheticSegy(
  path: string,
  options: SyntheticSurveyOptions,
  cleanPath?: string,
): Promise<SyntheticSurveySummary> {
  const started = performance.now();
  checkOptions(options);
  const grid = options.grid ?? DEFAULT_GRID;
  const model = modelFor(options);
  const source = sectionSource(options, model);
  const missing = options.missing ?? { kind: 'none' };
  const masks =
    missing.kind === 'none'
      ? undefined
      : Array.from({ length: source.count }, (_, s) => missingTraceMask(missing, source.traces, options.seed, s));
  const table = traceTable(source, masks, options.missingAs === 'omit');
  const noise = options.noise ?? [];
  const shape = { traces: source.traces, samples: options.samples };
  const noisySection = (section: number): Float32Array => {
    const clean = source.clean(section);
    if (noise.length === 0) return clean;
    const context = {
      shape,
      sampleIntervalMs: options.sampleIntervalMs,
      seed: options.seed,
      section,
      ...source.context(section),
    };
    return corruptSection(clean, noise, context);
  };
  await writeFile(path, options, { source, table, model, grid, clean: false }, noisySection);
  if (cleanPath !== undefined) {
    const cleanTable = traceTable(source, undefined, false);
    await writeFile(cleanPath, options, { source, table: cleanTable, model, grid, clean: true }, (s) =>
      source.clean(s),
    );
  }
  return {
    path,
    ...(cleanPath !== undefined ? { cleanPath } : {}),
    traceCount: table.count,
    deadTraces: table.dead,
    omittedTraces: table.omitted,
    samplesPerTrace: options.samples,
    sampleIntervalMs: options.sampleIntervalMs,
    seconds: (performance.now() - started) / 1000,
  };
}
