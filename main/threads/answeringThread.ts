/**
 * A worker thread that owes answers by request id: each request gets the next id, the worker answers it with a message
 * carrying that id, in any order. The thread does not keep the process alive while it owes nothing (it is referenced
 * only while an answer is owed), and a thread that throws or exits fails everything it still owes, and every later
 * request, with the error its owner chose; the owner then starts a fresh one if it wants.
 *
 * What an answer means (a result or an error) and what a dead thread's failure says belong to the owner: the inference
 * threads (ml/parallelInference.ts), the compute threads (compute/threads/computeThreads.ts) and the view thread
 * (workflows/viewThread/viewThread.ts) each explain their own.
 */
import { Worker, type Transferable } from 'node:worker_threads';

/** How the owner reads its worker's answers and words its failures. */
export interface ThreadProtocol<Answer, Result> {
  /** The result an answer resolves its request with, or the Error that rejects it. */
  outcome(answer: Answer): Result | Error;
  /** The error that fails what the thread owes when it throws (uncaught in the worker). */
  thrown(error: Error): Error;
  /** The error that fails what the thread owes when it exits. */
  exited(code: number): Error;
}

interface Owed<Result> {
  resolve: (result: Result) => void;
  reject: (error: Error) => void;
}

/** Id 0 is no request's: it is the answer a worker may send unasked once it has started (awaitStart). */
const START_ID = 0;

export class AnsweringThread<Request extends object, Answer extends { id: number }, Result> {
  private readonly worker: Worker;
  private readonly owed = new Map<number, Owed<Result>>();
  private nextId = START_ID + 1;
  private failure: Error | null = null;

  constructor(
    script: string,
    private readonly protocol: ThreadProtocol<Answer, Result>,
  ) {
    this.worker = new Worker(script);
    this.worker.unref();
    this.worker.on('message', (answer: Answer) => this.answered(answer));
    this.worker.on('error', (error) => this.fail(protocol.thrown(error)));
    this.worker.on('exit', (code) => this.fail(protocol.exited(code)));
  }

  /** Answers owed. */
  get load(): number {
    return this.owed.size;
  }

  /** Whether the thread threw or exited (it answers nothing more). */
  get broken(): boolean {
    return this.failure !== null;
  }

  /** Sends `message` with the next id, the `transfer` buffers moved to the thread (the caller no longer holds them). */
  request(message: Request, transfer: readonly Transferable[] = []): Promise<Result> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const id = this.nextId++;
    const answer = this.owe(id);
    try {
      this.worker.postMessage({ ...message, id }, transfer);
    } catch (error) {
      this.settle(id, error as Error); // a message that cannot be cloned: owed no more
    }
    return answer;
  }

  /**
   * The message with id 0 that the worker sends unasked once it has started, owed like an answer (the thread keeps
   * the process alive until it comes). Call it before yielding to the event loop: the message may come at its next turn.
   */
  awaitStart(): Promise<Result> {
    if (this.failure !== null) return Promise.reject(this.failure);
    return this.owe(START_ID);
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }

  private owe(id: number): Promise<Result> {
    if (this.owed.size === 0) this.worker.ref(); // owed an answer: keep the process alive until it comes
    return new Promise((resolve, reject) => this.owed.set(id, { resolve, reject }));
  }

  private answered(answer: Answer): void {
    if (this.owed.has(answer.id)) this.settle(answer.id, this.protocol.outcome(answer));
  }

  private settle(id: number, outcome: Result | Error): void {
    const owed = this.owed.get(id)!;
    this.owed.delete(id);
    if (this.owed.size === 0) this.worker.unref();
    if (outcome instanceof Error) owed.reject(outcome);
    else owed.resolve(outcome);
  }

  private fail(error: Error): void {
    if (this.failure !== null) return;
    this.failure = error;
    for (const owed of this.owed.values()) owed.reject(error);
    this.owed.clear();
  }
}
