/**
 * The parts of tfjs-backend-webgpu's program interface that our kernels use, typed here so that this code needs neither
 * the backend package at run time (importing it registers the backend as a side effect) nor the DOM's WebGPU types.
 * tfjs prepends the bindings (`result`, one array per variable name, `uniforms`) and the builtins (`localIndex`,
 * `workgroupId`, ...) to getUserCode()'s WGSL, which defines `fn main()` (or `fn main(index: i32)` for a flat layout).
 */
import type { DataId, TensorInfo } from '@tensorflow/tfjs-core';

export interface WebgpuProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  /** Which output dimensions map to the dispatch's x, y, z; y and z left empty make main() take a flat index. */
  dispatchLayout: { x: number[]; y?: number[]; z?: number[] };
  /** In workgroups. */
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  /** Extra uniform fields, WGSL struct syntax ("a : i32, b : i32,"), filled in order by the uniform data. */
  uniforms?: string;
  /** Adds `uniforms.size` (the output's element count). */
  size?: boolean;
  /** Floats per array element of each input binding (4: read as vec4<f32>); 1 each when absent. */
  variableComponents?: number[];
  getUserCode(): string;
}

export interface Uniform {
  type: 'int32' | 'float32' | 'uint32';
  data: number[];
}

export interface WebgpuBackendLike {
  runWebGPUProgram(program: WebgpuProgram, inputs: TensorInfo[], dtype: 'float32', uniforms?: Uniform[]): TensorInfo;
  disposeData(dataId: DataId): boolean;
}

/** The tfjs backend these kernels are for. */
export const WEBGPU_BACKEND = 'webgpu';

export const int = (value: number): Uniform => ({ type: 'int32', data: [value] });

/** A kernel's named input, or an error naming the missing one. */
export function input(inputs: Record<string, TensorInfo | undefined>, name: string): TensorInfo {
  const value = inputs[name];
  if (value === undefined) throw new Error(`webgpu kernel: missing input '${name}'`);
  return value;
}

const GRID_THREADS = 256;
/** Workgroups of one dispatch dimension (WebGPU's guaranteed limit); larger outputs loop over the grid. */
export const MAX_WORKGROUPS = 65535;

/**
 * One thread per output element, looping over the grid when one dispatch does not cover the output: `body` runs for
 * each flat index `i` (WGSL), after `prelude` (helper functions). The last uniform is the grid's stride: pass
 * `program.stride` as an int32 after the program's own uniforms.
 */
export class GridStrideProgram implements WebgpuProgram {
  readonly outputShape: number[];
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  readonly workgroupSize: [number, number, number] = [GRID_THREADS, 1, 1];
  readonly uniforms: string;
  readonly size = true;

  constructor(
    readonly variableNames: string[],
    shape: number[],
    readonly shaderKey: string,
    uniforms: string,
    private readonly body: string,
    private readonly prelude = '',
  ) {
    this.outputShape = shape;
    this.uniforms = `${uniforms} stride : i32,`;
    this.dispatchLayout = { x: shape.map((_, i) => i) };
    const size = shape.reduce((a, b) => a * b, 1);
    this.dispatch = [Math.max(1, Math.min(MAX_WORKGROUPS, Math.ceil(size / GRID_THREADS))), 1, 1];
  }

  get stride(): Uniform {
    return { type: 'int32', data: [this.dispatch[0] * GRID_THREADS] };
  }

  getUserCode(): string {
    return `
      ${this.prelude}
      fn main(index : i32) {
        for (var i = index; i < uniforms.size; i += uniforms.stride) {
          ${this.body}
        }
      }
    `;
  }
}
