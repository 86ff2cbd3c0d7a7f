/**
 * Damaged database files found while the app runs (app.sqlite, a project's project.sqlite) and moving them aside:
 * renamed to `<name>.damaged-<timestamp>` with their WAL files, never deleted, so a fresh database can take their place
 * and the damaged one can still be sent for recovery.
 */
import { existsSync } from 'node:fs';
import { renameSync } from 'node:fs';
import type { DamagedFile } from '../../preload/contract';
import { PromethiumError } from '../../preload/contract';
import type { DamagedDatabaseError } from './database';

/** SQLite's companions of a WAL database: they belong to the damaged file and must not meet a fresh one. */
const COMPANION_SUFFIXES = ['-wal', '-shm'];

export class DamagedDatabases {
  private readonly found = new Map<string, DamagedFile>();

  record(damage: DamagedDatabaseError, kind: DamagedFile['kind']): void {
    this.found.set(damage.file, { file: damage.file, kind, message: damage.message });
  }

  list(): DamagedFile[] {
    return [...this.found.values()];
  }

  /** Renames a recorded damaged file (and its -wal/-shm) aside; only files found damaged can be moved. */
  moveAside(file: string, now = new Date()): { damaged: DamagedFile; movedTo: string } {
    const damaged = this.found.get(file);
    if (!damaged) throw new PromethiumError('not-found', `${file} is not a database Promethium found damaged`);
    const movedTo = `${file}.damaged-${now.toISOString().replace(/[:.]/g, '-')}`;
    renameSync(file, movedTo);
    for (const suffix of COMPANION_SUFFIXES) {
      if (existsSync(file + suffix)) renameSync(file + suffix, movedTo + suffix);
    }
    this.found.delete(file);
    return { damaged, movedTo };
  }
}
