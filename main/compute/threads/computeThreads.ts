/**
 * Compute threads: the per-trace work around the network spread over worker threads, bit for bit the in-thread result.
 *
 * Confinement (processing/confineToInput.ts) first. It is the largest CPU cost left around the network (about half of
 * the ~1.8 s per million samples of one core measured after the cuts in BENCHMARKS.md): on a GPU machine, done in the
 * compute process's main thread, it caps an apply far below what the GPU infers. Here each section is cut into ranges
 * of traces confined apart, and joined: confinementTo confines each trace on its own, so the result is the in-thread
 * result bit for bit. Inlines in flight (compute/applyVolume.ts) share the threads, and the main thread meanwhile
 * tiles, blends and feeds the GPU the next inlines.
 *
 * The same threads run the strength check's two lowpasses (ml/sure.ts), the other filtering of the compute process's
 * main thread around a GPU: the section is cut into ranges of traces the same way, and bandpass filters each trace on
 * its own, so that too is the in-thread result bit for bit.
 *
 * The CLI's `promethium denoise` / `interpolate` (cli/processCommands.ts) run in their own process and hand the same
 * two functions to applyToSegy and the strength check, so their work around the network spreads the same way.
 *
 * The threads take the cores the network leaves: on a GPU backend every core but the main thread's; on the CPU
 * backends the inference threads (ONNX Runtime's or tfjs wasm's, parallelInference.ts) already take every core by
 * default, so this work stays in this thread there (measured in BENCHMARKS.md). PROMETHIUM_COMPUTE_THREADS=<n> sets
 * the count (0: in this thread). The threads start on first use, are shared by every job of the process and, idle, do
 * not keep it alive. The worker script is the bundle dist/computeThreadWorker.cjs next to this code's bundle; where it
 * is absent (the TypeScript sources under test) the work runs in this thread. A thread that dies fails the sections
 * it was working on with an error saying so; the next section starts new threads.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { bandpass, type BandpassOptions } from '../../processing/bandpass';
import { confinementTo, type ConfineOptions, type TraceRange } from '../../processing/confineToInput';
import type { SectionShape } from '../../signal/metrics';
import { inferenceEngine, inferenceThreadCount, onnxThreadCount } from '../../ml/parallelInference';
import type { SectionBandpass } from '../../ml/sure';
import { AnsweringThread, type ThreadProtocol } from '../../threads/answeringThread';

/** A range of a section's traces to confine: the whole input, and the output's traces of the range. */
export interface ConfinementTask {
  kind: 'confine';
  section: Float32Array;
  shape: SectionShape;
  live: Uint8Array;
  options: ConfineOptions;
  traces: TraceRange;
  output: Float32Array;
}

/** A range of a section's traces to bandpass (`section` holds only those traces). */
export interface BandpassTask {
  kind: 'bandpass';
  section: Float32Array;
  shape: SectionShape;
  options: BandpassOptions;
}

export type ThreadTask = ConfinementTask | BandpassTask;

export interface ThreadRequest {
  id: number;
  task: ThreadTask;
}

export type ThreadAnswer = { id: number; result: Float32Array } | { id: number; error: string };

/** What a task does, in the errors that fail it. */
const TASK_NAMES: Record<ThreadTask['kind'], string> = {
  confine: 'confining the result to the input',
  bandpass: "the strength check's lowpass",
};

/** Fewer traces than this in a range cost more in messages than they save (a 200-trace inline: 3 ranges). */
export const MIN_TRACES_PER_RANGE = 64;

/** Confines an output of the section it was made for. */
export type Confinement = (output: Float32Array) => Promise<Float32Array>;

const computeProtocol: ThreadProtocol<ThreadAnswer, Float32Array> = {
  outcome: (answer) => ('error' in answer ? new Error(answer.error) : answer.result),
  thrown: (error) => new Error(`a compute thread failed: ${error.message}`),
  exited: (code) => new Error(`a compute thread stopped (exit code ${code})`),
};

