import { describe, expect, it } from 'vitest';
import { EarthModel } from './earthModel';
import { CmpGatherSynthesizer, nmoTimeMs, shueyTerms } from './gathers';

const DT_MS = 4;
const SAMPLES = 600;

/** Two reflectors under a 2000 m/s overburden: t0 = 1000 ms (Vrms 2000) and t0 = 1600 ms (Vrms from Dix). */
const LAYERS = [
  { topMs: 0, vp: 2000, vs: 800, rho: 2.0 },
  { topMs: 1000, vp: 2600, vs: 1200, rho: 2.2 },
  { topMs: 1600, vp: 3200, vs: 1600, rho: 2.3 },
];

function gatherModel(): EarthModel {
  return new EarthModel({
    inlines: 1,
    crosslines: 1,
    durationMs: SAMPLES * DT_MS,
    seed: 1,
    meanBedMs: 10,
    dip: { msPerInline: 0, msPerCrossline: 0 },
    folds: [],
    faults: [],
    lateralAmplitude: 0,
    layers: LAYERS,
  });
}

/** Time (ms) of the largest |amplitude| within +-60 ms of `nearMs`, refined by a parabola through the peak. */
function pickPeakMs(trace: Float32Array, nearMs: number): number {
  const centre = Math.round(nearMs / DT_MS);
  let best = centre;
  for (let n = centre - 15; n <= centre + 15; n++) if (Math.abs(trace[n]!) > Math.abs(trace[best]!)) best = n;
  const [a, b, c] = [Math.abs(trace[best - 1]!), Math.abs(trace[best]!), Math.abs(trace[best + 1]!)];
  return (best + (0.5 * (a - c)) / (a - 2 * b + c)) * DT_MS;
}

describe('CMP gathers', () => {
  const offsetsM = [0, 400, 800, 1000];
  const gathers = new CmpGatherSynthesizer(gatherModel(), {
    samples: SAMPLES,
    sampleIntervalMs: DT_MS,
    wavelet: { kind: 'ricker', peakHz: 25 },
    offsetsM,
  });
  const gather = gathers.gather(0, 0);
  const trace = (k: number) => gather.subarray(k * SAMPLES, (k + 1) * SAMPLES);

  it('puts reflections on the NMO hyperbola t(x) = sqrt(t0^2 + x^2/Vrms^2), Vrms growing with depth', () => {
    const vrmsDeep = Math.sqrt((2000 ** 2 * 1000 + 2600 ** 2 * 600) / 1600);
    offsetsM.forEach((offsetM, k) => {
      const shallow = nmoTimeMs(1000, offsetM, 2000);
      const deep = nmoTimeMs(1600, offsetM, vrmsDeep);
      expect(Math.abs(pickPeakMs(trace(k), shallow) - shallow)).toBeLessThan(1);
      expect(Math.abs(pickPeakMs(trace(k), deep) - deep)).toBeLessThan(1);
    });
    // The test means something: at 1000 m the moveout is far larger than the tolerance.
    expect(nmoTimeMs(1000, 1000, 2000) - 1000).toBeGreaterThan(100);
  });

  it('changes amplitude with offset as Shuey two-term A + B sin^2(theta)', () => {
    const { intercept, gradient } = shueyTerms({ vp1: 2000, vs1: 800, rho1: 2.0, vp2: 2600, vs2: 1200, rho2: 2.2 });
    const zeroOffset = trace(0)[Math.round(1000 / DT_MS)]!;
    expect(zeroOffset).toBeCloseTo(intercept, 3);
    // sin(theta) = Vp x / (Vrms^2 t(x)) at 400 m, with Vp the average across the interface.
    const tMs = nmoTimeMs(1000, 400, 2000);
    const sin2 = ((2300 * 400) / (2000 ** 2 * tMs * 1e-3)) ** 2;
    const picked = pickPeakMs(trace(1), tMs);
    const amplitude = trace(1)[Math.round(picked / DT_MS)]!;
    expect(amplitude).toBeCloseTo(intercept + gradient * sin2, 2);
  });
});
