/** The worker side of the channel to the coordinating process (spreadApply.ts, spreadTraining.ts). */
if (!process.send) throw new Error('a Promethium worker runs only as a worker process of a job (no IPC channel)');
// A coordinator that died (even by SIGKILL) closes the channel: stop too, so no orphan keeps writing.
process.on('disconnect', () => process.exit(1));

export function sendToCoordinator(message: unknown): void {
  process.send?.(message);
}

/** Sends the worker's last word and leaves once it is on its way (inference threads would keep the process alive). */
export async function sendLastAndExit(message: unknown): Promise<void> {
  await new Promise<void>((resolve) => process.send?.(message, undefined, undefined, () => resolve()));
  process.exit(0);
}
