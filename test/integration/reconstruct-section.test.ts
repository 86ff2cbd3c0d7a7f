/** One-click reconstruction through the real services: job in the compute process, panels and QC for the compare view. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../preload/contract';
import type { AppServices } from '../../main/workflows/services';
import { createTestServices, jobWhen, type TestServices } from '../support/services';
import { hasTestdata, testdataPath } from '../testdata';

let context: TestServices;
let services: AppServices;

beforeAll(() => {
  context = createTestServices('wasm', 'promethium-recon-section-');
  services = context.services;
});
afterAll(() => context?.dispose());

const ended = (id: string): Promise<JobInfo> => jobWhen(services, id);

async function imported(file: string): Promise<string> {
  const { survey, job } = services.surveys.startImport({ path: testdataPath('segy', file) });
  await ended(job.id);
  return survey.id;
}

describe.skipIf(!hasTestdata)('reconstruct.section', () => {
  it('denoises an F3 inline with the bundled model by default (strength checked), in full or with f-x on request', async () => {
    const surveyId = await imported('f3.sgy');
    const job = await services.reconstruction.start({
      surveyId,
      axis: 'inline',
      index: 5,
      task: 'denoise',
      tta: false,
      ensemble: 1,
    });
    expect(job.title).toBe('Denoise Inline 116 of f3.sgy');
    const done = await ended(job.id);
    expect(done.state, done.error?.message).toBe('done');
    expect(done.result).toMatchObject({ method: 'model U-Net denoise v1' });
    expect(JSON.stringify(done.result)).not.toMatch(/spectra/); // arrays stay out of the database
    const panels = services.reconstruction.result(job.id);
    expect(panels.input).toMatchObject({ traces: 18, samples: 75, label: 'Inline 116', surveyId });
    expect(panels.result).toHaveLength(18 * 75);
    for (let i = 0; i < 18 * 75; i++)
      expect(panels.difference[i]).toBeCloseTo(panels.input.data[i]! - panels.result[i]!, 3);
    expect(panels.qc.removedRmsRatio).toBeGreaterThan(0);
    expect(panels.qc.signalLeakage).toBeGreaterThanOrEqual(-1);
    expect(panels.qc.spectra.frequenciesHz.at(-1)).toBeCloseTo(125, 3);
    // Checked strength by default: F3 holds little white noise, so the model is turned well down (full strength
    // removes much more).
    expect(panels.qc.strength!.strength).toBeGreaterThanOrEqual(0);
    expect(panels.qc.strength!.strength).toBeLessThan(0.5);
    expect(panels.qc.strength!.estimatedMse).toBeLessThan(panels.qc.strength!.fullStrengthMse);
    const full = await services.reconstruction.start({
      surveyId,
      axis: 'inline',
      index: 5,
      task: 'denoise',
      tta: false,
      ensemble: 1,
      fullStrength: true,
    });
    expect((await ended(full.id)).state).toBe('done');
    const fullQc = services.reconstruction.result(full.id).qc;
    expect(fullQc.strength).toBeNull();
    expect(fullQc.removedRmsRatio).toBeGreaterThan(1.5 * panels.qc.removedRmsRatio!);

    const fx = await services.reconstruction.start({
      surveyId,
      axis: 'crossline',
      index: 3,
      task: 'denoise',
      method: 'fx',
      tta: false,
      ensemble: 1,
    });
    expect((await ended(fx.id)).result).toMatchObject({ method: 'fx' });
    expect(services.reconstruction.result(fx.id).input.traces).toBe(23);
    expect(services.reconstruction.result(fx.id).qc.strength).toBeNull();
  }, 120_000);

  it('fills the missing traces of an ex1 inline, keeps live traces, and self-checks on hidden ones', async () => {
    const surveyId = await imported('ex1_missing_traces_75x71x26.segy');
    const live = await services.surveys.liveMask(surveyId);
    const index = [...Array(75).keys()].find((il) => live.mask.subarray(il * 71, (il + 1) * 71).includes(0))!;
    for (const choice of [{}, { method: 'linear' as const }]) {
      const job = await services.reconstruction.start({
        surveyId,
        axis: 'inline',
        index,
        task: 'interpolate',
        tta: false,
        ensemble: 1,
        ...choice,
      });
      const done = await ended(job.id);
      expect(done.state, done.error?.message).toBe('done');
      const panels = services.reconstruction.result(job.id);
      expect(panels.qc.tracesFilled).toBeGreaterThan(0);
      expect(panels.qc.selfCheckSnrDb).not.toBeNull();
      for (let t = 0; t < 71; t++) {
        if (!panels.input.live[t]) continue;
        expect(Array.from(panels.result.subarray(t * 26, (t + 1) * 26))).toEqual(
          Array.from(panels.input.data.subarray(t * 26, (t + 1) * 26)),
        );
      }
    }
  }, 120_000);

  it('answers at once that a line without dead or missing traces has nothing to fill', async () => {
    const surveyId = services.surveys.list().find((survey) => survey.name === 'f3.sgy')!.id;
    const started = performance.now();
    const job = await services.reconstruction.start({
      surveyId,
      axis: 'inline',
      index: 2,
      task: 'interpolate',
      tta: false,
      ensemble: 1,
    });
    expect(await ended(job.id)).toMatchObject({
      state: 'failed',
      error: { message: 'Inline 113 has no dead or missing traces: there is nothing to fill' },
    });
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('refuses a model trained for another task and unknown results', async () => {
    const surveyId = services.surveys.list()[0]!.id;
    const job = await services.reconstruction.start({
      surveyId,
      axis: 'inline',
      index: 0,
      task: 'interpolate',
      modelId: 'unet_denoise_v1',
      tta: false,
      ensemble: 1,
    });
    expect(await ended(job.id)).toMatchObject({
      state: 'failed',
      error: { message: expect.stringMatching(/trained to denoise, not to interpolate/) },
    });
    expect(() => services.reconstruction.result('0000000000000')).toThrow(/no reconstruction result/);
    await expect(
      services.reconstruction.start({
        surveyId,
        axis: 'inline',
        index: 0,
        task: 'denoise',
        modelId: 'nope-model',
        tta: false,
        ensemble: 1,
      }),
    ).rejects.toThrow(/no model/);
  });
});
