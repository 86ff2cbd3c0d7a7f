/**
 * Reads the recording views' windows off the main process's event loop (DESIGN.md: no task over 50 ms on it). A view
 * request is not a job (no progress, no entry in the job list, answered in a second or two), so it does not go
 * through the compute process and its job runner: one worker thread of this process reads the cache and computes,
 * and the results come back as transferred Float32Arrays. The thread starts on the first request and, idle, does not
 * keep the process alive; one that dies fails what it owed and the next request starts a fresh one.
 *
 * The worker script is the bundle dist/viewWorker.cjs next to the host's bundle; where it is absent (the TypeScript
 * sources under test) the windows are read in this thread, as parallelInference.ts does for its threads.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { PromethiumError, type ApiErrorShape } from '../../../preload/contract';
import { viewWindowReaders, type ViewKind, type ViewWindows } from './viewWindows';

export interface ViewWindowSource {
  read<K extends ViewKind>(
    kind: K,
    cacheDir: string,
    request: ViewWindows[K]['request'],
  ): Promise<ViewWindows[K]['result']>;
  close(): Promise<void>;
}

export type ToViewThread = {
  [K in ViewKind]: { id: number; kind: K; cacheDir: string; request: ViewWindows[K]['request'] };
}[ViewKind];

export type FromViewThread =
  { id: number; ok: true; window: ViewWindows[ViewKind]['result'] } | { id: number; ok: false; error: ApiErrorShape };

export const DEFAULT_VIEW_WORKER_SCRIPT = path.join(__dirname, 'viewWorker.cjs');

/** The view thread where its script exists, else the windows read in this thread. */
export function viewWindowSource(script: string): ViewWindowSource {
  return existsSync(script) ? new ViewThread(script) : inThisThread;
}

const inThisThread: ViewWindowSource = {
  read: (kind, cacheDir, request) => viewWindowReaders[kind](cacheDir, request),
  close: async () => undefined,
};

interface Owed {
  resolve: (window: ViewWindows[ViewKind]['result']) => void;
  reject: (error: Error) => void;
}

export class ViewThread implements ViewWindowSource {
  private worker: Worker | null = null;
  private readonly owed = new Map<number, Owed>();
  private nextId = 1;

  constructor(private readonly script: string) {}

  read<K extends ViewKind>(
    kind: K,
    cacheDir: string,
    request: ViewWindows[K]['request'],
  ): Promise<ViewWindows[K]['result']> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    if (this.owed.size === 0) worker.ref(); // owed an answer: keep the process alive until it comes
    return new Promise<ViewWindows[ViewKind]['result']>((resolve, reject) => {
      this.owed.set(id, { resolve, reject });
      worker.postMessage({ id, kind, cacheDir, request } as ToViewThread);
    }) as Promise<ViewWindows[K]['result']>;
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
      if (message.ok) owed.resolve(message.window);
      else owed.reject(new PromethiumError(message.error.code, message.error.message));
    });
    worker.on('error', (error) => this.stopped(worker, error));
    worker.on('exit', (code) => this.stopped(worker, new Error(`the view thread stopped (exit code ${code})`)));
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
