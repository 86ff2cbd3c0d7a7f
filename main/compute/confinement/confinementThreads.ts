/**
 * Confinement (processing/confineToInput.ts) spread over worker threads. It is the largest CPU cost left around the
 * network (about half of the ~1.8 s per million samples of one core measured after the cuts in BENCHMARKS.md): on a
 * GPU machine, done in the compute process's main thread, it caps an apply far below what the GPU infers. Here each
 * section is cut into ranges of traces confined apart, and joined: confinementTo confines each trace on its own, so
 * the result is the in-thread result bit for bit. Inlines in flight (compute/applyVolume.ts) share the threads, and
 * the main thread meanwhile tiles, blends and feeds the GPU the next inlines.
 *
 * The threads take the cores the network leaves: on a GPU backend every core but the main thread's; on the CPU
 * backends the inference threads (ONNX Runtime's or tfjs wasm's, parallelInference.ts) already take every core by
 * default, so confinement stays in this thread there (measured in BENCHMARKS.md). PROMETHIUM_CONFINEMENT_THREADS=<n>
 * sets the count (0: in this thread). The threads start on first use, are shared by every job of the process and,
 * idle, do not keep it alive. The worker script is the bundle dist/confinementWorker.cjs next to this code's bundle;
 * where it is absent (the TypeScript sources under test) confinement runs in this thread. A thread that dies fails
 * the sections it was confining with an error saying so; the next section starts new threads.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { confinementTo, type ConfineOptions, type TraceRange } from '../../processing/confineToInput';
import type { SectionShape } from '../../signal/metrics';
import { inferenceEngine, inferenceThreadCount, onnxThreadCount } from '../../ml/parallelInference';

/** A range of a section's traces to confine: the whole input, and the output's traces of the range. */
export interface ConfinementTask {
  id: number;
  section: Float32Array;
  shape: SectionShape;
  live: Uint8Array;
  options: ConfineOptions;
  traces: TraceRange;
  output: Float32Array;
}

export type ConfinementAnswer = { id: number; result: Float32Array } | { id: number; error: string };

/** Fewer traces than this in a range cost more in messages than they save (a 200-trace inline: 3 ranges). */
export const MIN_TRACES_PER_RANGE = 64;

/** Confines an output of the section it was made for. */
export type Confinement = (output: Float32Array) => Promise<Float32Array>;

