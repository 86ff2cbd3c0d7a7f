import type { SqliteDatabase } from './database';

/** The Slurm jobs of one submission of a cluster import, one per stage (the scan and fill are array jobs). */
export interface ClusterImportJobs {
  scan: string;
  layout: string;
  fill: string;
  finish: string;
}

/** A SEG-Y import handed to a Slurm cluster: each submission's chain of jobs (a resume submits a new chain). */
export interface ClusterImportRecord {
  surveyId: string;
  /** The first submission, then one per resume; the last one is the chain that runs now. */
  submissions: ClusterImportJobs[];
  /** Where the plan, the batch scripts, the parts' records and the task logs are. */
  scriptDir: string;
  submittedAt: string;
}

interface ClusterImportRow {
  survey_id: string;
  submissions: string;
  script_dir: string;
  submitted_at: string;
}

export class ClusterImportsRepository {
  constructor(private readonly db: SqliteDatabase) {}

  save(record: ClusterImportRecord): void {
    this.db
      .prepare(
        `INSERT INTO cluster_imports (survey_id, submissions, script_dir, submitted_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (survey_id) DO UPDATE SET submissions = excluded.submissions`,
      )
      .run(record.surveyId, JSON.stringify(record.submissions), record.scriptDir, record.submittedAt);
  }

  get(surveyId: string): ClusterImportRecord | undefined {
    const row = this.db.prepare('SELECT * FROM cluster_imports WHERE survey_id = ?').get(surveyId) as
      ClusterImportRow | undefined;
    return row && fromRow(row);
  }

  list(): ClusterImportRecord[] {
    const rows = this.db.prepare('SELECT * FROM cluster_imports ORDER BY submitted_at').all() as ClusterImportRow[];
    return rows.map(fromRow);
  }
}

function fromRow(row: ClusterImportRow): ClusterImportRecord {
  return {
    surveyId: row.survey_id,
    submissions: JSON.parse(row.submissions) as ClusterImportJobs[],
    scriptDir: row.script_dir,
    submittedAt: row.submitted_at,
  };
}
