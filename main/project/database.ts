import Database from 'better-sqlite3';

export type SqliteDatabase = Database.Database;

/** One schema step. Steps are append-only: a released migration is never edited, a new one is added. */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export class SchemaTooNewError extends Error {
  readonly apiCode = 'unavailable';
  constructor(file: string, found: number, known: number) {
    super(`${file} has schema version ${found}, newer than this Promethium understands (${known}); update Promethium`);
  }
}

/**
 * Opens (creating if needed) a SQLite database in WAL mode and brings its schema up to date. The schema version lives
 * in PRAGMA user_version; each migration runs in its own transaction, so a crash mid-upgrade leaves the previous version.
 */
export function openDatabase(file: string, migrations: readonly Migration[]): SqliteDatabase {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, file, migrations);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

export function schemaVersion(db: SqliteDatabase): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: SqliteDatabase, file: string, migrations: readonly Migration[]): void {
  const latest = migrations.at(-1)?.version ?? 0;
  const current = schemaVersion(db);
  if (current > latest) throw new SchemaTooNewError(file, current, latest);
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
}
