/**
 * No invented energy, checked on a real file as an interpreter would: F3's first 48 ms are exactly zero (a top mute of
 * 12 to 39 samples per trace). The bundled denoiser run by the built CLI (denoise, and apply + export-volume) must
 * leave every sample before each trace's first non-zero sample exactly zero, read back by segyio.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { hasTestdata, testdataPath } from '../testdata';
import { largestInMute, segyioAvailable, tracesOf } from './segyOracle';

const work = mkdtempSync(path.join(os.tmpdir(), 'promethium-muted-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs the CLI and answers its output; it must succeed. */
function promethium(...args: string[]): string {
  const run = runCli(work, ...args);
  expect(run.status, run.stderr).toBe(0);
  return run.stdout;
}

describe.skipIf(!hasTestdata || !segyioAvailable())("reconstruction keeps F3's top mute exactly zero", () => {
  const f3 = testdataPath('segy', 'f3.sgy');
  const input = (): Float32Array[] => tracesOf(f3);

  it('holds a top mute of 48 ms or more on every trace (the premise)', () => {
    const traces = input();
    expect(traces.every((trace) => trace.subarray(0, 12).every((v) => v === 0))).toBe(true);
  });

  it('promethium denoise (the bundled model) writes nothing in it', () => {
    const out = path.join(work, 'f3-denoised.sgy');
    promethium('denoise', f3, out, '--json');
    const output = tracesOf(out);
    expect(largestInMute(input(), output)).toBe(0);
    // The denoiser did change the data below the mute.
    expect(output.some((trace, t) => trace.some((v, s) => v !== input()[t]![s]))).toBe(true);
  });

  it('promethium apply + export-volume write nothing in it', () => {
    const project = path.join(work, 'project');
    const survey = JSON.parse(promethium('import', f3, '--project', project, '--json')) as { id: string };
    const applied = JSON.parse(
      promethium('apply', '--project', project, '--survey', survey.id, '--task', 'denoise', '--json'),
    ) as { volume: { id: string } };
    const out = path.join(work, 'f3-volume.sgy');
    promethium('export-volume', applied.volume.id, out, '--project', project);
    expect(largestInMute(input(), tracesOf(out))).toBe(0);
  });
});
