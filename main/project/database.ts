import { existsSync, readFileSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { PromethiumError } from '../../preload/contract';

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
 * A database file that SQLite cannot read: not a database at all (garbage, a truncated header) or one whose pages fail
 * SQLite's quick check. The message names the file; the app offers to move it aside (moveAside) and start fresh.
 */
export class DamagedDatabaseError extends PromethiumError {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super('damaged-file', `${file} is damaged: SQLite cannot read it (${problem}); move it aside to start afresh`);
  }
}

const DAMAGE_CODES = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT', 'SQLITE_CORRUPT_INDEX', 'SQLITE_CORRUPT_SEQUENCE']);

function asDamage(error: unknown, file: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && DAMAGE_CODES.has(code)
    ? new DamagedDatabaseError(file, (error as Error).message)
    : error;
}

/** SQLite refusing a write to a database opened read-only, as the error users see (in the app and the CLI). */
export function asReadOnlyRefusal(error: unknown): unknown {
  if ((error as { code?: unknown } | null)?.code !== 'SQLITE_READONLY') return error;
  return new PromethiumError(
    'read-only',
    'the project is open read-only (it cannot be written here): nothing was changed',
  );
}

export interface OpenDatabaseOptions {
  /** Open an in-memory copy of the file that refuses every write (PRAGMA query_only); the file is never written. */
  readOnly?: boolean;
}

/**
 * PROMETHIUM_SQLITE_BINDING=<path of better_sqlite3.node>: the native module from that file instead of better-sqlite3's
 * own build folder (the GPU bundle of `npm run bench -- ml-gpu-prep` runs where no node_modules exist).
 */
function nativeBinding(): Database.Options {
  const binding = process.env.PROMETHIUM_SQLITE_BINDING;
  return binding ? { nativeBinding: binding } : {};
}

/**
 * Opens (creating if needed) a SQLite database in WAL mode and brings its schema up to date. The schema version lives
 * in PRAGMA user_version; each migration runs in its own transaction, so a crash mid-upgrade leaves the previous version.
 * A file SQLite cannot read throws DamagedDatabaseError.
 */
export function openDatabase(
  file: string,
  migrations: readonly Migration[],
  { readOnly = false }: OpenDatabaseOptions = {},
): SqliteDatabase {
  let db: SqliteDatabase | null = null;
  try {
    db = new Database(readOnly ? readOnlySnapshot(file) : file, nativeBinding());
    if (!readOnly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new DamagedDatabaseError(file, `SQLite's check: ${String(check)}`);
    migrate(db, file, migrations);
    if (readOnly) db.pragma('query_only = ON');
    return db;
  } catch (error) {
    db?.close();
    throw asDamage(error, file);
  }
}

/**
 * The file's bytes, to open in memory: a folder that cannot be written cannot hold the WAL index SQLite needs next to
 * a WAL database, even for reading. The header's WAL flags are set back to rollback journal (the in-memory copy has
 * no WAL); changes still waiting in a `-wal` file would be missed, so that case is refused with what to do.
 */
function readOnlySnapshot(file: string): Buffer {
  const wal = `${file}-wal`;
  if (existsSync(wal) && statSync(wal).size > 0) {
    throw new PromethiumError(
      'read-only',
      `${file} cannot be opened read-only: ${wal} holds changes not yet merged into it (Promethium stopped without closing it); open it once where it can be written`,
    );
  }
  const bytes = readFileSync(file);
  if (bytes.length >= 20 && bytes[18] === 2 && bytes[19] === 2) bytes[18] = bytes[19] = 1;
  return bytes;
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
