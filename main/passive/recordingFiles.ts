/** The files of a recording: one miniSEED file, or every file of a folder and the folders below it. */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** `target` itself when it is a file; else every file under it, sorted by path (a day file before the next). */
export async function filesUnder(target: string): Promise<string[]> {
  const info = await stat(target).catch((error: NodeJS.ErrnoException) => {
    // Keeps the errno code and path (the CLI's exit code 4, the API's 'not-found' naming the path).
    throw Object.assign(new Error(`${target}: no such file or folder`), { code: error.code, path: target });
  });
  if (!info.isDirectory()) return [target];
  const entries = await readdir(target, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}
