/**
 * Entry of one worker process of a data-parallel training (bundled to dist/trainWorker.cjs, forked by
 * spreadTraining.ts): its own tfjs on its own device, the same training job as a lone one (trainModel.ts) on its share
 * of every batch, its gradients summed with the others' by the coordinator (main/ml/training/dataParallel.ts).
 */
import { chooseBackend } from '../../ml/backends';
import type { GradientExchange } from '../../ml/training/dataParallel';
import { toApiError } from '../apiErrors';
import { trainModel } from '../trainModel';
import { sendLastAndExit, sendToCoordinator } from './workerChannel';
import type { FromTrainWorker, ToTrainWorker } from './workerProtocol';

const send = (message: FromTrainWorker): void => sendToCoordinator(message);
const controller = new AbortController();
let answer: ((values: Float32Array) => void) | null = null;

/** One round with the other workers: this worker's values out, the round's result back. */
function round(kind: 'sum' | 'broadcast', values: Float32Array): Promise<Float32Array> {
  return new Promise((resolve) => {
    answer = resolve;
    send({ type: 'reduce', kind, values });
  });
}

async function run(message: Extract<ToTrainWorker, { type: 'start' }>): Promise<void> {
  const { request, rank, workers } = message;
  const exchange: GradientExchange = {
    rank,
    workers,
    allReduceSum: (values) => round('sum', values),
    broadcast: (values) => round('broadcast', values),
  };
  try {
    await chooseBackend();
    const context = {
      signal: controller.signal,
      progress: (fraction: number, text: string, detail?: unknown) => {
        // The workers train in step: worker 0 speaks for the job.
        if (rank === 0) send({ type: 'progress', fraction, message: text, detail });
      },
    };
    const result = await trainModel(request, context, exchange);
    await sendLastAndExit({ type: 'done', result } satisfies FromTrainWorker);
  } catch (error) {
    const last: FromTrainWorker = controller.signal.aborted
      ? { type: 'cancelled' }
      : { type: 'failed', error: toApiError(error, 'training') };
    await sendLastAndExit(last);
  }
}

process.on('message', (message: ToTrainWorker) => {
  if (message.type === 'start') void run(message);
  else if (message.type === 'reduced') answer?.(message.values);
  else controller.abort();
});
