/**
 * Full batches for the network from many small requests: the tiling of a section asks for a few patches at a time, and
 * several sections are inferred at once (the inlines an apply keeps in flight, the strength check's two passes), so
 * the requests that arrive together are joined into one call of the network, and its answer is cut back into theirs.
 * A GPU runs 64 patches in about the time it runs 16: the joined call is what makes its time count.
 *
 * Requests join until the event loop turns (every section that was waiting for the last answer has asked again by
 * then) or until a batch is full. With `fixedBatch`, every call of the network has exactly `maxPatches` patches (the
 * rest blank): a GPU backend then compiles its kernels for one batch shape only, once (see warmUpModels).
 */
import type { PatchPredictor } from './tiling';

interface Waiting {
  batch: Float32Array;
  count: number;
  resolve: (prediction: Float32Array) => void;
  reject: (error: unknown) => void;
}

export interface PatchBatcherOptions {
  /** Input values of one patch (patch x patch x channels) and output values (patch x patch). */
  inputPerPatch: number;
  outputPerPatch: number;
  /** Patches of one call of the network at most. */
  maxPatches: number;
  fixedBatch: boolean;
}

export function patchBatcher(predict: PatchPredictor, options: PatchBatcherOptions): PatchPredictor {
  const { inputPerPatch, outputPerPatch, maxPatches, fixedBatch } = options;
  let waiting: Waiting[] = [];
  let waitingPatches = 0;
  let flushScheduled = false;

  const run = async (requests: Waiting[], patches: number): Promise<void> => {
    try {
      const size = fixedBatch ? maxPatches : patches;
      const joined = new Float32Array(size * inputPerPatch);
      let offset = 0;
      for (const request of requests) {
        joined.set(request.batch.subarray(0, request.count * inputPerPatch), offset);
        offset += request.count * inputPerPatch;
      }
      const prediction = await predict(joined, size);
      let first = 0;
      for (const request of requests) {
        request.resolve(prediction.slice(first * outputPerPatch, (first + request.count) * outputPerPatch));
        first += request.count;
      }
    } catch (error) {
      for (const request of requests) request.reject(error);
    }
  };

  const flush = (): void => {
    const requests = waiting;
    const patches = waitingPatches;
    waiting = [];
    waitingPatches = 0;
    if (requests.length > 0) void run(requests, patches);
  };

  return (batch, count) => {
    if (count > maxPatches) throw new Error(`a request of ${count} patches exceeds the batch of ${maxPatches}`);
    return new Promise<Float32Array>((resolve, reject) => {
      if (waitingPatches + count > maxPatches) flush();
      waiting.push({ batch, count, resolve, reject });
      waitingPatches += count;
      if (waitingPatches === maxPatches) flush();
      else if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(() => {
          flushScheduled = false;
          flush();
        });
      }
    });
  };
}
