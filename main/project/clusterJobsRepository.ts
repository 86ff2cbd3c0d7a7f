import type { SqliteDatabase } from './database';

/** A volume being filled on a Slurm cluster: which Slurm jobs do it, and which inline slice each array task has. */
export interface ClusterJobRecord {
  volumeId: string;
  /** The array job, then any array job that resubmitted some of its tasks (same task indices, same slices). */
  arrayJobIds: string[];
  /** The job that finishes the volume once every task succeeded (--dependency=afterok). */
  finishJobId: string;
  /** Inline indices [first, last] of array task k. */
  slices: [number, number][];
  /** Where the batch scripts, the request and the task logs are. */
  scriptDir: string;
  submittedAt: string;
}

interface ClusterJobRow {
  volume_id: string;
  array_job_ids: string;
  finish_job_id: string;
  slices: string;
  script_dir: string;
  submitted_at: string;
}

export class ClusterJobsRepository {
  constructor(private readonly db: SqliteDatabase) {}

  save(record: ClusterJobRecord): void {
    this.db
      .prepare(
        `INSERT INTO cluster_jobs (volume_id, array_job_ids, finish_job_id, slices, script_dir, submitted_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (volume_id) DO UPDATE SET array_job_ids = excluded.array_job_ids,
           finish_job_id = excluded.finish_job_id`,
      )
      .run(
        record.volumeId,
        JSON.stringify(record.arrayJobIds),
        record.finishJobId,
        JSON.stringify(record.slices),
        record.scriptDir,
        record.submittedAt,
      );
  }

  get(volumeId: string): ClusterJobRecord | undefined {
    const row = this.db.prepare('SELECT * FROM cluster_jobs WHERE volume_id = ?').get(volumeId) as
      ClusterJobRow | undefined;
    return row && fromRow(row);
  }

  list(): ClusterJobRecord[] {
    const rows = this.db.prepare('SELECT * FROM cluster_jobs ORDER BY submitted_at').all() as ClusterJobRow[];
    return rows.map(fromRow);
  }
}

function fromRow(row: ClusterJobRow): ClusterJobRecord {
  return {
    volumeId: row.volume_id,
    arrayJobIds: JSON.parse(row.array_job_ids) as string[],
    finishJobId: row.finish_job_id,
    slices: JSON.parse(row.slices) as [number, number][],
    scriptDir: row.script_dir,
    submittedAt: row.submitted_at,
  };
}
