/**
 * Training and adapting on 2D lines and pre-stack gathers, as on 3D inlines: a synthetic 2D line written by
 * `promethium synth --kind line` (one line: validated on its last traces) and the Viking Graben shot gathers (each
 * gather a line), fine-tuned by the built CLI for a few seconds each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { hasTestdata, testdataPath } from '../testdata';

const work = mkdtempSync(path.join(os.tmpdir(), 'promethium-train-2d-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs the CLI and answers its output; it must succeed. */
function promethium(...args: string[]): string {
  const run = runCli(work, ...args);
  expect(run.status, run.stderr).toBe(0);
  return run.stdout;
}

interface TrainedModel {
  modelId: string;
  stoppedBecause: string;
  epochs: number;
}

function adapt(data: string, task: 'denoise' | 'interpolate', base: string, ...extra: string[]): TrainedModel {
  const project = path.join(work, 'project');
  const out = `${path.basename(data)}-${task}`;
  const args = ['--data', data, '--base', base, '--time-budget', '5', '--out', out, '--project', project, '--json'];
  return JSON.parse(promethium('train', '--task', task, ...args, ...extra)) as TrainedModel;
}

describe('training on 2D lines and pre-stack gathers', () => {
  it('adapts the bundled denoiser to a 2D line', () => {
    const line = path.join(work, 'line.sgy');
    promethium('synth', '--kind', 'line', '-o', line, '--crosslines', '300', '--samples', '400');
    const trained = adapt(line, 'denoise', 'unet_denoise_v1', '--corruption', 'recorrupted');
    expect(trained).toMatchObject({ stoppedBecause: 'time-budget', epochs: 1 });
    expect(trained.modelId).toMatch(/\w/);
  }, 120_000);

  it.skipIf(!hasTestdata)(
    'adapts the bundled interpolator to pre-stack shot gathers',
    () => {
      const trained = adapt(testdataPath('segy', 'viking_small.segy'), 'interpolate', 'unet_interp_v1');
      expect(trained).toMatchObject({ stoppedBecause: 'time-budget', epochs: 1 });
    },
    120_000,
  );
});
