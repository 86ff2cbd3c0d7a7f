import { describe, expect, it } from 'vitest';
import { EarthModel } from './earthModel';
import type { EarthModelSpec } from './earthModel';
import { PostStackSynthesizer } from './postStack';
import { randomEarthModelSpec } from './randomModel';

const RICKER_25 = { kind: 'ricker', peakHz: 25 } as const;

function flatSpec(overrides: Partial<EarthModelSpec>): EarthModelSpec {
  return {
    inlines: 1,
    crosslines: 101,
    durationMs: 2000,
    seed: 11,
    meanBedMs: 10,
    dip: { msPerInline: 0, msPerCrossline: 0 },
    folds: [],
    faults: [],
    lateralAmplitude: 0,
    ...overrides,
  };
}

/** Lag (samples) maximising the cross-correlation of b against a over a window, searched within +-maxLag. */
function bestLag(a: Float32Array, b: Float32Array, from: number, to: number, maxLag: number): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    let sum = 0;
    for (let n = from; n < to; n++) sum += a[n]! * b[n + lag]!;
    if (sum > bestValue) [best, bestValue] = [lag, sum];
  }
  return best;
}

describe('EarthModel and post-stack synthetics', () => {
  const extent = { inlines: 12, crosslines: 16, durationMs: 1200 };
  const synthesizer = (seed: number) =>
    new PostStackSynthesizer(new EarthModel(randomEarthModelSpec(seed, extent)), {
      samples: 300,
      sampleIntervalMs: 4,
      wavelet: RICKER_25,
      q: 150,
    });

  it('is deterministic by seed, whatever order the inlines are generated in', () => {
    const a = synthesizer(5);
    const b = synthesizer(5);
    const fifthFirst = b.inline(5);
    for (let il = 0; il < 5; il++) a.inline(il);
    expect(a.inline(5)).toEqual(fifthFirst);
    expect(synthesizer(6).inline(5)).not.toEqual(fifthFirst);
  });

  it('keeps the LayeredVolume-style shape: inline(i) is crosslines x samples, trace-major, with realistic amplitudes', () => {
    const section = synthesizer(5).inline(3);
    expect(section.length).toBe(16 * 300);
    const rms = Math.sqrt(section.reduce((sum, v) => sum + v * v, 0) / section.length);
    // Reflection coefficients of a few percent convolved with a unit-peak wavelet.
    expect(rms).toBeGreaterThan(0.01);
    expect(rms).toBeLessThan(0.3);
  });

  it('gives heavy-tailed reflection coefficients (well-log statistics, kurtosis above a Gaussian 3)', () => {
    const { coefficients } = synthesizer(8).reflectivityAt(4, 4);
    const n = coefficients.length;
    const mean = coefficients.reduce((s, v) => s + v, 0) / n;
    const m2 = coefficients.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
    const m4 = coefficients.reduce((s, v) => s + (v - mean) ** 4, 0) / n;
    expect(n).toBeGreaterThan(60);
    expect(m4 / (m2 * m2)).toBeGreaterThan(3.5);
  });

  it('offsets horizons across a normal fault by its throw (cross-correlation lag)', () => {
    const throwMs = 40;
    const model = new EarthModel(
      flatSpec({
        faults: [{ inline: 0, crossline: 50, timeMs: 1000, strikeDeg: 0, dipMsPerTrace: 20, throwMs }],
      }),
    );
    const seismic = new PostStackSynthesizer(model, { samples: 500, sampleIntervalMs: 4, wavelet: RICKER_25 });
    // Crossline 0: the plane is at -0 ms (all footwall); crossline 100: at 2000 ms (all hanging wall, moved down).
    const footwall = seismic.trace(0, 0);
    const hangingWall = seismic.trace(0, 100);
    expect(bestLag(footwall, hangingWall, 50, 400, 30)).toBe(throwMs / 4);
    // At the anchor the plane is at 1000 ms (sample 250): the hanging wall above it moved down, the footwall below not.
    const plane = seismic.trace(0, 50);
    expect(bestLag(footwall, plane, 50, 230, 30)).toBe(throwMs / 4);
    expect(bestLag(footwall, plane, 270, 450, 30)).toBe(0);
  });

  it('truncates dipping older layers at an unconformity under flat younger ones', () => {
    const model = new EarthModel({
      ...flatSpec({ seed: 3 }),
      dip: { msPerInline: 0, msPerCrossline: 1 },
      unconformity: { timeMs: 600, reliefMs: 0, wavelengthTraces: 100, azimuthDeg: 0 },
    });
    const seismic = new PostStackSynthesizer(model, { samples: 400, sampleIntervalMs: 4, wavelet: RICKER_25 });
    const left = seismic.reflectivityAt(0, 20);
    const right = seismic.reflectivityAt(0, 80);
    const above = (r: { timesMs: Float64Array }) => Array.from(r.timesMs).filter((t) => t < 600);
    expect(above(left)).toEqual(above(right));
    expect(above(left).length).toBeGreaterThan(20);
    // Below the surface the older layers dip at 1 ms per trace: 60 ms lower sixty traces on.
    const traceLeft = seismic.trace(0, 20);
    const traceRight = seismic.trace(0, 80);
    expect(bestLag(traceLeft, traceRight, 200, 320, 20)).toBe(15);
    // The unconformity itself reflects: there is an interface exactly on the erosion surface.
    expect(Array.from(left.timesMs)).toContain(600);
  });
});
