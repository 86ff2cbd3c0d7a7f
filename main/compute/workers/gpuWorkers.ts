/**
 * Whether an apply runs here or is spread over one worker per GPU: spread when the backend chose a GPU and more than
 * one is in use (PROMETHIUM_GPUS, else every GPU: main/ml/gpuAdapters.ts).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { BackendReport } from '../../../preload/contract';
import { adapterFlag, WORKER_GPU_VARIABLE } from '../../ml/gpuAdapters';
import type { ApplyWorkerDevice } from './spreadApply';

/** The workers of an apply on this backend: one per GPU in use, or none (apply in this process). */
export function gpuWorkerDevices(report: BackendReport | null): ApplyWorkerDevice[] {
  if (!report || report.gpus.length < 2) return [];
  return report.gpus.map((index) => {
    // Refused here, before any worker starts, where Dawn could not pin a worker to this GPU.
    if (report.backend === 'webgpu') adapterFlag(report.adapters, index);
    return {
      label: `GPU ${index} (${report.adapters[index]?.name ?? 'unknown'})`,
      env: {
        PROMETHIUM_BACKEND: report.backend,
        [WORKER_GPU_VARIABLE]: String(index),
        // tfjs-node-gpu sees only this GPU, numbered in PCI bus order (CUDA's default is fastest first). Whether that is
        // Vulkan's order, which Dawn lists, is untested: no machine with several GPUs was available.
        CUDA_VISIBLE_DEVICES: String(index),
        CUDA_DEVICE_ORDER: 'PCI_BUS_ID',
      },
    };
  });
}

/** The worker bundle, next to the compute process's bundle in dist/. */
export function applyWorkerScript(distDir: string): string {
  const script = path.join(distDir, 'applyWorker.cjs');
  if (!existsSync(script)) {
    throw Object.assign(new Error(`the apply worker ${script} is missing: run \`npm run build\``), {
      apiCode: 'unavailable',
    });
  }
  return script;
}
