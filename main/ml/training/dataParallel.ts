/**
 * Data-parallel training, as `torchrun --nproc_per_node=N` trains the seeds' models: N workers (one per GPU) each hold
 * the whole model and take their share of every global batch; the gradients are summed through host memory every step
 * and each worker applies the same sums with its own optimizer, so the weights stay the same on every worker.
 *
 * Each share's loss is the mean over its patches, weighted by its share of the batch (count / batch), so the sum over
 * workers is the loss and gradient of the whole batch: the loss curve is one worker's with the same global batch, to
 * float rounding (the sums are added in another order). Not so with BatchNorm on batch statistics: each worker
 * normalises by its own share, as PyTorch's DistributedDataParallel does without SyncBatchNorm; with frozen BatchNorm
 * (TrainOptions.freezeBatchNorm) or none, the curves agree.
 *
 * What crosses between workers is one Float32Array a step (every gradient, the loss, and whether the worker is out of
 * time), summed by whoever connects
 * them (GradientSums): the coordinating process for worker processes, or memory for workers in one process (tests).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { TrainingLoss } from '../trainStep';

/** One worker's link to the others. */
export interface GradientExchange {
  /** 0 .. workers-1; worker 0 writes the checkpoints and its starting weights are everybody's. */
  readonly rank: number;
  readonly workers: number;
  /** The element-wise sum of every worker's `values` (all of one length), the same on every worker. */
  allReduceSum(values: Float32Array): Promise<Float32Array>;
  /** Worker 0's `values`, on every worker. */
  broadcast(values: Float32Array): Promise<Float32Array>;
}

/** Worker `rank`'s share of a batch of `size`: [first, count), contiguous, as even as possible. */
export function shareOf(size: number, rank: number, workers: number): { first: number; count: number } {
  const first = Math.floor((rank * size) / workers);
  return { first, count: Math.floor(((rank + 1) * size) / workers) - first };
}

/**
 * One optimizer step of data-parallel training on this worker's share of the global batch (`inputs`, `targets`: the
 * whole batch, the same on every worker). Returns the whole batch's loss, and whether any worker is out of its time
 * budget (`outOfTime`): all then stop after this step, since a worker that stopped alone would leave the others
 * waiting for its gradients.
 */
export async function dataParallelStep(
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
  inputs: tf.Tensor,
  targets: tf.Tensor,
  loss: TrainingLoss,
  exchange: GradientExchange,
  outOfTime: boolean,
): Promise<{ loss: tf.Scalar; anyOutOfTime: boolean }> {
  const weights = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const batch = inputs.shape[0]!;
  const { first, count } = shareOf(batch, exchange.rank, exchange.workers);
  const contribution =
    count === 0 ? zeroContribution(weights) : shareContribution(model, inputs, targets, loss, first, count);
  const local = new Float32Array(contribution.length + 1);
  local.set(contribution);
  local[contribution.length] = outOfTime ? 1 : 0;
  const sums = await exchange.allReduceSum(local);
  const gradients = tf.tidy(() => {
    let offset = 0;
    return weights.map((variable) => {
      const size = variable.size;
      const tensor = tf.tensor(sums.subarray(offset, offset + size), variable.shape);
      offset += size;
      return { name: variable.name, tensor };
    });
  });
  optimizer.applyGradients(gradients);
  tf.dispose(gradients.map((g) => g.tensor));
  return { loss: tf.scalar(sums[sums.length - 2]!), anyOutOfTime: sums[sums.length - 1]! > 0 };
}

