/**
 * The worker processes of an apply spread over the GPUs in use (PROMETHIUM_GPUS, else every GPU:
 * main/ml/gpuAdapters.ts), each pinned to its GPU through its environment.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { BackendReport } from '../../../preload/contract';
import { adapterFlag, WORKER_GPU_VARIABLE } from '../../ml/gpuAdapters';
import type { ApplyWorkerDevice } from './spreadApply';

/** One worker per GPU in use; none where the backend runs on the CPU. */
export function gpuWorkerDevices(report: BackendReport | null): ApplyWorkerDevice[] {
  if (!report) return [];
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
