/**
 * The layers the velocity networks need that tfjs-layers does not have: multi-head attention, a learned
 * positional embedding, the slice of one shot out of the input and a learned weighted sum of ensemble members. Each is a registered tfjs-layers class with its
 * config, so a model that uses them saves and loads in the plain tfjs format (model.json + weights) once this module
 * is imported (velocityNetwork.ts imports it for every caller).
 *
 * Shapes: tokens are [batch, tokens, channels].
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

type Shape = (number | null)[];
/** The base layer arguments these layers pass on (tfjs-layers does not export its LayerArgs type). */
interface LayerArgs {
  name?: string;
  trainable?: boolean;
}

const ATTENTION_INIT_STDDEV = 0.02;

function lastDimension(shape: Shape, layer: string): number {
  const size = shape[shape.length - 1];
  if (typeof size !== 'number') throw new Error(`${layer}: the last axis of its input must have a fixed size`);
  return size;
}

/** The input shapes of a layer called on one or two tensors, as a list. */
function shapeList(inputShape: Shape | Shape[]): Shape[] {
  return Array.isArray(inputShape[0]) ? (inputShape as Shape[]) : [inputShape as Shape];
}

export interface MultiHeadAttentionArgs extends LayerArgs {
  heads: number;
}

/**
 * Scaled dot-product attention with `heads` heads (Vaswani et al. 2017): called on [queries] (self-attention) or
 * [queries, keys/values] (cross-attention); the output has the queries' shape. Projections are plain matrices
 * (no biases), initialised with a small normal draw as in ViT.
 */
export class MultiHeadAttention extends tfl.layers.Layer {
  static readonly className = 'PromethiumMultiHeadAttention';
  private readonly heads: number;
  private projections: tfl.LayerVariable[] = [];

  constructor(args: MultiHeadAttentionArgs) {
    super(args);
    this.heads = args.heads;
  }

  override build(inputShape: Shape | Shape[]): void {
    const channels = lastDimension(shapeList(inputShape)[0]!, this.name);
    if (channels % this.heads !== 0) {
      throw new Error(`${this.name}: ${channels} channels do not split into ${this.heads} heads`);
    }
    const initializer = tfl.initializers.randomNormal({ stddev: ATTENTION_INIT_STDDEV });
    this.projections = ['query', 'key', 'value', 'output'].map((name) =>
      this.addWeight(name, [channels, channels], 'float32', initializer),
    );
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return shapeList(inputShape)[0]!;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [queries, context] = Array.isArray(inputs) ? [inputs[0]!, inputs[1] ?? inputs[0]!] : [inputs, inputs];
      const [wq, wk, wv, wo] = this.projections.map((p) => p.read()) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      const [batch, count, channels] = queries.shape as [number, number, number];
      const headSize = channels / this.heads;
      const split = (x: tf.Tensor, weights: tf.Tensor) => {
        const tokens = x.shape[1]!;
        const projected = tf.reshape(tf.matMul(tf.reshape(x, [-1, channels]), weights), [
          batch,
          tokens,
          this.heads,
          headSize,
        ]);
        return tf.transpose(projected, [0, 2, 1, 3]); // [batch, heads, tokens, headSize]
      };
      const q = tf.mul(split(queries, wq), 1 / Math.sqrt(headSize));
      const scores = tf.matMul(q, split(context, wk), false, true); // [batch, heads, queries, keys]
      const mixed = tf.matMul(tf.softmax(scores), split(context, wv));
      const merged = tf.reshape(tf.transpose(mixed, [0, 2, 1, 3]), [-1, channels]);
      return tf.reshape(tf.matMul(merged, wo), [batch, count, channels]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), heads: this.heads };
  }
}

/** Adds a learned vector per token position (a ViT-style positional embedding) to [batch, tokens, channels]. */
export class PositionalEmbedding extends tfl.layers.Layer {
  static readonly className = 'PromethiumPositionalEmbedding';
  private embedding: tfl.LayerVariable | null = null;

  override build(inputShape: Shape | Shape[]): void {
    const shape = shapeList(inputShape)[0]!;
    const tokens = shape[1];
    if (typeof tokens !== 'number') throw new Error(`${this.name}: the token count must be fixed`);
    const initializer = tfl.initializers.randomNormal({ stddev: ATTENTION_INIT_STDDEV });
    this.embedding = this.addWeight('embedding', [tokens, lastDimension(shape, this.name)], 'float32', initializer);
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return shapeList(inputShape)[0]!;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      return tf.add(x, this.embedding!.read());
    });
  }
}

export interface ChannelSliceArgs extends LayerArgs {
  channel: number;
}

/** One channel of [..., channels], kept as a channel of one: one shot of the shots-as-channels input. */
export class ChannelSlice extends tfl.layers.Layer {
  static readonly className = 'PromethiumChannelSlice';
  private readonly channel: number;

  constructor(args: ChannelSliceArgs) {
    super(args);
    this.channel = args.channel;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...shapeList(inputShape)[0]!.slice(0, -1), 1];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const channels = x.shape[x.rank - 1]!;
    return tf.tidy(() => tf.split(x, channels, -1)[this.channel]!);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), channel: this.channel };
  }
}

/**
 * The ensemble's combination: members stacked on the last axis [..., members] -> [..., 1], weighted by the softmax of
 * one learned logit per member. Starting from equal logits it is the plain mean; the weights stay positive and sum to
 * one, so the combination of velocities is a velocity within the members' range.
 */
export class LearnedMemberWeights extends tfl.layers.Layer {
  static readonly className = 'PromethiumLearnedMemberWeights';
  private logits: tfl.LayerVariable | null = null;

  override build(inputShape: Shape | Shape[]): void {
    const members = lastDimension(shapeList(inputShape)[0]!, this.name);
    this.logits = this.addWeight('logits', [members], 'float32', tfl.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return [...shapeList(inputShape)[0]!.slice(0, -1), 1];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const stacked = Array.isArray(inputs) ? inputs[0]! : inputs;
      const weights = tf.softmax(this.logits!.read());
      return tf.sum(tf.mul(stacked, weights), -1, true);
    });
  }

  /** The current member weights (they sum to one). */
  memberWeights(): number[] {
    const weights = tf.tidy(() => tf.softmax(this.logits!.read()));
    const values = Array.from(weights.dataSync());
    weights.dispose();
    return values;
  }
}

tf.serialization.registerClass(MultiHeadAttention);
tf.serialization.registerClass(PositionalEmbedding);
tf.serialization.registerClass(LearnedMemberWeights);
tf.serialization.registerClass(ChannelSlice);
