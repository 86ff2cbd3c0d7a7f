/**
 * Every GPU adapter of the machine, and which of them this run uses (PROMETHIUM_GPUS=0,2).
 *
 * What the `webgpu` package (Dawn's node binding, dawn.node) offers, read in its source (src/dawn/node/binding/GPU.cpp)
 * and README:
 * - `requestAdapter()` enumerates every adapter of the backend (Vulkan on Linux) and returns the first; the only
 *   selection is the `adapter=NAME` flag of `create()`, the first adapter whose device name contains NAME.
 * - There is no call that lists adapters. The README's way: ask for an adapter name that matches none, and the
 *   rejection lists them all (`Available adapters:` then ` * backend: 'vulkan', name: 'NVIDIA H100 80GB HBM3'` lines).
 *   That is what listGpuAdapters does.
 * - So a process can be pinned by name only. GPUs of different models are told apart; identical ones (eight H100s)
 *   all match the first one's name, and Dawn's node binding has no index or PCI-bus selection: below it, the Vulkan
 *   loader or a device-selection layer would have to hide the others (Mesa's device-select layer with a PCI bus in
 *   DRI_PRIME, or a container per GPU). Not tried: no machine with several GPUs was available.
 * - tfjs-node-gpu (CUDA) is pinned with CUDA_VISIBLE_DEVICES, which CUDA documents; Vulkan ignores it.
 */
import type { GpuAdapterInfo } from '../../preload/contract';

/** The env variable naming the adapters to use, as indices of listGpuAdapters' list: "0,2". */
export const GPUS_VARIABLE = 'PROMETHIUM_GPUS';
/** Set by the coordinator of several workers: the one adapter (index) a worker process uses. */
export const WORKER_GPU_VARIABLE = 'PROMETHIUM_WORKER_GPU';

/** An adapter name no GPU has, so that dawn.node's refusal lists the adapters it has. */
const NO_SUCH_ADAPTER = 'adapter=promethium-lists-the-adapters';
const ADAPTER_LINE = /^\s*\*\s*backend:\s*'([^']*)',\s*name:\s*'(.*)'\s*$/;

export class GpuSelectionError extends Error {
  readonly apiCode = 'invalid-argument';
}

interface DawnCreate {
  (flags: string[]): { requestAdapter(options?: object): Promise<{ info?: { device?: string } } | null> };
}

/** The adapters in a dawn.node refusal message, in Dawn's enumeration order. */
export function parseAdapterList(message: string): GpuAdapterInfo[] {
  return message
    .split('\n')
    .map((line) => ADAPTER_LINE.exec(line))
    .filter((match) => match !== null)
    .map((match, index) => ({ index, backend: match[1]!, name: match[2]! }));
}

/** Every adapter Dawn enumerates (empty where it finds none, e.g. no Vulkan driver). */
export async function listGpuAdapters(create: DawnCreate, flags: readonly string[]): Promise<GpuAdapterInfo[]> {
  try {
    const adapter = await create([...flags, NO_SUCH_ADAPTER]).requestAdapter({ powerPreference: 'high-performance' });
    // No adapter at all resolves null; a GPU with our sentinel in its name would resolve it.
    return adapter ? [{ index: 0, backend: 'unknown', name: adapter.info?.device ?? 'unknown' }] : [];
  } catch (error) {
    return parseAdapterList(error instanceof Error ? error.message : String(error));
  }
}

/** Vulkan's software renderers, which Dawn lists beside the GPUs: never chosen unless named. */
const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|swiftshader/i;

/**
 * The adapter indices PROMETHIUM_GPUS names ("0,2"), checked against the adapters there are; every hardware adapter
 * when it is unset or empty.
 */
export function parseGpuSelection(text: string | undefined, adapters: readonly GpuAdapterInfo[]): number[] {
  if (text === undefined || text.trim() === '') {
    return adapters.filter((adapter) => !SOFTWARE_ADAPTER.test(adapter.name)).map((adapter) => adapter.index);
  }
  const available = adapters.length
    ? `this machine's GPUs are ${adapters.map((a) => `${a.index} (${a.name})`).join(', ')}`
    : 'this machine has no GPU that Dawn can use';
  const indices = text.split(',').map((part) => {
    const word = part.trim();
    if (!/^\d+$/.test(word)) {
      throw new GpuSelectionError(`${GPUS_VARIABLE}=${text}: '${word}' is not a GPU number (e.g. 0,2); ${available}`);
    }
    const index = Number(word);
    if (index >= adapters.length)
      throw new GpuSelectionError(`${GPUS_VARIABLE}=${text}: no GPU ${index}; ${available}`);
    return index;
  });
  const repeated = indices.find((index, k) => indices.indexOf(index) !== k);
  if (repeated !== undefined) {
    throw new GpuSelectionError(`${GPUS_VARIABLE}=${text}: GPU ${repeated} is named twice`);
  }
  return indices;
}

/**
 * The GPUs a run on `backend` uses: those PROMETHIUM_GPUS names, or by default every GPU it can give a worker of its
 * own. Dawn (webgpu) cannot give a worker the second of two identical GPUs (see the top of this file): by default it
 * leaves them out, so a machine of identical GPUs runs on its first one as before; named, they are an error.
 */
export function gpusInUse(
  backend: 'tensorflow' | 'webgpu',
  text: string | undefined,
  adapters: readonly GpuAdapterInfo[],
): number[] {
  const selected = parseGpuSelection(text, adapters);
  if (backend !== 'webgpu') return selected;
  const named = text !== undefined && text.trim() !== '';
  if (named) selected.forEach((index) => adapterFlag(adapters, index));
  return named ? selected : selected.filter((index) => earlierTwin(adapters, index) === undefined);
}

/** An adapter before `index` whose name contains index's name: Dawn's `adapter=NAME` flag would pick it instead. */
function earlierTwin(adapters: readonly GpuAdapterInfo[], index: number): GpuAdapterInfo | undefined {
  const name = adapters[index]?.name ?? '';
  return adapters.find((other) => other.index < index && other.name.includes(name));
}

/** The `create()` flag that pins this process to adapter `index`; refused where Dawn would give another adapter. */
export function adapterFlag(adapters: readonly GpuAdapterInfo[], index: number): string {
  const adapter = adapters[index];
  if (!adapter) throw new GpuSelectionError(`no GPU ${index}: the machine has ${adapters.length}`);
  const twin = earlierTwin(adapters, index);
  if (twin) {
    throw new GpuSelectionError(
      `GPU ${index} and GPU ${twin.index} are both '${adapter.name}': Dawn's node binding picks adapters by name, so ` +
        `a worker cannot be given GPU ${index}; hide the other GPUs from it below Dawn (one container per GPU)`,
    );
  }
  return `adapter=${adapter.name}`;
}
