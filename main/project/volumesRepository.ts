import type { VolumeState, VolumeSummary } from '../../preload/contract';
import type { SqliteDatabase } from './database';

interface VolumeRow {
  id: string;
  survey_id: string;
  name: string;
  kind: string;
  parent_volume_id: string | null;
  model_id: string | null;
  params: string;
  cache_dir: string;
  state: VolumeState;
  completed_lines: number;
  created_at: string;
}

/** What `params` holds besides the user's choices: what the columns cannot (bundled model ids, method, job). */
interface StoredParams extends Pick<VolumeSummary, 'params' | 'method' | 'totalLines' | 'hasUncertainty'> {
  modelId: string | null;
  jobId: string | null;
}

export interface StoredVolume {
  summary: VolumeSummary;
  dir: string;
}

/** Volumes made before the strength check existed were applied at full strength. */
function withStrengthDefault(
  params: Omit<VolumeSummary['params'], 'fullStrength'> & { fullStrength?: boolean },
): VolumeSummary['params'] {
  return { ...params, fullStrength: params.fullStrength ?? true };
}

function fromRow(row: VolumeRow): StoredVolume {
  const stored = JSON.parse(row.params) as StoredParams;
  return {
    dir: row.cache_dir,
    summary: {
      id: row.id,
      surveyId: row.survey_id,
      name: row.name,
      task: row.kind as VolumeSummary['task'],
      parentVolumeId: row.parent_volume_id,
      modelId: row.model_id ?? stored.modelId,
      method: stored.method,
      params: withStrengthDefault(stored.params),
      state: row.state,
      completedLines: row.completed_lines,
      totalLines: stored.totalLines,
      hasUncertainty: stored.hasUncertainty,
      jobId: stored.jobId,
      createdAt: row.created_at,
    },
  };
}

/** Derived volumes of a project's surveys, with their lineage (survey, parent volume, model or method, params). */
export class VolumesRepository {
  constructor(private readonly db: SqliteDatabase) {}

  insert(volume: VolumeSummary, dir: string): void {
    const params: StoredParams = {
      params: volume.params,
      method: volume.method,
      totalLines: volume.totalLines,
      hasUncertainty: volume.hasUncertainty,
      modelId: volume.modelId,
      jobId: volume.jobId,
    };
    // model_id references the models table, which holds trained and imported models but not the bundled ones.
    const registered =
      volume.modelId !== null && this.db.prepare('SELECT 1 FROM models WHERE id = ?').get(volume.modelId) !== undefined;
    this.db
      .prepare(
        `INSERT INTO volumes (id, survey_id, name, kind, parent_volume_id, model_id, params, cache_dir, state,
           completed_lines, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        volume.id,
        volume.surveyId,
        volume.name,
        volume.task,
        volume.parentVolumeId,
        registered ? volume.modelId : null,
        JSON.stringify(params),
        dir,
        volume.state,
        volume.completedLines,
        volume.createdAt,
      );
  }

  get(id: string): StoredVolume | undefined {
    const row = this.db.prepare('SELECT * FROM volumes WHERE id = ?').get(id) as VolumeRow | undefined;
    return row ? fromRow(row) : undefined;
  }

  list(surveyId?: string): StoredVolume[] {
    const rows = surveyId
      ? this.db.prepare('SELECT * FROM volumes WHERE survey_id = ? ORDER BY created_at DESC, rowid DESC').all(surveyId)
      : this.db.prepare('SELECT * FROM volumes ORDER BY created_at DESC, rowid DESC').all();
    return (rows as VolumeRow[]).map(fromRow);
  }

  /** Progress of the job writing the volume (after every finished line; a resumed job has a new id). */
  setProgress(id: string, completedLines: number, jobId: string): void {
    this.db
      .prepare(
        `UPDATE volumes SET state = 'running', completed_lines = ?, params = json_set(params, '$.jobId', ?) WHERE id = ?`,
      )
      .run(completedLines, jobId, id);
  }

  setState(id: string, state: VolumeState, jobId: string): void {
    this.db
      .prepare(`UPDATE volumes SET state = ?, params = json_set(params, '$.jobId', ?) WHERE id = ?`)
      .run(state, jobId, id);
  }

  markReady(id: string, jobId: string): void {
    this.db
      .prepare(
        `UPDATE volumes SET state = 'ready', completed_lines = json_extract(params, '$.totalLines'),
           params = json_set(params, '$.jobId', ?) WHERE id = ?`,
      )
      .run(jobId, id);
  }

  remove(id: string): void {
    this.db.prepare('DELETE FROM volumes WHERE id = ?').run(id);
  }

  /**
   * Volumes a previous run of the app left being written: resumable with jobs.resume. Volumes being written by a
   * cluster job are left running: the cluster goes on without us.
   */
  markUnfinishedInterrupted(): number {
    return this.db
      .prepare(
        `UPDATE volumes SET state = 'interrupted'
         WHERE state = 'running' AND id NOT IN (SELECT volume_id FROM cluster_jobs)`,
      )
      .run().changes;
  }
}
