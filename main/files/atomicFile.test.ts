import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeStaleTemporaries, removeStaleTemporariesOf, writeAtomically, writeFileAtomically } from './atomicFile';

const work = mkdtempSync(path.join(os.tmpdir(), 'promethium-atomic-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('atomic writes', () => {
  it('replaces the target whole and leaves no temporary', async () => {
    const target = path.join(work, 'a.bin');
    writeFileSync(target, 'old');
    await writeFileAtomically(target, 'new contents');
    expect(readFileSync(target, 'utf8')).toBe('new contents');
    expect(readdirSync(work).filter((name) => name.startsWith('a.bin'))).toEqual(['a.bin']);
  });

  it('keeps the previous file and removes the temporary when writing fails', async () => {
    const target = path.join(work, 'b.bin');
    writeFileSync(target, 'previous');
    const failing = writeAtomically(target, async (file) => {
      await file.write('half of it');
      throw new Error('disk pulled');
    });
    await expect(failing).rejects.toThrow('disk pulled');
    expect(readFileSync(target, 'utf8')).toBe('previous');
    expect(readdirSync(work).filter((name) => name.startsWith('b.bin'))).toEqual(['b.bin']);
  });

  it('removes stale temporaries of interrupted writes, and nothing else', () => {
    const dir = path.join(work, 'project');
    mkdirSync(path.join(dir, 'volumes', 'v.zarr', 'c', '3', '0'), { recursive: true });
    const kept = ['notes.tmp-draft', 'survey.sgy', 'volumes/v.zarr/c/3/0/0'];
    const stale = ['export.sgy.tmp-0123456789ab', 'volumes/v.zarr/c/3/0/0.tmp-abcdefabcdef'];
    for (const name of [...kept, ...stale]) writeFileSync(path.join(dir, name), 'x');

    expect(removeStaleTemporaries(dir)).toEqual([path.join(dir, stale[0]!)]);
    expect(removeStaleTemporaries(dir, { recursive: true })).toEqual([path.join(dir, stale[1]!)]);
    for (const name of kept) expect(existsSync(path.join(dir, name))).toBe(true);
    expect(removeStaleTemporaries(path.join(work, 'absent'))).toEqual([]);
  });

  it('removes the temporaries of one output file only', () => {
    const out = path.join(work, 'line.sgy');
    writeFileSync(`${out}.tmp-0123456789ab`, 'partial');
    writeFileSync(path.join(work, 'other.sgy.tmp-0123456789ab'), 'partial');
    expect(removeStaleTemporariesOf(out)).toEqual([`${out}.tmp-0123456789ab`]);
    expect(existsSync(path.join(work, 'other.sgy.tmp-0123456789ab'))).toBe(true);
  });
});
