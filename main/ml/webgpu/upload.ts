/**
 * Host-to-GPU uploads through `queue.writeBuffer`. tfjs-backend-webgpu 4.22 uploads every tensor made on the host (each
 * scalar of a `mul(x, 0.99)` included) by creating a new mapped staging buffer, copying it in the command encoder and
 * destroying it after the next submit. Creating and destroying a GPU buffer per scalar costs Dawn tens of microseconds:
 * a CPU profile of the small default U-Net's training step on the H200 put 21 % of its JavaScript time in
 * `acquireBuffer` under `uploadToGPU` and 15 % in the submits that destroy the staging buffers, with the step bound by
 * the CPU (the GPU idles). `writeBuffer` copies into Dawn's own staging memory instead.
 *
 * Ordering stays right: writeBuffer runs on the queue before the command buffer being recorded is submitted, so every
 * kernel that reads the new tensor (recorded later) sees its values; and the buffer comes from the backend's free pool,
 * which takes buffers back only after the commands that used them were submitted.
 */

/** The parts of tfjs-backend-webgpu's backend this patch uses (its own types need the DOM's WebGPU types). */
interface TensorData {
  values: ArrayLike<number> | null;
  dtype: string;
  shape: number[];
  resource: unknown;
}

interface UploadingBackend {
  tensorMap: { get(dataId: object): TensorData };
  bufferManager: { acquireBuffer(size: number, usage: number): object };
  queue: { writeBuffer(buffer: object, offset: number, data: ArrayBufferView): void };
  uploadToGPU(dataId: object): void;
}

/** GPUBufferUsage.STORAGE | COPY_SRC | COPY_DST: what tfjs gives every tensor buffer. */
const TENSOR_BUFFER_USAGE = 0x0080 | 0x0004 | 0x0008;

const stockUploads = new WeakMap<object, UploadingBackend['uploadToGPU']>();

function hostValues(data: TensorData, values: ArrayLike<number>): Float32Array | Int32Array {
  // Like tfjs: int32 and bool live on the GPU as 32-bit integers, everything else as float32.
  if (data.dtype === 'int32' || data.dtype === 'bool')
    return values instanceof Int32Array ? values : Int32Array.from(values);
  return values instanceof Float32Array ? values : Float32Array.from(values);
}

/** Switches the webgpu backend's class to writeBuffer uploads (idempotent). */
export function useQueueUploads(backend: object): void {
  const prototype = Object.getPrototypeOf(backend) as UploadingBackend;
  if (stockUploads.has(prototype)) return;
  const stock = prototype.uploadToGPU;
  stockUploads.set(prototype, stock);
  prototype.uploadToGPU = function (this: UploadingBackend, dataId: object): void {
    const data = this.tensorMap.get(dataId);
    if (data.resource != null || data.values == null || data.dtype === 'complex64') {
      stock.call(this, dataId);
      return;
    }
    const values = hostValues(data, data.values);
    const buffer = this.bufferManager.acquireBuffer(values.byteLength, TENSOR_BUFFER_USAGE);
    if (values.byteLength > 0) this.queue.writeBuffer(buffer, 0, values);
    data.values = null;
    data.resource = buffer;
  };
}

/** Puts tfjs's own uploads back (the benchmark measures both). */
export function useStockUploads(backend: object): void {
  const prototype = Object.getPrototypeOf(backend) as UploadingBackend;
  const stock = stockUploads.get(prototype);
  if (stock === undefined) return;
  prototype.uploadToGPU = stock;
  stockUploads.delete(prototype);
}
