import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from './database';

describe('opening a database', () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'promethium-database-'));
  afterEach(() => {
    delete process.env.PROMETHIUM_SQLITE_BINDING;
  });

  it("takes better-sqlite3's native module from the file PROMETHIUM_SQLITE_BINDING names", () => {
    process.env.PROMETHIUM_SQLITE_BINDING = path.resolve(
      'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
    );
    const db = openDatabase(path.join(home, 'bound.db'), []);
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    db.close();
    process.env.PROMETHIUM_SQLITE_BINDING = path.join(home, 'missing.node');
    expect(() => openDatabase(path.join(home, 'unbound.db'), [])).toThrow(/Cannot find module .*missing\.node/);
    rmSync(home, { recursive: true, force: true });
  });
});
