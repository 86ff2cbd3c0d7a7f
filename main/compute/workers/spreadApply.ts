/**
 * Apply to volume spread over several worker processes of this machine, one per GPU, each with its own device
 * (applyWorker.ts). This process only coordinates: it sets the derived volume up, deals the unfinished inlines from
 * one queue (InlineDealer) as the workers ask for them, reports progress, and finishes the volume once every inline is
 * written. The workers write their inlines into the volume themselves, one chunk file per inline, as the tasks of a
 * cluster apply do (main/cluster/clusterApply.ts): the result is byte-identical to one worker's, a job stopped by a
 * crash or a cancel resumes after its finished inlines, and a worker that fails gives its inlines back to the queue
 * while the others finish the job.
 */
import type { ChildProcess } from 'node:child_process';
import type { ApiErrorShape, ApplyVolumeRequest } from '../../../preload/contract';
import { strengthSummary } from '../../ml/sure';
import { SurveyCache } from '../../survey/cache';
import {
  finishAppliedVolume,
  openVolumeWriter,
  type ApplyVolumeProgress,
  type ApplyVolumeResult,
} from '../applyVolume';
import type { JobContext } from '../protocol';
import { InlineDealer } from './inlineDealer';
import { CANCEL_GRACE_MS, forkWorker, sendToWorker, type WorkerDevice } from './workerProcess';
import type { FromApplyWorker, ToApplyWorker } from './workerProtocol';

export interface SpreadOptions {
  devices: readonly WorkerDevice[];
  /** The worker bundle, dist/applyWorker.cjs. */
  workerScript: string;
  /** Hears of every worker started (the benchmark lists them; a test kills one). */
  onWorkerStarted?: (worker: { label: string; pid: number }) => void;
}

/** What each worker did, in the job's result. */
export interface ApplyWorkerReport {
  device: string;
  inlinesWritten: number;
  /** Inlines it was dealt and did not write, because it stopped: the other workers wrote them. */
  inlinesGivenBack: number;
  /** Why it stopped before the end (its inlines went to the others); null: it finished. */
  failure: string | null;
}

export type SpreadApplyResult = ApplyVolumeResult & { workers: ApplyWorkerReport[] };

interface Worker {
  id: string;
  device: WorkerDevice;
  child: ChildProcess;
  report: ApplyWorkerReport;
  result: ApplyVolumeResult | null;
  error: ApiErrorShape | null;
}

export async function spreadApply(
  request: ApplyVolumeRequest,
  context: JobContext,
  options: SpreadOptions,
): Promise<SpreadApplyResult> {
  const started = performance.now();
  const volume = await prepareVolume(request);
  const coordinator = new ApplyCoordinator(request, context, volume, options);
  const workers = await coordinator.run();
  const finished = workers.filter((worker) => worker.result !== null);
  if (context.signal.aborted) throw new Error('apply cancelled');
  if (!coordinator.dealer.finished) throw coordinator.failure();
  const tracesFilled = await finishAppliedVolume(request, context);
  return { ...mergedResults(finished, volume, tracesFilled, started), workers: workers.map((w) => w.report) };
}

interface PreparedVolume {
  inlines: number;
  inlineNumbers: ArrayLike<number>;
  todo: number[];
}

/** Sets the derived volume up once, before any worker opens it (clearing a killed run's temporaries), as a cluster
 * submission does; the inlines an earlier run finished are skipped. */
async function prepareVolume(request: ApplyVolumeRequest): Promise<PreparedVolume> {
  const input = await SurveyCache.open(request.inputDir);
  try {
    const inlines = input.shape[0];
    const finished = await (await openVolumeWriter(request, input, false)).finishedInlines();
    const todo = Array.from({ length: inlines }, (_, il) => il).filter((il) => !finished.has(il));
    return { inlines, inlineNumbers: Array.from(input.inlineNumbers), todo };
  } finally {
    await input.close();
  }
}

class ApplyCoordinator {
  readonly dealer: InlineDealer;
  private readonly workers: Worker[] = [];
  /** Workers waiting for an inline while the queue is empty and other workers still hold some. */
  private readonly waiting = new Set<Worker>();

  constructor(
    private readonly request: ApplyVolumeRequest,
    private readonly context: JobContext,
    private readonly volume: PreparedVolume,
    private readonly options: SpreadOptions,
  ) {
    this.dealer = new InlineDealer(volume.todo);
  }

  /** Starts every worker and resolves when all have stopped. */
  async run(): Promise<Worker[]> {
    const cancel = (): void => this.cancel();
    this.context.signal.addEventListener('abort', cancel);
    this.context.progress(this.doneFraction(), `starting ${this.options.devices.length} workers`);
    try {
      await Promise.all(this.options.devices.map((device, k) => this.start(String(k), device)));
    } finally {
      this.context.signal.removeEventListener('abort', cancel);
    }
    return this.workers;
  }

  /** The error of a job whose workers all stopped with inlines left. */
  failure(): Error {
    const reasons = this.workers.map((w) => `${w.device.label}: ${w.report.failure ?? 'finished'}`).join('; ');
    const code = this.workers.find((w) => w.error)?.error?.code;
    return Object.assign(new Error(`every worker stopped before the volume was complete (${reasons})`), {
      apiCode: code === 'invalid-argument' ? code : 'compute-crashed',
    });
  }

