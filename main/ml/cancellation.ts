/**
 * Cancellation points of long loops (training epochs, volume jobs). They live here, below the compute process that
 * runs the jobs, because the trainer needs them too and ml may not import compute (the layer order of eslint.config.mjs).
 */
export class JobCancelledError extends Error {
  readonly apiCode = 'cancelled';
  constructor() {
    super('cancelled by the user');
  }
}

/** Yields to the event loop (so cancel messages arrive) and throws if the job was cancelled meanwhile. */
export async function checkpoint(signal: AbortSignal): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (signal.aborted) throw new JobCancelledError();
}
