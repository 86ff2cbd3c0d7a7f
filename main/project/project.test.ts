import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../preload/contract';
import { AppStore } from './appStore';
import { openDatabase, SchemaTooNewError } from './database';
import { projectMigrations } from './migrations';
import { Project, PROJECT_DB_FILE } from './project';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'promethium-project-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function jobInfo(id: string, state: JobInfo['state']): JobInfo {
  return {
    id,
    kind: 'synthetic-stats',
    title: 't',
    state,
    progress: 0.5,
    etaSeconds: null,
    message: '',
    createdAt: new Date().toISOString(),
    startedAt: null,
    finishedAt: null,
    error: null,
    result: null,
    detail: null,
  };
}

describe('project database', () => {
  it('creates a project folder with a WAL database at the latest schema version', () => {
    const dir = path.join(tempDir(), 'survey-a');
    const project = Project.open(dir, { create: true });
    expect(project.info()).toMatchObject({
      path: dir,
      name: 'survey-a',
      schemaVersion: projectMigrations.at(-1)!.version,
    });
    expect(project.db.pragma('journal_mode', { simple: true })).toBe('wal');
    project.close();
  });

  it('refuses a folder that is not a project unless asked to create one', () => {
    const dir = tempDir();
    expect(() => Project.open(dir, { create: false })).toThrow(/not a Promethium project/);
    const file = path.join(dir, 'file.txt');
    writeFileSync(file, 'x');
    expect(() => Project.open(file, { create: true })).toThrow(/not a folder/);
  });

  it('refuses a database from a newer Promethium instead of damaging it', () => {
    const dir = tempDir();
    const db = new Database(path.join(dir, PROJECT_DB_FILE));
    db.pragma('user_version = 999');
    db.close();
    expect(() => openDatabase(path.join(dir, PROJECT_DB_FILE), projectMigrations)).toThrow(SchemaTooNewError);
  });

  it('persists jobs and marks the ones a previous run left unfinished as interrupted', () => {
    const dir = tempDir();
    const first = Project.open(dir, { create: true });
    const request = { kind: 'synthetic-stats', inlines: 1, crosslines: 1, samples: 1, seed: 1 } as const;
    first.jobs.insert(jobInfo('aaaaaaaa', 'running'), request);
    first.jobs.insert(jobInfo('bbbbbbbb', 'done'), request);
    first.close();
    const second = Project.open(dir, { create: false });
    expect(second.jobs.markUnfinishedInterrupted(new Date().toISOString())).toBe(1);
    expect(second.jobs.get('aaaaaaaa')!.info.state).toBe('interrupted');
    expect(second.jobs.get('bbbbbbbb')!.info.state).toBe('done');
    expect(second.jobs.get('bbbbbbbb')!.request).toEqual(request);
    second.close();
  });

  it('keeps recent projects in the app database, newest first', () => {
    const userData = tempDir();
    mkdirSync(userData, { recursive: true });
    const store = AppStore.open(userData);
    store.rememberProject('/p/one', 'one');
    store.rememberProject('/p/two', 'two');
    store.rememberProject('/p/one', 'one');
    expect(store.recentProjects().map((p) => p.path)).toEqual(['/p/one', '/p/two']);
    store.settings.set('theme', { dark: true });
    expect(store.settings.get('theme')).toEqual({ dark: true });
    store.close();
  });
});
