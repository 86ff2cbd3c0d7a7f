import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PromethiumError, type DirectoryListing, type PathAccess } from '../../preload/contract';

const SEGY_EXTENSIONS = new Set(['.sgy', '.segy', '.seg']);
const MAX_ENTRIES = 5000;

/**
 * The folders the browser mode's file picker may show: $PROMETHIUM_DATA_DIRS (path-separated) or the user's home.
 * The renderer is untrusted, so every listed path is resolved (symlinks too) and must stay inside a root.
 */
export function dataRoots(env: NodeJS.ProcessEnv = process.env): string[] {
  const configured = env.PROMETHIUM_DATA_DIRS?.split(path.delimiter).filter(Boolean) ?? [];
  return (configured.length ? configured : [os.homedir()]).map((dir) => path.resolve(dir));
}

function inside(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

function realRootsOf(roots: string[]): Promise<string[]> {
  return Promise.all(roots.map((root) => realpath(root).catch(() => root)));
}

/** The root (real path) that holds `real`, if any. */
export async function rootHolding(roots: string[], real: string): Promise<string | undefined> {
  return (await realRootsOf(roots)).find((root) => inside(root, real));
}

async function exists(file: string): Promise<boolean> {
  return lstat(file).then(
    () => true,
    () => false,
  );
}

/**
 * The real path (symlinks resolved) that an operation on `requested` would touch: the path itself when it exists; for a
 * target to write that does not exist yet, the real path of its nearest existing folder joined with the rest (folders
 * the call creates: none of them exists, so none is a symlink).
 */
export async function realTarget(requested: string, access: PathAccess): Promise<string> {
  if (requested.includes('\0')) throw new PromethiumError('invalid-argument', 'a path cannot contain a NUL character');
  if (!path.isAbsolute(requested)) {
    throw new PromethiumError('invalid-argument', `${requested}: give the full path of the file or folder`);
  }
  const absolute = path.resolve(requested);
  if (access === 'read') {
    return realpath(absolute).catch(() => {
      throw new PromethiumError('not-found', `${requested}: no such file or folder`);
    });
  }
  let existing = absolute;
  while (!(await exists(existing))) existing = path.dirname(existing);
  const realExisting = await realpath(existing).catch(() => {
    throw new PromethiumError(
      'invalid-argument',
      `${existing} is a link to nothing: a write there could land anywhere`,
    );
  });
  return path.join(realExisting, path.relative(existing, absolute));
}

export async function listDirectory(roots: string[], requested?: string): Promise<DirectoryListing> {
  const realRoots = await realRootsOf(roots);
  const target = path.resolve(requested ?? realRoots[0] ?? os.homedir());
  const real = await realpath(target).catch(() => {
    throw new PromethiumError('not-found', `${target}: no such folder`);
  });
  const root = await rootHolding(realRoots, real);
  if (!root) throw new PromethiumError('invalid-argument', `${target} is outside the folders this server may show`);
  if (!(await stat(real)).isDirectory()) throw new PromethiumError('invalid-argument', `${target} is not a folder`);
  const dirents = (await readdir(real, { withFileTypes: true })).filter((d) => !d.name.startsWith('.'));
  const entries = await Promise.all(
    dirents.slice(0, MAX_ENTRIES).map(async (d) => {
      const full = path.join(real, d.name);
      const info = await stat(full).catch(() => null);
      const kind: 'dir' | 'segy' | 'file' = info?.isDirectory()
        ? 'dir'
        : SEGY_EXTENSIONS.has(path.extname(d.name).toLowerCase())
          ? 'segy'
          : 'file';
      return { name: d.name, path: full, kind, size: info?.size ?? 0 };
    }),
  );
  entries.sort((a, b) =>
    (a.kind === 'dir') !== (b.kind === 'dir') ? (a.kind === 'dir' ? -1 : 1) : a.name.localeCompare(b.name),
  );
  const parent = path.dirname(real);
  return { dir: real, parent: real !== root && inside(root, parent) ? parent : null, roots: realRoots, entries };
}