  private start(id: string, device: WorkerDevice): Promise<void> {
    const child = forkWorker(this.options.workerScript, device);
    const worker: Worker = {
      id,
      device,
      child,
      report: { device: device.label, inlinesWritten: 0, inlinesGivenBack: 0, failure: null },
      result: null,
      error: null,
    };
    this.workers.push(worker);
    if (child.pid !== undefined) this.options.onWorkerStarted?.({ label: device.label, pid: child.pid });
    child.on('message', (message: FromApplyWorker) => this.receive(worker, message));
    this.send(worker, { type: 'start', request: this.request });
    return new Promise((resolve) => {
      // 'close', not 'exit': it comes after the last message of the channel, so a worker's 'done' is never missed.
      child.on('close', (code, signal) => {
        this.stopped(worker, signal ? `killed by ${signal}` : `exit code ${code ?? 'unknown'}`);
        resolve();
      });
    });
  }

  private receive(worker: Worker, message: FromApplyWorker): void {
    switch (message.type) {
      case 'next':
        return this.deal(worker);
      case 'written':
        return this.written(worker, message.inline);
      case 'done':
        worker.result = message.result;
        return;
      case 'failed':
        worker.error = message.error;
        return;
      case 'cancelled':
        return;
    }
  }

  private deal(worker: Worker): void {
    if (this.context.signal.aborted) return this.send(worker, { type: 'inline', inline: null });
    const inline = this.dealer.next(worker.id);
    if (inline !== null) return this.send(worker, { type: 'inline', inline });
    if (this.dealer.finished) return this.send(worker, { type: 'inline', inline: null });
    // Another worker still holds inlines: should it stop, they come back to the queue for this one.
    this.waiting.add(worker);
  }

  private written(worker: Worker, inline: number): void {
    this.dealer.markWritten(worker.id, inline);
    worker.report.inlinesWritten++;
    const completedLines = this.volume.inlines - this.volume.todo.length + this.dealer.writtenInlines;
    const progress: ApplyVolumeProgress = {
      volumeId: this.request.volumeId,
      completedLines,
      totalLines: this.volume.inlines,
      inline,
    };
    this.context.progress(
      this.doneFraction(),
      `inline ${this.volume.inlineNumbers[inline]} (${completedLines} of ${this.volume.inlines}) by ${worker.device.label}`,
      progress,
    );
    if (this.dealer.finished) this.releaseWaiting();
  }

  /** A worker's process ended: anything it held goes back to the queue, for the workers waiting first. */
  private stopped(worker: Worker, description: string): void {
    this.waiting.delete(worker);
    if (worker.result === null && !this.context.signal.aborted) {
      worker.report.failure = worker.error?.message ?? `the worker process stopped (${description})`;
    }
    const returned = this.dealer.giveBack(worker.id);
    worker.report.inlinesGivenBack = returned.length;
    if (returned.length === 0) return;
    for (const waiting of [...this.waiting]) {
      this.waiting.delete(waiting);
      this.deal(waiting);
    }
  }

  private releaseWaiting(): void {
    for (const worker of this.waiting) this.send(worker, { type: 'inline', inline: null });
    this.waiting.clear();
  }

  private cancel(): void {
    this.releaseWaiting();
    for (const worker of this.workers) {
      this.send(worker, { type: 'cancel' });
      setTimeout(() => worker.child.kill('SIGKILL'), CANCEL_GRACE_MS).unref();
    }
  }

  private send(worker: Worker, message: ToApplyWorker): void {
    sendToWorker(worker.child, message);
  }

  private doneFraction(): number {
    const done = this.volume.inlines - this.volume.todo.length + this.dealer.writtenInlines;
    return 0.95 * (done / this.volume.inlines);
  }
}

/** One result for the job from its workers' results. */
function mergedResults(
  workers: readonly Worker[],
  volume: PreparedVolume,
  tracesFilled: number,
  started: number,
): ApplyVolumeResult {
  const results = workers.map((worker) => worker.result!);
  const reconstructed = results.reduce((sum, r) => sum + r.inlinesReconstructed, 0);
  const busySeconds = results.reduce(
    (sum, r) => sum + (r.secondsPerReconstructedInline ?? 0) * r.inlinesReconstructed,
    0,
  );
  const firstWritten = results.map((r) => r.firstInlineWritten).filter((il) => il !== null);
  return {
    method: results[0]?.method ?? '',
    inlines: volume.inlines,
    inlinesReconstructed: reconstructed,
    inlinesAlreadyDone: volume.inlines - volume.todo.length,
    firstInlineWritten: firstWritten.length ? Math.min(...firstWritten) : null,
    tracesFilled,
    // Each worker summarised the strengths of its own inlines: the median here is the median of their medians.
    strength: mergedStrength(results),
    seconds: (performance.now() - started) / 1000,
    secondsPerReconstructedInline: reconstructed ? busySeconds / reconstructed : null,
  };
}

function mergedStrength(results: readonly ApplyVolumeResult[]): ApplyVolumeResult['strength'] {
  const summaries = results.map((r) => r.strength).filter((s) => s !== null);
  const medians = strengthSummary(summaries.map((s) => s.median));
  if (!medians) return null;
  return {
    median: medians.median,
    min: Math.min(...summaries.map((s) => s.min)),
    max: Math.max(...summaries.map((s) => s.max)),
  };
}
