/**
 * Chooses the tfjs backend for this machine, best first: tensorflow (tfjs-node-gpu, CUDA) -> webgpu (Dawn: Vulkan, Metal,
 * D3D12) -> wasm (SIMD) -> cpu, and records why each better one was skipped so the user can fix their setup.
 * PROMETHIUM_BACKEND=<name> forces one (its failure is then an error, not a silent fallback).
 * PROMETHIUM_DAWN_NODE=<path of a dawn.node> loads Dawn from that file instead of the `webgpu` package (the GPU bundle
 * of `npm run bench -- ml-gpu-prep` runs where no node_modules exist).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
// A used import, not a bare one: bundlers drop a bare import of the package's node build (absent from its sideEffects
// list), and with it the registration of the cpu backend (the GPU bundle of scripts/bench.mjs bundles tfjs).
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import type { BackendName, BackendReport, GpuAdapterInfo } from '../../preload/contract';
import {
  adapterFlag,
  GPUS_VARIABLE,
  gpusInUse,
  listGpuAdapters,
  parseGpuSelection,
  WORKER_GPU_VARIABLE,
} from './gpuAdapters';
import { registerWasmTrainingKernels } from './wasmKernels';
import { type AdapterLike, DAWN_FLAGS, type GpuLike, gpuWithMatrixFeatures } from './webgpu/matrixDevice';
import { matrixConvsActive, verifyMatrixConvs } from './webgpu/matrixKernels';
import { registerWebgpuKernels } from './webgpu/register';

const ORDER: readonly BackendName[] = ['tensorflow', 'webgpu', 'wasm', 'cpu'];
const nodeRequire = createRequire(__filename);

type Attempt = { ok: true; device: string } | { ok: false; reason: string };

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.trim() ?? 'unknown error';
}

async function activate(name: string): Promise<boolean> {
  const ok = await tf.setBackend(name);
  await tf.ready();
  return ok && tf.getBackend() === name;
}

async function tryTensorflow(): Promise<Attempt> {
  try {
    // Registers the 'tensorflow' backend as a side effect; throws when libtensorflow or CUDA is missing.
    nodeRequire('@tensorflow/tfjs-node-gpu');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'MODULE_NOT_FOUND') {
      return {
        ok: false,
        reason: '@tensorflow/tfjs-node-gpu is not installed (its libtensorflow download needs internet)',
      };
    }
    return { ok: false, reason: `tfjs-node-gpu failed to load: ${firstLine(error)}` };
  }
  if (!(await activate('tensorflow')))
    return { ok: false, reason: 'tfjs-node-gpu loaded but its backend did not start' };
  return { ok: true, device: 'TensorFlow C library (CUDA when a GPU is visible)' };
}

interface DawnModule {
  create: (flags: string[]) => GpuLike;
  globals: object;
}

/** Dawn's entry points: from PROMETHIUM_DAWN_NODE's file where set, else from the `webgpu` package. */
function loadDawn(): DawnModule {
  const dawnFile = process.env.PROMETHIUM_DAWN_NODE;
  return nodeRequire(dawnFile ? path.resolve(dawnFile) : 'webgpu') as DawnModule;
}

/** Every adapter Dawn lists; none where the webgpu package does not load. */
async function dawnAdapters(): Promise<GpuAdapterInfo[]> {
  try {
    return await listGpuAdapters(loadDawn().create, DAWN_FLAGS);
  } catch {
    return [];
  }
}

/** Dawn's flags for this process: a worker of several (compute/workers) asks for its own adapter. */
function dawnFlags(adapters: readonly GpuAdapterInfo[]): string[] {
  const worker = process.env[WORKER_GPU_VARIABLE];
  return worker === undefined ? DAWN_FLAGS : [...DAWN_FLAGS, adapterFlag(adapters, Number(worker))];
}

