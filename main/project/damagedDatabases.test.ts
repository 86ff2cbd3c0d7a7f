/**
 * Damaged and read-only databases, with real files: a real project database truncated or overwritten with garbage,
 * a damaged app.sqlite, and the in-memory read-only copy. (A folder that cannot be written is tested through the CLI
 * in test/integration/damaged-files.test.ts: this process runs as root, for which permissions do not apply.)
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PromethiumError, type JobInfo, type JobRequest } from '../../preload/contract';
import { forkComputeLauncher } from '../jobs/forkCompute';
import { AppServices } from '../services';
import { AppStore, APP_DB_FILE } from './appStore';
import { DamagedDatabaseError, openDatabase } from './database';
import { projectMigrations } from './migrations';
import { Project, PROJECT_DB_FILE } from './project';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'promethium-damaged-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function job(id: string): JobInfo {
  return {
    ...{ id, kind: 'synthetic-stats', title: 'self-test', state: 'done', progress: 1, etaSeconds: null },
    ...{ message: '', createdAt: new Date().toISOString(), startedAt: null, finishedAt: null },
    ...{ error: null, result: null, detail: null },
  };
}

function selfTest(seed: number): JobRequest {
  return { kind: 'synthetic-stats', inlines: 4, crosslines: 4, samples: 4, seed };
}

/** A real project database with enough rows to span many pages, closed cleanly. */
function projectWithJobs(dir: string, count = 400): string {
  const project = Project.open(dir, { create: true });
  for (let i = 0; i < count; i++) project.jobs.insert(job(`job-${i}`), selfTest(i));
  project.close();
  return path.join(dir, PROJECT_DB_FILE);
}

function servicesOffering(home: string, projectDir: string): AppServices {
  return new AppServices({
    userDataDir: home,
    projectDir,
    bundledModelsDir: path.resolve('resources/models'),
    damagedDatabases: 'offer',
    host: {
      kind: 'browser',
      versions: {},
      launchCompute: forkComputeLauncher(path.resolve('dist/compute.cjs')),
      showOpenDialog: async () => ({ canceled: true, paths: [] }),
    },
  });
}

describe('damaged database files', () => {
  it('names a project database overwritten with garbage', () => {
    const dir = tempDir();
    const file = projectWithJobs(dir);
    writeFileSync(file, Buffer.alloc(8192, 'seismic '));
    expect(() => Project.open(dir, { create: false })).toThrow(DamagedDatabaseError);
    expect(() => Project.open(dir, { create: false })).toThrow(`${file} is damaged: SQLite cannot read it`);
  });

  it('names a truncated project database', () => {
    const dir = tempDir();
    const file = projectWithJobs(dir);
    truncateSync(file, Math.floor(readFileSync(file).length / 2));
    const opening = (): Project => Project.open(dir, { create: false });
    expect(opening).toThrow(DamagedDatabaseError);
    expect(opening).toThrow(file);
  });

  it('names a damaged app.sqlite', () => {
    const home = tempDir();
    writeFileSync(path.join(home, APP_DB_FILE), 'not a database at all, just text that was written over it');
    expect(() => AppStore.open(home)).toThrow(`${path.join(home, APP_DB_FILE)} is damaged`);
  });

  it('in the app: starts on stand-ins, offers both files, and moves them aside without deleting anything', () => {
    const home = tempDir();
    const projectDir = path.join(tempDir(), 'north-sea');
    const projectFile = projectWithJobs(projectDir);
    writeFileSync(projectFile, Buffer.alloc(8192, 'garbage!'));
    writeFileSync(path.join(home, APP_DB_FILE), 'garbage');
    const damagedBytes = readFileSync(projectFile);

    const services = servicesOffering(home, projectDir);
    try {
      expect(services.damagedFiles().map(({ file, kind }) => [file, kind])).toEqual([
        [path.join(home, APP_DB_FILE), 'app'],
        [projectFile, 'project'],
      ]);
      expect(services.project.info().readOnly).toContain(`${projectFile} is damaged`);
      expect(() => services.project.jobs.insert(job('x'), selfTest(1))).toThrow();
      expect(() => services.moveDamagedAside('/etc/passwd')).toThrow(PromethiumError);

      const { movedTo, project } = services.moveDamagedAside(projectFile);
      expect(project.readOnly).toBeNull();
      expect(readFileSync(movedTo).equals(damagedBytes)).toBe(true);
      expect(path.basename(movedTo)).toMatch(/^project\.sqlite\.damaged-\d{4}-\d\d-\d\dT/);
      services.project.jobs.insert(job('fresh'), selfTest(1));
      expect(services.project.jobs.get('fresh')).toBeDefined();

      services.moveDamagedAside(path.join(home, APP_DB_FILE));
      expect(services.damagedFiles()).toEqual([]);
      expect(readdirSync(home).filter((name) => name.startsWith(`${APP_DB_FILE}.damaged-`))).toHaveLength(1);
      expect(services.app.recentProjects()).toEqual([]);
    } finally {
      services.close();
    }
    expect(existsSync(path.join(home, APP_DB_FILE))).toBe(true);
  });
});

describe('read-only databases', () => {
  it('reads an in-memory copy, refuses every write and never touches the file', () => {
    const dir = tempDir();
    const file = projectWithJobs(dir, 20);
    const before = readFileSync(file);
    const db = openDatabase(file, projectMigrations, { readOnly: true });
    expect(db.prepare('SELECT COUNT(*) AS n FROM jobs').get()).toEqual({ n: 20 });
    expect(() => db.prepare(`DELETE FROM jobs`).run()).toThrow(expect.objectContaining({ code: 'SQLITE_READONLY' }));
    db.close();
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual([PROJECT_DB_FILE]);
  });
});
