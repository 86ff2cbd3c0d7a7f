/**
 * Works out how a SEG-Y file is laid out: byte order, sample format, where the traces start, how long each one is
 * and how many there are. Header fields are treated as claims to check against the file size, not as facts:
 * the sample count comes from whichever of the binary header, the rev 2 extended field and the first trace header
 * makes the file size add up, and nothing is allocated from a header value before it is checked against the size.
 */
import { SegyFormatError } from './errors';
import { BINARY_HEADER_BYTES, TRACE_HEADER_BYTES, decodeBinaryHeader } from './headerFields';
import type { BinaryHeader } from './headerFields';
import { isStandardFormatCode, sampleFormatInfo } from './sampleFormats';
import type { ByteOrder, SampleFormatCode } from './sampleFormats';
import { looksLikePlainText, recogniseForeignFile } from './sniff';
import type { ByteSource } from './source';
import { TEXT_HEADER_BYTES, decodeTextHeader, isEndTextStanza } from './textHeader';
import type { TextHeader } from './textHeader';

export interface SegyOpenOptions {
  /** Force the byte order instead of detecting it. */
  readonly byteOrder?: ByteOrder;
  /** Force the sample format code (e.g. a file whose binary header is wrong). */
  readonly format?: SampleFormatCode;
  /** Force the number of samples per trace. */
  readonly samplesPerTrace?: number;
  /** Force the sample interval in microseconds (or metres/feet x 1000 for depth data). */
  readonly sampleIntervalUs?: number;
  /** Refuse a file whose last trace is incomplete instead of ignoring that trace with a warning. */
  readonly strict?: boolean;
}

export interface VariableTraceTable {
  /** Byte offset of each trace's first header byte. */
  readonly offsets: Float64Array;
  /** Samples in each trace. */
  readonly sampleCounts: Int32Array;
}

export interface SegyLayout {
  readonly byteOrder: ByteOrder;
  readonly textHeader: TextHeader;
  readonly extendedTextHeaders: readonly TextHeader[];
  readonly binaryHeader: BinaryHeader;
  /** Major SEG-Y revision (0, 1 or 2), normalising writers' variants (1, 100 and 0x0100 all mean rev 1). */
  readonly revision: number;
  readonly format: SampleFormatCode;
  readonly bytesPerSample: number;
  readonly samplesPerTrace: number;
  readonly sampleIntervalUs: number;
  /** Rev 2 trace header extensions: extra 240-byte headers after each standard trace header. */
  readonly extraTraceHeaders: number;
  /** Bytes of all the headers of one trace: 240 x (1 + extraTraceHeaders). */
  readonly traceHeaderBytes: number;
  readonly dataOffset: number;
  readonly traceCount: number;
  /** Bytes per trace when all traces have the same length; null for variable-length files. */
  readonly fixedTraceBytes: number | null;
  readonly variable: VariableTraceTable | null;
  readonly warnings: readonly string[];
}

export const FILE_HEADER_BYTES = TEXT_HEADER_BYTES + BINARY_HEADER_BYTES;
const STANZA_BYTES = 3200;
/** A variable count of extended textual headers (-1) is searched for its end stanza this far at most. */
const MAX_VARIABLE_TEXT_HEADERS = 1000;
const REV2_INTEGER_CONSTANT = 0x01020304;