/** This worker's weighted gradients, in the order of the model's trainable weights, then its weighted loss. */
function shareContribution(
  model: tfl.LayersModel,
  inputs: tf.Tensor,
  targets: tf.Tensor,
  loss: TrainingLoss,
  first: number,
  count: number,
): Float32Array {
  const weights = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const share = count / inputs.shape[0]!;
  const flat = tf.tidy(() => {
    const shareInputs = sliceBatch(inputs, first, count);
    const shareTargets = sliceBatch(targets, first, count);
    const { value, grads } = tf.variableGrads(() => {
      const output = model.apply(shareInputs, { training: true }) as tf.Tensor | tf.Tensor[];
      const outputs = Array.isArray(output) ? output : [output];
      return tf.mul(loss(shareTargets, outputs, shareInputs), share) as tf.Scalar;
    }, weights);
    return tf.concat([...weights.map((w) => tf.reshape(grads[w.name]!, [-1])), tf.reshape(value, [1])]);
  });
  const values = flat.dataSync() as Float32Array;
  flat.dispose();
  return values;
}

/** A worker with no patches in this batch (a last batch smaller than the workers) adds nothing. */
function zeroContribution(weights: readonly tf.Variable[]): Float32Array {
  return new Float32Array(weights.reduce((sum, w) => sum + w.size, 0) + 1);
}

function sliceBatch(tensor: tf.Tensor, first: number, count: number): tf.Tensor {
  return tf.slice(tensor, [first, ...tensor.shape.slice(1).map(() => 0)], [count, ...tensor.shape.slice(1)]);
}

/** Every worker starts from worker 0's weights (all of them: BatchNorm's moving statistics too). */
export async function startFromRankZero(model: tfl.LayersModel, exchange: GradientExchange): Promise<void> {
  const current = model.getWeights();
  const flat = new Float32Array(current.reduce((sum, w) => sum + w.size, 0));
  let offset = 0;
  for (const weight of current) {
    flat.set(weight.dataSync(), offset);
    offset += weight.size;
  }
  const shared = await exchange.broadcast(flat);
  offset = 0;
  const weights = current.map((weight) => {
    const tensor = tf.tensor(shared.subarray(offset, offset + weight.size), weight.shape, weight.dtype);
    offset += weight.size;
    return tensor;
  });
  model.setWeights(weights);
  tf.dispose(weights);
}

/**
 * The meeting point of N workers' exchanges: collects one contribution per worker each round, then answers all of
 * them. The coordinating process keeps one for its worker processes; `localExchanges` links workers of one process.
 */
export class GradientSums {
  private contributions: Float32Array[] = [];
  private waiting: ((values: Float32Array) => void)[] = [];
  private pendingKind: 'sum' | 'broadcast' | null = null;

  constructor(readonly workers: number) {}

  /** Worker `rank`'s contribution to this round; resolves with the round's result. */
  contribute(kind: 'sum' | 'broadcast', rank: number, values: Float32Array): Promise<Float32Array> {
    if (this.pendingKind !== null && this.pendingKind !== kind) {
      return Promise.reject(
        new Error(`worker ${rank} asked for a ${kind} while the others are in a ${this.pendingKind}`),
      );
    }
    this.pendingKind = kind;
    this.contributions[rank] = values;
    const result = new Promise<Float32Array>((resolve) => this.waiting.push(resolve));
    if (this.waiting.length === this.workers) this.complete(kind);
    return result;
  }

  private complete(kind: 'sum' | 'broadcast'): void {
    const [first, ...others] = this.contributions;
    const result = Float32Array.from(first!);
    if (kind === 'sum') {
      for (const values of others) for (let i = 0; i < result.length; i++) result[i]! += values[i]!;
    }
    const waiting = this.waiting;
    this.contributions = [];
    this.waiting = [];
    this.pendingKind = null;
    for (const resolve of waiting) resolve(Float32Array.from(result));
  }
}

/** `workers` exchanges linked through memory, for workers in one process. */
export function localExchanges(workers: number): GradientExchange[] {
  const sums = new GradientSums(workers);
  return Array.from({ length: workers }, (_, rank) => ({
    rank,
    workers,
    allReduceSum: (values) => sums.contribute('sum', rank, values),
    broadcast: (values) => sums.contribute('broadcast', rank, values),
  }));
}
