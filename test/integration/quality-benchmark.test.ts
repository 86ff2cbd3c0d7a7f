import { describe, expect, it } from 'vitest';
import { runQualityBenchmark } from '../bench/quality';

describe('runQualityBenchmark', () => {
  const rows = runQualityBenchmark({ seed: 3, traces: 48, samples: 128, snrDb: 0 });

  it('gives the denoising inputs the requested SNR and no gain', () => {
    const denoise = rows.filter((row) => row.task === 'denoise');
    expect(denoise.map((row) => row.corruption)).toEqual(['gaussian', 'band-limited 0.1-0.3', 'swell', 'spikes']);
    for (const row of denoise) {
      expect(Math.abs(row.snrDb)).toBeLessThan(0.01);
      expect(row.snrGainDb).toBe(0);
      expect(row.signalLeakage).toBe(0);
    }
  });

  it('shows linear interpolation improving on the masked input for every mask', () => {
    for (const corruption of ['random 30%', 'regular 1 in 2', '3 gaps of 2']) {
      const input = rows.find((row) => row.corruption === corruption && row.method === 'input')!;
      const linear = rows.find((row) => row.corruption === corruption && row.method === 'linear interpolation')!;
      expect(linear.mse).toBeLessThan(input.mse);
      expect(linear.snrGainDb).toBeGreaterThan(0);
    }
  });
});
