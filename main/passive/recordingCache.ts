/**
 * The cache of a recording set (a folder of miniSEED files): every channel's samples decoded once into one flat
 * little-endian file (int32, float32 or float64 as recorded) plus `index.json`, which says where each piece of each
 * channel lies in time and in the file. A window of any channel is then one positioned read per piece it overlaps:
 * milliseconds for an hour of a day at 100 Hz, with no miniSEED decoding.
 *
 * Files are read one at a time and appended, so memory holds one file's samples whatever the size of the set. Flat
 * files rather than Zarr chunks: a channel grows by appending pieces of unknown length in file order, and a window is
 * a byte range. The cache is written to `<dir>.partial` and renamed when complete (survey/cacheFiles' publish).
 */
import { mkdir, open, readFile, rm, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { checkpoint } from '../ml/cancellation';
import { publish } from '../survey/cacheFiles';
import { allocateSamples, type SampleType, type Samples } from './mseed/encodings';
import { readMseedFile, type ChannelGap, type RecordProblem } from './mseed/reader';
import { channelName } from './mseed/sourceId';
import { sampleTimeNs, withinHalfSample } from './mseed/time';

const INDEX_FILE = 'index.json';
const FORMAT_VERSION = 1;
const BYTES: Record<Exclude<SampleType, 'text'>, number> = { int32: 4, float32: 4, float64: 8 };

/** A continuous run of samples of one channel, from one file, stored from `offset` (in samples) of the data file. */
export interface CachedPiece {
  startNs: bigint;
  sampleRate: number;
  sampleCount: number;
  offset: number;
  /** The miniSEED file it came from. */
  source: string;
}

export interface CachedChannel {
  sourceId: string;
  name: string;
  sampleType: Exclude<SampleType, 'text'>;
  dataFile: string;
  /** In time order. */
  pieces: CachedPiece[];
  /** Between pieces that do not continue each other (across files too); negative durations are overlaps. */
  gaps: ChannelGap[];
}

export interface RecordingIndex {
  channels: CachedChannel[];
  files: Array<{ file: string; problems: RecordProblem[]; isMseed: boolean }>;
}

/** The samples of a window, one array per piece it overlaps (a gap between pieces is a gap in the recording). */
export interface WindowPiece {
  startNs: bigint;
  sampleRate: number;
  samples: Samples;
}

interface ChannelWriter {
  channel: CachedChannel;
  handle: FileHandle;
  written: number;
}

export interface BuildOptions {
  onFile?: (done: number, total: number) => void;
  /** Checked between files: a cancelled build removes what it wrote. */
  signal?: AbortSignal;
}

/** Decodes `files` into a new cache at `dir` (replacing one there); returns its index. */
export async function buildRecordingCache(
  files: readonly string[],
  dir: string,
  { onFile, signal }: BuildOptions = {},
): Promise<RecordingIndex> {
  const partial = `${dir}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  const writers = new Map<string, ChannelWriter>();
  const index: RecordingIndex = { channels: [], files: [] };
  try {
    for (const [k, file] of files.entries()) {
      const contents = await readMseedFile(file);
      index.files.push({ file, problems: contents.problems, isMseed: contents.records.length > 0 });
      for (const channel of contents.channels) {
        for (const segment of channel.segments) {
          if (segment.sampleType === 'text') continue;
          const writer = await channelWriter(writers, partial, channel.sourceId, segment.sampleType);
          const bytes = new Uint8Array(segment.samples.buffer, segment.samples.byteOffset, segment.samples.byteLength);
          await writer.handle.write(bytes, 0, bytes.length, writer.written * BYTES[segment.sampleType]);
          writer.channel.pieces.push({
            startNs: segment.startNs,
            sampleRate: segment.sampleRate,
            sampleCount: segment.samples.length,
            offset: writer.written,
            source: file,
          });
          writer.written += segment.samples.length;
        }
      }
      onFile?.(k + 1, files.length);
      if (signal) await checkpoint(signal);
    }
    for (const writer of writers.values()) {
      await writer.handle.close();
      writer.channel.pieces.sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0));
      writer.channel.gaps = gapsBetween(writer.channel.pieces);
    }
    index.channels = [...writers.values()]
      .map((writer) => writer.channel)
      .sort((a, b) => (a.sourceId < b.sourceId ? -1 : 1));
    await writeFile(path.join(partial, INDEX_FILE), serializeIndex(index));
    await publish(partial, dir);
    return index;
  } catch (error) {
    await Promise.all([...writers.values()].map((writer) => writer.handle.close().catch(() => undefined)));
    await rm(partial, { recursive: true, force: true });
    throw error;
  }
}

async function channelWriter(
  writers: Map<string, ChannelWriter>,
  dir: string,
  sourceId: string,
  sampleType: Exclude<SampleType, 'text'>,
): Promise<ChannelWriter> {
  // A channel that changes sample type mid-set (rare) gets a second data file.
  const key = `${sourceId} ${sampleType}`;
  const existing = writers.get(key);
  if (existing) return existing;
  const dataFile = `${writers.size}.${sampleType}`;
  const writer: ChannelWriter = {
    channel: { sourceId, name: channelName(sourceId), sampleType, dataFile, pieces: [], gaps: [] },
    handle: await open(path.join(dir, dataFile), 'w'),
    written: 0,
  };
  writers.set(key, writer);
  return writer;
}

/** Gaps between pieces in time order: where the next piece does not start within half a sample of the expected time. */
function gapsBetween(pieces: readonly CachedPiece[]): ChannelGap[] {
  const gaps: ChannelGap[] = [];
  for (let i = 1; i < pieces.length; i++) {
    const before = pieces[i - 1]!;
    const after = pieces[i]!;
    const offBy = after.startNs - sampleTimeNs(before.startNs, before.sampleCount, before.sampleRate);
    if (withinHalfSample(offBy, before.sampleRate)) continue;
    const lastSample = sampleTimeNs(before.startNs, before.sampleCount - 1, before.sampleRate);
    gaps.push({ afterNs: lastSample, beforeNs: after.startNs, durationNs: offBy });
  }
  return gaps;
}

function serializeIndex(index: RecordingIndex): string {
  return JSON.stringify(
    { version: FORMAT_VERSION, ...index },
    (_, value: unknown) => (typeof value === 'bigint' ? value.toString() : value),
    1,
  );
}

const TIME_KEYS = new Set(['startNs', 'afterNs', 'beforeNs', 'durationNs']);

/** A window asked of a channel the set does not hold (the API's 'not-found'). */
export class UnknownChannelError extends Error {
  readonly apiCode = 'not-found';
}

/** An opened recording cache: its index, and windows of its channels. */
export class RecordingCache {
  private constructor(
    readonly dir: string,
    readonly index: RecordingIndex,
  ) {}

  static async open(dir: string): Promise<RecordingCache> {
    const text = await readFile(path.join(dir, INDEX_FILE), 'utf8');
    const parsed = JSON.parse(text, (key, value: unknown) =>
      TIME_KEYS.has(key) && typeof value === 'string' ? BigInt(value) : value,
    ) as RecordingIndex & { version: number };
    if (parsed.version !== FORMAT_VERSION) {
      throw new Error(`${dir}: recording cache version ${parsed.version}, this Promethium reads ${FORMAT_VERSION}`);
    }
    return new RecordingCache(dir, { channels: parsed.channels, files: parsed.files });
  }

  /** Every sample of `sourceId`, as continuous pieces in time order (files that continue each other joined). */
  async readChannel(sourceId: string): Promise<WindowPiece[]> {
    const pieces = this.index.channels.filter((c) => c.sourceId === sourceId).flatMap((c) => c.pieces);
    const startNs = pieces.reduce(
      (first, piece) => (piece.startNs < first ? piece.startNs : first),
      pieces[0]?.startNs ?? 0n,
    );
    const endNs = pieces.reduce((last, piece) => {
      const end = sampleTimeNs(piece.startNs, piece.sampleCount, piece.sampleRate);
      return end > last ? end : last;
    }, startNs);
    return this.readWindow(sourceId, startNs, endNs);
  }

  /** Samples of `sourceId` from startNs (included) to endNs (excluded), piece by piece. */
  async readWindow(sourceId: string, startNs: bigint, endNs: bigint): Promise<WindowPiece[]> {
    const channels = this.index.channels.filter((c) => c.sourceId === sourceId);
    if (channels.length === 0)
      throw new UnknownChannelError(`the recording set has no channel ${channelName(sourceId)}`);
    const window: WindowPiece[] = [];
    for (const channel of channels) {
      const handle = await open(path.join(this.dir, channel.dataFile), 'r');
      try {
        for (const piece of channel.pieces) {
          const part = await readPiecePart(handle, channel.sampleType, piece, startNs, endNs);
          if (part) window.push(part);
        }
      } finally {
        await handle.close();
      }
    }
    window.sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0));
    return joinContiguous(window);
  }
}

/** Pieces that continue each other (a day file and the next) as one array. */
function joinContiguous(window: readonly WindowPiece[]): WindowPiece[] {
  const joined: WindowPiece[] = [];
  for (const piece of window) {
    const last = joined.at(-1);
    if (last && continues(last, piece)) {
      const samples = allocateSamples(sampleTypeOf(piece.samples), last.samples.length + piece.samples.length);
      samples.set(last.samples);
      samples.set(piece.samples, last.samples.length);
      last.samples = samples;
    } else {
      joined.push({ ...piece });
    }
  }
  return joined;
}

function continues(before: WindowPiece, after: WindowPiece): boolean {
  if (sampleTypeOf(before.samples) !== sampleTypeOf(after.samples)) return false;
  if (Math.abs(1 - before.sampleRate / after.sampleRate) >= 1e-4) return false;
  const offBy = after.startNs - sampleTimeNs(before.startNs, before.samples.length, before.sampleRate);
  return withinHalfSample(offBy, before.sampleRate);
}

function sampleTypeOf(samples: Samples): Exclude<SampleType, 'text'> {
  if (samples instanceof Int32Array) return 'int32';
  return samples instanceof Float64Array ? 'float64' : 'float32';
}

/** The samples of one piece that fall in [startNs, endNs), or undefined if none does. */
async function readPiecePart(
  handle: FileHandle,
  sampleType: Exclude<SampleType, 'text'>,
  piece: CachedPiece,
  startNs: bigint,
  endNs: bigint,
): Promise<WindowPiece | undefined> {
  const period = 1e9 / piece.sampleRate;
  const first = Math.max(0, Math.ceil(Number(startNs - piece.startNs) / period - 1e-9));
  const end = Math.min(piece.sampleCount, Math.ceil(Number(endNs - piece.startNs) / period - 1e-9));
  if (end <= first) return undefined;
  const samples = allocateSamples(sampleType, end - first);
  const bytes = new Uint8Array(samples.buffer);
  await handle.read(bytes, 0, bytes.length, (piece.offset + first) * BYTES[sampleType]);
  return { startNs: sampleTimeNs(piece.startNs, first, piece.sampleRate), sampleRate: piece.sampleRate, samples };
}
