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
import { sendLastAndExit, sendToCoordinator } from './workerChannel';
import type { FromApplyWorker, ToApplyWorker } from './workerProtocol';

const send = (message: FromApplyWorker): void => sendToCoordinator(message);

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
    await chooseBackend();
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
    await sendLastAndExit({ type: 'done', result } satisfies FromApplyWorker);
  } catch (error) {
    const last: FromApplyWorker = controller.signal.aborted
      ? { type: 'cancelled' }
      : { type: 'failed', error: toApiError(error, 'apply') };
    await sendLastAndExit(last);
  }
}

process.on('message', (message: ToApplyWorker) => {
  if (message.type === 'start') void run(message.request);
  else if (message.type === 'inline') answers.shift()?.(message.inline);
  else controller.abort();
});
