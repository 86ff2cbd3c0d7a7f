import path from 'node:path';
import { mkdirSync } from 'node:fs';
import type { RecentProject } from '../../preload/contract';
import { openDatabase, type SqliteDatabase } from './database';
import { appMigrations } from './migrations';
import { defaultProjectDir } from './paths';
import { SettingsRepository } from './settingsRepository';

const MAX_RECENT = 20;

export const APP_DB_FILE = 'app.sqlite';

/** Per-user state outside any project: recent projects and app settings, in `app.sqlite` in the user-data folder. */
export class AppStore {
  readonly settings: SettingsRepository;

  private constructor(
    readonly userDataDir: string,
    private readonly db: SqliteDatabase,
  ) {
    this.settings = new SettingsRepository(db);
  }

  /** Opens (creating) the user-data folder's app.sqlite; a file SQLite cannot read throws DamagedDatabaseError. */
  static open(userDataDir: string): AppStore {
    mkdirSync(userDataDir, { recursive: true });
    return new AppStore(userDataDir, openDatabase(path.join(userDataDir, APP_DB_FILE), appMigrations));
  }

  /** A store in memory, standing in for a damaged app.sqlite until it is moved aside: this session's state is lost. */
  static inMemory(userDataDir: string): AppStore {
    return new AppStore(userDataDir, openDatabase(':memory:', appMigrations));
  }

  get defaultProjectDir(): string {
    return defaultProjectDir(this.userDataDir);
  }

  rememberProject(projectPath: string, name: string): void {
    this.db
      .prepare(
        `INSERT INTO recent_projects (path, name, opened_at) VALUES (?, ?, ?)
         ON CONFLICT (path) DO UPDATE SET name = excluded.name, opened_at = excluded.opened_at`,
      )
      .run(projectPath, name, new Date().toISOString());
    this.db
      .prepare(
        'DELETE FROM recent_projects WHERE path NOT IN (SELECT path FROM recent_projects ORDER BY opened_at DESC LIMIT ?)',
      )
      .run(MAX_RECENT);
  }

  recentProjects(): RecentProject[] {
    const rows = this.db.prepare('SELECT path, name, opened_at FROM recent_projects ORDER BY opened_at DESC').all() as {
      path: string;
      name: string;
      opened_at: string;
    }[];
    return rows.map((row) => ({ path: row.path, name: row.name, openedAt: row.opened_at }));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
