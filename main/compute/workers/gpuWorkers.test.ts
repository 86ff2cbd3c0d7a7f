import { availableParallelism } from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BackendReport } from '../../../preload/contract';
import { gpuWorkerDevices } from './gpuWorkers';

/** A webgpu report with `count` GPUs in use. */
function reportWithGpus(count: number): BackendReport {
  const adapters = Array.from({ length: count }, (_, index) => ({ index, backend: 'vulkan', name: 'NVIDIA H100' }));
  return {
    backend: 'webgpu',
    device: 'NVIDIA H100 (Vulkan)',
    fallbacks: [],
    forced: false,
    probeMs: 1,
    adapters,
    gpus: adapters.map((adapter) => adapter.index),
  };
}

describe('gpuWorkerDevices', () => {
  afterEach(() => vi.unstubAllEnvs());

  it("gives each GPU's worker process its share of the cores for confinement, less its feeding thread", () => {
    vi.stubEnv('PROMETHIUM_COMPUTE_THREADS', '');
    const devices = gpuWorkerDevices(reportWithGpus(2));
    expect(devices.map((device) => device.env.CUDA_VISIBLE_DEVICES)).toEqual(['0', '1']);
    const share = String(Math.max(0, Math.floor(availableParallelism() / 2) - 1));
    expect(devices.map((device) => device.env.PROMETHIUM_COMPUTE_THREADS)).toEqual([share, share]);
  });

  it('keeps the count the user set', () => {
    vi.stubEnv('PROMETHIUM_COMPUTE_THREADS', '4');
    expect(gpuWorkerDevices(reportWithGpus(3)).map((device) => device.env.PROMETHIUM_COMPUTE_THREADS)).toEqual([
      '4',
      '4',
      '4',
    ]);
  });
});
