/**
 * `promethium denoise` / `interpolate` (the built CLI) on the compute threads (main/compute/threads): the file written
 * with two threads is the file written in the CLI's own thread, byte for byte, and the CLI exits when done (idle
 * threads do not keep it alive).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runCliWith } from '../support/cli';

const work = mkdtempSync(path.join(os.tmpdir(), 'promethium-cli-threads-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const noisy = path.join(work, 'noisy.sgy');

/** A run takes a few seconds here; a CLI kept alive by its threads would never exit. */
const EXIT_WITHIN_MS = 50_000;

/** Runs `task` on the noisy file with `threads` compute threads; the bytes of the file it wrote. */
function processedWith(threads: number, task: string, flags: string[]): Buffer {
  const out = path.join(work, `${[task, ...flags].join('-').replace(/\W+/g, '-')}-${threads}.sgy`);
  const env = { PROMETHIUM_COMPUTE_THREADS: String(threads) };
  const run = runCliWith(work, { env, timeoutMs: EXIT_WITHIN_MS }, task, noisy, out, ...flags);
  expect(run.status, run.stderr).toBe(0);
  return readFileSync(out);
}

describe('the CLI on the compute threads', () => {
  beforeAll(() => {
    // 160 crosslines: each inline is cut into two ranges of traces (compute/threads' MIN_TRACES_PER_RANGE is 64).
    const grid = ['--kind', 'cube', '--inlines', '3', '--crosslines', '160', '--samples', '300', '--seed', '5'];
    const corruption = ['--noise', 'gaussian:5', '--missing', 'random:0.2'];
    const run = runCli(work, 'synth', '--out', noisy, ...grid, ...corruption);
    expect(run.status, run.stderr).toBe(0);
  });

  it.each([
    ['denoise', 'the bundled model (strength check, confinement)', []],
    ['interpolate', 'the bundled model (blend check, confinement)', ['--no-adapt']],
    ['interpolate', 'POCS (confinement)', ['--method', 'pocs']],
  ])(
    '%s with %s: two threads write the same bytes as none',
    (task, _, flags) => {
      const inThread = processedWith(0, task, flags);
      expect(processedWith(2, task, flags).equals(inThread)).toBe(true);
    },
    120_000,
  );

  it('says so when PROMETHIUM_COMPUTE_THREADS is not a number of threads (read: the worker bundle was found)', () => {
    const env = { PROMETHIUM_COMPUTE_THREADS: 'two' };
    const run = runCliWith(work, { env }, 'denoise', noisy, path.join(work, 'two.sgy'), '--method', 'fx');
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/PROMETHIUM_COMPUTE_THREADS=two is not a whole number of threads/);
  });
});
