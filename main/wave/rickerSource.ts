import { rickerAt } from '../signal/ricker';
import type { SourceWavelet } from './acousticModeller';

/**
 * A Ricker source for the finite-difference modeller: one sample per time step from t = 0, peaking at `delayS`
 * (default 1 / peak: the wavelet starts below 1e-3 of its peak). Its highest frequency is taken as 2.5 x the peak,
 * where the Ricker amplitude spectrum has fallen to 3% of its maximum (as checkWaveletSpec assumes too).
 */
export function rickerSourceWavelet(peakHz: number, steps: number, stepS: number, delayS = 1 / peakHz): SourceWavelet {
  const samples = Float32Array.from({ length: steps }, (_, n) => rickerAt((n * stepS - delayS) * 1e3, peakHz));
  return { samples, maxFrequencyHz: 2.5 * peakHz };
}
