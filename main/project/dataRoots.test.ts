import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dataRoots, listDirectory } from './dataRoots';

const root = mkdtempSync(path.join(os.tmpdir(), 'promethium-roots-'));
const outside = mkdtempSync(path.join(os.tmpdir(), 'promethium-outside-'));
mkdirSync(path.join(root, 'surveys'));
writeFileSync(path.join(root, 'surveys', 'f3.SGY'), 'x');
writeFileSync(path.join(root, 'notes.txt'), 'x');
symlinkSync(outside, path.join(root, 'escape'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('browser-mode file picker', () => {
  it('lists folders first and recognises SEG-Y files', async () => {
    const top = await listDirectory([root]);
    expect(top.parent).toBeNull();
    expect(top.entries.map((e) => [e.name, e.kind])).toEqual([
      ['escape', 'dir'],
      ['surveys', 'dir'],
      ['notes.txt', 'file'],
    ]);
    const inner = await listDirectory([root], path.join(root, 'surveys'));
    expect(inner.entries[0]).toMatchObject({ name: 'f3.SGY', kind: 'segy' });
    expect(inner.parent).toBe(top.dir);
  });

  it('refuses paths outside the roots, including through symlinks and ..', async () => {
    await expect(listDirectory([root], outside)).rejects.toThrow(/outside the folders/);
    await expect(listDirectory([root], path.join(root, 'escape'))).rejects.toThrow(/outside the folders/);
    await expect(listDirectory([root], path.join(root, 'surveys', '..', '..'))).rejects.toThrow(/outside/);
    await expect(listDirectory([root], path.join(root, 'nope'))).rejects.toThrow(/no such folder/);
    await expect(listDirectory([root], path.join(root, 'notes.txt'))).rejects.toThrow(/not a folder/);
  });

  it('takes the roots from PROMETHIUM_DATA_DIRS', () => {
    expect(dataRoots({ PROMETHIUM_DATA_DIRS: `/a${path.delimiter}/b` })).toEqual(['/a', '/b']);
  });
});
