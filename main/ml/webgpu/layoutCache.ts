/**
 * One bind group layout object per compute pipeline. tfjs-backend-webgpu 4.22 calls `pipeline.getBindGroupLayout(0)`
 * for every dispatch, and Dawn's Node binding answers each call with a new native object. The layouts of one
 * pipeline are all the same layout (WebGPU: equal layouts of an 'auto' pipeline are interchangeable), so the first is
 * kept and handed out again.
 */
interface PipelineClass {
  prototype: { getBindGroupLayout(index: number): object };
}

const cached = new WeakMap<object, Map<number, object>>();
let stockGetLayout: ((this: object, index: number) => object) | null = null;

function pipelineClass(): PipelineClass | null {
  return (globalThis as { GPUComputePipeline?: PipelineClass }).GPUComputePipeline ?? null;
}

/** Idempotent; does nothing where WebGPU's globals are not installed. */
export function cacheBindGroupLayouts(): void {
  const pipeline = pipelineClass();
  if (!pipeline || stockGetLayout) return;
  const stock = pipeline.prototype.getBindGroupLayout;
  stockGetLayout = stock;
  pipeline.prototype.getBindGroupLayout = function (this: object, index: number): object {
    let layouts = cached.get(this);
    if (!layouts) cached.set(this, (layouts = new Map()));
    let layout = layouts.get(index);
    if (!layout) layouts.set(index, (layout = stock.call(this, index)));
    return layout;
  };
}

export function stopCachingBindGroupLayouts(): void {
  const pipeline = pipelineClass();
  if (!pipeline || !stockGetLayout) return;
  pipeline.prototype.getBindGroupLayout = stockGetLayout;
  stockGetLayout = null;
}
