/**
 * Entry of the view thread (bundled to dist/viewWorker.cjs): reads the recording views' windows and sends them back
 * with their sample arrays transferred. See viewThread.ts for why.
 */
import { parentPort } from 'node:worker_threads';
import { toApiError } from '../../compute/apiErrors';
import type { FromViewThread, ToViewThread } from './viewThread';
import { viewWindowReaders, windowBuffers, type ViewWindows } from './viewWindows';

if (parentPort === null) throw new Error('viewWorker.ts runs only as a worker thread');
const port = parentPort;

async function read(message: ToViewThread): Promise<ViewWindows[keyof ViewWindows]['result']> {
  if (message.kind === 'waveform') return viewWindowReaders.waveform(message.cacheDir, message.request);
  return viewWindowReaders.spectrogram(message.cacheDir, message.request);
}

port.on('message', (message: ToViewThread) => {
  read(message).then(
    (window) => port.postMessage({ id: message.id, ok: true, window } satisfies FromViewThread, windowBuffers(window)),
    (error: unknown) =>
      port.postMessage({
        id: message.id,
        ok: false,
        error: toApiError(error, `recordings.${message.kind}`),
      } satisfies FromViewThread),
  );
});
