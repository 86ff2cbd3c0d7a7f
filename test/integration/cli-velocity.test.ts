/**
 * `promethium velocity build`, run as a user runs it (the built CLI): modelled shots written as a pre-stack SEG-Y
 * (`synth --kind velocity --shot-segy`), imported into a project, built, the maps written as depth SEG-Y and .npy
 * (segyio and numpy as the oracles); a stacked survey and a source delay out of range are refused with exit code 2 and
 * the reason.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SEGYIO_PYTHON } from '../testdata';
import { segyioAvailable } from './segyOracle';

const work = mkdtempSync(path.join(os.tmpdir(), 'promethium-cli-velocity-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const project = path.join(work, 'project');

function promethium(...args: string[]): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['bin/promethium.cjs', ...args], {
    encoding: 'utf8',
    env: { ...process.env, PROMETHIUM_HOME: path.join(work, 'home'), PROMETHIUM_BACKEND: 'wasm' },
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

function importSurvey(file: string): string {
  const imported = promethium('import', file, '--project', project, '--json');
  expect(imported.status, imported.stderr).toBe(0);
  return (JSON.parse(imported.stdout) as { id: string }).id;
}

describe.skipIf(!segyioAvailable())('promethium velocity build', () => {
  it('builds the velocity model of an imported shot survey and writes its maps', () => {
    const generated = path.join(work, 'generated');
    expect(promethium('synth', '--kind', 'velocity', '--shot-segy', '--seed', '3', '--out', generated).status).toBe(0);
    const survey = importSurvey(path.join(generated, 'shots1.sgy'));
    const out = path.join(work, 'maps');
    const built = promethium('velocity', 'build', '--project', project, '--survey', survey, '--out', out);
    expect(built.status, built.stderr).toBe(0);
    expect(built.stdout).toMatch(/source delay: 0 ms/);
    expect(built.stdout).toMatch(/grid: 70 x 70 cells at 10 m along the line at azimuth 30\.0 deg/);
    expect(built.stdout).toMatch(/data residual: \d+\.\d % of the input's RMS/);
    expect(built.stdout).toMatch(/\d+\.\d s: reading \d+\.\d, ensemble \d+\.\d, semblance \+ Dix \d+\.\d, modelling/);
    const check = execFileSync(
      SEGYIO_PYTHON,
      [
        '-c',
        [
          'import numpy, segyio, sys',
          'v = numpy.load(sys.argv[1] + "/velocity.npy")',
          'with segyio.open(sys.argv[1] + "/velocity.sgy", ignore_geometry=True) as f:',
          '    s = segyio.tools.collect(f.trace[:])',
          'print(v.shape, v.dtype, numpy.array_equal(s.T, v[0, 0]), 1500 <= v.min() and v.max() <= 4500)',
        ].join('\n'),
        out,
      ],
      { encoding: 'utf8' },
    ).trim();
    expect(check).toBe('(1, 1, 70, 70) float32 True True');
  }, 300_000);

  it('refuses a stacked survey with the reason and exit code 2', () => {
    const line = path.join(work, 'line.sgy');
    expect(promethium('synth', '--out', line, '--kind', 'line', '--crosslines', '50', '--samples', '100').status).toBe(
      0,
    );
    const survey = importSurvey(line);
    const delayed = promethium(
      'velocity',
      'build',
      '--project',
      project,
      '--survey',
      survey,
      '--source-delay-ms',
      '900',
    );
    expect(delayed.status).toBe(2);
    expect(delayed.stderr).toMatch(/--source-delay-ms 900: give a number of milliseconds from 0 to 500/);
    const refused = promethium('velocity', 'build', '--project', project, '--survey', survey);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(
      /is a stacked survey \(post-stack-2d\): velocity building needs pre-stack shot gathers/,
    );
  }, 120_000);
});
