/**
 * The acoustic modeller on the GPU through WebGPU (Dawn in Node, as the ML engine's webgpu backend): the same leapfrog
 * update, coefficients and source term as the CPU modeller (PreparedModel), as a WGSL compute shader, so that the two
 * agree to float32 rounding (webgpuModeller.test.ts compares them where a GPU adapter exists).
 *
 * One shot is one command buffer: per time step a stencil dispatch (one invocation per grid point, 16 x 16 workgroups)
 * writes the new field over the oldest, and a one-workgroup dispatch adds the source term and records the receivers;
 * the two wavefield buffers swap roles through two bind groups. A step counter on the GPU tells the second kernel which
 * step it is, so nothing is written from the host during a shot. Results come back once, after all shots.
 */
import type { GridPoint, PreparedModel } from './acousticModeller';
import { SECOND_DERIVATIVE_COEFFICIENTS } from './stability';

/** The parts of the WebGPU API used here (the DOM's WebGPU types are not part of the node build). */
export interface GpuBufferLike {
  mapAsync(mode: number): Promise<void>;
  getMappedRange(): ArrayBuffer;
  unmap(): void;
  destroy(): void;
}
interface GpuPipelineLike {
  getBindGroupLayout(index: number): unknown;
}
interface GpuPassLike {
  setPipeline(pipeline: GpuPipelineLike): void;
  setBindGroup(index: number, group: unknown): void;
  dispatchWorkgroups(x: number, y?: number): void;
  end(): void;
}
interface GpuEncoderLike {
  beginComputePass(): GpuPassLike;
  clearBuffer(buffer: GpuBufferLike): void;
  copyBufferToBuffer(
    source: GpuBufferLike,
    sourceOffset: number,
    target: GpuBufferLike,
    targetOffset: number,
    size: number,
  ): void;
  finish(): unknown;
}
export interface GpuDeviceLike {
  createBuffer(descriptor: { size: number; usage: number }): GpuBufferLike;
  createShaderModule(descriptor: { code: string }): unknown;
  createComputePipeline(descriptor: {
    layout: 'auto';
    compute: { module: unknown; entryPoint: string };
  }): GpuPipelineLike;
  createBindGroup(descriptor: {
    layout: unknown;
    entries: Array<{ binding: number; resource: { buffer: GpuBufferLike } }>;
  }): unknown;
  createCommandEncoder(): GpuEncoderLike;
  queue: {
    writeBuffer(buffer: GpuBufferLike, offset: number, data: ArrayBufferView): void;
    submit(commands: unknown[]): void;
  };
}

// GPUBufferUsage and GPUMapMode flags.
const MAP_READ = 0x0001;
const COPY_SRC = 0x0004;
const COPY_DST = 0x0008;
const UNIFORM = 0x0040;
const STORAGE = 0x0080;
const MAP_MODE_READ = 0x0001;

const TILE = 16;
const RECORD_LANES = 64;

/** The stencil kernel for the model's order: the Laplacian written out term by term, as in the CPU loops. */
function stencilShader(order: 4 | 8): string {
  const coefficients = SECOND_DERIVATIVE_COEFFICIENTS[order];
  const radius = order / 2;
  const terms = coefficients
    .slice(1)
    .map((c, i) => {
      const d = i + 1;
      return `${c.toPrecision(9)} * (p[k - ${d}u] + p[k + ${d}u] + p[k - ${d}u * nx] + p[k + ${d}u * nx])`;
    })
    .join(' + ');
  return /* wgsl */ `
struct Grid { nx: u32, nz: u32 }
@group(0) @binding(0) var<uniform> grid: Grid;
@group(0) @binding(1) var<storage, read> p: array<f32>;
@group(0) @binding(2) var<storage, read_write> next: array<f32>;
@group(0) @binding(3) var<storage, read> a: array<f32>;
@group(0) @binding(4) var<storage, read> b: array<f32>;
@group(0) @binding(5) var<storage, read> v: array<f32>;

@compute @workgroup_size(${TILE}, ${TILE})
fn main(@builtin(global_invocation_id) id: vec3u) {
  let nx = grid.nx;
  let x = id.x + ${radius}u;
  let z = id.y + ${radius}u;
  if (x >= nx - ${radius}u || z >= grid.nz - ${radius}u) { return; }
  let k = z * nx + x;
  let lap = ${(2 * coefficients[0]!).toPrecision(9)} * p[k] + ${terms};
  next[k] = a[k] * p[k] - b[k] * next[k] + v[k] * lap;
}`;
}

