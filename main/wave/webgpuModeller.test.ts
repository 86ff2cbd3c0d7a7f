import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { rickerSourceWavelet } from './rickerSource';
import { AcousticModeller, PreparedModel, type VelocityGrid } from './acousticModeller';
import { WebgpuModeller, type GpuDeviceLike } from './webgpuModeller';

const nodeRequire = createRequire(__filename);

interface DawnAdapter {
  requestDevice(): Promise<GpuDeviceLike>;
}

/** A WebGPU device from Dawn (the `webgpu` package) when this machine has a GPU adapter; otherwise why not. */
async function gpuDevice(): Promise<GpuDeviceLike | string> {
  try {
    const dawn = nodeRequire('webgpu') as {
      create: (flags: string[]) => { requestAdapter(): Promise<DawnAdapter | null> };
      globals: object;
    };
    Object.assign(globalThis, dawn.globals);
    const adapter = await dawn.create([]).requestAdapter();
    return adapter ? await adapter.requestDevice() : 'Dawn found no GPU adapter';
  } catch (error) {
    return error instanceof Error ? (error.message.split('\n')[0] ?? 'unknown') : String(error);
  }
}

const device = await gpuDevice();
if (typeof device === 'string') {
  console.warn(`WebGPU modeller checks SKIPPED (${device}); they run on a machine with a GPU`);
}

describe('WebgpuModeller', () => {
  it.skipIf(typeof device === 'string').each([4, 8] as const)(
    'gives the CPU modeller traces to float32 rounding (order %i, two layers, two shots)',
    async (order) => {
      const [nx, nz, steps] = [60, 50, 400];
      const grid: VelocityGrid = { velocity: new Float32Array(nx * nz).fill(2000), nx, nz, spacingM: 10 };
      grid.velocity.fill(2800, 25 * nx);
      const wavelet = rickerSourceWavelet(15, steps, 1e-3);
      const options = { stepS: 1e-3, steps, borderCells: 30, order };
      const receivers = Array.from({ length: nx }, (_, x) => ({ x, z: 1 }));
      const shots = [
        { source: { x: 5, z: 1 }, receivers },
        { source: { x: 40, z: 3 }, receivers: receivers.slice(10, 20) },
      ];
      const gpu = new WebgpuModeller(device as GpuDeviceLike, new PreparedModel(grid, wavelet, options));
      const onGpu = await gpu.shoot(shots);
      gpu.destroy();
      const cpu = new AcousticModeller(grid, wavelet, options);
      shots.forEach((shot, s) => {
        const expected = cpu.shoot(shot.source, shot.receivers);
        const peak = expected.reduce((max, value) => Math.max(max, Math.abs(value)), 0);
        const worst = expected.reduce((max, value, i) => Math.max(max, Math.abs(value - onGpu[s]![i]!)), 0);
        expect(worst / peak).toBeLessThan(1e-4);
      });
    },
    120_000,
  );
});
