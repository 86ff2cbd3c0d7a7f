/**
 * Writing SEG-Y. `writeSegyLike` rewrites a source file with new samples, keeping every header byte as it was
 * (text, extended text, binary, trace headers and extensions, trailer) except a history line in the textual
 * header and, when IEEE output is asked for, the format code. `writeNewSegy` writes a new file from arrays.
 * Both write to `OUT.tmp-<random>` next to the output and rename it when complete; on any failure the temporary
 * file is removed and a SegyWriteError is thrown, so nothing half-written is left behind.
 */
import { writeAtomically } from '../files/atomicFile';
import { SegyWriteError } from './errors';
import { deriveTraceHeader } from './traceHeaderEdit';
import { BINARY_HEADER_FIELDS, TRACE_HEADER_BYTES, TRACE_HEADER_FIELDS, writeField } from './headerFields';
import type { BinaryHeaderFieldName, HeaderField, TraceHeaderFieldName } from './headerFields';
import type { SegyFile } from './reader';
import { SAMPLE_FORMATS, decodeSamples, encodeSamples } from './sampleFormats';
import type { ByteOrder, SampleFormatCode } from './sampleFormats';
import { forEachTraceBlock } from './scan';
import { TEXT_HEADER_BYTES, encodeTextHeader, withHistoryLine } from './textHeader';
import type { TextEncoding } from './textHeader';

const WRITE_BLOCK_BYTES = 8 << 20;
const FORMAT_CODE_OFFSET = 3224;

export interface WriteProgress {
  readonly tracesDone: number;
  readonly traceCount: number;
}

/** A trace the source does not have (a filled grid position), written after source trace `after` (-1: first). */
export interface InsertedTrace {
  readonly after: number;
  /** The complete trace header record (240 bytes, or more with rev 2 extension headers), e.g. from deriveTraceHeader. */
  readonly header: Uint8Array;
  readonly samples: Float32Array;
}

export interface WriteLikeOptions {
  /** The new samples of trace `traceIndex` (as many as that trace has). */
  readonly samples: (traceIndex: number) => Float32Array | Promise<Float32Array>;
  /** Traces to add, sorted by `after`; fixed-length files only (each has the file's sample count). */
  readonly inserted?: readonly InsertedTrace[];
  /** Header fields to change in source trace `traceIndex` (byte position -> value), e.g. the trace id of a filled dead trace. */
  readonly headerEdits?: (traceIndex: number) => ReadonlyMap<number, number> | undefined;
  /** 'source' (default) keeps the source's sample format; 'ieee' writes IEEE float32 (format 5). */
  readonly format?: 'source' | 'ieee';
  /** Processing history for the textual header; false leaves the textual header untouched. */
  readonly history?: string | false;
  readonly onProgress?: (progress: WriteProgress) => void;
  readonly signal?: AbortSignal;
}

export async function writeSegyLike(source: SegyFile, outPath: string, options: WriteLikeOptions): Promise<void> {
  const outFormat: SampleFormatCode = options.format === 'ieee' ? 5 : source.format;
  const history = options.history === undefined ? defaultHistory(source, outFormat) : options.history;
  const inserted = checkInsertions(source, options.inserted ?? []);
  let nextInsertion = 0;
  const writeInsertionsUpTo = async (sink: ByteSink, lastSourceTrace: number): Promise<void> => {
    while (nextInsertion < inserted.length && inserted[nextInsertion]!.after <= lastSourceTrace) {
      await sink.write(encodeInsertedTrace(source, inserted[nextInsertion++]!, outFormat));
    }
  };
  await writeSegyAtomically(outPath, async (sink) => {
    await sink.write(await outputFileHeader(source, outFormat, history));
    await writeInsertionsUpTo(sink, -1);
    await forEachTraceBlock(source, 0, source.traceCount, WRITE_BLOCK_BYTES, async (records, first, count) => {
      if (options.signal?.aborted) throw new SegyWriteError('aborted', `writing ${outPath} was cancelled`);
      // Split the block where added traces go, so they land between the right source traces.
      for (let from = first; from < first + count;) {
        const nextAfter = inserted[nextInsertion]?.after ?? Infinity;
        const to = Math.min(first + count, Math.max(from + 1, nextAfter + 1));
        await sink.write(await rewriteBlock(source, records, first, from, to, outFormat, options));
        await writeInsertionsUpTo(sink, to - 1);
        from = to;
      }
      options.onProgress?.({ tracesDone: first + count, traceCount: source.traceCount });
    });
    await writeInsertionsUpTo(sink, source.traceCount);
    await sink.write(await source.readTrailerBytes());
  });
}

