/**
 * Tiled inference over both CPU cores on the wasm backend. tfjs-backend-wasm's multi-threaded build does not run under
 * Node (tfjs issue #3830: WASM_HAS_MULTITHREAD_SUPPORT is false under Node, and the build loads its pthread workers
 * from Blob URLs, which Node's worker_threads refuse), so wasm inference uses one core. Here worker threads each run
 * their own single-threaded wasm backend with the model's folded inference graph, and the tiling keeps one batch of
 * patches in flight per thread. Every thread runs the same wasm kernels on the same folded weights, so the result is
 * the one in-process inference gives.
 *
 * The threads are shared by all inference in the process and started on first use; idle, they do not keep the process
 * alive. The worker script is the bundle dist/inferenceWorker.cjs next to this code's bundle; where it is absent (the
 * TypeScript sources under test) or fails to start, inference runs in this thread as before.
 * PROMETHIUM_INFERENCE_THREADS=<n> sets the thread count (default: the CPU count; below 2, no threads).
 *
 * Where onnxruntime-node loads, CPU inference (wasm and cpu backends) runs in ONNX Runtime instead: one native session
 * with that many intra-op threads (measured ~4.5x faster per thread than the wasm graph, same result to 4e-7), and the
 * worker threads are never started. A model the converter or ONNX Runtime refuses stays on tfjs (warned once).
 * PROMETHIUM_INFERENCE_ENGINE=tfjs|onnx forces one on the CPU backends; GPU backends always infer with tfjs.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { BackendReport } from '../../preload/contract';
import { AnsweringThread, type ThreadProtocol } from '../threads/answeringThread';
import { buildInferenceGraph, type InferenceGraph } from './inferenceGraph';
import { patchBatcher } from './patchBatcher';
import { createOnnxPredictor, onnxRuntimeAvailable, type OnnxPredictor } from './onnx/onnxRuntime';
import type { PatchPredictor } from './tiling';

type Shape4 = [number, number, number, number];

export type ToWorker =
  | { type: 'model'; id: number; key: string; artifacts: tf.io.ModelArtifacts }
  | { type: 'predict'; id: number; batch: Float32Array; shape: Shape4 };

export type FromWorker =
  | { type: 'ready'; id: 0; device: string }
  | { type: 'done'; id: number }
  | { type: 'prediction'; id: number; values: Float32Array }
  | { type: 'error'; id: number; message: string };

type Request =
  | { type: 'model'; key: string; artifacts: tf.io.ModelArtifacts }
  | { type: 'predict'; batch: Float32Array; shape: Shape4 };

/** Id 0 is the worker's start-up report: 'ready', or the error that keeps its wasm backend from starting. */
const inferenceProtocol: ThreadProtocol<FromWorker, FromWorker> = {
  outcome: (message) => {
    if (message.type !== 'error') return message;
    return new Error(message.id === 0 ? message.message : `inference worker: ${message.message}`);
  },
  thrown: (error) => error,
  exited: (code) => new Error(`inference worker stopped (exit code ${code})`),
};

/** One inference worker thread and the model it holds. */
class InferenceThread extends AnsweringThread<Request, FromWorker, FromWorker> {
  /** The device of its wasm backend, once it has one (the process is kept alive until then). */
  readonly ready: Promise<string>;
  modelKey: string | null = null;

  constructor(script: string) {
    super(script, inferenceProtocol);
    this.ready = this.awaitStart().then((message) => {
      if (message.type !== 'ready') throw new Error(`inference worker started with '${message.type}'`);
      return message.device;
    });
    this.ready.catch(() => undefined);
  }
}

/** The model's topology and weights, as tfjs saves them, and a key that changes when either does. */
async function modelArtifacts(model: tfl.LayersModel): Promise<{ key: string; artifacts: tf.io.ModelArtifacts }> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (saved) => {
      artifacts = saved;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (artifacts?.weightData === undefined) throw new Error('tfjs returned no weights for the inference threads');
  const hash = createHash('sha256').update(JSON.stringify(artifacts.modelTopology));
  for (const part of [artifacts.weightData].flat()) hash.update(new Uint8Array(part));
  return { key: hash.digest('hex'), artifacts };
}

/** The last key of each model, with the weight tensors it was computed from. */
const modelKeys = new WeakMap<tfl.LayersModel, { weights: unknown[]; key: string }>();

/**
 * modelArtifacts' key without hashing the weights again while they are the same tensors: every weight update in tfjs
 * (optimizer steps, setWeights, loading) assigns a new tensor to the variable, so unchanged tensor identities mean
 * unchanged weights. Hashing costs about 190 ms for a 31M-parameter model, once per inferred section otherwise.
 */
