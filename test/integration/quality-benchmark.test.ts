import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseBackend } from '../../main/ml/backends';
import { loadInferenceModel } from '../../main/ml/modelForInference';
import { interpolationMethods } from '../../main/processing';
import { LayeredVolume } from '../../main/synth/layeredVolume';
import {
  CORRUPTIONS,
  adaptedModelMethod,
  defaultInterpolation,
  qualityReportTable,
  runQualityBenchmark,
  type Dataset,
} from '../bench/quality';

describe('quality benchmark', () => {
  const shape = { traces: 48, samples: 128 };
  const dataset: Dataset = {
    name: 'tiny synthetic',
    panels: [{ data: new LayeredVolume({ inlines: 1, crosslines: 48, samples: 128, seed: 3 }).inline(0), shape }],
    sampleIntervalS: 0.004,
    adapt: false,
  };
  const methods = {
    denoise: { 'no-op': async (input: Float32Array) => input },
    interpolate: {
      'no-op': async (input: Float32Array) => input,
      linear: async (input: Float32Array, s: typeof shape, live: Uint8Array) =>
        interpolationMethods.linear(input, s, live),
    },
  };

  it('corrupts to the requested SNR and scores linear interpolation above the masked input', async () => {
    const rows = await runQualityBenchmark([dataset], methods);
    expect(rows).toHaveLength(
      CORRUPTIONS.filter((c) => c.task === 'denoise').length +
        2 * CORRUPTIONS.filter((c) => c.task === 'interpolate').length,
    );
    expect(rows.find((r) => r.corruption === 'Gaussian 0 dB')!.snrDb).toBeCloseTo(0, 1);
    expect(rows.find((r) => r.corruption === 'Gaussian 5 dB')!.snrDb).toBeCloseTo(5, 1);
    for (const corruption of ['50% random missing', '25% regular decimation', '8-trace gaps']) {
      const input = rows.find((r) => r.corruption === corruption && r.method === 'no-op')!;
      const linear = rows.find((r) => r.corruption === corruption && r.method === 'linear')!;
      expect(linear.snrDb).toBeGreaterThan(input.snrDb);
    }
    // Leakage is a denoising measure: the no-op removes nothing (no window with energy: 0), interpolation has none.
    for (const row of rows)
      expect(row.leakage).toBe(
        row.corruption.includes('missing') || row.corruption.includes('decimation') || row.corruption.includes('gaps')
          ? null
          : 0,
      );
    expect(qualityReportTable(rows)).toMatch(/\| tiny synthetic \| 8-trace gaps \| linear \|/);
  });

  it('adapts the bundled models to each case of the datasets marked for it, and only those (denoisers also checked)', async () => {
    await chooseBackend('wasm');
    const settings = { seconds: 1, patch: 32, batchSize: 2, learningRate: 5e-4 };
    const dirs = { denoise: 'unet_denoise_v1', interpolate: 'unet_interp_v1' } as const;
    const adapting = async (task: 'denoise' | 'interpolate') => {
      const dir = path.resolve('resources/models', dirs[task]);
      return { [`${dirs[task]} after adapt`]: adaptedModelMethod(dir, await loadInferenceModel(dir), task, settings) };
    };
    const cases = CORRUPTIONS.filter((c) => ['Gaussian 0 dB', '50% random missing'].includes(c.name));
    const marked = { ...dataset, name: 'marked', adapt: true };
    const interpolator = path.resolve('resources/models', dirs.interpolate);
    const costs: string[] = [];
    const methodTable = {
      denoise: await adapting('denoise'),
      interpolate: {
        ...(await adapting('interpolate')),
        'default interpolate': defaultInterpolation(interpolator, await loadInferenceModel(interpolator), 1, costs),
      },
    };
    const rows = await runQualityBenchmark([marked, dataset], methodTable, cases);
    expect(rows.map((r) => `${r.dataset}: ${r.corruption}: ${r.method}`)).toEqual([
      'marked: Gaussian 0 dB: unet_denoise_v1 after adapt',
      'marked: Gaussian 0 dB: unet_denoise_v1 after adapt, strength checked',
      'marked: 50% random missing: unet_interp_v1 after adapt',
      'marked: 50% random missing: default interpolate',
      // The same adaptation's result with the blends the check had before slope-steered interpolation joined them.
      'marked: 50% random missing: default interpolate, blends without slope-steered (before)',
    ]);
    for (const row of rows) expect(Number.isFinite(row.snrDb)).toBe(true);
    expect(costs).toEqual([expect.stringMatching(/^marked, 50% random missing, adapt 1 s, 1 panels: fine-tuning/)]);
  }, 120_000);
});
