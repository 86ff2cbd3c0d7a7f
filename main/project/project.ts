import { mkdirSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { PromethiumError, type ProjectInfo } from '../../preload/contract';
import { openDatabase, schemaVersion, type SqliteDatabase } from './database';
import { JobsRepository } from './jobsRepository';
import { projectMigrations } from './migrations';
import { SettingsRepository } from './settingsRepository';
import { SurveysRepository } from './surveysRepository';
import { ModelsRepository } from './modelsRepository';
import { VolumesRepository } from './volumesRepository';
import { ClusterJobsRepository } from './clusterJobsRepository';

export const PROJECT_DB_FILE = 'project.sqlite';

/** A project is a folder holding `project.sqlite` plus its caches, derived volumes and models. */
export class Project {
  readonly jobs: JobsRepository;
  readonly settings: SettingsRepository;
  readonly surveys: SurveysRepository;
  readonly models: ModelsRepository;
  readonly volumes: VolumesRepository;
  readonly clusterJobs: ClusterJobsRepository;

  private constructor(
    readonly dir: string,
    readonly db: SqliteDatabase,
  ) {
    this.jobs = new JobsRepository(db);
    this.settings = new SettingsRepository(db);
    this.surveys = new SurveysRepository(db);
    this.models = new ModelsRepository(db);
    this.volumes = new VolumesRepository(db);
    this.clusterJobs = new ClusterJobsRepository(db);
  }

  /** Trained and imported models, one folder each (tfjs files + model card). */
  get modelsDir(): string {
    return path.join(this.dir, 'models');
  }

  /** Survey caches (Zarr groups) and gather indexes live here, inside the project. */
  get cachesDir(): string {
    return path.join(this.dir, 'caches');
  }

  /** Derived volumes (reconstructions applied to whole surveys), one Zarr group each. */
  get volumesDir(): string {
    return path.join(this.dir, 'volumes');
  }

  /** Opens an existing project folder; `create` makes the folder and database when they do not exist. */
  static open(dir: string, { create }: { create: boolean }): Project {
    const folder = path.resolve(dir);
    const dbFile = path.join(folder, PROJECT_DB_FILE);
    if (!existsSync(dbFile)) {
      if (!create)
        throw new PromethiumError('not-found', `${folder} is not a Promethium project (no ${PROJECT_DB_FILE})`);
      if (existsSync(folder) && !statSync(folder).isDirectory()) {
        throw new PromethiumError('invalid-argument', `${folder} exists and is not a folder`);
      }
      mkdirSync(folder, { recursive: true });
    }
    const project = new Project(folder, openDatabase(dbFile, projectMigrations));
    project.db
      .prepare('INSERT OR IGNORE INTO project (id, name, created_at) VALUES (1, ?, ?)')
      .run(path.basename(folder), new Date().toISOString());
    return project;
  }

  info(): ProjectInfo {
    const row = this.db.prepare('SELECT name, created_at FROM project WHERE id = 1').get() as {
      name: string;
      created_at: string;
    };
    return { path: this.dir, name: row.name, createdAt: row.created_at, schemaVersion: schemaVersion(this.db) };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