async function modelKey(model: tfl.LayersModel): Promise<string> {
  const weights = model.weights.map((weight) => weight.read().dataId);
  const cached = modelKeys.get(model);
  if (cached?.weights.length === weights.length && cached.weights.every((id, i) => id === weights[i])) {
    return cached.key;
  }
  const { key } = await modelArtifacts(model);
  modelKeys.set(model, { weights, key });
  return key;
}

export class InferencePool {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly threads: InferenceThread[]) {}

  /** Starts `size` threads from `script` and waits until each has its wasm backend (rejects if one cannot). */
  static async start(script: string, size: number): Promise<InferencePool> {
    const threads = Array.from({ length: size }, () => new InferenceThread(script));
    try {
      await Promise.all(threads.map((thread) => thread.ready));
    } catch (error) {
      await Promise.all(threads.map((thread) => thread.terminate()));
      throw error;
    }
    return new InferencePool(threads);
  }

  get size(): number {
    return this.threads.length;
  }

  get broken(): boolean {
    return this.threads.some((thread) => thread.broken);
  }

  /**
   * Runs `work` with a predictor that sends each batch to the least busy thread, after giving every thread `model`.
   * Calls run one after another (the threads hold one model at a time).
   */
  run<T>(
    model: tfl.LayersModel,
    patch: number,
    channels: number,
    work: (predict: PatchPredictor, inFlight: number) => Promise<T>,
  ): Promise<T> {
    const turn = this.queue.then(async () => {
      const key = await modelKey(model);
      const missing = this.threads.filter((thread) => thread.modelKey !== key);
      const artifacts = missing.length > 0 ? (await modelArtifacts(model)).artifacts : null;
      await Promise.all(
        missing.map(async (thread) => {
          thread.modelKey = null;
          await thread.request({ type: 'model', key, artifacts: artifacts! });
          thread.modelKey = key;
        }),
      );
      // Two batches per thread: the next one is already queued when a thread finishes, whichever finishes first.
      return work(this.predictor(patch, channels), 2 * this.threads.length);
    });
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private predictor(patch: number, channels: number): PatchPredictor {
    return async (batch, count) => {
      const thread = this.threads.reduce((a, b) => (b.load < a.load ? b : a));
      // postMessage copies a typed array's whole buffer: a view of a larger one is cut out first.
      const own = batch.byteLength === batch.buffer.byteLength ? batch : batch.slice();
      const answer = await thread.request({ type: 'predict', batch: own, shape: [count, patch, patch, channels] });
      if (answer.type !== 'prediction') throw new Error(`inference worker answered '${answer.type}' to a batch`);
      return answer.values;
    };
  }

  close(): Promise<number[]> {
    return Promise.all(this.threads.map((thread) => thread.terminate()));
  }
}

/** The worker bundle next to this code's bundle (dist/), or null where there is none (TypeScript sources). */
export function inferenceWorkerScript(): string | null {
  const script = path.join(__dirname, 'inferenceWorker.cjs');
  return existsSync(script) ? script : null;
}

export type InferenceEngine = { engine: 'onnx'; version: string } | { engine: 'tfjs' };

/** PROMETHIUM_INFERENCE_ENGINE, or null where it is not set. */
function forcedEngine(): 'tfjs' | 'onnx' | null {
  const forced = process.env.PROMETHIUM_INFERENCE_ENGINE;
  if (forced === undefined || forced === '') return null;
  if (forced === 'tfjs' || forced === 'onnx') return forced;
  throw new Error(`PROMETHIUM_INFERENCE_ENGINE=${forced} is not an inference engine: use 'tfjs' or 'onnx'`);
}

/**
 * What infers on tfjs backend `backend`: ONNX Runtime on the CPU backends where it loads (unless tfjs is forced),
 * tfjs otherwise. Forcing onnx where ONNX Runtime cannot load is an error saying why.
 */
export function inferenceEngine(backend: string): InferenceEngine {
  const forced = forcedEngine();
  if ((backend !== 'wasm' && backend !== 'cpu') || forced === 'tfjs') return { engine: 'tfjs' };
  const status = onnxRuntimeAvailable();
  if (status.available) return { engine: 'onnx', version: status.version };
  if (forced === 'onnx') {
    throw new Error(`PROMETHIUM_INFERENCE_ENGINE=onnx, but ONNX Runtime cannot run here: ${status.reason}`);
  }
  return { engine: 'tfjs' };
}

/**
 * The backend report with where inference runs: on the CPU backends the backend's own "1 thread" describes training
 * only, and the status bar would otherwise tell the user inference is single-threaded (or on tfjs when it is not).
 */