export async function resolveLayout(source: ByteSource, options: SegyOpenOptions = {}): Promise<SegyLayout> {
  const head = await source.read(0, FILE_HEADER_BYTES);
  rejectForeignFiles(source, head);
  const warnings: string[] = [];
  const textHeader = decodeTextHeader(head.subarray(0, TEXT_HEADER_BYTES));
  const binaryBytes = head.subarray(TEXT_HEADER_BYTES, FILE_HEADER_BYTES);
  const byteOrder = options.byteOrder ?? detectByteOrder(binaryBytes, source, warnings);
  const binaryHeader = decodeBinaryHeader(binaryBytes, byteOrder === 'little');
  const revision = normaliseRevision(binaryHeader.revision);
  const format = options.format ?? checkedFormat(binaryHeader.formatCode, textHeader);
  const bytesPerSample = sampleFormatInfo(format).bytesPerSample;
  const extendedTextHeaders = await readExtendedTextHeaders(source, binaryHeader, revision, warnings);
  const dataOffset = firstTraceOffset(source, binaryHeader, revision, extendedTextHeaders.length, warnings);
  const dataEnd = endOfTraceData(source.size, dataOffset, binaryHeader, revision);
  const context: LayoutContext = {
    ...{ source, byteOrder, binaryBytes, binaryHeader, revision, bytesPerSample },
    ...{ dataOffset, dataEnd, options, warnings },
  };
  const extraTraceHeaders = extraTraceHeaderCount(context);
  const traces = await resolveTraces(context, extraTraceHeaders);
  return {
    byteOrder,
    textHeader,
    extendedTextHeaders,
    binaryHeader,
    revision,
    format,
    bytesPerSample,
    samplesPerTrace: traces.samplesPerTrace,
    sampleIntervalUs: options.sampleIntervalUs ?? (await sampleInterval(context)),
    extraTraceHeaders,
    traceHeaderBytes: TRACE_HEADER_BYTES * (1 + extraTraceHeaders),
    dataOffset,
    traceCount: traces.traceCount,
    fixedTraceBytes: traces.fixedTraceBytes,
    variable: traces.variable,
    warnings,
  };
}

interface LayoutContext {
  readonly source: ByteSource;
  readonly byteOrder: ByteOrder;
  readonly binaryBytes: Uint8Array;
  readonly binaryHeader: BinaryHeader;
  readonly revision: number;
  readonly bytesPerSample: number;
  readonly dataOffset: number;
  readonly dataEnd: number;
  readonly options: SegyOpenOptions;
  readonly warnings: string[];
}

function rejectForeignFiles(source: ByteSource, head: Uint8Array): void {
  if (source.size === 0) throw new SegyFormatError('empty-file', `not a SEG-Y file: ${source.name} is empty (0 bytes)`);
  const foreign = recogniseForeignFile(head);
  if (foreign) throw new SegyFormatError('not-segy', `not a SEG-Y file: ${source.name} looks like ${foreign}`);
  if (source.size < FILE_HEADER_BYTES) {
    const what = looksLikePlainText(head) ? ', and it looks like a text file' : '';
    throw new SegyFormatError(
      'too-small',
      `not a SEG-Y file: ${source.name} has ${source.size} bytes, fewer than the 3600 of the textual and binary file headers${what}`,
    );
  }
}

function checkedFormat(code: number, textHeader: TextHeader): SampleFormatCode {
  if (isStandardFormatCode(code)) return sampleFormatInfo(code).code;
  if (looksLikePlainText(textHeader.raw) && textHeader.encoding === 'ascii') {
    throw new SegyFormatError(
      'not-segy',
      `not a SEG-Y file: it looks like a text file (no binary header after the first 3200 bytes)`,
    );
  }
  return sampleFormatInfo(code).code;
}

/** 0x0100 is the standard; writers also store 1, 2, 100 or 200 for rev 1 and 2. */
export function normaliseRevision(raw: number): number {
  if (raw >= 0x100) return Math.min(raw >> 8, 2);
  if (raw === 1 || raw === 2) return raw;
  if (raw === 100 || raw === 200) return raw / 100;
  return 0;
}

/**
 * Big or little endian: the rev 2 integer constant decides when present; otherwise the order in which the format
 * code is a standard one (a 16-bit code and its byte swap are never both valid), then plausible sample counts.
 */
export function detectByteOrder(binary: Uint8Array, source: ByteSource, warnings: string[]): ByteOrder {
  const view = new DataView(binary.buffer, binary.byteOffset, binary.byteLength);
  if (view.getInt32(96, false) === REV2_INTEGER_CONSTANT) return 'big';
  if (view.getInt32(96, true) === REV2_INTEGER_CONSTANT) return 'little';
  const score = (little: boolean): number => {
    const format = view.getInt16(24, little);
    const samples = view.getUint16(20, little);
    const interval = view.getUint16(16, little);
    let points = isStandardFormatCode(format) ? 4 : 0;
    if (samples > 0 && samples * 4 + TRACE_HEADER_BYTES <= source.size) points += 1;
    if (interval > 0 && interval <= 20000) points += 1;
    return points;
  };
  const big = score(false);
  const little = score(true);
  if (little > big) return 'little';
  if (little === big && big < 4)
    warnings.push('byte order could not be told from the binary header; big-endian (the standard) assumed');
  return 'big';
}

