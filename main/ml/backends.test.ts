import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { chooseBackend } from './backends';

const ORDER = ['tensorflow', 'webgpu', 'wasm', 'cpu'];

describe('ML backend choice', () => {
  it('takes the best backend that starts and says why each better one was skipped', async () => {
    const report = await chooseBackend('');
    const chosen = ORDER.indexOf(report.backend);
    expect(report.fallbacks.map((f) => f.backend)).toEqual(ORDER.slice(0, chosen));
    for (const fallback of report.fallbacks) expect(fallback.reason.length).toBeGreaterThan(10);
    expect(report.device).not.toBe('');
    expect(report.forced).toBe(false);
    expect(tf.getBackend()).toBe(report.backend);
    // The chosen backend computes.
    expect(
      Array.from(
        await tf
          .matMul(
            tf.eye(2),
            tf.tensor2d([
              [1, 2],
              [3, 4],
            ]),
          )
          .data(),
      ),
    ).toEqual([1, 2, 3, 4]);
  });

  it('lists the GPU adapters Dawn offers and checks PROMETHIUM_GPUS against them', async () => {
    const report = await chooseBackend('');
    expect(report.adapters.map((a) => a.index)).toEqual(report.adapters.map((_, k) => k));
    expect(report.gpus.every((index) => index < report.adapters.length)).toBe(true);
    process.env.PROMETHIUM_GPUS = 'x,0';
    try {
      await expect(chooseBackend('')).rejects.toThrow(/PROMETHIUM_GPUS=x,0: 'x' is not a GPU number/);
    } finally {
      delete process.env.PROMETHIUM_GPUS;
    }
  });

  it('honours PROMETHIUM_BACKEND and rejects unknown names', async () => {
    expect(await chooseBackend('cpu')).toMatchObject({ backend: 'cpu', forced: true, fallbacks: [] });
    await expect(chooseBackend('cuda')).rejects.toThrow(
      /PROMETHIUM_BACKEND=cuda is not one of tensorflow, webgpu, wasm, cpu/,
    );
  });

  it('loads Dawn from the file PROMETHIUM_DAWN_NODE names (the GPU bundle has no webgpu package)', async () => {
    const missing = path.join(os.tmpdir(), 'no-such-dir', 'dawn.node');
    process.env.PROMETHIUM_DAWN_NODE = missing;
    try {
      const report = await chooseBackend('');
      const webgpu = report.fallbacks.find((f) => f.backend === 'webgpu');
      expect(webgpu?.reason).toMatch(/the webgpu package \(Dawn\) failed to load: Cannot find module/);
      expect(webgpu?.reason).toContain(missing);
    } finally {
      delete process.env.PROMETHIUM_DAWN_NODE;
    }
  });
});
