/** Worker processes of a job spread over several devices: what pins one to its device, and how it is started. */
import { fork, type ChildProcess, type Serializable } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export interface WorkerDevice {
  /** How reports name it: "GPU 2 (NVIDIA H100 80GB HBM3)". */
  label: string;
  /** What pins the worker to its device, added to this process's environment. */
  env: Record<string, string>;
}

/** How long cancelled workers get to leave before they are killed. */
export const CANCEL_GRACE_MS = 10_000;

/** Starts the worker bundle `script` on `device`; typed arrays cross the channel as they are ('advanced'). */
export function forkWorker(script: string, device: WorkerDevice): ChildProcess {
  return fork(script, [], {
    serialization: 'advanced',
    env: { ...process.env, ...device.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/**
 * Sends `message` to a worker. A worker that has just died fails the write (EPIPE): its 'close' event, not this,
 * tells the coordinator, so the failed write is dropped instead of raising an error event on the process.
 */
export function sendToWorker(child: ChildProcess, message: Serializable): void {
  if (child.connected) child.send(message, () => undefined);
}

/** A worker bundle (`applyWorker`, `trainWorker`), next to the compute process's bundle in `distDir`. */
export function workerScript(distDir: string, name: string): string {
  const script = path.join(distDir, `${name}.cjs`);
  if (!existsSync(script)) {
    throw Object.assign(new Error(`the worker ${script} is missing: run \`npm run build\``), {
      apiCode: 'unavailable',
    });
  }
  return script;
}
