import { accessSync, constants, mkdirSync, existsSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { PromethiumError, type JobRequest, type ProjectInfo } from '../../preload/contract';
import { removeStaleTemporaries, removeStaleTemporariesOf } from '../files/atomicFile';
import { openDatabase, schemaVersion, type DamagedDatabaseError, type SqliteDatabase } from './database';
import { JobsRepository } from './jobsRepository';
import { projectMigrations } from './migrations';
import { SettingsRepository } from './settingsRepository';
import { SurveysRepository } from './surveysRepository';
import { ModelsRepository } from './modelsRepository';
import { VolumesRepository } from './volumesRepository';
import { ClusterJobsRepository } from './clusterJobsRepository';
import { RecordingSetsRepository } from './recordingSetsRepository';
import { ClusterImportsRepository } from './clusterImportsRepository';
import { ClusterTrainingsRepository } from './clusterTrainingsRepository';

export const PROJECT_DB_FILE = 'project.sqlite';
/** A survey cache is written under `<cache>.partial` and renamed when complete (survey/cacheWriter.ts). */
const PARTIAL_CACHE_SUFFIX = '.partial';

/** A project is a folder holding `project.sqlite` plus its caches, derived volumes and models. */
export class Project {
  readonly jobs: JobsRepository;
  readonly settings: SettingsRepository;
  readonly surveys: SurveysRepository;
  readonly models: ModelsRepository;
  readonly volumes: VolumesRepository;
  readonly clusterJobs: ClusterJobsRepository;
  readonly recordings: RecordingSetsRepository;
  readonly clusterImports: ClusterImportsRepository;
  readonly clusterTrainings: ClusterTrainingsRepository;

  private constructor(
    readonly dir: string,
    readonly db: SqliteDatabase,
    /** Why the project is open read-only (every write refused); null when it is writable. */
    readonly readOnly: string | null,
  ) {
    this.jobs = new JobsRepository(db);
    this.settings = new SettingsRepository(db);
    this.surveys = new SurveysRepository(db);
    this.models = new ModelsRepository(db);
    this.volumes = new VolumesRepository(db);
    this.clusterJobs = new ClusterJobsRepository(db);
    this.recordings = new RecordingSetsRepository(db);
    this.clusterImports = new ClusterImportsRepository(db);
    this.clusterTrainings = new ClusterTrainingsRepository(db);
  }

  /** Trained and imported models, one folder each (tfjs files + model card). */
  get modelsDir(): string {
    return path.join(this.dir, 'models');
  }

  /** Survey caches (Zarr groups), gather indexes and recording caches live here, inside the project. */
  get cachesDir(): string {
    return path.join(this.dir, 'caches');
  }

  /** Derived volumes (reconstructions applied to whole surveys), one Zarr group each. */
  get volumesDir(): string {
    return path.join(this.dir, 'volumes');
  }

  /**
   * Opens an existing project folder; `create` makes the folder and database when they do not exist. A project whose
   * folder or database file cannot be written opens read-only. A database SQLite cannot read throws
   * DamagedDatabaseError.
   */
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
    if (!isWritable(folder) || (existsSync(dbFile) && !isWritable(dbFile))) {
      const reason = `${folder} cannot be written (permissions or a read-only disk): the project is open read-only`;
      return new Project(folder, openDatabase(dbFile, projectMigrations, { readOnly: true }), reason);
    }
    const project = new Project(folder, openDatabase(dbFile, projectMigrations), null);
    project.db
      .prepare('INSERT OR IGNORE INTO project (id, name, created_at) VALUES (1, ?, ?)')
      .run(path.basename(folder), new Date().toISOString());
    return project;
  }

  /**
   * An empty, read-only project in memory standing in for one whose database is damaged, so the app can start and
   * offer to move the file aside; nothing is written to the folder.
   */
  static standInFor(dir: string, damage: DamagedDatabaseError): Project {
    const db = openDatabase(':memory:', projectMigrations);
    db.prepare('INSERT INTO project (id, name, created_at) VALUES (1, ?, ?)').run(
      path.basename(dir),
      new Date().toISOString(),
    );
    db.pragma('query_only = ON');
    return new Project(path.resolve(dir), db, damage.message);
  }

  /** Refuses an action that would write to a read-only project, saying why. */
  assertWritable(action: string): void {
    if (this.readOnly) throw new PromethiumError('read-only', `${action} is not possible: ${this.readOnly}`);
  }

  /**
   * Settles what a previous run of the app left unfinished (it was killed or crashed): its jobs become interrupted
   * (resumable), its imports failed, its volumes interrupted, and the temporaries of interrupted writes (next to the
   * outputs of those jobs and in the project's model folders) are removed. Returns the removed files, for the log.
   */
  recoverFromInterruptedRun(): string[] {
    const removed = this.jobs.unfinished().flatMap(({ request }) => removeTemporariesOfJob(request));
    removed.push(...removeStaleTemporaries(this.modelsDir, { recursive: true }));
    this.jobs.markUnfinishedInterrupted(new Date().toISOString());
    this.surveys.markUnfinishedFailed();
    this.recordings.markUnfinishedFailed();
    this.volumes.markUnfinishedInterrupted();
    return removed;
  }

  info(): ProjectInfo {
    const row = this.db.prepare('SELECT name, created_at FROM project WHERE id = 1').get() as {
      name: string;
      created_at: string;
    };
    return {
      path: this.dir,
      name: row.name,
      createdAt: row.created_at,
      schemaVersion: schemaVersion(this.db),
      readOnly: this.readOnly,
    };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** What the process can write: false on a read-only disk, or for a user without write permission (not root). */
function isWritable(file: string): boolean {
  try {
    accessSync(file, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** What an interrupted job may have left half-written: a SEG-Y export, derived-volume chunks, a survey cache. */
function removeTemporariesOfJob(request: JobRequest): string[] {
  if (request.kind === 'export-volume') return removeStaleTemporariesOf(request.path);
  if (request.kind === 'apply-volume') return removeStaleTemporaries(request.volumeDir, { recursive: true });
  if (request.kind === 'import-survey' || request.kind === 'import-recordings') {
    const partialCache = `${request.cacheDir}${PARTIAL_CACHE_SUFFIX}`;
    if (!existsSync(partialCache)) return [];
    rmSync(partialCache, { recursive: true, force: true });
    return [partialCache];
  }
  return [];
}
