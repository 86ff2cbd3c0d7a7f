/**
 * A recording set: a folder of miniSEED files imported into a project. The import (a job in the compute process)
 * decodes every file once into the recording cache; what it found (files with their damaged records, channels with
 * codes, rates, spans and gaps) is then described for the project database from the cache's index.
 */
import { stat } from 'node:fs/promises';
import type { RecordingProblem } from '../../preload/contract';
import type { RecordingSetContents, StoredChannel } from '../project/recordingSetsRepository';
import { codesFromSourceId, sampleTimeNs } from './mseed';
import { buildRecordingCache, type CachedChannel, type RecordingIndex } from './recordingCache';
import { filesUnder } from './recordingFiles';

/** A folder without a single miniSEED record: nothing to import (the API's 'invalid-argument'). */
export class NoRecordingError extends Error {
  readonly apiCode = 'invalid-argument';
}

export interface ImportRecordingsJob {
  signal: AbortSignal;
  progress(fraction: number, message: string): void;
}

/** Decodes every file under `dir` into the cache at `cacheDir`; returns how many files and channels it holds. */
export async function importRecordingSet(
  request: { dir: string; cacheDir: string },
  job: ImportRecordingsJob,
): Promise<{ files: number; channels: number; damagedRecords: number }> {
  const files = await filesUnder(request.dir);
  const index = await buildRecordingCache(files, request.cacheDir, {
    signal: job.signal,
    onFile: (done, total) => job.progress(done / total, `decoded file ${done} of ${total}`),
  });
  const damagedRecords = index.files.reduce(
    (count, file) => count + file.problems.filter((p) => p.severity === 'error').length,
    0,
  );
  if (index.channels.length === 0) {
    throw new NoRecordingError(
      `${request.dir}: no miniSEED record found in ${files.length} file${files.length === 1 ? '' : 's'}`,
    );
  }
  return { files: files.length, channels: new Set(index.channels.map((c) => c.sourceId)).size, damagedRecords };
}

/** What the database keeps of a built cache: the files (with their sizes now) and one row per channel. */
export async function describeRecordingSet(index: RecordingIndex): Promise<RecordingSetContents> {
  const files = await Promise.all(
    index.files.map(async (file) => ({
      path: file.file,
      size: (await stat(file.file).catch(() => ({ size: 0 }))).size,
      isMseed: file.isMseed,
      // A file without any record is no damaged recording but another kind of file (notes, logs): skipped quietly.
      problems: file.isMseed ? file.problems.map((problem): RecordingProblem => ({ file: file.file, ...problem })) : [],
    })),
  );
  const bySourceId = new Map<string, CachedChannel[]>();
  for (const channel of index.channels) {
    bySourceId.set(channel.sourceId, [...(bySourceId.get(channel.sourceId) ?? []), channel]);
  }
  return { files, channels: [...bySourceId.values()].map(describeChannel) };
}

/** One channel, from its data files (more than one only where its sample type changed within the set). */
function describeChannel(parts: readonly CachedChannel[]): StoredChannel {
  const first = parts[0]!;
  const pieces = parts.flatMap((part) => part.pieces).sort((a, b) => (a.startNs < b.startNs ? -1 : 1));
  const last = pieces.at(-1)!;
  return {
    sourceId: first.sourceId,
    ...codesFromSourceId(first.sourceId),
    sampleRate: pieces[0]!.sampleRate,
    sampleType: first.sampleType,
    sampleCount: pieces.reduce((total, piece) => total + piece.sampleCount, 0),
    startNs: pieces[0]!.startNs,
    endNs: sampleTimeNs(last.startNs, last.sampleCount - 1, last.sampleRate),
    gaps: parts.flatMap((part) => part.gaps),
  };
}
