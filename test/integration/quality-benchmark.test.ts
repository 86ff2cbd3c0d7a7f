import { describe, expect, it } from 'vitest';
import { interpolationMethods } from '../../main/processing';
import { LayeredVolume } from '../../main/synth/layeredVolume';
import { CORRUPTIONS, qualityReportTable, runQualityBenchmark, type Dataset } from '../bench/quality';

describe('quality benchmark', () => {
  const shape = { traces: 48, samples: 128 };
  const dataset: Dataset = {
    name: 'tiny synthetic',
    panels: [{ data: new LayeredVolume({ inlines: 1, crosslines: 48, samples: 128, seed: 3 }).inline(0), shape }],
    sampleIntervalS: 0.004,
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
    expect(qualityReportTable(rows)).toMatch(/\| tiny synthetic \| 8-trace gaps \| linear \|/);
  });
});