function checkInsertions(source: SegyFile, inserted: readonly InsertedTrace[]): readonly InsertedTrace[] {
  if (inserted.length === 0) return inserted;
  if (source.layout.variable) {
    throw new SegyWriteError('bad-input', 'traces cannot be added to a variable-trace-length file');
  }
  inserted.forEach((trace, i) => {
    if (i > 0 && trace.after < inserted[i - 1]!.after)
      throw new SegyWriteError('bad-input', 'added traces are not sorted');
    if (trace.header.length !== source.layout.traceHeaderBytes || trace.samples.length !== source.samplesPerTrace) {
      throw new SegyWriteError(
        'bad-input',
        `an added trace needs ${source.layout.traceHeaderBytes} header bytes and ${source.samplesPerTrace} samples`,
      );
    }
  });
  return inserted;
}

function encodeInsertedTrace(source: SegyFile, trace: InsertedTrace, outFormat: SampleFormatCode): Uint8Array {
  const headerBytes = trace.header.length;
  const out = new Uint8Array(headerBytes + trace.samples.length * SAMPLE_FORMATS[outFormat].bytesPerSample);
  out.set(trace.header, 0);
  encodeSamples(trace.samples, outFormat, source.byteOrder, out.subarray(headerBytes));
  return out;
}

function defaultHistory(source: SegyFile, outFormat: SampleFormatCode): string {
  const date = new Date().toISOString().slice(0, 10);
  const formatNote = outFormat === source.format ? '' : `, format ${source.format} -> ${outFormat}`;
  return `Promethium ${date}: samples rewritten${formatNote}`;
}

async function outputFileHeader(
  source: SegyFile,
  outFormat: SampleFormatCode,
  history: string | false,
): Promise<Uint8Array> {
  const header = Uint8Array.from(await source.readFileHeaderBytes());
  if (history !== false) header.set(withHistoryLine(source.textHeader, history), 0);
  if (outFormat !== source.format) {
    new DataView(header.buffer, header.byteOffset).setInt16(
      FORMAT_CODE_OFFSET,
      outFormat,
      source.byteOrder === 'little',
    );
  }
  return header;
}

/** Rewrites source traces [from, to) of a block of records that starts at trace `blockFirst`. */
async function rewriteBlock(
  source: SegyFile,
  records: Uint8Array,
  blockFirst: number,
  from: number,
  to: number,
  outFormat: SampleFormatCode,
  { samples: samplesOf, headerEdits }: WriteLikeOptions,
): Promise<Uint8Array> {
  const headerBytes = source.layout.traceHeaderBytes;
  const outBytesPerSample = SAMPLE_FORMATS[outFormat].bytesPerSample;
  let total = 0;
  for (let i = from; i < to; i++) total += headerBytes + source.traceSampleCount(i) * outBytesPerSample;
  const out = new Uint8Array(total);
  const base = source.traceOffset(blockFirst);
  let at = 0;
  for (let i = from; i < to; i++) {
    const ns = source.traceSampleCount(i);
    const inAt = source.traceOffset(i) - base;
    const samples = await samplesOf(i);
    if (samples.length !== ns) {
      throw new SegyWriteError('bad-input', `trace ${i + 1}: ${samples.length} new samples given, the trace has ${ns}`);
    }
    out.set(records.subarray(inAt, inAt + headerBytes), at);
    const edits = headerEdits?.(i);
    if (edits) out.set(deriveTraceHeader(out.subarray(at, at + headerBytes), edits, source.byteOrder), at);
    const original = records.subarray(inAt + headerBytes, inAt + headerBytes + ns * source.layout.bytesPerSample);
    const target = out.subarray(at + headerBytes, at + headerBytes + ns * outBytesPerSample);
    if (outFormat === source.format) encodeKeepingUnchanged(samples, original, outFormat, source.byteOrder, target);
    else encodeSamples(samples, outFormat, source.byteOrder, target);
    at += headerBytes + ns * outBytesPerSample;
  }
  return out;
}

