/** Byte-for-byte comparison of two folders (a cache built two ways), failing on the first file that differs. */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';

/** Every file under `dir`, relative path -> bytes. */
export function filesOf(dir: string): Map<string, Buffer> {
  return new Map(
    readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((name) => statSync(path.join(dir, name)).isFile())
      .map((name) => [name, readFileSync(path.join(dir, name))]),
  );
}

/** `actualDir` holds the same files as `expectedDir`, with the same bytes. */
export function expectSameFiles(expectedDir: string, actualDir: string): void {
  const [expected, actual] = [filesOf(expectedDir), filesOf(actualDir)];
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [name, bytes] of expected) expect(actual.get(name)!.equals(bytes), name).toBe(true);
}
