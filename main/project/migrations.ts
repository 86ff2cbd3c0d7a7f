import type { Migration } from './database';

/** The project database (`project.sqlite` in a project folder). Append only. */
export const projectMigrations: readonly Migration[] = [
  {
    version: 1,
    description: 'project metadata, settings, jobs, models',
    sql: `
      CREATE TABLE project (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        name TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
      CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        request TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued','running','done','failed','cancelled','interrupted')),
        progress REAL NOT NULL DEFAULT 0,
        message TEXT NOT NULL DEFAULT '',
        error TEXT,
        result TEXT,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT
      );
      CREATE INDEX jobs_by_state ON jobs (state);
      CREATE TABLE models (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        architecture TEXT NOT NULL,
        task TEXT NOT NULL,
        config TEXT NOT NULL,
        parent_id TEXT REFERENCES models (id) ON DELETE SET NULL,
        path TEXT NOT NULL,
        size_bytes INTEGER NOT NULL DEFAULT 0,
        metrics TEXT,
        created_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    description: 'surveys (source file, header map, geometry, cache) and derived volumes with their lineage',
    sql: `
      CREATE TABLE surveys (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        source_path TEXT NOT NULL,
        source_size INTEGER NOT NULL,
        source_mtime_ms INTEGER NOT NULL,
        kind TEXT NOT NULL,
        header_map TEXT NOT NULL,
        summary TEXT NOT NULL,
        cache_dir TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('importing','ready','failed')),
        warnings TEXT NOT NULL DEFAULT '[]',
        created_at TEXT NOT NULL
      );
      CREATE TABLE volumes (
        id TEXT PRIMARY KEY,
        survey_id TEXT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        parent_volume_id TEXT REFERENCES volumes (id) ON DELETE SET NULL,
        model_id TEXT REFERENCES models (id) ON DELETE SET NULL,
        params TEXT NOT NULL DEFAULT '{}',
        cache_dir TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('running','ready','failed','interrupted')),
        completed_lines INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
      );
      CREATE INDEX volumes_by_survey ON volumes (survey_id);
    `,
  },
  {
    version: 3,
    description: 'per-epoch training metrics, linked to the model a training job registered',
    sql: `
      ALTER TABLE models ADD COLUMN training_job_id TEXT;
      CREATE TABLE training_metrics (
        job_id TEXT NOT NULL,
        epoch INTEGER NOT NULL,
        train_loss REAL NOT NULL,
        val_loss REAL NOT NULL,
        val_snr_db REAL NOT NULL,
        learning_rate REAL NOT NULL,
        seconds REAL NOT NULL,
        PRIMARY KEY (job_id, epoch)
      );
    `,
  },
  {
    version: 4,
    description: "work handed to a Slurm cluster: the array job, its tasks' inline slices, the final job",
    sql: `
      CREATE TABLE cluster_jobs (
        volume_id TEXT PRIMARY KEY REFERENCES volumes (id) ON DELETE CASCADE,
        array_job_ids TEXT NOT NULL,
        finish_job_id TEXT NOT NULL,
        slices TEXT NOT NULL,
        script_dir TEXT NOT NULL,
        submitted_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 5,
    description: "a GAN's discriminator loss per epoch, next to the generator's (null for other models)",
    sql: `ALTER TABLE training_metrics ADD COLUMN discriminator_loss REAL;`,
  },
  {
    version: 6,
    description: 'SEG-Y imports handed to a Slurm cluster: the chain of Slurm jobs of each submission',
    sql: `
      CREATE TABLE cluster_imports (
        survey_id TEXT PRIMARY KEY REFERENCES surveys (id) ON DELETE CASCADE,
        submissions TEXT NOT NULL,
        script_dir TEXT NOT NULL,
        submitted_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 7,
    description: 'recording sets (folders of miniSEED files): their files, channels and gaps; times in ns since 1970',
    sql: `
      CREATE TABLE recording_sets (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        source_dir TEXT NOT NULL,
        cache_dir TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('importing','ready','failed')),
        created_at TEXT NOT NULL
      );
      CREATE TABLE recording_files (
        set_id TEXT NOT NULL REFERENCES recording_sets (id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        size INTEGER NOT NULL,
        is_mseed INTEGER NOT NULL,
        problems TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (set_id, path)
      );
      CREATE TABLE recording_channels (
        set_id TEXT NOT NULL REFERENCES recording_sets (id) ON DELETE CASCADE,
        source_id TEXT NOT NULL,
        network TEXT NOT NULL,
        station TEXT NOT NULL,
        location TEXT NOT NULL,
        channel TEXT NOT NULL,
        sample_rate REAL NOT NULL,
        sample_type TEXT NOT NULL,
        sample_count INTEGER NOT NULL,
        start_ns INTEGER NOT NULL,
        end_ns INTEGER NOT NULL,
        PRIMARY KEY (set_id, source_id)
      );
      CREATE TABLE recording_gaps (
        set_id TEXT NOT NULL,
        source_id TEXT NOT NULL,
        after_ns INTEGER NOT NULL,
        before_ns INTEGER NOT NULL,
        duration_ns INTEGER NOT NULL,
        FOREIGN KEY (set_id, source_id) REFERENCES recording_channels (set_id, source_id) ON DELETE CASCADE
      );
      CREATE INDEX recording_gaps_by_channel ON recording_gaps (set_id, source_id);
    `,
  },
  {
    version: 8,
    description: 'trainings handed to a Slurm cluster: the array job (one task per model), the final job, the models',
    sql: `
      CREATE TABLE cluster_trainings (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('ensemble','sweep')),
        array_job_ids TEXT NOT NULL,
        finish_job_id TEXT NOT NULL,
        members TEXT NOT NULL,
        script_dir TEXT NOT NULL,
        submitted_at TEXT NOT NULL,
        model_ids TEXT NOT NULL DEFAULT '[]'
      );
    `,
  },
];

/** The per-user application database (`app.sqlite` in the user-data folder): recent projects and app settings. */
export const appMigrations: readonly Migration[] = [
  {
    version: 1,
    description: 'recent projects, app settings',
    sql: `
      CREATE TABLE recent_projects (
        path TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        opened_at TEXT NOT NULL
      );
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
];
