/**
 * Entry of the view thread (bundled to dist/viewWorker.cjs): computes what the views ask for and sends it back with
 * its arrays transferred. See viewThread.ts for why.
 */
import { parentPort } from 'node:worker_threads';
import { toApiError } from '../../compute/apiErrors';
import type { FromViewThread, ToViewThread } from './viewThread';
import { movedBuffers, viewReaders, type ViewResult } from './viewReads';

if (parentPort === null) throw new Error('viewWorker.ts runs only as a worker thread');
const port = parentPort;

function read(message: ToViewThread): Promise<ViewResult> {
  if (message.kind === 'waveform') return viewReaders.waveform(message.request);
  if (message.kind === 'spectrogram') return viewReaders.spectrogram(message.request);
  return viewReaders.lodCube(message.request);
}

/** What the API names the request in an error ("survey.lodCube failed: ..."). */
const METHODS = { waveform: 'recordings.waveform', spectrogram: 'recordings.spectrogram', lodCube: 'survey.lodCube' };

port.on('message', (message: ToViewThread) => {
  read(message).then(
    (result) => port.postMessage({ id: message.id, ok: true, result } satisfies FromViewThread, movedBuffers(result)),
    (error: unknown) =>
      port.postMessage({
        id: message.id,
        ok: false,
        error: toApiError(error, METHODS[message.kind]),
      } satisfies FromViewThread),
  );
});
