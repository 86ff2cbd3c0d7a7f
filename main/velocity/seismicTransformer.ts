/**
 * The seed's velocity network (003, "SeismicEncoder" + "VelocityDecoder"), one member of the velocity ensemble:
 *
 * - a multi-scale convolutional encoder per source: each shot gather goes through the same encoder (one set of layers
 *   called on each shot: shared weights, as every shot is the same kind of record), whose levels run parallel
 *   convolutions of several lengths along time side by side
 *   (direct waves, refractions and reflections have different moveouts and bandwidths), then halve time and receivers;
 *   each gather is pooled to a small grid of tokens;
 * - cross-source attention: the tokens of all shots, with a learned positional embedding (which also tells the shots
 *   apart), attend to each other, so that what one shot sees of a layer informs another's view of it;
 * - a transformer decoder: one query per patch of the output map (query_grid x query_grid), each the global summary of
 *   the shots plus its own positional embedding, refined by self-attention among the queries and cross-attention to
 *   the source tokens; each query is then projected to its patch of velocities;
 * - SoftPlus + offset output: velocity = min_velocity + (range / 2) softplus(x), never below min_velocity (physical),
 *   and at x = 0 about the middle of the range (softplus(0) = ln 2), where training starts.
 *
 * Pre-norm residual blocks (LayerNorm before attention and MLP), as in ViT, train without a warm-up on small batches.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { applyLayer, BATCH_NORM_MOMENTUM, LEAKY_SLOPE, type Symbolic } from '../ml/models/blocks';
import { ChannelSlice, MultiHeadAttention, PositionalEmbedding } from './attentionLayers';
import type { SeismicTransformerParams, VelocityEnsembleParams } from './velocityNetworkConfig';

type Context = { prefix: string; params: SeismicTransformerParams };

/** A layer applied to every shot with the same weights: the shots' encoder is one set of layers called per shot. */
type SharedLayer = (x: Symbolic) => Symbolic;

function shared(layer: tfl.layers.Layer): SharedLayer {
  return (x) => applyLayer(layer, x);
}

function sharedConv(filters: number, kernel: [number, number], strides: [number, number], name: string): SharedLayer {
  return shared(
    tfl.layers.conv2d({
      filters,
      kernelSize: kernel,
      strides,
      padding: 'same',
      useBias: false,
      kernelInitializer: 'heNormal',
      name,
    }),
  );
}

function sharedNormAct(name: string): SharedLayer {
  const norm = shared(tfl.layers.batchNormalization({ momentum: BATCH_NORM_MOMENTUM, name: `${name}_bn` }));
  const act = shared(tfl.layers.leakyReLU({ alpha: LEAKY_SLOPE, name: `${name}_act` }));
  return (x) => act(norm(x));
}

/**
 * One level of the per-shot encoder: parallel convs with kernels of each size along time (3 along receivers),
 * concatenated, normalised, then a stride-2 conv that halves time and receivers.
 */
function multiScaleLevel(filters: number, level: number, { prefix, params }: Context): SharedLayer {
  const name = `${prefix}enc${level}`;
  const width = Math.max(1, Math.round(filters / params.scales.length));
  const branches = params.scales.map((k) => sharedConv(width, [k, 3], [1, 1], `${name}_k${k}`));
  const join = tfl.layers.concatenate({ name: `${name}_cat` });
  const normAct = sharedNormAct(name);
  const down = sharedConv(filters, [3, 3], [2, 2], `${name}_down`);
  const downNormAct = sharedNormAct(`${name}_d`);
  return (x) => {
    const outputs = branches.map((branch) => branch(x));
    const joined = outputs.length === 1 ? outputs[0]! : applyLayer(join, outputs);
    return downNormAct(down(normAct(joined)));
  };
}

/** Per-shot encoder: [batch, time, receivers, shots] -> tokens [batch, shots x tokens per shot, embed_dim]. */
function sourceTokens(input: Symbolic, context: Context): Symbolic {
  const { prefix, params } = context;
  const shots = input.shape[3] as number;
  const levels = params.encoder_channels.map((filters, level) => multiScaleLevel(filters, level + 1, context));
  const encoded = Array.from({ length: shots }, (_, shot) => {
    let x = applyLayer(new ChannelSlice({ channel: shot, name: `${prefix}shot${shot}` }), input);
    for (const level of levels) x = level(x);
    return x;
  });
  const [, height, width, channels] = encoded[0]!.shape as [null, number, number, number];
  const poolSize: [number, number] = [
    Math.max(1, Math.ceil(height / params.token_grid[0])),
    Math.max(1, Math.ceil(width / params.token_grid[1])),
  ];
  const pool = shared(
    tfl.layers.averagePooling2d({ poolSize, strides: poolSize, padding: 'same', name: `${prefix}token_pool` }),
  );
  const tokens = encoded.map((x, shot) => {
    const pooled = pool(x);
    const [, gridT, gridR] = pooled.shape as [null, number, number, number];
    return applyLayer(
      tfl.layers.reshape({ targetShape: [gridT * gridR, channels], name: `${prefix}tokens${shot}` }),
      pooled,
    );
  });
  let x =
    tokens.length === 1
      ? tokens[0]!
      : applyLayer(tfl.layers.concatenate({ axis: 1, name: `${prefix}all_tokens` }), tokens);
  x = applyLayer(tfl.layers.dense({ units: params.embed_dim, name: `${prefix}token_embed` }), x);
  return applyLayer(new PositionalEmbedding({ name: `${prefix}token_position` }), x);
}