async function readExtendedTextHeaders(
  source: ByteSource,
  binary: BinaryHeader,
  revision: number,
  warnings: string[],
): Promise<TextHeader[]> {
  const declared = binary.extendedTextHeaders;
  if (declared === 0) return [];
  if (declared === -1) return readVariableTextHeaders(source, warnings);
  const room = Math.floor((source.size - FILE_HEADER_BYTES) / STANZA_BYTES);
  if (declared < 0 || declared > room) {
    const message = `binary header bytes 3505-3506 claim ${declared} extended textual headers, but the file has room for ${Math.max(room, 0)}`;
    if (revision === 0 || declared < 0) {
      warnings.push(`${message}; ignored (the field is unassigned before rev 1)`);
      return [];
    }
    throw new SegyFormatError('bad-header', message);
  }
  const bytes = await source.read(FILE_HEADER_BYTES, declared * STANZA_BYTES);
  const headers: TextHeader[] = [];
  for (let i = 0; i < declared; i++)
    headers.push(decodeTextHeader(bytes.slice(i * STANZA_BYTES, (i + 1) * STANZA_BYTES)));
  return headers;
}

async function readVariableTextHeaders(source: ByteSource, warnings: string[]): Promise<TextHeader[]> {
  const headers: TextHeader[] = [];
  for (
    let position = FILE_HEADER_BYTES;
    position + STANZA_BYTES <= source.size && headers.length < MAX_VARIABLE_TEXT_HEADERS;
    position += STANZA_BYTES
  ) {
    const header = decodeTextHeader((await source.read(position, STANZA_BYTES)).slice());
    headers.push(header);
    if (isEndTextStanza(header)) return headers;
  }
  warnings.push(
    'the binary header announces a variable number of extended textual headers (-1) but no ((SEG: EndText)) stanza was found; none used',
  );
  return [];
}

function firstTraceOffset(
  source: ByteSource,
  binary: BinaryHeader,
  revision: number,
  extendedCount: number,
  warnings: string[],
): number {
  const standard = FILE_HEADER_BYTES + extendedCount * STANZA_BYTES;
  const declared = binary.byteOffsetOfFirstTrace64;
  if (revision < 2 || declared === 0 || declared === standard) return standard;
  if (declared > standard && declared <= source.size) return declared;
  warnings.push(
    `binary header bytes 3521-3528 give the first trace at byte ${declared}, which is impossible here; ${standard} used`,
  );
  return standard;
}

function endOfTraceData(size: number, dataOffset: number, binary: BinaryHeader, revision: number): number {
  const trailer = binary.numberOfTrailerStanzas;
  if (revision < 2 || trailer <= 0 || trailer * STANZA_BYTES > size - dataOffset) return size;
  return size - trailer * STANZA_BYTES;
}

/**
 * Rev 2 trace header extensions. The standard gives 3507-3510 (32 bits) but segyio writes 16 bits at 3507-3508,
 * so a 32-bit value with an empty low half is read as the 16-bit one.
 */
function extraTraceHeaderCount(context: LayoutContext): number {
  const { binaryHeader, binaryBytes, revision, source, dataOffset, warnings } = context;
  if (revision < 2) return 0;
  const view = new DataView(binaryBytes.buffer, binaryBytes.byteOffset, binaryBytes.byteLength);
  const thirtyTwo = view.getInt32(3507 - 3201, context.byteOrder === 'little');
  const count =
    binaryHeader.maxAdditionalTraceHeaders !== 0 && (thirtyTwo & 0xffff) === 0
      ? binaryHeader.maxAdditionalTraceHeaders
      : thirtyTwo;
  if (count < 0 || dataOffset + TRACE_HEADER_BYTES * (1 + count) > source.size) {
    warnings.push(
      `binary header bytes 3507-3510 claim ${count} trace header extensions per trace, impossible for this file size; 0 used`,
    );
    return 0;
  }
  return count;
}

