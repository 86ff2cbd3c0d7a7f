import { statSync } from 'node:fs';
import type { SourceStatus, SurveyDescription, SurveySummary } from '../../preload/contract';
import type { SqliteDatabase } from './database';

interface SurveyRow {
  id: string;
  name: string;
  source_path: string;
  source_size: number;
  source_mtime_ms: number;
  kind: string;
  header_map: string;
  summary: string;
  cache_dir: string;
  state: SurveySummary['state'];
  created_at: string;
}

export interface StoredSurvey {
  summary: SurveySummary;
  cacheDir: string;
}

/** Whether the SEG-Y behind a survey is still the file that was imported (same size and modification time). */
export function sourceStatus(path: string, size: number, mtimeMs: number): SourceStatus {
  try {
    const stat = statSync(path);
    return stat.size === size && Math.round(stat.mtimeMs) === mtimeMs ? 'ok' : 'changed';
  } catch {
    return 'missing';
  }
}

function fromRow(row: SurveyRow): StoredSurvey {
  const description = row.state === 'ready' ? (JSON.parse(row.summary) as SurveyDescription) : null;
  return {
    cacheDir: row.cache_dir,
    summary: {
      id: row.id,
      name: row.name,
      sourcePath: row.source_path,
      state: row.state,
      description,
      sourceStatus: sourceStatus(row.source_path, row.source_size, row.source_mtime_ms),
      createdAt: row.created_at,
    },
  };
}

/** Surveys of a project: the source file (with size and mtime, to notice a changed or moved file) and the cache. */
export class SurveysRepository {
  constructor(private readonly db: SqliteDatabase) {}

  insertImporting(survey: { id: string; name: string; sourcePath: string; cacheDir: string }): void {
    const stat = statSync(survey.sourcePath);
    this.db
      .prepare(
        `INSERT INTO surveys (id, name, source_path, source_size, source_mtime_ms, kind, header_map, summary, cache_dir,
           state, created_at)
         VALUES (?, ?, ?, ?, ?, '', '{}', '{}', ?, 'importing', ?)`,
      )
      .run(
        survey.id,
        survey.name,
        survey.sourcePath,
        stat.size,
        Math.round(stat.mtimeMs),
        survey.cacheDir,
        new Date().toISOString(),
      );
  }

  markReady(id: string, description: SurveyDescription): void {
    this.db
      .prepare(`UPDATE surveys SET state = 'ready', kind = ?, header_map = ?, summary = ?, warnings = ? WHERE id = ?`)
      .run(
        description.kind,
        JSON.stringify(description.headerMap.map),
        JSON.stringify(description),
        JSON.stringify(description.warnings),
        id,
      );
  }

  /** Replaces a ready survey's description (a user's correction, e.g. its vertical axis). */
  updateDescription(id: string, description: SurveyDescription): void {
    this.db
      .prepare(`UPDATE surveys SET summary = ? WHERE id = ? AND state = 'ready'`)
      .run(JSON.stringify(description), id);
  }

  markFailed(id: string): void {
    this.db.prepare(`UPDATE surveys SET state = 'failed' WHERE id = ?`).run(id);
  }

  get(id: string): StoredSurvey | undefined {
    const row = this.db.prepare('SELECT * FROM surveys WHERE id = ?').get(id) as SurveyRow | undefined;
    return row ? fromRow(row) : undefined;
  }

  list(): StoredSurvey[] {
    const rows = this.db.prepare('SELECT * FROM surveys ORDER BY created_at DESC, rowid DESC').all() as SurveyRow[];
    return rows.map(fromRow);
  }

  remove(id: string): void {
    this.db.prepare('DELETE FROM surveys WHERE id = ?').run(id);
  }

  /** Surveys whose import a previous run of the app left unfinished. */
  markUnfinishedFailed(): number {
    return this.db
      .prepare(
        `UPDATE surveys SET state = 'failed'
         WHERE state = 'importing' AND id NOT IN (SELECT survey_id FROM cluster_imports)`,
      )
      .run().changes;
  }
}
