/**
 * Data-parallel training over several worker processes of this machine, one per GPU (trainWorker.ts): every worker
 * trains on its share of each global batch, and this process sums their gradients every step (GradientSums, through
 * host memory) and reports worker 0's progress. The workers train in step, so one that fails stops the job: the others
 * are stopped too, and the job resumes from its last finished epoch on any number of GPUs (the checkpoint holds the
 * model, the optimizer and the schedule, none of which depends on the number of workers).
 */
import type { ChildProcess } from 'node:child_process';
import { GradientSums } from '../../ml/training/dataParallel';
import type { JobContext } from '../protocol';
import type { TrainModelResult } from '../trainModel';
import { CANCEL_GRACE_MS, forkWorker, sendToWorker, type WorkerDevice } from './workerProcess';
import type { FromTrainWorker, ToTrainWorker, TrainRequest } from './workerProtocol';

export interface SpreadTrainingOptions {
  devices: readonly WorkerDevice[];
  /** The worker bundle, dist/trainWorker.cjs. */
  workerScript: string;
  /** Hears of every worker started (a test kills one). */
  onWorkerStarted?: (worker: { label: string; pid: number }) => void;
}

interface TrainWorker {
  rank: number;
  device: WorkerDevice;
  child: ChildProcess;
  result: TrainModelResult | null;
  failure: string | null;
}

export async function spreadTraining(
  request: TrainRequest,
  context: JobContext,
  options: SpreadTrainingOptions,
): Promise<TrainModelResult> {
  const coordinator = new TrainingCoordinator(request, context, options);
  const cancel = (): void => coordinator.cancel();
  context.signal.addEventListener('abort', cancel);
  try {
    await Promise.all(options.devices.map((device, rank) => coordinator.start(rank, device)));
  } finally {
    context.signal.removeEventListener('abort', cancel);
  }
  if (context.signal.aborted) throw new Error('training cancelled');
  const failed = coordinator.failed;
  if (failed !== null) {
    throw Object.assign(
      new Error(
        `${failed.device.label}: ${failed.failure}; the other workers were stopped. Resuming the job continues ` +
          'from its last finished epoch, on any number of GPUs',
      ),
      { apiCode: 'compute-crashed' },
    );
  }
  return coordinator.result();
}

class TrainingCoordinator {
  private readonly sums: GradientSums;
  private readonly workers: TrainWorker[] = [];
  /** The worker that stopped first, which stopped the job (this process then stopped the others). */
  failed: TrainWorker | null = null;

  constructor(
    private readonly request: TrainRequest,
    private readonly context: JobContext,
    private readonly options: SpreadTrainingOptions,
  ) {
    this.sums = new GradientSums(options.devices.length);
  }

  /** Starts worker `rank` on `device`; resolves when its process has ended. */
  start(rank: number, device: WorkerDevice): Promise<void> {
    const child = forkWorker(this.options.workerScript, device);
    const worker: TrainWorker = { rank, device, child, result: null, failure: null };
    this.workers.push(worker);
    if (child.pid !== undefined) this.options.onWorkerStarted?.({ label: device.label, pid: child.pid });
    child.on('message', (message: FromTrainWorker) => this.receive(worker, message));
    send(worker, { type: 'start', request: this.request, rank, workers: this.options.devices.length });
    return new Promise((resolve) =>
      child.on('close', (code, signal) => {
        this.stopped(worker, signal ? `killed by ${signal}` : `exit code ${code}`);
        resolve();
      }),
    );
  }

  cancel(): void {
    for (const worker of this.workers) {
      send(worker, { type: 'cancel' });
      setTimeout(() => worker.child.kill('SIGKILL'), CANCEL_GRACE_MS).unref();
    }
  }

  /** Worker 0's result: the model it wrote. */
  result(): TrainModelResult {
    const result = this.workers.find((worker) => worker.rank === 0)?.result;
    if (!result) throw new Error('worker 0 of the training ended without a result');
    return result;
  }

  private stopped(worker: TrainWorker, description: string): void {
    if (worker.result !== null || this.context.signal.aborted || this.failed !== null) return;
    worker.failure ??= `the worker process stopped (${description})`;
    this.failed = worker;
    // The others would wait for its gradients for ever; checkpoints are written whole or not at all.
    for (const other of this.workers) other.child.kill('SIGKILL');
  }

  private receive(worker: TrainWorker, message: FromTrainWorker): void {
    switch (message.type) {
      case 'reduce':
        this.sums.contribute(message.kind, worker.rank, message.values).then(
          (values) => send(worker, { type: 'reduced', values }),
          (error: unknown) => {
            worker.failure = error instanceof Error ? error.message : String(error);
            worker.child.kill('SIGKILL');
          },
        );
        return;
      case 'progress':
        return this.context.progress(message.fraction, message.message, message.detail);
      case 'done':
        worker.result = message.result;
        return;
      case 'failed':
        worker.failure = message.error.message;
        return;
      case 'cancelled':
        return;
    }
  }
}

function send(worker: TrainWorker, message: ToTrainWorker): void {
  sendToWorker(worker.child, message);
}