export function withInferenceThreads(
  report: BackendReport,
  engine = inferenceEngine(report.backend),
  threads = engine.engine === 'onnx' ? onnxThreadCount() : inferenceThreadCount(),
): BackendReport {
  const training = `${report.device.replace(/, 1 thread$/, '')}, training 1 thread`;
  if (engine.engine === 'onnx') {
    const plural = threads === 1 ? 'thread' : 'threads';
    return {
      ...report,
      device: `${training}, inference ONNX Runtime ${engine.version} (native CPU), ${threads} ${plural}`,
    };
  }
  if (report.backend !== 'wasm' || threads < 2) return report;
  return { ...report, device: `${training}, inference ${threads} threads` };
}

/** How many threads tiled inference on wasm uses here: 1 means in this thread. */
export function inferenceThreadCount(): number {
  const size = threadCount();
  return inferenceWorkerScript() !== null && size >= 2 ? size : 1;
}

/** The intra-op threads of the ONNX Runtime session: the same setting, at least one (0 would mean ORT's default). */
export function onnxThreadCount(): number {
  return Math.max(1, threadCount());
}

function threadCount(): number {
  const forced = process.env.PROMETHIUM_INFERENCE_THREADS;
  if (forced === undefined || forced === '') return availableParallelism();
  const count = Number(forced);
  if (!Number.isInteger(count) || count < 0) {
    throw new Error(`PROMETHIUM_INFERENCE_THREADS=${forced} is not a whole number of threads`);
  }
  return count;
}

let shared: Promise<InferencePool | null> | null = null;

/** The process's inference threads: on the wasm backend with 2 or more CPUs and the worker bundle present, else null. */
async function sharedPool(): Promise<InferencePool | null> {
  if (tf.getBackend() !== 'wasm') return null;
  const current = await shared;
  if (current?.broken) {
    shared = null;
    void current.close();
  }
  if (shared === null) {
    const size = inferenceThreadCount();
    const script = inferenceWorkerScript();
    shared =
      size < 2 || script === null
        ? Promise.resolve(null)
        : InferencePool.start(script, size).catch((error: unknown) => {
            console.warn(`inference threads unavailable, inferring in one thread: ${String(error)}`);
            return null;
          });
  }
  return shared;
}

/** One batch at a time through the folded graph in this thread. */
function graphPredictor(graph: InferenceGraph, patch: number, channels: number): PatchPredictor {
  return async (batch, count) => {
    const output = tf.tidy(() => graph.predict(tf.tensor4d(batch, [count, patch, patch, channels])));
    const values = (await output.data()) as Float32Array;
    output.dispose();
    return values;
  };
}

/** Patches of one call of the folded graph in this thread: requests of the tiling (16 patches) joined (patchBatcher). */
const GRAPH_BATCH = 64;
/** Requests the tiling of one section keeps in flight on the folded graph: enough to fill a batch alone. */
const GRAPH_REQUESTS_IN_FLIGHT = 4;

/** The batched predictor of a graph for one input shape: its calls have GRAPH_BATCH patches on a GPU backend. */
function batchedGraphPredictor(graph: InferenceGraph, patch: number, channels: number): PatchPredictor {
  const backend = tf.getBackend();
  return patchBatcher(graphPredictor(graph, patch, channels), {
    inputPerPatch: patch * patch * channels,
    outputPerPatch: patch * patch,
    maxPatches: GRAPH_BATCH,
    fixedBatch: backend !== 'wasm' && backend !== 'cpu',
  });
}

/** Folded graphs kept for models inferred again and again (keepInferenceGraph), with their predictor per shape. */
const keptGraphs = new Map<
  tfl.LayersModel,
  { graph: InferenceGraph | null; predictors: Map<string, PatchPredictor> }
>();

/**
 * Keeps `model`'s folded graph (built on first use) and its batched predictors from one inference to the next, until
 * releaseInferenceGraph: for a model that is not trained any further (the compute process's model cache). Other models
 * get a graph per inference, released after it.
 */
export function keepInferenceGraph(model: tfl.LayersModel): void {
  if (!keptGraphs.has(model)) keptGraphs.set(model, { graph: null, predictors: new Map() });
}

export function releaseInferenceGraph(model: tfl.LayersModel): void {
  keptGraphs.get(model)?.graph?.dispose();
  keptGraphs.delete(model);
}

/** The kept predictor of `model` for this input shape, or null where its graph is not kept. */
function keptGraphPredictor(model: tfl.LayersModel, patch: number, channels: number): PatchPredictor | null {
  const kept = keptGraphs.get(model);
  if (kept === undefined) return null;
  kept.graph ??= buildInferenceGraph(model);
  const shape = `${patch}/${channels}/${tf.getBackend()}`;
  let predictor = kept.predictors.get(shape);
  if (predictor === undefined) {
    predictor = batchedGraphPredictor(kept.graph, patch, channels);
    kept.predictors.set(shape, predictor);
  }
  return predictor;
}

