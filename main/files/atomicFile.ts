/**
 * Files written whole or not at all. A file is written to `<target>.tmp-<random>` next to its target, fsynced, renamed
 * over the target, and then the folder is fsynced so that the rename itself survives a power cut. A crash leaves
 * either the previous file or the new one at the target, plus at worst a stale temporary, which the next run removes
 * (removeStaleTemporaries).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/** What marks a temporary file: `<target>${TEMPORARY_MARK}<random hex>`. */
export const TEMPORARY_MARK = '.tmp-';

export function temporaryPathFor(target: string): string {
  return `${target}${TEMPORARY_MARK}${randomBytes(6).toString('hex')}`;
}

/** Fsyncs a folder, so that entries renamed into it are on disk (a no-op where folders cannot be opened: Windows). */
export async function syncFolder(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Renames `from` to `to` (a file or a folder) and fsyncs the folders involved. */
export async function renameDurably(from: string, to: string): Promise<void> {
  await rename(from, to);
  await syncFolder(path.dirname(to));
  if (path.dirname(from) !== path.dirname(to)) await syncFolder(path.dirname(from));
}

/**
 * Runs `produce` against a temporary file next to `target`, then puts it in place; on any failure the temporary is
 * removed and the target is untouched.
 */
export async function writeAtomically(target: string, produce: (file: FileHandle) => Promise<void>): Promise<void> {
  const temporary = temporaryPathFor(target);
  let handle: FileHandle | null = null;
  try {
    handle = await open(temporary, 'wx');
    await produce(handle);
    await handle.sync();
    await handle.close();
    handle = null;
    await renameDurably(temporary, target);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
}

export async function writeFileAtomically(target: string, bytes: Uint8Array | string): Promise<void> {
  await writeAtomically(target, (file) => file.writeFile(bytes));
}

/**
 * Removes what interrupted atomic writes left in `dir` (and its subfolders when `recursive`): files named
 * `*.tmp-<hex>`. Returns their paths. Synchronous, so that nothing can start writing there until it is done.
 */
export function removeStaleTemporaries(dir: string, { recursive = false } = {}): string[] {
  if (!existsSync(dir)) return [];
  const stale = readdirSync(dir, { withFileTypes: true, recursive })
    .filter((entry) => entry.isFile() && isTemporaryName(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name));
  for (const file of stale) rmSync(file, { force: true });
  return stale;
}

/** The temporaries of `target` itself (`<target>.tmp-<hex>`), removed; for outputs outside the project folder. */
export function removeStaleTemporariesOf(target: string): string[] {
  const dir = path.dirname(target);
  if (!existsSync(dir)) return [];
  const prefix = `${path.basename(target)}${TEMPORARY_MARK}`;
  const stale = readdirSync(dir)
    .filter((name) => name.startsWith(prefix) && isTemporaryName(name))
    .map((name) => path.join(dir, name));
  for (const file of stale) rmSync(file, { force: true });
  return stale;
}

function isTemporaryName(name: string): boolean {
  return /\.tmp-[0-9a-f]{12}$/.test(name);
}