function add(a: Symbolic, b: Symbolic, name: string): Symbolic {
  return applyLayer(tfl.layers.add({ name }), [a, b]);
}

function layerNorm(x: Symbolic, name: string): Symbolic {
  return applyLayer(tfl.layers.layerNormalization({ axis: -1, name }), x);
}

function mlp(x: Symbolic, name: string, { params }: Context): Symbolic {
  const hidden = applyLayer(
    tfl.layers.dense({ units: params.embed_dim * params.mlp_ratio, activation: 'relu', name: `${name}_up` }),
    x,
  );
  return applyLayer(tfl.layers.dense({ units: params.embed_dim, name: `${name}_down` }), hidden);
}

function attention(inputs: Symbolic | Symbolic[], name: string, { params }: Context): Symbolic {
  return applyLayer(new MultiHeadAttention({ heads: params.heads, name }), inputs);
}

/** Pre-norm self-attention + MLP over all source tokens: the cross-source attention. */
function crossSourceBlock(x: Symbolic, index: number, context: Context): Symbolic {
  const name = `${context.prefix}xsrc${index}`;
  const attended = add(x, attention(layerNorm(x, `${name}_ln1`), `${name}_attn`, context), `${name}_res1`);
  return add(attended, mlp(layerNorm(attended, `${name}_ln2`), `${name}_mlp`, context), `${name}_res2`);
}

/** Pre-norm decoder block: self-attention among queries, cross-attention to the source tokens, MLP. */
function decoderBlock(queries: Symbolic, memory: Symbolic, index: number, context: Context): Symbolic {
  const name = `${context.prefix}dec${index}`;
  let x = add(queries, attention(layerNorm(queries, `${name}_ln1`), `${name}_self`, context), `${name}_res1`);
  x = add(x, attention([layerNorm(x, `${name}_ln2`), memory], `${name}_cross`, context), `${name}_res2`);
  return add(x, mlp(layerNorm(x, `${name}_ln3`), `${name}_mlp`, context), `${name}_res3`);
}

/** One query per output patch: the shots' global summary plus the patch's positional embedding. */
function mapQueries(memory: Symbolic, context: Context): Symbolic {
  const { prefix, params } = context;
  const summary = applyLayer(tfl.layers.globalAveragePooling1d({ name: `${prefix}summary` }), memory);
  const projected = applyLayer(tfl.layers.dense({ units: params.embed_dim, name: `${prefix}query_embed` }), summary);
  const repeated = applyLayer(
    tfl.layers.repeatVector({ n: params.query_grid * params.query_grid, name: `${prefix}queries` }),
    projected,
  );
  return applyLayer(new PositionalEmbedding({ name: `${prefix}query_position` }), repeated);
}

/** Queries [batch, q*q, embed] -> the velocity map [batch, size, size, 1] in m/s (SoftPlus + offset). */
function queriesToMap(x: Symbolic, outputSize: number, ensemble: VelocityEnsembleParams, context: Context): Symbolic {
  const { prefix, params } = context;
  const grid = params.query_grid;
  const patch = outputSize / grid;
  let y = applyLayer(
    tfl.layers.dense({ units: patch * patch, name: `${prefix}patches` }),
    layerNorm(x, `${prefix}ln_out`),
  );
  // [q_z, q_x, p_z, p_x] -> [q_z, p_z, q_x, p_x]: each query's patch lands in its place on the map.
  y = applyLayer(tfl.layers.reshape({ targetShape: [grid, grid, patch, patch], name: `${prefix}patch_grid` }), y);
  y = applyLayer(tfl.layers.permute({ dims: [1, 3, 2, 4], name: `${prefix}patch_order` }), y);
  y = applyLayer(tfl.layers.reshape({ targetShape: [outputSize, outputSize, 1], name: `${prefix}map` }), y);
  y = applyLayer(tfl.layers.activation({ activation: 'softplus', name: `${prefix}softplus` }), y);
  const range = ensemble.max_velocity - ensemble.min_velocity;
  const offset = tfl.layers.rescaling({ scale: range / 2, offset: ensemble.min_velocity, name: `${prefix}velocity` });
  return applyLayer(offset, y);
}

/** The seismic transformer's layers on the (time-pooled) shots; the map in m/s. */
export function seismicTransformerLayers(
  input: Symbolic,
  params: SeismicTransformerParams,
  ensemble: VelocityEnsembleParams,
  prefix: string,
): Symbolic {
  const context: Context = { prefix, params };
  let memory = sourceTokens(input, context);
  for (let i = 0; i < params.encoder_layers; i++) memory = crossSourceBlock(memory, i + 1, context);
  memory = layerNorm(memory, `${prefix}ln_memory`);
  let queries = mapQueries(memory, context);
  for (let i = 0; i < params.decoder_layers; i++) queries = decoderBlock(queries, memory, i + 1, context);
  return queriesToMap(queries, ensemble.output_size, ensemble, context);
}
