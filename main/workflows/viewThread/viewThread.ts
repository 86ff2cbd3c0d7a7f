/**
 * Computes what the views ask for off the main process's event loop (DESIGN.md: no task over 50 ms on it): the
 * recording views' waveform and spectrogram windows and the 3D view's LOD cube (viewReads.ts). A view request is not a
 * job (no progress, no entry in the job list, answered in a second or two), so it does not go through the compute
 * process and its job runner: one worker thread of this process computes, and the arrays move between the threads
 * (transferred, not copied). The thread starts on the first request and, idle, does not keep the process alive; one
 * that dies fails what it owed and the next request starts a fresh one.
 *
 * Requests are not cancelled when a newer one for the same view arrives: the renderer drops stale answers itself,
 * and a refusal would reach the user as an error.
 *
 * The worker script is the bundle dist/viewWorker.cjs next to the host's bundle; where it is absent (the TypeScript
 * sources under test) the views' reads run in this thread, as parallelInference.ts does for its threads.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { PromethiumError, type ApiErrorShape } from '../../../preload/contract';
import { movedBuffers, viewReaders, type ViewKind, type ViewReads, type ViewResult } from './viewReads';

export interface ViewReader {
  read<K extends ViewKind>(kind: K, request: ViewReads[K]['request']): Promise<ViewReads[K]['result']>;
  close(): Promise<void>;
}

export type ToViewThread = { [K in ViewKind]: { id: number; kind: K; request: ViewReads[K]['request'] } }[ViewKind];

export type FromViewThread =
  { id: number; ok: true; result: ViewResult } | { id: number; ok: false; error: ApiErrorShape };

export const DEFAULT_VIEW_WORKER_SCRIPT = path.join(__dirname, 'viewWorker.cjs');

/** The view thread where its script exists, else the reads in this thread. */
export function viewReader(script: string): ViewReader {
  return existsSync(script) ? new ViewThread(script) : inThisThread;
}

const inThisThread: ViewReader = {
  read: (kind, request) => viewReaders[kind](request),
  close: async () => undefined,
};

interface Owed {
  resolve: (result: ViewResult) => void;
  reject: (error: Error) => void;
}

export class ViewThread implements ViewReader {
  private worker: Worker | null = null;
  private readonly owed = new Map<number, Owed>();
  private nextId = 1;

  constructor(private readonly script: string) {}

  read<K extends ViewKind>(kind: K, request: ViewReads[K]['request']): Promise<ViewReads[K]['result']> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    if (this.owed.size === 0) worker.ref(); // owed an answer: keep the process alive until it comes
    return new Promise<ViewResult>((resolve, reject) => {
      this.owed.set(id, { resolve, reject });
      worker.postMessage({ id, kind, request } as ToViewThread, movedBuffers(request));
    }) as Promise<ViewReads[K]['result']>;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }

  private start(): Worker {
    const worker = new Worker(this.script);
    worker.on('message', (message: FromViewThread) => {
      const owed = this.owed.get(message.id);
      if (!owed) return;
      this.owed.delete(message.id);
      if (this.owed.size === 0) worker.unref();
      if (message.ok) owed.resolve(message.result);
      else owed.reject(new PromethiumError(message.error.code, message.error.message));
    });
    worker.on('error', (error) => this.stopped(worker, error));
    worker.on('exit', (code) =>
      this.stopped(worker, new Error(`the thread that computes the views stopped (exit code ${code}); try again`)),
    );
    this.worker = worker;
    return worker;
  }

  /** A dead thread fails what it still owed; the next request starts a fresh one. */
  private stopped(worker: Worker, error: Error): void {
    if (this.worker === worker) this.worker = null;
    for (const owed of this.owed.values()) owed.reject(error);
    this.owed.clear();
  }
}
