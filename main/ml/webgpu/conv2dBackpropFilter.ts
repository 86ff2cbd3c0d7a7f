/**
 * Conv2DBackpropFilter for the webgpu backend as a tiled, split-K implicit GEMM.
 *
 * tfjs-backend-webgpu 4.22 runs one thread per filter element, each looping over batch x outH x outW (262,144 products
 * for a batch of 16 at 128 x 128): a first conv (1 -> 64 channels) runs on 576 threads, and the filter gradients took
 * most of a U-Net training step. Here dW, seen as an [M = KH*KW*Ci, N = Co] matrix, is the product of the im2col view of
 * x ([K = batch*outH*outW, M], never materialised) and dy ([K, N]): each workgroup computes one TM x TN tile over one
 * slice of K through workgroup memory, and the slices' partial tiles are summed by a second, small kernel. Splitting K
 * keeps the GPU full when M x N is small, which is exactly the case of the slow layers.
 */
import { backend_util } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropFilterAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { int, type WebgpuBackendLike, type WebgpuProgram } from './program';

const THREADS = 256;
const TILE_K = 16;
/** Enough workgroups to fill a large GPU several times over (an H100/H200 has 132 multiprocessors). */
const TARGET_WORKGROUPS = 1024;
/** A slice shorter than this spends more on its partial tile than on products. */
const MIN_SLICE = 256;

export interface FilterGradPlan {
  m: number;
  n: number;
  k: number;
  tileM: number;
  tileN: number;
  slices: number;
  /** K per slice, a multiple of TILE_K. */
  chunk: number;
}

/** Tiles of 64 or 128 (4 or 8 outputs per thread and dimension), and as many K slices as it takes to fill the GPU. */
export function planFilterGrad(conv: backend_util.Conv2DInfo): FilterGradPlan {
  const m = conv.filterHeight * conv.filterWidth * conv.inChannels;
  const n = conv.outChannels;
  const k = conv.batchSize * conv.outHeight * conv.outWidth;
  const tileM = m >= 128 ? 128 : 64;
  const tileN = n >= 128 ? 128 : 64;
  const tiles = Math.ceil(m / tileM) * Math.ceil(n / tileN);
  const wanted = Math.ceil(TARGET_WORKGROUPS / tiles);
  const slices = Math.max(1, Math.min(wanted, Math.floor(k / MIN_SLICE)));
  const chunk = Math.ceil(k / slices / TILE_K) * TILE_K;
  return { m, n, k, tileM, tileN, slices: Math.ceil(k / chunk), chunk };
}

class FilterGradProgram implements WebgpuProgram {
  variableNames = ['x', 'dy'];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [2], y: [1], z: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [THREADS, 1, 1];
  uniforms =
    'M : i32, N : i32, K : i32, chunk : i32, steps : i32, inH : i32, inW : i32, inC : i32, outH : i32, outW : i32, ' +
    'filterW : i32, padTop : i32, padLeft : i32, strideH : i32, strideW : i32,';

  constructor(private readonly plan: FilterGradPlan) {
    this.outputShape = [plan.slices, plan.m, plan.n];
    this.dispatch = [Math.ceil(plan.n / plan.tileN), Math.ceil(plan.m / plan.tileM), plan.slices];
    this.shaderKey = `promethiumConv2DBackpropFilter_${plan.tileM}_${plan.tileN}`;
  }

