import { describe, expect, it } from 'vitest';
import { rickerAt } from '../signal/ricker';
import { rickerSourceWavelet } from './rickerSource';
import { AcousticModeller, type GridPoint, type VelocityGrid } from './acousticModeller';
import { ModellingLimitError } from './stability';

const SPACING_M = 10;
const STEP_S = 1e-3;
const PEAK_HZ = 15;

function constantGrid(nx: number, nz: number, velocity: number): VelocityGrid {
  return { velocity: new Float32Array(nx * nz).fill(velocity), nx, nz, spacingM: SPACING_M };
}

/**
 * The exact 2D trace at distance r from a point source with wavelet f in a homogeneous medium: f convolved with the
 * Green's function H(t - r/c) / (2 pi c^2 sqrt(t^2 - r^2/c^2)). With tau = (r/c) cosh(theta) the singular integral
 * becomes the smooth (1 / 2 pi c^2) integral over theta in [0, acosh(c t / r)] of f(t - (r/c) cosh theta).
 */
function analyticTrace(distanceM: number, velocity: number, steps: number): Float64Array {
  const trace = new Float64Array(steps);
  const delayMs = 1000 / PEAK_HZ; // rickerSourceWavelet's default delay
  for (let n = 0; n < steps; n++) {
    const t = n * STEP_S;
    if (t <= distanceM / velocity) continue;
    const upper = Math.acosh((velocity * t) / distanceM);
    const intervals = 4000;
    let sum = 0;
    for (let i = 0; i <= intervals; i++) {
      const tau = (distanceM / velocity) * Math.cosh((upper * i) / intervals);
      sum += (i === 0 || i === intervals ? 0.5 : 1) * rickerAt((t - tau) * 1e3 - delayMs, PEAK_HZ);
    }
    trace[n] = (sum * upper) / intervals / (2 * Math.PI * velocity * velocity);
  }
  return trace;
}

function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! ** 2;
    bb += b[i]! ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

function peak(values: ArrayLike<number>): { index: number; value: number } {
  let index = 0;
  for (let i = 1; i < values.length; i++) if (Math.abs(values[i]!) > Math.abs(values[index]!)) index = i;
  return { index, value: values[index]! };
}

function model(grid: VelocityGrid, steps: number, borderCells: number, order: 4 | 8 = 8): AcousticModeller {
  return new AcousticModeller(grid, rickerSourceWavelet(PEAK_HZ, steps, STEP_S), {
    stepS: STEP_S,
    steps,
    borderCells,
    order,
  });
}

describe('AcousticModeller', () => {
  it.each([4, 8] as const)(
    "matches the analytic 2D Green's function 600 m (4.5 wavelengths) from the source, order %i",
    (order) => {
      const steps = 600;
      const modelled = model(constantGrid(100, 100, 2000), steps, 120, order).shoot({ x: 20, z: 50 }, [
        { x: 80, z: 50 },
      ]);
      const exact = analyticTrace(600, 2000, steps);
      expect(correlation(modelled, exact)).toBeGreaterThan(0.999);
      expect(Math.abs(peak(modelled).value / peak(exact).value - 1)).toBeLessThan(0.02);
    },
  );

  it('reflects from a flat interface at the two-way time and with amplitude (v2 - v1) / (v2 + v1)', () => {
    const [nx, nz, v1, v2, interfaceRow] = [100, 80, 2000, 3000, 30];
    const layered = constantGrid(nx, nz, v1);
    layered.velocity.fill(v2, interfaceRow * nx);
    const steps = 400;
    const source: GridPoint = { x: 50, z: 10 };
    const receiver: GridPoint = { x: 50, z: 11 };
    // The reflection alone: the layered trace minus the same trace without the interface.
    const withInterface = model(layered, steps, 120).shoot(source, [receiver]);
    const homogeneous = model(constantGrid(nx, nz, v1), steps, 120);
    const direct = homogeneous.shoot(source, [receiver]);
    const reflection = withInterface.map((value, n) => value - direct[n]!);
    // The interface lies between rows 29 and 30, so the image source (the source mirrored in it) is 38 cells from the
    // receiver: at normal incidence and constant density the reflection is R times the direct wave that far away.
    const imageDistanceCells = 2 * (interfaceRow - 0.5 - source.z) - (receiver.z - source.z);
    const atImageDistance = homogeneous.shoot(source, [{ x: source.x, z: source.z + Math.round(imageDistanceCells) }]);
    const expectedPeak = peak(atImageDistance);
    const reflectedPeak = peak(reflection);
    expect(Math.abs(reflectedPeak.index - expectedPeak.index)).toBeLessThanOrEqual(2); // ms
    const coefficient = (v2 - v1) / (v2 + v1);
    expect(reflectedPeak.value / expectedPeak.value).toBeGreaterThan(coefficient * 0.95);
    expect(reflectedPeak.value / expectedPeak.value).toBeLessThan(coefficient * 1.05);
  });

  // The reference runs with a border so wide that nothing comes back from its edge within the record; whatever differs
  // between the two runs is the 120-cell border's reflection, measured against the direct wave at each receiver.
  it.each([1500, 4500])(
    'reflects less than -40 dB from the 120-cell border of the OpenFWI layout at %i m/s',
    (velocity) => {
      const steps = 1000;
      const grid = constantGrid(70, 70, velocity);
      const receivers = Array.from({ length: 70 }, (_, x) => ({ x, z: 1 }));
      const borderRun = model(grid, steps, 120).shoot({ x: 34, z: 1 }, receivers);
      const farBorder = Math.ceil((velocity * steps * STEP_S) / SPACING_M / 2) + 10;
      const reference = model(grid, steps, farBorder).shoot({ x: 34, z: 1 }, receivers);
      let worst = 0;
      for (let r = 0; r < receivers.length; r++) {
        let difference = 0;
        let direct = 0;
        for (let n = 0; n < steps; n++) {
          const at = n * receivers.length + r;
          difference = Math.max(difference, Math.abs(borderRun[at]! - reference[at]!));
          direct = Math.max(direct, Math.abs(reference[at]!));
        }
        worst = Math.max(worst, difference / direct);
      }
      expect(20 * Math.log10(worst)).toBeLessThan(-40);
    },
    60_000,
  );

  it('refuses an unstable time step and an under-sampled wavelength, naming the numbers', () => {
    const grid = constantGrid(20, 20, 2000);
    grid.velocity[5] = 6000;
    expect(() => model(grid, 10, 0)).toThrow(/unstable: Courant number 0.600 .* exceeds 0.555 .* below 0.924 ms/);
    const slow = constantGrid(20, 20, 400);
    expect(() => model(slow, 10, 0)).toThrow(/too dispersive: 1.07 grid points per shortest wavelength .* needs 3/);
    expect(() => model(slow, 10, 0)).toThrow(ModellingLimitError);
  });

  it('refuses receivers outside the model and a wavelet shorter than the run', () => {
    const modeller = model(constantGrid(10, 10, 2000), 5, 2);
    expect(() => modeller.shoot({ x: 0, z: 0 }, [{ x: 10, z: 0 }])).toThrow(
      /receiver 0 at column 10, row 0 is outside the 10 x 10 model/,
    );
    const wavelet = rickerSourceWavelet(PEAK_HZ, 3, STEP_S);
    expect(
      () => new AcousticModeller(constantGrid(10, 10, 2000), wavelet, { stepS: STEP_S, steps: 5, borderCells: 2 }),
    ).toThrow(/3 samples, 5 steps/);
  });
});