/** Adds step n's source term to the new field, records it at the receivers as sample n + 1, advances the counter. */
const RECORD_SHADER = /* wgsl */ `
struct Shot { source: u32, receivers: u32, steps: u32, firstValue: u32 }
@group(0) @binding(0) var<uniform> shot: Shot;
@group(0) @binding(1) var<storage, read_write> next: array<f32>;
@group(0) @binding(2) var<storage, read> sourceTerm: array<f32>;
@group(0) @binding(3) var<storage, read> receiverIndex: array<u32>;
@group(0) @binding(4) var<storage, read_write> traces: array<f32>;
@group(0) @binding(5) var<storage, read_write> counter: array<u32>;

@compute @workgroup_size(${RECORD_LANES})
fn main(@builtin(local_invocation_index) lane: u32) {
  let n = counter[0];
  if (lane == 0u) { next[shot.source] = next[shot.source] + sourceTerm[n]; }
  storageBarrier();
  workgroupBarrier();
  if (n + 1u < shot.steps) {
    for (var r = lane; r < shot.receivers; r = r + ${RECORD_LANES}u) {
      traces[shot.firstValue + (n + 1u) * shot.receivers + r] = next[receiverIndex[r]];
    }
  }
  workgroupBarrier();
  if (lane == 0u) { counter[0] = n + 1u; }
}`;

export interface GpuShot {
  readonly source: GridPoint;
  readonly receivers: readonly GridPoint[];
}

/**
 * Models shots of one prepared model on the GPU. Traces come back as from AcousticModeller.shoot, one array per shot.
 * Call destroy() to free the GPU buffers.
 */
export class WebgpuModeller {
  private readonly buffers: GpuBufferLike[] = [];
  private readonly fields: [GpuBufferLike, GpuBufferLike];
  private readonly stencil: GpuPipelineLike;
  private readonly record: GpuPipelineLike;
  private readonly stencilGroups: [unknown, unknown];
  private readonly sourceTerm: GpuBufferLike;
  private readonly counter: GpuBufferLike;

  constructor(
    private readonly device: GpuDeviceLike,
    private readonly model: PreparedModel,
  ) {
    const { nx, nz } = model.padded;
    const grid = this.uploaded(Uint32Array.of(nx, nz), UNIFORM);
    const a = this.uploaded(model.a, STORAGE);
    const b = this.uploaded(model.b, STORAGE);
    const v = this.uploaded(model.v, STORAGE);
    this.fields = [this.storage(nx * nz * 4), this.storage(nx * nz * 4)];
    this.sourceTerm = this.uploaded(model.sourceTerm, STORAGE);
    this.counter = this.storage(4);
    this.stencil = this.pipeline(stencilShader(model.order));
    this.record = this.pipeline(RECORD_SHADER);
    const stencilGroup = (current: GpuBufferLike, next: GpuBufferLike) =>
      this.bindGroup(this.stencil, [grid, current, next, a, b, v]);
    this.stencilGroups = [stencilGroup(this.fields[0], this.fields[1]), stencilGroup(this.fields[1], this.fields[0])];
  }