/** One compute thread: its errors name the task they fail. */
class ComputeThread extends AnsweringThread<Omit<ThreadRequest, 'id'>, ThreadAnswer, Float32Array> {
  constructor(script: string) {
    super(script, computeProtocol);
  }

  /** Runs `task`, its `transfer` buffers moved to the thread (the caller no longer holds them). */
  async run(task: ThreadTask, transfer: ArrayBuffer[]): Promise<Float32Array> {
    try {
      return await this.request({ task }, transfer);
    } catch (error) {
      throw new Error(`${TASK_NAMES[task.kind]} failed: ${(error as Error).message}`);
    }
  }
}

export class ComputeThreadPool {
  private readonly threads: ComputeThread[];

  constructor(script: string, size: number) {
    this.threads = Array.from({ length: size }, () => new ComputeThread(script));
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
    // postMessage clones a typed array's whole buffer: a view of a larger one is cut out once, not once per range.
    const input = section.byteLength === section.buffer.byteLength ? section : section.slice();
    return this.byTraceRanges(shape, (thread, traces) => {
      // Copies (the output's range is transferred, the input cloned): the caller keeps its arrays.
      const part = output.slice(traces.from * shape.samples, traces.to * shape.samples);
      return thread.run({ kind: 'confine', section: input, shape, live, options, traces, output: part }, [part.buffer]);
    });
  }

  /** processing/bandpass.ts's bandpass of `section`, its traces cut into ranges filtered on the least busy threads. */
  bandpass(section: Float32Array, shape: SectionShape, options: BandpassOptions): Promise<Float32Array> {
    return this.byTraceRanges(shape, (thread, traces) => {
      // A copy of the range, transferred: the caller keeps its array.
      const part = section.slice(traces.from * shape.samples, traces.to * shape.samples);
      const partShape = { traces: traces.to - traces.from, samples: shape.samples };
      return thread.run({ kind: 'bandpass', section: part, shape: partShape, options }, [part.buffer]);
    });
  }

  /** A section's result made of the results of its trace ranges, each run on the least busy thread. */
  private async byTraceRanges(
    shape: SectionShape,
    runRange: (thread: ComputeThread, traces: TraceRange) => Promise<Float32Array>,
  ): Promise<Float32Array> {
    const result = new Float32Array(shape.traces * shape.samples);
    await Promise.all(
      traceRanges(shape.traces, this.threads.length).map(async (traces) => {
        const thread = this.threads.reduce((a, b) => (b.load < a.load ? b : a));
        result.set(await runRange(thread, traces), traces.from * shape.samples);
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
function computeThreadWorkerScript(): string | null {
  const script = path.join(__dirname, 'computeThreadWorker.cjs');
  return existsSync(script) ? script : null;
}

/** The compute threads beside a network on tfjs backend `backend`: the cores it leaves (see the header). */
export function computeThreadCount(backend: string | undefined): number {
  const forced = process.env.PROMETHIUM_COMPUTE_THREADS;
  if (forced !== undefined && forced !== '') {
    const count = Number(forced);
    if (!Number.isInteger(count) || count < 0) {
      throw new Error(`PROMETHIUM_COMPUTE_THREADS=${forced} is not a whole number of threads`);
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

let shared: ComputeThreadPool | null = null;

/** The process's compute threads, or null where their work runs in this thread. */
function sharedPool(): ComputeThreadPool | null {
  if (shared?.broken) {
    void shared.close();
    shared = null;
  }
  if (shared === null) {
    const script = computeThreadWorkerScript();
    const size = script === null ? 0 : computeThreadCount(tf.getBackend());
    if (script !== null && size > 0) shared = new ComputeThreadPool(script, size);
  }
  return shared;
}

/**
 * confinementTo on the compute threads where there are some (then each output's input energies are worked out
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

/** bandpass on the compute threads where there are some, else in this thread (the strength check's lowpasses). */
export const bandpassOnThreads: SectionBandpass = async (section, shape, options) => {
  const pool = sharedPool();
  return pool === null ? bandpass(section, shape, options) : pool.bandpass(section, shape, options);
};