/** The ONNX Runtime session of the last model inferred (a section is inferred many times with one model). */
let onnxSession: { key: string; serial: number; predictor: OnnxPredictor } | null = null;
let onnxSessionsCreated = 0;
/** Model keys ONNX Runtime refused: warned once, then inferred with tfjs without trying again. */
const refusedByOnnx = new Set<string>();
let onnxQueue: Promise<unknown> = Promise.resolve();

/** Which model (its artifacts' key, patch, channels, threads) the cached session runs, and its creation number. */
export function onnxSessionInfo(): { key: string; serial: number } | null {
  return onnxSession === null ? null : { key: onnxSession.key, serial: onnxSession.serial };
}

/**
 * The cached session when it runs this model (same topology and weights: a model trained further gets a new one), else
 * a new one replacing it. Null where ONNX Runtime refuses the model and onnx is not forced.
 */
async function onnxPredictorFor(
  model: tfl.LayersModel,
  patch: number,
  channels: number,
  forced: boolean,
  sampleDropout: boolean,
): Promise<OnnxPredictor | null> {
  const modelId = await modelKey(model);
  const threads = onnxThreadCount();
  const key = `${modelId}/${patch}/${channels}/${threads}${sampleDropout ? '/dropout' : ''}`;
  if (onnxSession?.key === key) return onnxSession.predictor;
  if (!forced && refusedByOnnx.has(modelId)) return null;
  if (onnxSession !== null) {
    const previous = onnxSession.predictor;
    onnxSession = null;
    await previous.dispose();
  }
  try {
    const predictor = await createOnnxPredictor(model, patch, channels, { threads, sampleDropout });
    onnxSession = { key, serial: ++onnxSessionsCreated, predictor };
    return predictor;
  } catch (error) {
    if (forced) throw error;
    refusedByOnnx.add(modelId);
    const reason = error instanceof Error ? error.message : String(error);
    console.warn(`ONNX Runtime cannot run model '${model.name}', inferring it with tfjs: ${reason}`);
    return null;
  }
}

/** `work` on the ONNX Runtime session, one call at a time (a call must not release the session another uses). */
function onOnnxRuntime<T>(
  model: tfl.LayersModel,
  patch: number,
  channels: number,
  work: (predict: PatchPredictor, inFlight: number) => Promise<T>,
  sampleDropout = false,
): Promise<{ result: T } | null> {
  const turn = onnxQueue.then(async () => {
    const predictor = await onnxPredictorFor(model, patch, channels, forcedEngine() === 'onnx', sampleDropout);
    // session.run blocks this thread while it computes: one batch in flight is all it can use.
    return predictor === null ? null : { result: await work(predictor.predict, 1) };
  });
  onnxQueue = turn.catch(() => undefined);
  return turn;
}

/**
 * Runs `work` with a predictor of `model` for patches of `patch` x `patch` with `channels` channels, and how many
 * batches to keep in flight: ONNX Runtime on the CPU backends where it loads; else the folded inference graph, spread
 * over the inference threads on wasm, in this thread otherwise (GPU backends), where the requests of every section
 * inferred at once are joined into batches of GRAPH_BATCH patches.
 */
export async function withGraphPredictor<T>(
  model: tfl.LayersModel,
  patch: number,
  channels: number,
  work: (predict: PatchPredictor, inFlight: number) => Promise<T>,
): Promise<T> {
  if (inferenceEngine(tf.getBackend()).engine === 'onnx') {
    const done = await onOnnxRuntime(model, patch, channels, work);
    if (done !== null) return done.result;
  }
  const pool = await sharedPool();
  if (pool !== null) return pool.run(model, patch, channels, work);
  const kept = keptGraphPredictor(model, patch, channels);
  if (kept !== null) return work(kept, GRAPH_REQUESTS_IN_FLIGHT);
  const graph = buildInferenceGraph(model);
  try {
    return await work(batchedGraphPredictor(graph, patch, channels), GRAPH_REQUESTS_IN_FLIGHT);
  } finally {
    graph.dispose();
  }
}

/**
 * Runs `work` with a predictor that samples dropout on every batch (Monte Carlo dropout; BatchNorm on its moving
 * statistics), on ONNX Runtime where CPU inference runs there; null elsewhere (the caller samples with tfjs).
 */
export async function withDropoutSamplingPredictor<T>(
  model: tfl.LayersModel,
  patch: number,
  channels: number,
  work: (predict: PatchPredictor, inFlight: number) => Promise<T>,
): Promise<{ result: T } | null> {
  if (inferenceEngine(tf.getBackend()).engine !== 'onnx') return null;
  return onOnnxRuntime(model, patch, channels, work, true);
}
