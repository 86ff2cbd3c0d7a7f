/**
 * The tensor cores through WebGPU: Dawn's experimental subgroup matrices (`chromium-experimental-subgroup-matrix`,
 * Vulkan's cooperative matrices underneath). tfjs-backend-webgpu asks for its device with only the features it knows,
 * so the GPU object handed to it asks for ours too: half floats, subgroups and subgroup matrices, where the adapter has
 * them (Dawn lists subgroup matrices only with its `allow_unsafe_apis` toggle, in DAWN_FLAGS). What the device got is
 * kept here for matrixConv.ts; `PROMETHIUM_WEBGPU_MATRIX=0` asks for none of it (strict float32 everywhere).
 *
 * Two rewrites of the WGSL tfjs generates, made as shader modules are created (prepareShader):
 * - WGSL wants its `enable` and `diagnostic` directives before every declaration, and tfjs puts its own declarations
 *   before a program's code: the directives move to the top.
 * - Subgroup matrix loads and stores need offsets that WGSL's uniformity analysis can prove the same across a
 *   subgroup. An index computed from tfjs's `localIndex` (a private variable) is not, the `subgroup_id` builtin is;
 *   so a program declaring `fn main(subgroupId : u32)` gets it from tfjs's entry point.
 */

/** Dawn's instance toggles for `create()`: lists the experimental subgroup matrix feature. */
export const DAWN_FLAGS = ['enable-dawn-features=allow_unsafe_apis,vulkan_enable_f16_on_nvidia'];

const MATRIX_FEATURE = 'chromium-experimental-subgroup-matrix';
const WANTED_FEATURES = ['shader-f16', 'subgroups', MATRIX_FEATURE];

interface MatrixConfig {
  componentType: string;
  resultComponentType: string;
  M: number;
  N: number;
  K: number;
}

interface AdapterInfoLike {
  vendor?: string;
  device?: string;
  description?: string;
  subgroupMinSize?: number;
  subgroupMaxSize?: number;
  subgroupMatrixConfigs?: readonly MatrixConfig[];
}

export interface AdapterLike {
  features: ReadonlySet<string>;
  info?: AdapterInfoLike;
  requestDevice(descriptor?: { requiredFeatures?: unknown[] }): Promise<unknown>;
}

export interface GpuLike {
  requestAdapter(options?: object): Promise<AdapterLike | null>;
}

/** A half-float multiply with float32 accumulation that the device runs on subgroups of `subgroupSize` invocations. */
export interface MatrixSupport {
  /** Rows of the left operand and the result. */
  m: number;
  /** Columns of the right operand and the result. */
  n: number;
  /** The shared dimension. */
  k: number;
  subgroupSize: number;
}

let support: MatrixSupport | null = null;

/** What the webgpu backend's device can do with subgroup matrices; null for strict float32 only. */
export function matrixSupport(): MatrixSupport | null {
  return support;
}

/**
 * The f16 x f16 -> f32 shape to use, largest first. Our kernels take a subgroup's lanes as localIndex % size, so only a
 * device whose subgroups all have one size qualifies (NVIDIA: 32).
 */
export function chooseMatrixSupport(info: AdapterInfoLike | undefined): MatrixSupport | null {
  const size = info?.subgroupMaxSize;
  if (!size || info?.subgroupMinSize !== size) return null;
  const configs = (info?.subgroupMatrixConfigs ?? []).filter(
    (c) => c.componentType === 'f16' && c.resultComponentType === 'f32' && c.M % 8 === 0 && c.N % 8 === 0,
  );
  const best = [...configs].sort((a, b) => b.M * b.N * b.K - a.M * a.N * a.K)[0];
  return best ? { m: best.M, n: best.N, k: best.K, subgroupSize: size } : null;
}

function matrixWanted(): boolean {
  return process.env.PROMETHIUM_WEBGPU_MATRIX !== '0';
}

