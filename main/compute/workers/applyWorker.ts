/**
 * Entry of one worker process of a spread apply (bundled to dist/applyWorker.cjs, forked by spreadApply.ts): its own
 * tfjs on its own device (the coordinator pins it through its environment: main/ml/gpuAdapters.ts), the method loaded
 * once, then inlines asked for one at a time and written into the shared volume by the same applyVolume as a local
 * job, as a cluster task writes its slice. The worker writes each inline itself: only inline numbers cross the channel.
 */
import type { ApplyVolumeRequest } from '../../../preload/contract';
import { chooseBackend } from '../../ml/backends';
import { toApiError } from '../apiErrors';
import { applyVolume, type ApplyVolumeProgress } from '../applyVolume';
import type { FromApplyWorker, ToApplyWorker } from './workerProtocol';

if (!process.send) throw new Error('applyWorker runs only as a worker process of an apply (no IPC channel)');
const send = (message: FromApplyWorker): void => void process.send?.(message);
// A coordinator that died (even by SIGKILL) closes the channel: stop too, so no orphan keeps writing the volume.
process.on('disconnect', () => process.exit(1));

const controller = new AbortController();
const answers: ((inline: number | null) => void)[] = [];

/** The inlines the coordinator deals, each asked for when the previous one is written. */
async function* dealtInlines(): AsyncGenerator<number> {
  for (;;) {
    const inline = await new Promise<number | null>((resolve) => {
      answers.push(resolve);
      send({ type: 'next' });
    });
    if (inline === null) return;
    yield inline;
  }
}

async function run(request: ApplyVolumeRequest): Promise<void> {
  try {
    const backend = await chooseBackend();
    send({ type: 'ready', device: backend.device });
    const result = await applyVolume(
      request,
      {
        signal: controller.signal,
        progress: (_fraction, _message, detail) => {
          if (detail) send({ type: 'written', inline: (detail as ApplyVolumeProgress).inline });
        },
      },
      { slice: null, finish: false, shared: true, dealt: dealtInlines() },
    );
    await sendLast({ type: 'done', result });
  } catch (error) {
    await sendLast(
      controller.signal.aborted ? { type: 'cancelled' } : { type: 'failed', error: toApiError(error, 'apply') },
    );
  }
}

/** Sends the worker's last word and leaves once it is on its way (inference threads would keep the process alive). */
async function sendLast(message: FromApplyWorker): Promise<void> {
  await new Promise<void>((resolve) => process.send?.(message, undefined, undefined, () => resolve()));
  process.exit(0);
}

process.on('message', (message: ToApplyWorker) => {
  if (message.type === 'start') void run(message.request);
  else if (message.type === 'inline') answers.shift()?.(message.inline);
  else controller.abort();
});
