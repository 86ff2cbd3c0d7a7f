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

export const int = (value: number): Uniform => ({ type: 'int32', data: [value] });