  /** Models the shots (one command buffer each) and reads all traces back at once. */
  async shoot(shots: readonly GpuShot[]): Promise<Float32Array[]> {
    const { steps, padded, order } = this.model;
    const callBuffersFrom = this.buffers.length;
    const sizes = shots.map((shot) => steps * shot.receivers.length);
    const total = sizes.reduce((sum, size) => sum + size, 0);
    const traces = this.storage(Math.max(4, total * 4));
    const readback = this.track(this.device.createBuffer({ size: Math.max(4, total * 4), usage: MAP_READ | COPY_DST }));
    const clear = this.device.createCommandEncoder();
    clear.clearBuffer(traces);
    this.device.queue.submit([clear.finish()]);
    let firstValue = 0;
    for (const [s, shot] of shots.entries()) {
      const source = this.model.paddedIndex(shot.source, 'source');
      const receiverIndex = Uint32Array.from(shot.receivers, (r, i) => this.model.paddedIndex(r, `receiver ${i}`));
      const shotUniform = this.uploaded(Uint32Array.of(source, shot.receivers.length, steps, firstValue), UNIFORM);
      const receivers = this.uploaded(receiverIndex.length > 0 ? receiverIndex : Uint32Array.of(0), STORAGE);
      const recordGroups = this.fields.map((next) =>
        this.bindGroup(this.record, [shotUniform, next, this.sourceTerm, receivers, traces, this.counter]),
      );
      const encoder = this.device.createCommandEncoder();
      for (const field of this.fields) encoder.clearBuffer(field);
      encoder.clearBuffer(this.counter);
      const pass = encoder.beginComputePass();
      const groupsX = Math.ceil((padded.nx - order) / TILE);
      const groupsZ = Math.ceil((padded.nz - order) / TILE);
      for (let n = 0; n < steps; n++) {
        // Step n reads field n % 2 and writes the other one, which then holds the newest field.
        pass.setPipeline(this.stencil);
        pass.setBindGroup(0, this.stencilGroups[n % 2]);
        pass.dispatchWorkgroups(groupsX, groupsZ);
        pass.setPipeline(this.record);
        pass.setBindGroup(0, recordGroups[(n + 1) % 2]);
        pass.dispatchWorkgroups(1);
      }
      pass.end();
      this.device.queue.submit([encoder.finish()]);
      firstValue += sizes[s]!;
    }
    const copy = this.device.createCommandEncoder();
    copy.copyBufferToBuffer(traces, 0, readback, 0, Math.max(4, total * 4));
    this.device.queue.submit([copy.finish()]);
    await readback.mapAsync(MAP_MODE_READ);
    const all = new Float32Array(readback.getMappedRange().slice(0));
    readback.unmap();
    for (const buffer of this.buffers.splice(callBuffersFrom)) buffer.destroy();
    let offset = 0;
    return sizes.map((size) => all.slice(offset, (offset += size)));
  }

  destroy(): void {
    for (const buffer of this.buffers) buffer.destroy();
    this.buffers.length = 0;
  }

  private track(buffer: GpuBufferLike): GpuBufferLike {
    this.buffers.push(buffer);
    return buffer;
  }

  private storage(bytes: number): GpuBufferLike {
    return this.track(this.device.createBuffer({ size: bytes, usage: STORAGE | COPY_SRC | COPY_DST }));
  }

  private uploaded(values: Float32Array | Uint32Array, usage: number): GpuBufferLike {
    // Uniform buffers are at least 16 bytes.
    const bytes = Math.max(16, Math.ceil(values.byteLength / 4) * 4);
    const buffer = this.track(this.device.createBuffer({ size: bytes, usage: usage | COPY_DST }));
    this.device.queue.writeBuffer(buffer, 0, values);
    return buffer;
  }

  private pipeline(code: string): GpuPipelineLike {
    const module = this.device.createShaderModule({ code });
    return this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  }

  private bindGroup(pipeline: GpuPipelineLike, buffers: GpuBufferLike[]): unknown {
    return this.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
  }
}