  getUserCode(): string {
    const { tileM, tileN } = this.plan;
    const rowsM = tileM / 16;
    const rowsN = tileN / 16;
    // Each thread loads one column of the A tile (a fixed (kh, kw, ci): its decomposition is hoisted out of the K loop)
    // and one column of the B tile, every THREADS / tile rows; it computes a rowsM x rowsN block of outputs strided by
    // 16, so that a warp reads 16 consecutive words of B and 2 broadcast words of A: no bank conflicts.
    return `
      const TM = ${tileM};
      const TN = ${tileN};
      const TK = ${TILE_K};
      var<workgroup> tileA : array<f32, ${TILE_K * tileM}>;
      var<workgroup> tileB : array<f32, ${TILE_K * tileN}>;

      fn main() {
        let tid = i32(localIndex);
        let tx = tid % 16;
        let ty = tid / 16;
        let n0 = i32(workgroupId.x) * TN;
        let m0 = i32(workgroupId.y) * TM;
        let slice = i32(workgroupId.z);
        let kBegin = slice * uniforms.chunk;
        let kEnd = min(kBegin + uniforms.chunk, uniforms.K);

        let aCol = tid % TM;
        let am = m0 + aCol;
        let aValid = am < uniforms.M;
        let ci = am % uniforms.inC;
        let kw = (am / uniforms.inC) % uniforms.filterW;
        let kh = am / (uniforms.inC * uniforms.filterW);
        let dh = kh - uniforms.padTop;
        let dw = kw - uniforms.padLeft;
        let bCol = tid % TN;
        let bn = n0 + bCol;
        let bValid = bn < uniforms.N;

        var acc : array<f32, ${rowsM * rowsN}>;
        for (var i = 0; i < ${rowsM * rowsN}; i++) { acc[i] = 0.0; }

        // The trip count comes from uniforms so that the barriers stay in uniform control flow.
        for (var step = 0; step < uniforms.steps; step++) {
          let k0 = kBegin + step * TK;
          for (var r = tid / TM; r < TK; r += ${THREADS / tileM}) {
            let k = k0 + r;
            var v = 0.0;
            if (aValid && k < kEnd) {
              let ox = k % uniforms.outW;
              let rest = k / uniforms.outW;
              let oy = rest % uniforms.outH;
              let b = rest / uniforms.outH;
              let iy = oy * uniforms.strideH + dh;
              let ix = ox * uniforms.strideW + dw;
              if (iy >= 0 && iy < uniforms.inH && ix >= 0 && ix < uniforms.inW) {
                v = x[((b * uniforms.inH + iy) * uniforms.inW + ix) * uniforms.inC + ci];
              }
            }
            tileA[r * TM + aCol] = v;
          }
          for (var r = tid / TN; r < TK; r += ${THREADS / tileN}) {
            let k = k0 + r;
            var v = 0.0;
            if (bValid && k < kEnd) {
              v = dy[k * uniforms.N + bn];
            }
            tileB[r * TN + bCol] = v;
          }
          workgroupBarrier();
          for (var kk = 0; kk < TK; kk++) {
            var a : array<f32, ${rowsM}>;
            var bv : array<f32, ${rowsN}>;
            for (var i = 0; i < ${rowsM}; i++) { a[i] = tileA[kk * TM + ty + 16 * i]; }
            for (var j = 0; j < ${rowsN}; j++) { bv[j] = tileB[kk * TN + tx + 16 * j]; }
            for (var i = 0; i < ${rowsM}; i++) {
              for (var j = 0; j < ${rowsN}; j++) {
                acc[i * ${rowsN} + j] = fma(a[i], bv[j], acc[i * ${rowsN} + j]);
              }
            }
          }
          workgroupBarrier();
        }

        for (var i = 0; i < ${rowsM}; i++) {
          let m = m0 + ty + 16 * i;
          for (var j = 0; j < ${rowsN}; j++) {
            let n = n0 + tx + 16 * j;
            if (m < uniforms.M && n < uniforms.N) {
              result[(slice * uniforms.M + m) * uniforms.N + n] = acc[i * ${rowsN} + j];
            }
          }
        }
      }
    `;
  }
}

/** Sums the K slices' partial [slices, M, N] products into the filter gradient. */
class SumSlicesProgram implements WebgpuProgram {
  variableNames = ['partial'];
  outputShape: number[];
  shaderKey = 'promethiumSumSlices';
  dispatchLayout = { x: [0, 1, 2, 3] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [THREADS, 1, 1];
  uniforms = 'slices : i32,';
  size = true;

  constructor(filterShape: number[]) {
    this.outputShape = filterShape;
    const size = filterShape.reduce((a, b) => a * b, 1);
    this.dispatch = [Math.ceil(size / THREADS), 1, 1];
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          var sum = 0.0;
          for (var s = 0; s < uniforms.slices; s++) {
            sum += partial[s * uniforms.size + index];
          }
          result[index] = sum;
        }
      }
    `;
  }
}

/** NHWC only: the caller falls back to tfjs's kernel for NCHW. */
export function conv2dBackpropFilterWebgpu(
  x: TensorInfo,
  dy: TensorInfo,
  attrs: Conv2DBackpropFilterAttrs,
  backend: WebgpuBackendLike,
): TensorInfo {
  const { filterShape, strides, pad, dimRoundingMode } = attrs;
  const xShape = x.shape as [number, number, number, number];
  const conv = backend_util.computeConv2DInfo(xShape, filterShape, strides, 1, pad, dimRoundingMode);
  const plan = planFilterGrad(conv);
  const uniforms = [
    plan.m,
    plan.n,
    plan.k,
    plan.chunk,
    plan.chunk / TILE_K,
    conv.inHeight,
    conv.inWidth,
    conv.inChannels,
    conv.outHeight,
    conv.outWidth,
    conv.filterWidth,
    conv.padInfo.top,
    conv.padInfo.left,
    conv.strideHeight,
    conv.strideWidth,
  ].map(int);
  const partial = backend.runWebGPUProgram(new FilterGradProgram(plan), [x, dy], 'float32', uniforms);
  const sum = backend.runWebGPUProgram(new SumSlicesProgram(filterShape), [partial], 'float32', [int(plan.slices)]);
  backend.disposeData(partial.dataId);
  return sum;
}