async function tryWebgpu(adapters: readonly GpuAdapterInfo[]): Promise<Attempt> {
  let adapter: AdapterLike | null;
  let matrixRefused: string | null = null;
  try {
    const webgpu = loadDawn();
    Object.assign(globalThis, webgpu.globals);
    const gpu = gpuWithMatrixFeatures(webgpu.create(dawnFlags(adapters)));
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter)
      return { ok: false, reason: 'Dawn found no GPU adapter (no Vulkan/Metal/D3D12 driver on this machine)' };
    // tfjs-backend-webgpu registers itself only when navigator.gpu exists at load time.
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  } catch (error) {
    return { ok: false, reason: `the webgpu package (Dawn) failed to load: ${firstLine(error)}` };
  }
  try {
    // An import the bundler sees: external in the app's bundles (loaded from node_modules), inside the GPU bundle.
    await import('@tensorflow/tfjs-backend-webgpu');
    if (!(await activate('webgpu')))
      return { ok: false, reason: 'a GPU adapter exists but the tfjs webgpu backend failed' };
    // tfjs-backend-webgpu 4.22's filter gradient runs one thread per filter element: replaced (main/ml/webgpu/).
    registerWebgpuKernels();
    matrixRefused = await verifyMatrixConvs();
  } catch (error) {
    return { ok: false, reason: `tfjs webgpu backend failed: ${firstLine(error)}` };
  }
  const info = adapter.info;
  const convs = matrixConvsActive()
    ? 'convolutions on the tensor cores (half-precision products)'
    : (matrixRefused ?? '');
  return {
    ok: true,
    device: [info?.vendor, info?.device || info?.description, '(WebGPU/Dawn)', convs].filter(Boolean).join(' '),
  };
}

async function tryWasm(): Promise<Attempt> {
  try {
    const wasm = nodeRequire('@tensorflow/tfjs-backend-wasm') as { setWasmPaths: (prefix: string) => void };
    const dist = path.join(path.dirname(nodeRequire.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
    wasm.setWasmPaths(dist + path.sep);
    if (!(await activate('wasm'))) return { ok: false, reason: 'the wasm backend did not start' };
    // tfjs-backend-wasm 4.22 cannot train conv nets as shipped (no Conv2DBackpropFilter, a wrong MaxPoolGrad).
    registerWasmTrainingKernels();
  } catch (error) {
    return { ok: false, reason: `wasm backend failed: ${firstLine(error)}` };
  }
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  return { ok: true, device: `WebAssembly${simd ? ' SIMD' : ''}, ${threads ? 'multi-threaded' : '1 thread'}` };
}

async function tryCpu(): Promise<Attempt> {
  return (await activate('cpu'))
    ? { ok: true, device: `plain JavaScript (tfjs-backend-cpu ${version_cpu}, very slow for training)` }
    : { ok: false, reason: 'cpu backend failed' };
}

const ATTEMPTS: Record<BackendName, (adapters: readonly GpuAdapterInfo[]) => Promise<Attempt>> = {
  tensorflow: tryTensorflow,
  webgpu: tryWebgpu,
  wasm: tryWasm,
  cpu: tryCpu,
};

export function isBackendName(value: string): value is BackendName {
  return (ORDER as readonly string[]).includes(value);
}

let chosen: BackendReport | null = null;

/** What the last chooseBackend of this process chose (null before it, or after it failed). */
export function chosenBackend(): BackendReport | null {
  return chosen;
}

export class BackendUnavailableError extends Error {
  readonly apiCode = 'unavailable';
}

/** Probes backends in order (or only the forced one) and activates the first that works. */
export async function chooseBackend(forced = process.env.PROMETHIUM_BACKEND): Promise<BackendReport> {
  const started = performance.now();
  chosen = null;
  // Production mode: no debug checks, and no console banners about installing tfjs-node (the probe reports that).
  tf.enableProdMode();
  if (forced !== undefined && forced !== '' && !isBackendName(forced)) {
    throw new BackendUnavailableError(`PROMETHIUM_BACKEND=${forced} is not one of ${ORDER.join(', ')}`);
  }
  const candidates = forced ? [forced] : ORDER;
  // Listed only where a GPU backend may be chosen: a process forced onto the CPU (wasm threads, tests) needs none.
  const adapters = candidates.some((name) => name === 'tensorflow' || name === 'webgpu') ? await dawnAdapters() : [];
  // Checked whatever the backend: a selection naming GPUs this machine lacks is a mistake to report, not to ignore.
  parseGpuSelection(process.env[GPUS_VARIABLE], adapters);
  const fallbacks: BackendReport['fallbacks'] = [];
  for (const backend of candidates) {
    const attempt = await ATTEMPTS[backend](adapters);
    if (attempt.ok) {
      return (chosen = {
        backend,
        device: attempt.device,
        fallbacks,
        forced: Boolean(forced),
        probeMs: performance.now() - started,
        adapters,
        gpus:
          backend === 'tensorflow' || backend === 'webgpu'
            ? gpusInUse(backend, process.env[GPUS_VARIABLE], adapters)
            : [],
      });
    }
    fallbacks.push({ backend, reason: attempt.reason });
  }
  const reasons = fallbacks.map((f) => `${f.backend}: ${f.reason}`).join('; ');
  throw new BackendUnavailableError(`no ML backend could start (${reasons})`);
}
