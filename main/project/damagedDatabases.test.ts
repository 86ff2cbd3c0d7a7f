/**
 * Damaged and read-only databases, with real files: a real project database truncated or overwritten with garbage,
 * a damaged app.sqlite, and the in-memory read-only copy. The app's offer to move a damaged file aside, and a folder
 * that cannot be written, are tested in test/integration/damaged-files.test.ts.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobInfo, JobRequest } from '../../preload/contract';
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
