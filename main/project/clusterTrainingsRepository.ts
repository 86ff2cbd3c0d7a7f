import type { SqliteDatabase } from './database';

/** One model of a training on the cluster, as the jobs panel names it before it is trained. */
export interface ClusterTrainingMember {
  name: string;
  seed: number;
  epochs: number;
}

/** A training handed to a Slurm cluster: one array task per model, a final job that registers the models. */
export interface ClusterTrainingRecord {
  id: string;
  name: string;
  kind: 'ensemble' | 'sweep';
  /** The array job, then any array job that resubmitted some of its tasks (same task indices, same models). */
  arrayJobIds: string[];
  /** The job that registers the models once every task succeeded (--dependency=afterok). */
  finishJobId: string;
  /** Array task k trains members[k]. */
  members: ClusterTrainingMember[];
  /** Where the batch scripts, the request, the task logs and each model's checkpoints are. */
  scriptDir: string;
  submittedAt: string;
  /** The registered models in member order; empty until the final job ran. */
  modelIds: string[];
}

interface ClusterTrainingRow {
  id: string;
  name: string;
  kind: 'ensemble' | 'sweep';
  array_job_ids: string;
  finish_job_id: string;
  members: string;
  script_dir: string;
  submitted_at: string;
  model_ids: string;
}

export class ClusterTrainingsRepository {
  constructor(private readonly db: SqliteDatabase) {}

  save(record: ClusterTrainingRecord): void {
    this.db
      .prepare(
        `INSERT INTO cluster_trainings
           (id, name, kind, array_job_ids, finish_job_id, members, script_dir, submitted_at, model_ids)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET array_job_ids = excluded.array_job_ids,
           finish_job_id = excluded.finish_job_id, model_ids = excluded.model_ids`,
      )
      .run(
        record.id,
        record.name,
        record.kind,
        JSON.stringify(record.arrayJobIds),
        record.finishJobId,
        JSON.stringify(record.members),
        record.scriptDir,
        record.submittedAt,
        JSON.stringify(record.modelIds),
      );
  }

  get(id: string): ClusterTrainingRecord | undefined {
    const row = this.db.prepare('SELECT * FROM cluster_trainings WHERE id = ?').get(id) as
      ClusterTrainingRow | undefined;
    return row && fromRow(row);
  }

  list(): ClusterTrainingRecord[] {
    const rows = this.db.prepare('SELECT * FROM cluster_trainings ORDER BY submitted_at').all() as ClusterTrainingRow[];
    return rows.map(fromRow);
  }
}

function fromRow(row: ClusterTrainingRow): ClusterTrainingRecord {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    arrayJobIds: JSON.parse(row.array_job_ids) as string[],
    finishJobId: row.finish_job_id,
    members: JSON.parse(row.members) as ClusterTrainingMember[],
    scriptDir: row.script_dir,
    submittedAt: row.submitted_at,
    modelIds: JSON.parse(row.model_ids) as string[],
  };
}
