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
import { PromethiumError, type ApiErrorShape } from '../../../preload/contract';
import { AnsweringThread, type ThreadProtocol } from '../../threads/answeringThread';
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

const viewProtocol: ThreadProtocol<FromViewThread, ViewResult> = {
  outcome: (message) => (message.ok ? message.result : new PromethiumError(message.error.code, message.error.message)),
  thrown: (error) => error,
  exited: (code) => new Error(`the thread that computes the views stopped (exit code ${code}); try again`),
};

export class ViewThread implements ViewReader {
  private thread: AnsweringThread<Omit<ToViewThread, 'id'>, FromViewThread, ViewResult> | null = null;

  constructor(private readonly script: string) {}

  read<K extends ViewKind>(kind: K, request: ViewReads[K]['request']): Promise<ViewReads[K]['result']> {
    // A thread that died failed what it owed; the next request starts a fresh one.
    if (this.thread === null || this.thread.broken) this.thread = new AnsweringThread(this.script, viewProtocol);
    return this.thread.request({ kind, request }, movedBuffers(request)) as Promise<ViewReads[K]['result']>;
  }

  async close(): Promise<void> {
    const thread = this.thread;
    this.thread = null;
    if (thread) await thread.terminate();
  }
}
