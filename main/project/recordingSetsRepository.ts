import type { RecordingFileInfo, RecordingSetSummary } from '../../preload/contract';
import type { SqliteDatabase } from './database';

/** A gap (or, with a negative duration, an overlap) of a channel, in ns since 1970 (UTC). */
export interface StoredGap {
  afterNs: bigint;
  beforeNs: bigint;
  durationNs: bigint;
}

export interface StoredChannel {
  sourceId: string;
  network: string;
  station: string;
  location: string;
  channel: string;
  sampleRate: number;
  sampleType: 'int32' | 'float32' | 'float64';
  sampleCount: number;
  /** First and last sample. */
  startNs: bigint;
  endNs: bigint;
  gaps: StoredGap[];
}

/** What an import found: every file of the folder with its damaged records, and every channel with its gaps. */
export interface RecordingSetContents {
  files: RecordingFileInfo[];
  channels: StoredChannel[];
}

export interface StoredRecordingSet extends RecordingSetContents {
  id: string;
  name: string;
  sourceDir: string;
  cacheDir: string;
  state: RecordingSetSummary['state'];
  createdAt: string;
}

interface SetRow {
  id: string;
  name: string;
  source_dir: string;
  cache_dir: string;
  state: RecordingSetSummary['state'];
  created_at: string;
}

interface FileRow {
  path: string;
  size: number;
  is_mseed: number;
  problems: string;
}

interface ChannelRow {
  source_id: string;
  network: string;
  station: string;
  location: string;
  channel: string;
  sample_rate: number;
  sample_type: StoredChannel['sampleType'];
  sample_count: bigint;
  start_ns: bigint;
  end_ns: bigint;
}

interface GapRow {
  source_id: string;
  after_ns: bigint;
  before_ns: bigint;
  duration_ns: bigint;
}

/**
 * Recording sets of a project: the imported folder, the cache, and what the import found (files with their damaged
 * records, channels with their codes, rates, spans and gaps). Times are integer nanoseconds, read back as bigint.
 */
export class RecordingSetsRepository {
  constructor(private readonly db: SqliteDatabase) {}

  insertImporting(set: { id: string; name: string; sourceDir: string; cacheDir: string }): void {
    this.db
      .prepare(
        `INSERT INTO recording_sets (id, name, source_dir, cache_dir, state, created_at)
         VALUES (?, ?, ?, ?, 'importing', ?)`,
      )
      .run(set.id, set.name, set.sourceDir, set.cacheDir, new Date().toISOString());
  }

  /** Records what the import found and marks the set ready, in one transaction. */
  markReady(id: string, contents: RecordingSetContents): void {
    const insertFile = this.db.prepare(
      'INSERT INTO recording_files (set_id, path, size, is_mseed, problems) VALUES (?, ?, ?, ?, ?)',
    );
    const insertChannel = this.db.prepare(
      `INSERT INTO recording_channels (set_id, source_id, network, station, location, channel, sample_rate,
         sample_type, sample_count, start_ns, end_ns)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertGap = this.db.prepare(
      'INSERT INTO recording_gaps (set_id, source_id, after_ns, before_ns, duration_ns) VALUES (?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const file of contents.files) {
        insertFile.run(id, file.path, file.size, file.isMseed ? 1 : 0, JSON.stringify(file.problems));
      }
      for (const c of contents.channels) {
        insertChannel.run(
          id,
          c.sourceId,
          c.network,
          c.station,
          c.location,
          c.channel,
          c.sampleRate,
          c.sampleType,
          c.sampleCount,
          c.startNs,
          c.endNs,
        );
        for (const gap of c.gaps) insertGap.run(id, c.sourceId, gap.afterNs, gap.beforeNs, gap.durationNs);
      }
      this.db.prepare(`UPDATE recording_sets SET state = 'ready' WHERE id = ?`).run(id);
    })();
  }

  markFailed(id: string): void {
    this.db.prepare(`UPDATE recording_sets SET state = 'failed' WHERE id = ?`).run(id);
  }

  get(id: string): StoredRecordingSet | undefined {
    const row = this.db.prepare('SELECT * FROM recording_sets WHERE id = ?').get(id) as SetRow | undefined;
    return row ? this.withContents(row) : undefined;
  }

  list(): StoredRecordingSet[] {
    const rows = this.db.prepare('SELECT * FROM recording_sets ORDER BY created_at DESC, rowid DESC').all() as SetRow[];
    return rows.map((row) => this.withContents(row));
  }

  remove(id: string): void {
    this.db.prepare('DELETE FROM recording_sets WHERE id = ?').run(id);
  }

  /** Sets whose import a previous run of the app left unfinished. */
  markUnfinishedFailed(): number {
    return this.db.prepare(`UPDATE recording_sets SET state = 'failed' WHERE state = 'importing'`).run().changes;
  }

  private withContents(row: SetRow): StoredRecordingSet {
    const files = (
      this.db
        .prepare('SELECT path, size, is_mseed, problems FROM recording_files WHERE set_id = ? ORDER BY path')
        .all(row.id) as FileRow[]
    ).map((file) => ({
      path: file.path,
      size: file.size,
      isMseed: file.is_mseed === 1,
      problems: JSON.parse(file.problems) as RecordingFileInfo['problems'],
    }));
    // Nanoseconds since 1970 pass 2^53: these statements read integers as bigint.
    const gapRows = this.db
      .prepare(
        'SELECT source_id, after_ns, before_ns, duration_ns FROM recording_gaps WHERE set_id = ? ORDER BY after_ns',
      )
      .safeIntegers(true)
      .all(row.id) as GapRow[];
    const channelRows = this.db
      .prepare('SELECT * FROM recording_channels WHERE set_id = ? ORDER BY network, station, location, channel')
      .safeIntegers(true)
      .all(row.id) as ChannelRow[];
    const channels = channelRows.map((c) => ({
      sourceId: c.source_id,
      network: c.network,
      station: c.station,
      location: c.location,
      channel: c.channel,
      sampleRate: Number(c.sample_rate),
      sampleType: c.sample_type,
      sampleCount: Number(c.sample_count),
      startNs: c.start_ns,
      endNs: c.end_ns,
      gaps: gapRows
        .filter((gap) => gap.source_id === c.source_id)
        .map((gap) => ({ afterNs: gap.after_ns, beforeNs: gap.before_ns, durationNs: gap.duration_ns })),
    }));
    return {
      id: row.id,
      name: row.name,
      sourceDir: row.source_dir,
      cacheDir: row.cache_dir,
      state: row.state,
      createdAt: row.created_at,
      files,
      channels,
    };
  }
}
