import type { ApiErrorShape, BackendReport, ComputeStatus, JobRequest } from '../../preload/contract';
import { PromethiumError } from '../../preload/contract';
import type { ComputeToHost, HostToCompute } from '../compute/protocol';
import type { ApiEventBus } from './events';

/** A started compute process, whichever way the host started it (utilityProcess or child_process.fork). */
export interface ComputeProcess {
  readonly pid: number | undefined;
  send(message: HostToCompute): void;
  onMessage(listener: (message: ComputeToHost) => void): void;
  onExit(listener: (description: string) => void): void;
  kill(): void;
}
export type ComputeLauncher = () => ComputeProcess;

export type JobOutcome =
  | { state: 'done'; result: unknown }
  | { state: 'failed'; error: ApiErrorShape }
  | { state: 'cancelled' }
  | { state: 'interrupted'; error: ApiErrorShape };

interface PendingJob {
  onProgress(fraction: number, message: string, detail: unknown): void;
  settle(outcome: JobOutcome): void;
  /** The run message went to the process (else a cancel just drops the job). */
  sent: boolean;
  cancelled: boolean;
}

const READY_TIMEOUT_MS = 120_000;

/**
 * Owns the compute process: starts it on demand, restarts it after it dies, routes job messages, and publishes its
 * status (state, pid, chosen ML backend) as `compute.status` events.
 */
export class ComputeHost {
  private process: ComputeProcess | null = null;
  private ready: Promise<void> | null = null;
  private readonly jobs = new Map<string, PendingJob>();
  private readonly backendWaiters: ((report: {
    backend: BackendReport | null;
    backendError: string | null;
  }) => void)[] = [];
  private current: ComputeStatus = { state: 'stopped', pid: null, backend: null, restarts: 0, lastExit: null };
  private backendError: string | null = null;
  private exitsSeen = 0;

  /**
   * `warmUpModels`: the models a started compute process loads and runs once before any job asks for them (the
   * defaults a first click uses), so that the first click is as fast as the next ones.
   */
  constructor(
    private readonly launch: ComputeLauncher,
    private readonly bus: ApiEventBus,
    private readonly warmUpModels: () => Promise<string[]> = async () => [],
  ) {}

  get status(): ComputeStatus {
    return { ...this.current };
  }

  /** Starts the compute process if it is not running and waits until it has chosen its backend. */
  start(): Promise<void> {
    if (this.ready) return this.ready;
    this.setStatus({ state: 'starting', pid: null });
    let child: ComputeProcess;
    try {
      child = this.launch();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.setStatus({ state: 'crashed', lastExit: reason });
      return Promise.reject(new PromethiumError('compute-crashed', `could not start the compute process: ${reason}`));
    }
    this.process = child;
    this.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new PromethiumError('compute-crashed', 'the compute process did not start within 2 minutes'));
        child.kill();
      }, READY_TIMEOUT_MS);
      child.onMessage((message) => {
        if (message.type === 'ready') {
          clearTimeout(timer);
          this.backendError = message.backendError;
          this.setStatus({ state: 'ready', pid: message.pid, backend: message.backend });
          resolve();
          if (message.backend) this.sendWarmUp(child);
        }
        try {
          this.route(message);
        } catch (error) {
          // A listener's failure must not escape into the process's message handler (it would take the host down).
          console.error('[compute] handling a message from the compute process failed:', error);
        }
      });
      child.onExit((description) => {
        clearTimeout(timer);
        reject(
          new PromethiumError('compute-crashed', `the compute process stopped before it was ready (${description})`),
        );
        this.handleExit(child, description);
      });
    });
    // A failed start is reported to whoever awaits it; the next call starts afresh.
    this.ready.catch(() => undefined);
    return this.ready;
  }

  /** Runs a job; the job is registered at once, so a cancel that arrives while the process starts is not lost. */
  run(jobId: string, request: JobRequest, onProgress: PendingJob['onProgress']): Promise<JobOutcome> {
    return new Promise<JobOutcome>((settle) => {
      const job: PendingJob = { onProgress, settle, sent: false, cancelled: false };
      this.jobs.set(jobId, job);
      this.start().then(
        () => {
          if (job.cancelled) {
            this.jobs.delete(jobId);
            return settle({ state: 'cancelled' });
          }
          job.sent = true;
          this.process?.send({ type: 'run', jobId, request });
        },
        (error: Error) => {
          this.jobs.delete(jobId);
          settle({ state: 'failed', error: { code: 'compute-crashed', message: error.message } });
        },
      );
    });
  }

  cancel(jobId: string): void {
    const job = this.jobs.get(jobId);
    if (!job) return;
    job.cancelled = true;
    if (job.sent) this.process?.send({ type: 'cancel', jobId });
  }

  /** The backend report, probing again in a running process (e.g. after a driver update). */
  async probeBackend(): Promise<BackendReport> {
    await this.start();
    const report = await new Promise<{ backend: BackendReport | null; backendError: string | null }>((resolve) => {
      this.backendWaiters.push(resolve);
      this.process?.send({ type: 'probe' });
    });
    this.backendError = report.backendError;
    this.setStatus({ backend: report.backend });
    if (!report.backend) throw new PromethiumError('unavailable', report.backendError ?? 'no ML backend');
    return report.backend;
  }

  get lastBackendError(): string | null {
    return this.backendError;
  }

  stop(): void {
    const child = this.process;
    this.process = null;
    this.ready = null;
    child?.kill();
    this.setStatus({ state: 'stopped', pid: null });
  }

  private sendWarmUp(child: ComputeProcess): void {
    this.warmUpModels().then(
      (modelDirs) => {
        if (modelDirs.length > 0) child.send({ type: 'warm-up', modelDirs });
      },
      (error: unknown) => console.warn('[compute] no models to warm up:', error),
    );
  }

  private route(message: ComputeToHost): void {
    if (message.type === 'backend') {
      for (const waiter of this.backendWaiters.splice(0)) waiter(message);
      return;
    }
    if (message.type === 'ready') return;
    const job = this.jobs.get(message.jobId);
    if (!job) return;
    if (message.type === 'progress') return job.onProgress(message.fraction, message.message, message.detail);
    this.jobs.delete(message.jobId);
    if (message.type === 'done') job.settle({ state: 'done', result: message.result });
    else if (message.type === 'failed') job.settle({ state: 'failed', error: message.error });
    else job.settle({ state: 'cancelled' });
  }

  private handleExit(child: ComputeProcess, description: string): void {
    if (this.process !== child) return; // an intentional stop() already cleared it
    this.process = null;
    this.ready = null;
    this.exitsSeen++;
    const error: ApiErrorShape = {
      code: 'compute-crashed',
      message: `the compute process stopped (${description}); the job was interrupted`,
    };
    for (const [jobId, job] of this.jobs) {
      this.jobs.delete(jobId);
      job.settle({ state: 'interrupted', error });
    }
    for (const waiter of this.backendWaiters.splice(0)) waiter({ backend: null, backendError: error.message });
    this.setStatus({ state: 'crashed', pid: null, restarts: this.exitsSeen, lastExit: description });
  }

  private setStatus(change: Partial<ComputeStatus>): void {
    this.current = { ...this.current, ...change };
    this.bus.emit('compute.status', this.status);
  }
}