/** One worker thread: tasks by id, answered in any order; a thread that dies fails everything it still owes. */
class ConfinementThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (r: Float32Array) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private failure: Error | null = null;

  constructor(script: string) {
    this.worker = new Worker(script);
    this.worker.unref();
    this.worker.on('message', (answer: ConfinementAnswer) => {
      const waiting = this.pending.get(answer.id);
      if (waiting === undefined) return;
      this.pending.delete(answer.id);
      if (this.pending.size === 0) this.worker.unref();
      if ('error' in answer) waiting.reject(new Error(`confining the result to the input failed: ${answer.error}`));
      else waiting.resolve(answer.result);
    });
    this.worker.on('error', (error) => this.fail(`a confinement thread failed: ${error.message}`));
    this.worker.on('exit', (code) => this.fail(`a confinement thread stopped (exit code ${code})`));
  }

  get load(): number {
    return this.pending.size;
  }

  get broken(): boolean {
    return this.failure !== null;
  }

  confine(task: Omit<ConfinementTask, 'id'>): Promise<Float32Array> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const id = this.nextId++;
    if (this.pending.size === 0) this.worker.ref(); // owed an answer: keep the process alive until it comes
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...task, id } satisfies ConfinementTask, [task.output.buffer as ArrayBuffer]);
    });
  }

  private fail(reason: string): void {
    if (this.failure !== null) return;
    this.failure = new Error(`confining the result to the input failed: ${reason}`);
    for (const waiting of this.pending.values()) waiting.reject(this.failure);
    this.pending.clear();
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

export class ConfinementPool {
  private readonly threads: ConfinementThread[];

  constructor(script: string, size: number) {
    this.threads = Array.from({ length: size }, () => new ConfinementThread(script));
  }

  get broken(): boolean {
    return this.threads.some((thread) => thread.broken);
  }

  /** confineToInput of `output`, its traces cut into ranges confined on the least busy threads and joined. */
  async confine(
    section: Float32Array,
    shape: SectionShape,
    live: Uint8Array,
    options: ConfineOptions,
    output: Float32Array,
  ): Promise<Float32Array> {
    const result = new Float32Array(output.length);
    // postMessage clones a typed array's whole buffer: a view of a larger one is cut out once, not once per range.
    const input = section.byteLength === section.buffer.byteLength ? section : section.slice();
    await Promise.all(
      traceRanges(shape.traces, this.threads.length).map(async (traces) => {
        const thread = this.threads.reduce((a, b) => (b.load < a.load ? b : a));
        // Copies (the output's range is transferred, the input cloned): the caller keeps its arrays.
        const part = output.slice(traces.from * shape.samples, traces.to * shape.samples);
        const confined = await thread.confine({ section: input, shape, live, options, traces, output: part });
        result.set(confined, traces.from * shape.samples);
      }),
    );
    return result;
  }

  close(): Promise<number[]> {
    return Promise.all(this.threads.map((thread) => thread.terminate()));
  }
}

/** Up to `count` ranges of about equal size covering [0, traces), none under MIN_TRACES_PER_RANGE but a lone one. */
export function traceRanges(traces: number, count: number): TraceRange[] {
  const ranges = Math.max(1, Math.min(count, Math.floor(traces / MIN_TRACES_PER_RANGE)));
  return Array.from({ length: ranges }, (_, k) => ({
    from: Math.round((k * traces) / ranges),
    to: Math.round(((k + 1) * traces) / ranges),
  }));
}

/** The worker bundle next to this code's bundle (dist/), or null where there is none (TypeScript sources). */
function confinementWorkerScript(): string | null {
  const script = path.join(__dirname, 'confinementWorker.cjs');
  return existsSync(script) ? script : null;
}

/** The threads that confine beside a network on tfjs backend `backend`: the cores it leaves (see the header). */
export function confinementThreadCount(backend: string | undefined): number {
  const forced = process.env.PROMETHIUM_CONFINEMENT_THREADS;
  if (forced !== undefined && forced !== '') {
    const count = Number(forced);
    if (!Number.isInteger(count) || count < 0) {
      throw new Error(`PROMETHIUM_CONFINEMENT_THREADS=${forced} is not a whole number of threads`);
    }
    return count;
  }
  return Math.max(0, availableParallelism() - networkThreads(backend));
}

/** Threads the network keeps busy: the CPU backends' inference threads, or the main thread that feeds a GPU. */
function networkThreads(backend: string | undefined): number {
  if (backend !== 'wasm' && backend !== 'cpu') return 1;
  return inferenceEngine(backend).engine === 'onnx' ? onnxThreadCount() : inferenceThreadCount();
}

let shared: ConfinementPool | null = null;

/** The process's confinement threads, or null where confinement runs in this thread. */
function sharedPool(): ConfinementPool | null {
  if (shared?.broken) {
    void shared.close();
    shared = null;
  }
  if (shared === null) {
    const script = confinementWorkerScript();
    const size = script === null ? 0 : confinementThreadCount(tf.getBackend());
    if (script !== null && size > 0) shared = new ConfinementPool(script, size);
  }
  return shared;
}

/**
 * confinementTo on the confinement threads where there are some (then each output's input energies are worked out
 * again: in parallel, off this thread), else in this thread.
 */
export function confinementOnThreads(
  section: Float32Array,
  shape: SectionShape,
  live: Uint8Array,
  options: ConfineOptions,
): Confinement {
  const pool = sharedPool();
  if (pool !== null) return (output) => pool.confine(section, shape, live, options, output);
  const confine = confinementTo(section, shape, live, options);
  return async (output) => confine(output);
}