/**
 * Encodes `samples`, but keeps the original bytes of every sample whose decoded value is unchanged (same float32
 * bits): IBM floats have several encodings of one value (unnormalised, zero with an exponent) and integers above
 * 2^24 do not survive float32, so re-encoding an unchanged sample could otherwise alter its bytes.
 */
function encodeKeepingUnchanged(
  samples: Float32Array,
  original: Uint8Array,
  format: SampleFormatCode,
  order: ByteOrder,
  target: Uint8Array,
): void {
  encodeSamples(samples, format, order, target);
  const decoded = new Float32Array(samples.length);
  decodeSamples(original, format, order, samples.length, decoded);
  const before = new Uint32Array(decoded.buffer);
  const after = new Uint32Array(samples.buffer, samples.byteOffset, samples.length);
  const width = SAMPLE_FORMATS[format].bytesPerSample;
  for (let i = 0; i < samples.length; i++) {
    if (before[i] === after[i]) target.set(original.subarray(i * width, (i + 1) * width), i * width);
  }
}

interface ByteSink {
  write(bytes: Uint8Array): Promise<void>;
}

/** Writes `outPath` atomically (main/files/atomicFile.ts) through a sink that counts bytes for the error message. */
async function writeSegyAtomically(outPath: string, produce: (sink: ByteSink) => Promise<void>): Promise<void> {
  let written = 0;
  try {
    await writeAtomically(outPath, (file) =>
      produce({
        async write(bytes) {
          for (let done = 0; done < bytes.length;)
            done += (await file.write(bytes, done, bytes.length - done)).bytesWritten;
          written += bytes.length;
        },
      }),
    );
  } catch (error) {
    throw asWriteError(error, outPath, written);
  }
}

function asWriteError(error: unknown, outPath: string, written: number): SegyWriteError {
  if (error instanceof SegyWriteError) return error;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new SegyWriteError(
      'no-space',
      `the disk is full: ${outPath} could not be written (${written} bytes written before it filled; the partial file was removed)`,
      { cause: error },
    );
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new SegyWriteError('io', `${outPath} could not be written: ${reason} (nothing was left behind)`, {
    cause: error,
  });
}

export type TraceHeaderValues = Partial<Record<TraceHeaderFieldName, ArrayLike<number> | number>>;

export interface NewSegyOptions {
  /** All samples, trace after trace (traceCount x samplesPerTrace), or a function giving trace i's samples. */
  readonly samples: Float32Array | ((traceIndex: number) => Float32Array);
  readonly traceCount: number;
  readonly samplesPerTrace: number;
  readonly sampleIntervalUs: number;
  /** Sample format (default 5, IEEE float32). */
  readonly format?: SampleFormatCode;
  readonly byteOrder?: ByteOrder;
  /** Per-trace header values (an array with one value per trace, or one value for all), e.g. inline, crossline, cdpX. */
  readonly traceHeaders?: TraceHeaderValues;
  /** Extra binary header values (format, sample count, interval, revision and fixed-length flag are set for you). */
  readonly binaryHeader?: Partial<Record<BinaryHeaderFieldName, number>>;
  /** Up to 40 lines of textual header; default: a short Promethium header. */
  readonly textLines?: readonly string[];
  readonly textEncoding?: TextEncoding;
}

/** Writes a new SEG-Y rev 1.0 file (fixed trace length) from arrays. */
export async function writeNewSegy(outPath: string, options: NewSegyOptions): Promise<void> {
  checkNewSegyOptions(options);
  await writeSegyAtomically(outPath, async (sink) => {
    for (const chunk of newSegyChunks(options)) await sink.write(chunk);
  });
}

/** The same file as one buffer in memory (small synthetic files, tests). */
export function encodeNewSegy(options: NewSegyOptions): Uint8Array {
  checkNewSegyOptions(options);
  return Buffer.concat([...newSegyChunks(options)]);
}

/** The file headers, then blocks of about WRITE_BLOCK_BYTES of traces. */
function* newSegyChunks(options: NewSegyOptions): Generator<Uint8Array> {
  const format = options.format ?? 5;
  const order = options.byteOrder ?? 'big';
  const traceBytes = TRACE_HEADER_BYTES + options.samplesPerTrace * SAMPLE_FORMATS[format].bytesPerSample;
  const tracesPerBlock = Math.max(1, Math.floor(WRITE_BLOCK_BYTES / traceBytes));
  yield newFileHeader(options, format, order);
  for (let first = 0; first < options.traceCount; first += tracesPerBlock) {
    const count = Math.min(tracesPerBlock, options.traceCount - first);
    const block = new Uint8Array(count * traceBytes);
    for (let k = 0; k < count; k++) {
      writeNewTrace(block.subarray(k * traceBytes, (k + 1) * traceBytes), first + k, options, format, order);
    }
    yield block;
  }
}

