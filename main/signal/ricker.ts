/** Zero-phase Ricker wavelet at time tMs: (1 - 2a) e^{-a}, a = (pi f t)^2; its amplitude spectrum peaks at f. */
export function rickerAt(tMs: number, peakHz: number): number {
  const a = (Math.PI * peakHz * tMs * 1e-3) ** 2;
  return (1 - 2 * a) * Math.exp(-a);
}
