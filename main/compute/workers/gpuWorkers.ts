/**
 * The worker processes of a job spread over the GPUs in use (PROMETHIUM_GPUS, else every GPU:
 * main/ml/gpuAdapters.ts), each pinned to its GPU through its environment.
 */
import { availableParallelism } from 'node:os';
import type { BackendReport } from '../../../preload/contract';
import { WORKER_GPU_VARIABLE } from '../../ml/gpuAdapters';
import type { WorkerDevice } from './workerProcess';

/** One worker per GPU in use; none where the backend runs on the CPU. */
export function gpuWorkerDevices(report: BackendReport | null): WorkerDevice[] {
  if (!report) return [];
  // The workers share the cores: each runs its compute threads on its share, less the thread feeding its GPU (compute/threads).
  const computeThreads =
    process.env.PROMETHIUM_COMPUTE_THREADS ||
    String(Math.max(0, Math.floor(availableParallelism() / Math.max(1, report.gpus.length)) - 1));
  return report.gpus.map((index) => {
    return {
      label: `GPU ${index} (${report.adapters[index]?.name ?? 'unknown'})`,
      env: {
        PROMETHIUM_BACKEND: report.backend,
        [WORKER_GPU_VARIABLE]: String(index),
        // tfjs-node-gpu sees only this GPU, numbered in PCI bus order (CUDA's default is fastest first). Whether that is
        // Vulkan's order, which Dawn lists, is untested: no machine with several GPUs was available.
        CUDA_VISIBLE_DEVICES: String(index),
        CUDA_DEVICE_ORDER: 'PCI_BUS_ID',
        PROMETHIUM_COMPUTE_THREADS: computeThreads,
      },
    };
  });
}