function checkNewSegyOptions(options: NewSegyOptions): void {
  const { traceCount, samplesPerTrace, sampleIntervalUs, samples } = options;
  if (!Number.isInteger(traceCount) || traceCount < 0)
    throw new SegyWriteError('bad-input', `trace count must be a whole number >= 0, not ${traceCount}`);
  if (!Number.isInteger(samplesPerTrace) || samplesPerTrace < 1 || samplesPerTrace > 65535) {
    throw new SegyWriteError(
      'bad-input',
      `samples per trace must be 1..65535 for a rev 1 file, not ${samplesPerTrace}`,
    );
  }
  if (!(sampleIntervalUs > 0 && sampleIntervalUs <= 65535))
    throw new SegyWriteError('bad-input', `sample interval must be 1..65535 µs, not ${sampleIntervalUs}`);
  if (samples instanceof Float32Array && samples.length !== traceCount * samplesPerTrace) {
    throw new SegyWriteError(
      'bad-input',
      `${samples.length} samples given for ${traceCount} traces x ${samplesPerTrace} samples`,
    );
  }
}

function newFileHeader(options: NewSegyOptions, format: SampleFormatCode, order: ByteOrder): Uint8Array {
  const lines = options.textLines ?? [
    'C 1 SEG-Y WRITTEN BY PROMETHIUM',
    `C 2 ${options.traceCount} TRACES, ${options.samplesPerTrace} SAMPLES, ${options.sampleIntervalUs} US, FORMAT ${format}`,
  ];
  const header = new Uint8Array(TEXT_HEADER_BYTES + 400);
  header.set(encodeTextHeader(lines, options.textEncoding ?? 'ebcdic'), 0);
  const values: Partial<Record<BinaryHeaderFieldName, number>> = {
    sampleInterval: Math.round(options.sampleIntervalUs),
    samplesPerTrace: options.samplesPerTrace,
    formatCode: format,
    revision: 0x0100,
    fixedLengthFlag: 1,
    ...options.binaryHeader,
  };
  writeValues(
    new DataView(header.buffer, TEXT_HEADER_BYTES),
    BINARY_HEADER_FIELDS,
    3201,
    order,
    (name) => values[name as BinaryHeaderFieldName],
  );
  return header;
}

function writeNewTrace(
  record: Uint8Array,
  index: number,
  options: NewSegyOptions,
  format: SampleFormatCode,
  order: ByteOrder,
): void {
  const ns = options.samplesPerTrace;
  const defaults: TraceHeaderValues = {
    traceSequenceLine: index + 1,
    traceSequenceFile: index + 1,
    samplesPerTrace: ns,
    sampleInterval: Math.round(options.sampleIntervalUs),
    traceIdentificationCode: 1,
  };
  const given = options.traceHeaders ?? {};
  const valueOf = (name: string): number | undefined => {
    const value = given[name as TraceHeaderFieldName] ?? defaults[name as TraceHeaderFieldName];
    return typeof value === 'number' ? value : value?.[index];
  };
  writeValues(
    new DataView(record.buffer, record.byteOffset, TRACE_HEADER_BYTES),
    TRACE_HEADER_FIELDS,
    1,
    order,
    valueOf,
  );
  const samples =
    typeof options.samples === 'function'
      ? options.samples(index)
      : options.samples.subarray(index * ns, (index + 1) * ns);
  if (samples.length !== ns)
    throw new SegyWriteError('bad-input', `trace ${index + 1}: ${samples.length} samples given, ${ns} expected`);
  encodeSamples(samples, format, order, record.subarray(TRACE_HEADER_BYTES));
}

function writeValues(
  view: DataView,
  fields: readonly HeaderField[],
  firstByte: number,
  order: ByteOrder,
  valueOf: (name: string) => number | undefined,
): void {
  for (const spec of fields) {
    const value = valueOf(spec.name);
    if (value !== undefined) writeField(view, 0, spec, firstByte, order === 'little', value);
  }
}
