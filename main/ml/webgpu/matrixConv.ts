/**
 * FusedConv2D (conv + bias + activation) on the tensor cores, for stride-1 NHWC convolutions: an implicit GEMM whose
 * products run on subgroup matrices (matrixDevice.ts) in half precision with float32 accumulation. That is the
 * arithmetic PyTorch's default TF32 convolutions do (10-bit mantissas, float32 sums); inputs beyond the half-float
 * range (|v| > 65504) are clamped, not turned into infinities.
 *
 * The output, seen as a [P = batch*outH*outW, outC] matrix, is the product of the im2col view of x ([P, K =
 * kh*kw*inC], never materialised) and the filter ([K, outC], tfjs's [kh, kw, inC, outC] layout read as it is). Each
 * workgroup computes one BM x BN tile: per step along K, its threads convert their part of both operand tiles
 * to f16 in workgroup memory, then each subgroup multiplies its FM x FN fragments. The bias and the activation are
 * applied on the way out, one fragment at a time through a small per-subgroup staging area, so any P and outC work.
 */
import { backend_util } from '@tensorflow/tfjs-core';
import type { FusedConv2DAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { int, MAX_WORKGROUPS, type Uniform, type WebgpuBackendLike, type WebgpuProgram } from './program';
import { type MatrixSupport, SUBGROUP_MAIN } from './matrixDevice';

/** Subgroups per workgroup (rows x columns), fragments per subgroup (rows x columns), and the K step. */
export interface MatrixTile {
  subgroupsM: number;
  subgroupsN: number;
  fragmentsM: number;
  fragmentsN: number;
  /** K per step through workgroup memory: a multiple of 16 and of the fragment depth. */
  depth: number;
}

/** Row padding of the operand tiles in workgroup memory, in halves (keeps rows 16-byte aligned, staggers banks). */
const PAD = 8;
const HALF_MAX = 65504;
/**
 * The matrix kernel against float32: a half float's rounding (2^-11 of the value, about 4.9e-4) a few times over, like
 * PyTorch's TF32, which rounds to the same 10-bit mantissa. Relative to the largest output value.
 */
export const MATRIX_TOLERANCE = 2e-3;

type Activation = 'linear' | 'relu' | 'leakyrelu' | 'prelu' | 'sigmoid';
const ACTIVATIONS: Record<Activation, string> = {
  linear: 'return v;',
  relu: 'return max(v, 0.0);',
  leakyrelu: 'return select(uniforms.alpha * v, v, v >= 0.0);',
  prelu: 'return select(preluActivationWeights[c] * v, v, v >= 0.0);',
  sigmoid: 'return 1.0 / (1.0 + exp(-v));',
};

export const tileRows = (t: MatrixTile, m: MatrixSupport): number => t.subgroupsM * t.fragmentsM * m.m;
export const tileColumns = (t: MatrixTile, m: MatrixSupport): number => t.subgroupsN * t.fragmentsN * m.n;

/** Workgroups that keep a large GPU busy (an H100/H200 has 132 multiprocessors): fewer, and smaller tiles win. */
const BUSY_WORKGROUPS = 256;

/**
 * The tile for a layer of `rows` output pixels, from the per-layer timings of test/bench/matrixConvBench.ts on an
 * H200 (16 x 16 fragments, 32 deep per step: 64 was slower on every layer): few output channels, 64 x 16 or 64 x 32;
 * 64 channels, 64 x 64; more, 128 x 128 where that still makes enough workgroups, else 64 x 64.
 */
export function chooseMatrixTile(outChannels: number, rows: number, m: MatrixSupport): MatrixTile {
  const depth = 32;
  if (outChannels <= 2 * m.n)
    return { subgroupsM: 4, subgroupsN: 1, fragmentsM: 1, fragmentsN: Math.ceil(outChannels / m.n), depth };
  const large: MatrixTile = { subgroupsM: 4, subgroupsN: 2, fragmentsM: 2, fragmentsN: 4, depth };
  const workgroups = Math.ceil(rows / tileRows(large, m)) * Math.ceil(outChannels / tileColumns(large, m));
  if (outChannels > 4 * m.n && workgroups >= BUSY_WORKGROUPS) return large;
  return { subgroupsM: 2, subgroupsN: 2, fragmentsM: 2, fragmentsN: 2, depth };
}

/**
 * Where the matrix kernel reads and writes, beyond a plain convolution: `split`, x arrives as two tensors concatenated
 * along channels (x has the first `split` channels, x2 the rest), so the concatenation is never written; `block`,
 * each output pixel's channels are spread over a block of block[0] x block[1] pixels (depth-to-space: the sub-pixel
 * form of a transposed conv whose kernel equals its stride), so that rearrangement is never written either.
 */
export interface MatrixLayout {
  split?: number;
  block?: [number, number];
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const COMPONENTS = ['x', 'y', 'z', 'w'];

/** WGSL that stores `width` floats (`value`, a vec4 when width is 4) as halves at `tile[at]` and after it. */
const storeHalves = (tile: string, at: string, value: string, width: number): string =>
  width === 1
    ? `${tile}[${at}] = toHalf(${value});`
    : range(width)
        .map((i) => `${tile}[${at} + ${i}] = toHalf(${value}.${COMPONENTS[i]});`)
        .join(' ');

class MatrixConvProgram implements WebgpuProgram {
  variableNames: string[];
  /** Floats per element of each binding: x and W are read as vec4 where their channel counts allow. */
  variableComponents: number[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [3], y: [0, 1, 2] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  uniforms =
    'P : i32, inH : i32, inW : i32, inC : i32, outH : i32, outW : i32, outC : i32, K : i32, filterW : i32, ' +
    'padTop : i32, padLeft : i32, alpha : f32, inC1 : i32, blockC : i32,';
  private readonly rows: number;
  private readonly columns: number;
  private readonly threads: number;
  /** Floats per load of x (4 when inC % 4 == 0: four channels of one pixel) and of W (4 when outC % 4 == 0). */
  private readonly widthA: number;
  private readonly widthB: number;

  constructor(
    conv: backend_util.Conv2DInfo,
    private readonly m: MatrixSupport,
    private readonly tile: MatrixTile,
    private readonly hasBias: boolean,
    private readonly activation: Activation,
    private readonly layout: MatrixLayout = {},
  ) {
    const split = layout.split;
    this.variableNames = [
      'x',
      ...(split === undefined ? [] : ['x2']),
      'W',
      ...(hasBias ? ['bias'] : []),
      ...(activation === 'prelu' ? ['preluActivationWeights'] : []),
    ];
    const parts = split === undefined ? [conv.inChannels] : [split, conv.inChannels - split];
    this.widthA = parts.every((c) => c % 4 === 0) ? 4 : 1;
    this.widthB = conv.outChannels % 4 === 0 ? 4 : 1;
    const inputs = parts.map(() => this.widthA);
    this.variableComponents = [...inputs, this.widthB, ...this.variableNames.slice(inputs.length + 1).map(() => 1)];
    const [bh, bw] = layout.block ?? [1, 1];
    const outC = conv.outChannels / (bh * bw);
    this.outputShape = [conv.batchSize, conv.outHeight * bh, conv.outWidth * bw, outC];
    this.rows = tileRows(tile, m);
    this.columns = tileColumns(tile, m);
    this.threads = tile.subgroupsM * tile.subgroupsN * m.subgroupSize;
    this.workgroupSize = [this.threads, 1, 1];
    const p = conv.batchSize * conv.outHeight * conv.outWidth;
    this.dispatch = [Math.ceil(conv.outChannels / this.columns), Math.ceil(p / this.rows), 1];
    const t = tile;
    this.shaderKey =
      `promethiumMatrixConv_${m.m}x${m.n}x${m.k}_${m.subgroupSize}_` +
      `${t.subgroupsM}x${t.subgroupsN}x${t.fragmentsM}x${t.fragmentsN}x${t.depth}_` +
      `${this.widthA}${this.widthB}_${hasBias}_${activation}_${split === undefined ? 'x' : 'x2'}_${bh}x${bw}`;
  }

  /** WGSL reading `widthA` channels from ci on of input pixel (b, iy, ix), from x or x2 when the input is split. */
  private readX(): string {
    const type = this.widthA === 1 ? 'f32' : 'vec4<f32>';
    const pixel = 'let pixel = (b * uniforms.inH + iy) * uniforms.inW + ix;';
    const body =
      this.layout.split === undefined
        ? `return x[(pixel * uniforms.inC + ci) / ${this.widthA}];`
        : `if (ci < uniforms.inC1) {
          return x[(pixel * uniforms.inC1 + ci) / ${this.widthA}];
        }
        return x2[(pixel * (uniforms.inC - uniforms.inC1) + ci - uniforms.inC1) / ${this.widthA}];`;
    return `fn readX(b : i32, iy : i32, ix : i32, ci : i32) -> ${type} {
        ${pixel}
        ${body}
      }`;
  }

  /** WGSL giving the output index of the result's (row, col): plain, or spread over its pixel block. */
  private outputIndex(): string {
    const block = this.layout.block;
    if (block === undefined) return 'fn outputIndex(row : i32, col : i32) -> i32 { return row * uniforms.outC + col; }';
    const [bh, bw] = block;
    return `fn outputIndex(row : i32, col : i32) -> i32 {
        let px = row % uniforms.outW;
        let py = (row / uniforms.outW) % uniforms.outH;
        let b = row / (uniforms.outW * uniforms.outH);
        let c = col % uniforms.blockC;
        let j = (col / uniforms.blockC) % ${bw};
        let i = col / (uniforms.blockC * ${bw});
        return ((b * uniforms.outH * ${bh} + py * ${bh} + i) * uniforms.outW * ${bw} + px * ${bw} + j) * uniforms.blockC + c;
      }`;
  }

  /**
   * This thread's part of the A tile (im2col of x): `loads` rows, `widthA` consecutive k each, fetched from x into
   * registers for the step at `k0` and then stored to workgroup memory as halves.
   */
  private loadA(aStride: number): { setup: string; fetch: string; store: string } {
    const [BM, BK, width] = [this.rows, this.tile.depth, this.widthA];
    const perRow = BK / width;
    const rowStep = this.threads / perRow;
    const loads = BM / rowStep;
    const type = width === 1 ? 'f32' : 'vec4<f32>';
    const setup = `let aCol = i32(localIndex) % ${perRow} * ${width};
        let aRow = i32(localIndex) / ${perRow};
        ${range(loads)
          .map(
            (t) => `let p${t} = rowBase + aRow + ${t * rowStep};
        let b${t} = select(-1, p${t} / outPlane, p${t} < uniforms.P);
        let y${t} = (p${t} % outPlane) / uniforms.outW - uniforms.padTop;
        let x${t} = (p${t} % outPlane) % uniforms.outW - uniforms.padLeft;
        var ra${t} : ${type};`,
          )
          .join('\n        ')}`;
    const fetch = `{
          let k = k0 + aCol;
          let ci = k % uniforms.inC;
          let kx = (k / uniforms.inC) % uniforms.filterW;
          let ky = k / (uniforms.inC * uniforms.filterW);
          ${range(loads)
            .map(
              (t) => `{
            let iy = y${t} + ky;
            let ix = x${t} + kx;
            ra${t} = ${type}(0.0);
            if (k < uniforms.K && b${t} >= 0 && iy >= 0 && iy < uniforms.inH && ix >= 0 && ix < uniforms.inW) {
              ra${t} = readX(b${t}, iy, ix, ci);
            }
          }`,
            )
            .join('\n          ')}
        }`;
    const store = range(loads)
      .map((t) => storeHalves('tileA', `(aRow + ${t * rowStep}) * ${aStride} + aCol`, `ra${t}`, width))
      .join('\n          ');
    return { setup, fetch, store };
  }

  /** Likewise for the B tile (the filter as [K, outC]), `widthB` consecutive channels per load. */
  private loadB(bStride: number): { setup: string; fetch: string; store: string } {
    const [BN, BK, width] = [this.columns, this.tile.depth, this.widthB];
    const perRow = BN / width;
    const rowStep = Math.max(1, this.threads / perRow);
    const loads = Math.ceil((BK * perRow) / this.threads);
    const type = width === 1 ? 'f32' : 'vec4<f32>';
    const setup = `let bCol = i32(localIndex) % ${perRow} * ${width};
        let bRow = i32(localIndex) / ${perRow};
        let c = colBase + bCol;
        ${range(loads)
          .map((t) => `var rb${t} : ${type};`)
          .join('\n        ')}`;
    const fetch = range(loads)
      .map(
        (t) => `{
          let kr = k0 + bRow + ${t * rowStep};
          rb${t} = ${type}(0.0);
          if (bRow + ${t * rowStep} < ${BK} && kr < uniforms.K && c < uniforms.outC) {
            rb${t} = W[(kr * uniforms.outC + c) / ${width}];
          }
        }`,
      )
      .join('\n        ');
    const store = range(loads)
      .map(
        (t) => `if (bRow + ${t * rowStep} < ${BK}) {
            ${storeHalves('tileB', `(bRow + ${t * rowStep}) * ${bStride} + bCol`, `rb${t}`, width)}
          }`,
      )
      .join('\n          ');
    return { setup, fetch, store };
  }

  getUserCode(): string {
    const { m, tile } = this;
    const [BM, BN, BK, TM, TN, TK] = [this.rows, this.columns, tile.depth, m.m, m.n, m.k];
    const aStride = BK + PAD;
    const bStride = BN + PAD;
    const a = this.loadA(aStride);
    const b = this.loadB(bStride);
    const frags = range(tile.fragmentsM).flatMap((i) => range(tile.fragmentsN).map((j) => [i, j] as const));
    const left = `subgroup_matrix_left<f16, ${TK}, ${TM}>`;
    const right = `subgroup_matrix_right<f16, ${TN}, ${TK}>`;
    const result = `subgroup_matrix_result<f32, ${TN}, ${TM}>`;
    const subgroups = tile.subgroupsM * tile.subgroupsN;
    return `
      enable f16;
      enable subgroups;
      enable chromium_experimental_subgroup_matrix;

      var<workgroup> tileA : array<f16, ${BM * aStride}>;
      var<workgroup> tileB : array<f16, ${BK * bStride}>;
      var<workgroup> staged : array<f32, ${subgroups * TM * TN}>;

      fn toHalf(v : f32) -> f16 {
        return f16(clamp(v, ${-HALF_MAX}.0, ${HALF_MAX}.0));
      }

      fn promethiumActivate(v : f32, c : i32) -> f32 {
        ${ACTIVATIONS[this.activation]}
      }

      ${this.readX()}

      ${this.outputIndex()}

      ${SUBGROUP_MAIN} {
        let sg = i32(subgroupId);
        let lane = i32(localIndex) % ${m.subgroupSize};
        let rowBase = i32(workgroupId.y) * ${BM};
        let colBase = i32(workgroupId.x) * ${BN};
        let sgRow = (sg / ${tile.subgroupsN}) * ${tile.fragmentsM * TM};
        let sgCol = (sg % ${tile.subgroupsN}) * ${tile.fragmentsN * TN};
        let outPlane = uniforms.outH * uniforms.outW;
        ${frags.map(([i, j]) => `var acc${i}${j} = ${result}();`).join('\n        ')}
        ${a.setup}
        ${b.setup}

        // The next step's operands are fetched into registers while this step's products run.
        var k0 = 0;
        ${a.fetch}
        ${b.fetch}
        for (; k0 < uniforms.K; ) {
          workgroupBarrier();
          ${a.store}
          ${b.store}
          workgroupBarrier();
          k0 += ${BK};
          if (k0 < uniforms.K) {
            ${a.fetch}
            ${b.fetch}
          }
          ${range(BK / TK)
            .map(
              (s) => `{
            ${range(tile.fragmentsM)
              .map(
                (i) =>
                  `let a${i} = subgroupMatrixLoad<${left}>(&tileA, u32((sgRow + ${i * TM}) * ${aStride} + ${s * TK}), false, ${aStride}u);`,
              )
              .join('\n            ')}
            ${range(tile.fragmentsN)
              .map(
                (j) =>
                  `let w${j} = subgroupMatrixLoad<${right}>(&tileB, u32(${s * TK * bStride} + sgCol + ${j * TN}), false, ${bStride}u);`,
              )
              .join('\n            ')}
            ${frags.map(([i, j]) => `acc${i}${j} = subgroupMatrixMultiplyAccumulate(a${i}, w${j}, acc${i}${j});`).join('\n            ')}
          }`,
            )
            .join('\n          ')}
        }
        workgroupBarrier();

        ${frags
          .map(
            ([i, j]) => `subgroupMatrixStore(&staged, u32(sg * ${TM * TN}), acc${i}${j}, false, ${TN}u);
        workgroupBarrier();
        for (var e = lane; e < ${TM * TN}; e += ${m.subgroupSize}) {
          let row = rowBase + sgRow + ${i * TM} + e / ${TN};
          let col = colBase + sgCol + ${j * TN} + e % ${TN};
          if (row < uniforms.P && col < uniforms.outC) {
            let v = staged[sg * ${TM * TN} + e]${this.hasBias ? ' + bias[col]' : ''};
            result[outputIndex(row, col)] = promethiumActivate(v, col);
          }
        }
        workgroupBarrier();`,
          )
          .join('\n        ')}
      }
    `;
  }
}

function isActivation(name: string): name is Activation {
  return name in ACTIVATIONS;
}

const sizeOf = (t: TensorInfo): number => t.shape.reduce((a, b) => a * b, 1);

/** The convolution's geometry when the matrix kernel computes it, or null (tfjs's own kernel then runs). */
export function matrixConvInfo(
  x: TensorInfo,
  filter: TensorInfo,
  attrs: FusedConv2DAttrs,
  extras: { bias?: TensorInfo; prelu?: TensorInfo },
  m: MatrixSupport,
): backend_util.Conv2DInfo | null {
  if (attrs.dataFormat === 'NCHW' || x.dtype !== 'float32' || filter.dtype !== 'float32') return null;
  if (!isActivation(attrs.activation ?? 'linear')) return null;
  const conv = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  if (conv.strideHeight !== 1 || conv.strideWidth !== 1 || conv.dilationHeight !== 1 || conv.dilationWidth !== 1)
    return null;
  const outC = conv.outChannels;
  if (extras.bias && sizeOf(extras.bias) !== outC) return null;
  if (attrs.activation === 'prelu' && (!extras.prelu || sizeOf(extras.prelu) !== outC)) return null;
  return matrixConvFits(conv, m) ? conv : null;
}

/**
 * The geometry of a stride-1 conv over x, or over x and x2 concatenated along channels (the inference graph's joins):
 * the concatenation's channels are the input channels.
 */
export function concatConvInfo(
  x: readonly number[],
  x2Channels: number,
  filter: readonly number[],
  pad: 'same' | 'valid',
): backend_util.Conv2DInfo {
  const shape = [x[0], x[1], x[2], (x[3] as number) + x2Channels] as [number, number, number, number];
  return backend_util.computeConv2DInfo(shape, filter as [number, number, number, number], 1, 1, pad);
}

/** Whether one dispatch covers the convolution's output pixels. */
export function matrixConvFits(conv: backend_util.Conv2DInfo, m: MatrixSupport): boolean {
  const p = conv.batchSize * conv.outHeight * conv.outWidth;
  return Math.ceil(p / tileRows(chooseMatrixTile(conv.outChannels, p, m), m)) <= MAX_WORKGROUPS;
}

/** Runs the matrix kernel for a convolution matrixConvInfo accepted; `tile` overrides the choice (benchmarks). */
export function matrixConv2d(
  backend: WebgpuBackendLike,
  x: TensorInfo,
  filter: TensorInfo,
  conv: backend_util.Conv2DInfo,
  attrs: Pick<FusedConv2DAttrs, 'activation' | 'leakyreluAlpha'>,
  extras: { bias?: TensorInfo; prelu?: TensorInfo; x2?: TensorInfo },
  m: MatrixSupport,
  layout: MatrixLayout = {},
  tile: MatrixTile = chooseMatrixTile(conv.outChannels, conv.batchSize * conv.outHeight * conv.outWidth, m),
): TensorInfo {
  const activation = (attrs.activation ?? 'linear') as Activation;
  const program = new MatrixConvProgram(conv, m, tile, extras.bias !== undefined, activation, layout);
  const [bh, bw] = layout.block ?? [1, 1];
  const uniforms: Uniform[] = [
    int(conv.batchSize * conv.outHeight * conv.outWidth),
    int(conv.inHeight),
    int(conv.inWidth),
    int(conv.inChannels),
    int(conv.outHeight),
    int(conv.outWidth),
    int(conv.outChannels),
    int(conv.filterHeight * conv.filterWidth * conv.inChannels),
    int(conv.filterWidth),
    int(conv.padInfo.top),
    int(conv.padInfo.left),
    { type: 'float32', data: [attrs.leakyreluAlpha ?? 0.2] },
    int(layout.split ?? conv.inChannels),
    int(conv.outChannels / (bh * bw)),
  ];
  const inputs = [
    x,
    ...(extras.x2 ? [extras.x2] : []),
    filter,
    ...(extras.bias ? [extras.bias] : []),
    ...(extras.prelu ? [extras.prelu] : []),
  ];
  return backend.runWebGPUProgram(program, inputs, 'float32', uniforms);
}