interface ResolvedTraces {
  readonly samplesPerTrace: number;
  readonly traceCount: number;
  readonly fixedTraceBytes: number | null;
  readonly variable: VariableTraceTable | null;
}

async function resolveTraces(context: LayoutContext, extraTraceHeaders: number): Promise<ResolvedTraces> {
  const headerBytes = TRACE_HEADER_BYTES * (1 + extraTraceHeaders);
  const candidates = await sampleCountCandidates(context);
  const room = context.dataEnd - context.dataOffset;
  const fits = (ns: number): boolean => room % (headerBytes + ns * context.bytesPerSample) === 0;
  const fixed =
    candidates.find((candidate) => candidate.samples > 0 && fits(candidate.samples)) ??
    headerOnlyTraces(candidates, fits, context);
  if (fixed) {
    reportSampleCountChoice(context, candidates, fixed);
    return fixedLayout(fixed.samples, headerBytes, context);
  }
  if (variableLengthAllowed(context)) {
    const variable = await walkVariableTraces(context, headerBytes, candidates[0]?.samples ?? 0);
    if (variable) return variable;
  }
  const preferred = candidates.find((candidate) => candidate.samples > 0);
  if (!preferred)
    throw new SegyFormatError(
      'bad-header',
      `${context.source.name}: no sample count in the binary header nor in trace 1, and the file size does not fit traces without samples`,
    );
  return truncatedLayout(context, preferred.samples, headerBytes);
}

/** Every header says 0 samples and the size fits 240-byte traces: a file of header-only traces. */
function headerOnlyTraces(
  candidates: readonly SampleCountCandidate[],
  fits: (ns: number) => boolean,
  context: LayoutContext,
): SampleCountCandidate | undefined {
  if (candidates.some((c) => c.samples > 0) || !fits(0)) return undefined;
  context.warnings.push('every header says 0 samples per trace: the traces hold headers only');
  return candidates[0] ?? { samples: 0, source: 'binary header bytes 3221-3222' };
}

interface SampleCountCandidate {
  readonly samples: number;
  readonly source: string;
}

async function sampleCountCandidates(context: LayoutContext): Promise<SampleCountCandidate[]> {
  const { binaryHeader, revision, options } = context;
  if (options.samplesPerTrace !== undefined) return [{ samples: options.samplesPerTrace, source: 'your override' }];
  const candidates: SampleCountCandidate[] = [];
  if (revision >= 2 && binaryHeader.extendedSamplesPerTrace > 0) {
    candidates.push({
      samples: binaryHeader.extendedSamplesPerTrace,
      source: 'binary header bytes 3269-3272 (rev 2 extended)',
    });
  }
  candidates.push({ samples: binaryHeader.samplesPerTrace, source: 'binary header bytes 3221-3222' });
  const firstTrace = await firstTraceSampleCount(context);
  if (firstTrace !== null) candidates.push({ samples: firstTrace, source: 'trace header bytes 115-116 of trace 1' });
  return candidates;
}

async function firstTraceSampleCount(context: LayoutContext): Promise<number | null> {
  if (context.dataOffset + TRACE_HEADER_BYTES > context.dataEnd) return null;
  const header = await context.source.read(context.dataOffset + 114, 2);
  if (header.length < 2) return null;
  return new DataView(header.buffer, header.byteOffset, 2).getUint16(0, context.byteOrder === 'little');
}

function reportSampleCountChoice(
  context: LayoutContext,
  candidates: readonly SampleCountCandidate[],
  chosen: SampleCountCandidate,
): void {
  // Writers often leave 0 in trace headers: only real disagreements are worth a warning.
  const disagreeing = candidates.filter((c) => c.samples !== chosen.samples && c.samples !== 0);
  if (disagreeing.length === 0) return;
  const others = disagreeing.map((c) => `${c.source} say ${c.samples}`).join(', ');
  context.warnings.push(
    `samples per trace: ${chosen.source} say ${chosen.samples} but ${others}; ${chosen.samples} used because it fits the file size`,
  );
}

