import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The shared third-party test files (../shared/testdata, or $PROMETHIUM_TESTDATA). They are never copied into the repo;
 * suites that need them call `describeTestdata`, which skips visibly when the folder is absent.
 */
export const TESTDATA_DIR = path.resolve(
  process.env.PROMETHIUM_TESTDATA ?? path.join(__dirname, '..', '..', 'shared', 'testdata'),
);

export const hasTestdata = existsSync(path.join(TESTDATA_DIR, 'segy'));

if (!hasTestdata) {
  console.warn(
    `[testdata] ${TESTDATA_DIR} not found: tests that read real SEG-Y files are SKIPPED (set PROMETHIUM_TESTDATA).`,
  );
}

export function testdataPath(...parts: string[]): string {
  return path.join(TESTDATA_DIR, ...parts);
}

/** segyio from Debian (the oracle); absent on machines without python3-segyio. */
export const SEGYIO_PYTHON = '/usr/bin/python3';