/** An adapter whose requestDevice also asks for the matrix features it has, recording what the device got. */
function requestingMatrixFeatures(adapter: AdapterLike): AdapterLike {
  const extra = WANTED_FEATURES.filter((f) => adapter.features.has(f));
  const requestDevice = async (descriptor: { requiredFeatures?: unknown[] } = {}): Promise<unknown> => {
    const requiredFeatures = [...(descriptor.requiredFeatures ?? []), ...extra];
    const device = await adapter.requestDevice({ ...descriptor, requiredFeatures });
    support = extra.length === WANTED_FEATURES.length ? chooseMatrixSupport(adapter.info) : null;
    return device;
  };
  return overriding(adapter, 'requestDevice', requestDevice);
}

/**
 * `target` with one method replaced. Dawn's objects check their receiver, so every other property is read from the
 * object itself and its methods are bound to it.
 */
function overriding<T extends object>(target: T, name: string, method: unknown): T {
  return new Proxy(target, {
    get(object, property) {
      if (property === name) return method;
      const value = (object as unknown as Record<string | symbol, unknown>)[property];
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value;
    },
  });
}

/** The GPU object to give tfjs (navigator.gpu): the same, asking for the matrix features unless turned off. */
export function gpuWithMatrixFeatures<T extends GpuLike>(gpu: T): T {
  if (!matrixWanted()) return gpu;
  prepareShaderModules();
  const requestAdapter = async (options?: object): Promise<AdapterLike | null> => {
    const adapter = await gpu.requestAdapter(options);
    return adapter && requestingMatrixFeatures(adapter);
  };
  return overriding(gpu, 'requestAdapter', requestAdapter);
}

const DIRECTIVE = /^[ \t]*(?:enable|requires|diagnostic)\b[^;\n]*;[ \t]*$/gm;

/** The WGSL with its enable/requires/diagnostic directives moved to the start (WGSL wants them first). */
export function hoistDirectives(code: string): string {
  const directives = code.match(DIRECTIVE);
  if (!directives) return code;
  return `${directives.map((d) => d.trim()).join('\n')}\n${code.replace(DIRECTIVE, '')}`;
}

/** What a program declares to receive its subgroup's index. */
export const SUBGROUP_MAIN = 'fn main(subgroupId : u32)';
/** The last parameter of tfjs-backend-webgpu 4.22's entry point, and its call of main(). */
const ENTRY_LAST_PARAMETER = '@builtin(num_workgroups) NumWorkgroups : vec3<u32>)';
const ENTRY_CALL = /\bmain\(\);/;

/** tfjs's entry point passing the `subgroup_id` builtin on to a program's `fn main(subgroupId : u32)`. */
export function passSubgroupId(code: string): string {
  if (!code.includes(SUBGROUP_MAIN)) return code;
  if (!code.includes(ENTRY_LAST_PARAMETER) || !ENTRY_CALL.test(code))
    throw new Error("tfjs's WGSL entry point has changed: cannot pass subgroup_id to a subgroup matrix kernel");
  return code
    .replace(ENTRY_LAST_PARAMETER, `${ENTRY_LAST_PARAMETER.slice(0, -1)}, @builtin(subgroup_id) SubgroupId : u32)`)
    .replace(ENTRY_CALL, 'main(SubgroupId);');
}

/** Both rewrites of tfjs's WGSL (see the top of this file); other shaders pass unchanged. */
const prepareShader = (code: string): string => hoistDirectives(passSubgroupId(code));

interface DeviceClass {
  prototype: { createShaderModule(descriptor: { code: string }): object };
}

let preparing = false;

/** Idempotent; does nothing where WebGPU's globals are not installed. */
function prepareShaderModules(): void {
  const device = (globalThis as { GPUDevice?: DeviceClass }).GPUDevice;
  if (!device || preparing) return;
  preparing = true;
  const stock = device.prototype.createShaderModule;
  device.prototype.createShaderModule = function (this: object, descriptor: { code: string }): object {
    return stock.call(this, { ...descriptor, code: prepareShader(descriptor.code) });
  };
}
