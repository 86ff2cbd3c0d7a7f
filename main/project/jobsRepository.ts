import type { ApiErrorShape, JobInfo, JobRequest, JobState } from '../../preload/contract';
import type { SqliteDatabase } from './database';

interface JobRow {
  id: string;
  kind: string;
  title: string;
  request: string;
  state: JobState;
  progress: number;
  message: string;
  error: string | null;
  result: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface StoredJob {
  info: JobInfo;
  request: JobRequest;
}

function fromRow(row: JobRow): StoredJob {
  return {
    request: JSON.parse(row.request) as JobRequest,
    info: {
      id: row.id,
      kind: row.kind as JobRequest['kind'],
      title: row.title,
      state: row.state,
      progress: row.progress,
      etaSeconds: null,
      message: row.message,
      createdAt: row.created_at,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      error: row.error ? (JSON.parse(row.error) as ApiErrorShape) : null,
      result: row.result ? (JSON.parse(row.result) as unknown) : null,
      detail: null,
    },
  };
}

/** Job status persisted in the project database, so that a crash or restart never loses what ran and how it ended. */
export class JobsRepository {
  constructor(private readonly db: SqliteDatabase) {}

  insert(info: JobInfo, request: JobRequest): void {
    this.db
      .prepare(
        `INSERT INTO jobs (id, kind, title, request, state, progress, message, created_at)
         VALUES (@id, @kind, @title, @request, @state, @progress, @message, @createdAt)`,
      )
      .run({ ...info, request: JSON.stringify(request) });
  }

  /** Writes the mutable part of a job's status. */
  update(info: JobInfo): void {
    this.db
      .prepare(
        `UPDATE jobs SET state = @state, progress = @progress, message = @message, error = @error, result = @result,
           started_at = @startedAt, finished_at = @finishedAt WHERE id = @id`,
      )
      .run({
        id: info.id,
        state: info.state,
        progress: info.progress,
        message: info.message,
        startedAt: info.startedAt,
        finishedAt: info.finishedAt,
        error: info.error ? JSON.stringify(info.error) : null,
        result: info.result === null || info.result === undefined ? null : JSON.stringify(info.result),
      });
  }

  get(id: string): StoredJob | undefined {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    return row ? fromRow(row) : undefined;
  }

  list(limit = 200): JobInfo[] {
    const rows = this.db.prepare('SELECT * FROM jobs ORDER BY created_at DESC, rowid DESC LIMIT ?').all(limit);
    return (rows as JobRow[]).map((row) => fromRow(row).info);
  }

  /** Jobs queued or running: at open, those a previous run of the app left unfinished. */
  unfinished(): StoredJob[] {
    const rows = this.db.prepare(`SELECT * FROM jobs WHERE state IN ('queued', 'running')`).all() as JobRow[];
    return rows.map(fromRow);
  }

  /** Jobs left queued or running by a previous run of the app that ended without finishing them. */
  markUnfinishedInterrupted(now: string): number {
    return this.db
      .prepare(
        `UPDATE jobs SET state = 'interrupted', finished_at = ?, message = 'interrupted: the app stopped while this job ran'
         WHERE state IN ('queued', 'running')`,
      )
      .run(now).changes;
  }
}