function fixedLayout(samples: number, headerBytes: number, context: LayoutContext): ResolvedTraces {
  const traceBytes = headerBytes + samples * context.bytesPerSample;
  return {
    samplesPerTrace: samples,
    traceCount: (context.dataEnd - context.dataOffset) / traceBytes,
    fixedTraceBytes: traceBytes,
    variable: null,
  };
}

function variableLengthAllowed(context: LayoutContext): boolean {
  return (
    context.revision >= 1 && context.binaryHeader.fixedLengthFlag === 0 && context.options.samplesPerTrace === undefined
  );
}

/** Reads trace headers in large blocks, walking from trace to trace by each trace's own sample count (bytes 115-116). */
async function walkVariableTraces(
  context: LayoutContext,
  headerBytes: number,
  defaultSamples: number,
): Promise<ResolvedTraces | null> {
  const { source, dataOffset, dataEnd, bytesPerSample } = context;
  const little = context.byteOrder === 'little';
  const offsets: number[] = [];
  const counts: number[] = [];
  const blockBytes = 1 << 18;
  let block: Uint8Array = new Uint8Array(0);
  let blockStart = 0;
  for (let position = dataOffset; position < dataEnd;) {
    if (position + headerBytes > dataEnd) return null;
    if (position + 116 > blockStart + block.length) {
      blockStart = position;
      block = await source.read(position, blockBytes);
    }
    const at = position - blockStart + 114;
    const own = (block[at]! << 8) | block[at + 1]!;
    const samples = (little ? ((own & 0xff) << 8) | (own >> 8) : own) || defaultSamples;
    offsets.push(position);
    counts.push(samples);
    position += headerBytes + samples * bytesPerSample;
    if (position > dataEnd) return null;
  }
  const sampleCounts = Int32Array.from(counts);
  context.warnings.push(
    'variable trace length (rev 1+ with fixed-length flag 0): traces are read with their own sample counts',
  );
  return {
    samplesPerTrace: sampleCounts.reduce((max, n) => Math.max(max, n), 0),
    traceCount: counts.length,
    fixedTraceBytes: null,
    variable: { offsets: Float64Array.from(offsets), sampleCounts },
  };
}

/** No sample count fits the size exactly: the file was cut. Complete traces are kept, the partial one is reported. */
function truncatedLayout(context: LayoutContext, samples: number, headerBytes: number): ResolvedTraces {
  const traceBytes = headerBytes + samples * context.bytesPerSample;
  const room = context.dataEnd - context.dataOffset;
  const complete = Math.floor(room / traceBytes);
  const leftover = room - complete * traceBytes;
  const trace = complete + 1;
  const message =
    leftover < headerBytes
      ? `trace ${trace}: the file ends ${leftover} bytes into its ${headerBytes}-byte header`
      : `trace ${trace}: ${samples} samples expected, file ends after ${Math.floor((leftover - headerBytes) / context.bytesPerSample)}`;
  if (complete === 0 || context.options.strict)
    throw new SegyFormatError('truncated', `${context.source.name}: ${message}`);
  context.warnings.push(`${message} (the file is truncated); the incomplete trace is ignored`);
  return { samplesPerTrace: samples, traceCount: complete, fixedTraceBytes: traceBytes, variable: null };
}

/** Microseconds (or mm/ft*1000 for depth) from the binary header, the rev 2 extended field or the first trace. */
async function sampleInterval(context: LayoutContext): Promise<number> {
  const { binaryHeader, revision } = context;
  const extended = binaryHeader.extendedSampleInterval;
  if (revision >= 2 && Number.isFinite(extended) && extended > 0) return extended;
  if (binaryHeader.sampleInterval > 0) return binaryHeader.sampleInterval;
  if (context.dataOffset + TRACE_HEADER_BYTES <= context.dataEnd) {
    const bytes = await context.source.read(context.dataOffset + 116, 2);
    const fromTrace = new DataView(bytes.buffer, bytes.byteOffset, 2).getUint16(0, context.byteOrder === 'little');
    if (fromTrace > 0) {
      context.warnings.push(
        `sample interval missing from the binary header; ${fromTrace} taken from trace 1 (bytes 117-118)`,
      );
      return fromTrace;
    }
  }
  context.warnings.push('sample interval is 0 in the binary header and in trace 1; 4000 µs (4 ms) assumed');
  return 4000;
}
