/**
 * The quality benchmark (`npm run bench -- quality`). A seeded synthetic line (dipping reflectors, Ricker wavelet) is corrupted
 * with each denoising noise model and each interpolation mask, reconstructed by the classical baselines, and scored
 * with the metrics of main/ml/metrics.ts. Trained models join as further methods on the same corrupted inputs.
 */
import {
  addNoiseAtSnr,
  applyTraceMask,
  bandLimitedNoise,
  gapTraceMask,
  gaussianNoise,
  randomTraceMask,
  regularTraceMask,
  spikeNoise,
  swellNoise,
  type TraceMask,
} from '../../main/ml/corruption';
import { localCoherence, qualityReport, type QualityReport, type SectionShape } from '../../main/ml/metrics';
import { interpolateTracesLinear } from '../../main/ml/patchIndex';
import { LayeredVolume } from '../../main/synth/layeredVolume';

export interface QualityBenchmarkOptions {
  seed: number;
  traces: number;
  samples: number;
  /** SNR of the noisy inputs of the denoising cases, dB. */
  snrDb: number;
}

export interface QualityBenchmarkRow extends QualityReport {
  task: 'denoise' | 'interpolate';
  corruption: string;
  method: string;
  /** Denoising only: local coherence of the removed noise with the result (signal leakage; 0 is best). */
  signalLeakage?: number;
}

/** Window of the signal-leakage measure: about one wavelet long and a few traces wide. */
const LEAKAGE_WINDOW: SectionShape = { traces: 5, samples: 31 };

function denoiseCases(shape: SectionShape, seed: number): Array<[string, Float32Array]> {
  return [
    ['gaussian', gaussianNoise(shape, seed + 1)],
    ['band-limited 0.1-0.3', bandLimitedNoise(shape, seed + 2, { low: 0.1, high: 0.3 })],
    ['swell', swellNoise(shape, seed + 3, { bursts: 6, maxTraces: 4, maxSamples: Math.ceil(shape.samples / 2) })],
    ['spikes', spikeNoise(shape, seed + 4, { density: 0.002, maxBurstSamples: 4 })],
  ];
}

function interpolationCases(shape: SectionShape, seed: number): Array<[string, TraceMask]> {
  const gapWidth = Math.max(1, Math.floor(shape.traces / 20));
  return [
    ['random 30%', randomTraceMask(shape.traces, 0.3, seed + 5)],
    ['regular 1 in 2', regularTraceMask(shape.traces, 2)],
    [`3 gaps of ${gapWidth}`, gapTraceMask(shape.traces, 3, gapWidth, seed + 6)],
  ];
}

/** Scores every corruption with the classical baselines ("input" is the corrupted data itself, the reference). */
export function runQualityBenchmark(options: QualityBenchmarkOptions): QualityBenchmarkRow[] {
  const shape = { traces: options.traces, samples: options.samples };
  const volume = new LayeredVolume({
    inlines: 1,
    crosslines: shape.traces,
    samples: shape.samples,
    seed: options.seed,
  });
  const clean = volume.inline(0);
  const rows: QualityBenchmarkRow[] = [];
  for (const [corruption, noise] of denoiseCases(shape, options.seed)) {
    const noisy = addNoiseAtSnr(clean, noise, options.snrDb);
    const removed = new Float32Array(noisy.length); // the input keeps all the noise: nothing removed
    rows.push({
      task: 'denoise',
      corruption,
      method: 'input',
      ...qualityReport(clean, noisy, noisy, shape),
      signalLeakage: localCoherence(removed, noisy, shape, LEAKAGE_WINDOW),
    });
  }
  for (const [corruption, mask] of interpolationCases(shape, options.seed)) {
    const masked = applyTraceMask(clean, shape, mask);
    const methods: Array<[string, Float32Array]> = [
      ['input', masked],
      ['linear interpolation', interpolateTracesLinear(masked, shape, mask)],
    ];
    for (const [method, result] of methods) {
      rows.push({ task: 'interpolate', corruption, method, ...qualityReport(clean, masked, result, shape) });
    }
  }
  return rows;
}

function formatNumber(value: number, digits: number): string {
  if (!Number.isFinite(value)) return String(value);
  const rounded = Number(value.toFixed(digits));
  return (rounded === 0 ? 0 : rounded).toFixed(digits); // no "-0.00"
}

/** Prints the benchmark as a table, or as JSON (infinite SNRs written as strings, which JSON lacks). */
export function printQualityBenchmark(options: QualityBenchmarkOptions & { json: boolean }): void {
  const rows = runQualityBenchmark(options);
  if (options.json) {
    const printable = (_: string, value: unknown) =>
      typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
    console.log(JSON.stringify({ ...options, rows }, printable, 2));
    return;
  }
  console.log(`synthetic line ${options.traces} traces x ${options.samples} samples, seed ${options.seed}`);
  console.log(
    ['task', 'corruption', 'method', 'SNR dB', 'gain dB', 'SSIM', 'MSE', 'coherence', 'leakage']
      .map((h, i) => h.padEnd(i < 3 ? 22 : 10))
      .join(''),
  );
  for (const row of rows) {
    const cells = [
      formatNumber(row.snrDb, 2),
      formatNumber(row.snrGainDb, 2),
      formatNumber(row.ssim, 4),
      row.mse.toExponential(2),
      formatNumber(row.coherence, 4),
      row.signalLeakage === undefined ? '-' : formatNumber(row.signalLeakage, 3),
    ];
    console.log(
      [row.task, row.corruption, row.method].map((c) => c.padEnd(22)).join('') +
        cells.map((c) => c.padEnd(10)).join(''),
    );
  }
}
